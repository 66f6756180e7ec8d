"""Course folders: finding courses, file and image rules, referrals, reports and hashes."""
import json
import shutil

from trainer.content import check_path, format_text, parse_course, to_json

GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def lesson_with(modules, body: str, id: str = "m") -> str:
    return modules.text("lesson", "## A {#a}\n\n" + body, id)


def test_the_example_course_is_complete(good_course, monkeypatch):
    monkeypatch.chdir(good_course.parent)
    report = check_path(good_course)
    assert report.problems == ()
    assert report.ok
    course = report.courses[0]
    assert (course.id, course.language, course.pass_mark, course.certificate_valid_months) == (
        "core", "en", 80, 36)
    assert [m.kind for m in course.modules] == ["lesson", "quiz", "scenario"]
    assert course.images == ("images/side-room.png",)
    lesson, quiz, scenario = course.modules
    assert lesson.sections[1].note == "sexual violence"
    assert lesson.sections[1].alternative_html.startswith("<p>A non-graphic version")
    assert "<table>" in lesson.sections[0].body_html
    assert "callout-indicators" in lesson.sections[0].body_html
    assert [q.kind for q in quiz.questions] == [
        "single", "multiple", "true-false", "short", "numerical", "matching"]
    assert sorted(n.ending for n in scenario.nodes if n.ending) == [
        "acceptable", "best", "harmful"]
    summary = report.summaries[0]
    assert (summary.modules, summary.lessons, summary.quizzes, summary.scenarios,
            summary.questions, summary.sectors) == (3, 1, 1, 1, 6, ("health", "police"))


def test_a_course_folder_or_a_folder_of_courses(folder, modules):
    files = {"a/course.md": folder.course_md("m.md", id="a"), "a/m.md": modules.lesson(),
             "b/course.md": folder.course_md("m.md", id="b"), "b/m.md": modules.lesson(),
             "notes/readme.txt": "not a course", "typo/Course.md": "x"}
    report = folder.report(files)
    assert [c.id for c in report.courses] == ["a", "b"]
    assert [str(p) for p in report.problems] == [
        "typo:1: warning: this folder has .md files but no course.md, so it is not checked "
        "as a course"]
    assert [c.id for c in folder.report({}, "a").courses] == ["a"]
    assert [c.id for c in folder.report({}, "a/course.md").courses] == ["a"]
    assert folder.check({}, "notes") == ["notes:1: no course.md here or in its sub-folders"]
    assert folder.check({}, "missing") == ["missing:1: no such file or folder"]


def test_course_ids_are_unique(folder, modules):
    files = {"a/course.md": folder.course_md("m.md", id="same"), "a/m.md": modules.lesson(),
             "b/course.md": folder.course_md("m.md", id="same"), "b/m.md": modules.lesson()}
    report = folder.report(files)
    assert [str(p) for p in report.problems] == [
        "b/course.md:2: course id 'same' is also used by a/course.md"]
    assert [c.source_path.rsplit("/", 1)[1] for c in report.courses] == ["a"]


def test_course_md_fields(folder, modules):
    text = folder.course_md("m.md").replace("language: en", "language: fr\npass_mark: 120")
    text = text.replace("sectors: [health]", "sectors: [health, sport]\ncolour: red")
    assert folder.check({"c/course.md": text, "c/m.md": modules.lesson()}) == [
        "c/course.md:5: language: 'fr' is not one of: en, nl",
        "c/course.md:6: pass_mark: must be from 0 to 100",
        "c/course.md:7: sectors: 'sport' is not one of: health, police, counselling, community",
        "c/course.md:8: unknown field 'colour' in course.md",
    ]


def test_module_listing(folder, modules):
    text = folder.course_md("m.md", "m.md", "gone.md", "../escape.md", "notes.txt")
    assert folder.check({"c/course.md": text, "c/m.md": modules.lesson(),
                         "c/extra.md": modules.lesson("extra"), "c/README.md": "# Notes"}) == [
        "c/course.md:10: module m.md is listed twice",
        "c/course.md:11: module file gone.md does not exist",
        "c/course.md:12: module ../escape.md must be a .md file inside the course folder",
        "c/course.md:13: module notes.txt must be a .md file inside the course folder",
        "c/extra.md:1: warning: this module file is not listed under modules in course.md",
    ]


def test_module_ids_are_unique_within_the_course(folder, modules):
    files = {"c/course.md": folder.course_md("a.md", "b.md"), "c/a.md": modules.lesson("x"),
             "c/b.md": modules.lesson("x")}
    assert folder.check(files) == ["c/b.md:2: module id 'x' is also used by c/a.md"]


def test_files_must_be_utf8_and_at_most_1_mb(folder, modules):
    latin1 = modules.lesson().replace("Text.", "Caf\u00e9.").encode("latin-1")
    big = modules.lesson() + ("x" * 80 + "\n") * 13000
    files = {"c/course.md": folder.course_md("a.md", "b.md"), "c/a.md": latin1, "c/b.md": big}
    assert folder.check(files) == [
        "c/a.md:14: file is not UTF-8 text (save it as UTF-8)",
        "c/b.md:1: file is larger than 1 MB (1.0 MB)",
    ]


def test_image_rules(folder, modules, png):
    body = ("![A room](images/room.png)\n![](images/room.png)\n![Gone](images/gone.png)\n"
            "![Big](images/big.png)\n![Gif](images/fake.png)\n![Far](https://x.example/a.png)\n"
            "![Up](../secret.png)\n")
    files = {"c/course.md": folder.course_md("m.md"), "c/m.md": lesson_with(modules, body),
             "c/images/room.png": png, "c/images/big.png": png + b"\0" * (2 * 1024 * 1024),
             "c/images/fake.png": GIF}
    assert folder.check(files) == [
        "c/m.md:15: image images/room.png has no alt text: write ![what it shows]"
        "(images/room.png)",
        "c/m.md:16: image images/gone.png does not exist",
        "c/m.md:17: image images/big.png is larger than 2 MB (2.0 MB)",
        "c/m.md:18: image images/fake.png is not a PNG, JPEG or WebP file",
        "c/m.md:19: image https://x.example/a.png must be in the course's images/ folder",
        "c/m.md:20: image ../secret.png must be in the course's images/ folder",
    ]


def test_image_type_is_read_from_the_bytes(folder, modules, png):
    jpeg, webp = b"\xff\xd8\xff\xe0" + b"\0" * 20, b"RIFF\x10\0\0\0WEBPVP8 " + b"\0" * 8
    body = "![Jpeg](images/photo.webp)\n![Webp](images/photo.jpg)\n![Png](images/p.gif)\n"
    files = {"c/course.md": folder.course_md("m.md"), "c/m.md": lesson_with(modules, body),
             "c/images/photo.webp": jpeg, "c/images/photo.jpg": webp, "c/images/p.gif": png}
    assert folder.check(files) == []


def test_images_in_the_course_introduction(folder, modules):
    text = folder.course_md("m.md") + "\n![Cover](images/cover.png)\n"
    assert folder.check({"c/course.md": text, "c/m.md": modules.lesson()}) == [
        "c/course.md:12: image images/cover.png does not exist"]


def test_referrals(folder, modules):
    referrals = """\
- country: CA
  name: Canadian Human Trafficking Hotline
  phone: "1-833-900-1010"
  url: https://www.canadiancentretoendhumantrafficking.ca/the-hotline/
  hours: 24/7
  languages: [en, fr, "200+ by interpreter"]
  checked: 2026-11-25
  source: https://www.canadiancentretoendhumantrafficking.ca/the-hotline/
- country: Canada
  name: No way to reach it
  checked: last week
  source: www.example.org
  phone: 112
  fax: "123"
- name: Nobody
"""
    report = folder.report({"courses/referrals.yaml": referrals,
                            "courses/c/course.md": folder.course_md("m.md"),
                            "courses/c/m.md": modules.lesson()}, "courses")
    assert [str(p) for p in report.problems] == [
        "courses/referrals.yaml:9: country: 'Canada' is not a country code such as CA, or a "
        "region such as CA-ON",
        "courses/referrals.yaml:11: checked: must be a date written YYYY-MM-DD",
        "courses/referrals.yaml:12: source: must be a web address starting with https:// or "
        "http://",
        'courses/referrals.yaml:13: phone: write the phone number in quotes, for example '
        '"1-833-900-1010"',
        "courses/referrals.yaml:14: unknown field 'fax' in a service",
        "courses/referrals.yaml:15: missing field 'country'",
        "courses/referrals.yaml:15: missing field 'checked'",
        "courses/referrals.yaml:15: missing field 'source'",
        "courses/referrals.yaml:15: a service needs a phone number or a url",
    ]
    assert [(r.country, r.phone, r.checked.isoformat()) for r in report.referrals] == [
        ("CA", "1-833-900-1010", "2026-11-25")]


def test_referral_descriptions_dates_and_dead_addresses(folder, modules):
    referrals = """\
- country: NL
  name: CoMensha
  description: National coordination centre.
  description_nl: Landelijk coördinatiecentrum.
  phone: "033 448 11 86"
  checked: 2026-11-25
  source: https://www.comensha.nl/
- country: NL
  name: Only Dutch
  description_nl: Alleen Nederlands.
  url: https://example.org/
  checked: 2999-01-01
  source: https://example.org/
- country: GB
  name: Old page
  description_fr: Pas ici.
  url: https://www.btp.police.uk/advice_and_information-1/keeping_yourself_safe/modern_slavery.aspx
  checked: 2026-11-25
  source: https://example.org/
- country: GB
  name: Old source
  phone: "101"
  checked: 2026-11-25
  source: http://www.nspcc.org.uk/help-and-advice/enquiries/frequently-asked-questions_wda83770.html
"""
    report = folder.report({"courses/referrals.yaml": referrals,
                            "courses/c/course.md": folder.course_md("m.md"),
                            "courses/c/m.md": modules.lesson()}, "courses")
    assert [str(p) for p in report.problems] == [
        "courses/referrals.yaml:10: description_nl needs a description (in English) beside it, "
        "shown to readers of every other language",
        "courses/referrals.yaml:12: checked: 2999-01-01 is in the future; write the date you "
        "checked the entry",
        "courses/referrals.yaml:16: unknown field 'description_fr' in a service; did you mean "
        "'description'?",
        "courses/referrals.yaml:17: warning: url: https://www.btp.police.uk/advice_and_information-1/"
        "keeping_yourself_safe/modern_slavery.aspx: British Transport Police's old .aspx pages no "
        "longer work",
        "courses/referrals.yaml:24: warning: source: http://www.nspcc.org.uk/help-and-advice/"
        "enquiries/frequently-asked-questions_wda83770.html: addresses ending in _wda….html (the "
        "NSPCC's old site) no longer work",
    ]
    assert [(r.name, r.description, r.descriptions) for r in report.referrals] == [
        ("CoMensha", "National coordination centre.", {"nl": "Landelijk coördinatiecentrum."}),
        ("Old source", None, {})]


def test_referrals_must_be_a_list(folder):
    assert folder.check({"referrals.yaml": "country: CA\n"}) == [
        ".:1: no course.md here or in its sub-folders",
        "referrals.yaml:1: referrals.yaml must be a list of services, each starting with "
        "'- country:'",
    ]


def test_text_report(folder, modules):
    files = {"c/course.md": folder.course_md("m.md", "x.md"), "c/m.md": modules.lesson(),
             "c/y.md": modules.lesson("y")}
    assert format_text(folder.report(files)) == (
        "c/course.md:10: module file x.md does not exist\n"
        "c/y.md:1: warning: this module file is not listed under modules in course.md\n"
        "\n"
        "course  language  modules  lessons  quizzes  scenarios  cases  questions  sectors\n"
        "c       en              1        1        0          0      0          0  health\n"
        "total                   1        1        0          0      0          0\n"
        "\n"
        "1 course, 1 error, 1 warning\n")


def test_json_report(folder, modules):
    files = {"c/course.md": folder.course_md("m.md"), "c/m.md": modules.lesson()}
    data = to_json(folder.report(files))
    assert json.loads(json.dumps(data)) == {
        "ok": True, "errors": 0, "warnings": 0, "problems": [],
        "courses": [{"path": "c", "id": "c", "title": "A course", "language": "en",
                     "modules": 1, "lessons": 1, "quizzes": 0, "scenarios": 0, "cases": 0, "questions": 0,
                     "sectors": ["health"], "errors": 0, "warnings": 0,
                     "cues": {"single": 0, "key_longest": 0, "key_shortest": 0, "true_false": 0, "key_true": 0,
                              "multiple": 0, "multiple_all_or_none": 0, "above": 0}}],
        "totals": {"courses": 1, "modules": 1, "lessons": 1, "quizzes": 0, "scenarios": 0, "cases": 0,
                   "questions": 0},
    }
    files["c/m.md"] = modules.lesson().replace("{#only}", "")
    data = to_json(folder.report(files))
    assert (data["ok"], data["errors"]) == (False, 1)
    assert data["problems"] == [{"path": "c/m.md", "line": 12,
                                 "message": "section heading has no {#id}", "severity": "error"}]


def test_content_hash_changes_only_with_the_content(good_course, tmp_path):
    copy = tmp_path / "core"
    shutil.copytree(good_course, copy)
    first = parse_course(copy).spec
    assert parse_course(copy).spec.content_hash == first.content_hash
    lesson = copy / "01-what-it-is.md"
    lesson.write_bytes(lesson.read_bytes().replace(b"\n", b"\r\n"))  # line endings only
    again = parse_course(copy).spec
    assert again.content_hash == first.content_hash
    assert again.modules[0].content_hash == first.modules[0].content_hash
    lesson.write_text(lesson.read_text().replace("three elements", "3 elements"))
    edited = parse_course(copy).spec
    assert edited.content_hash != first.content_hash
    assert edited.modules[0].content_hash != first.modules[0].content_hash
    assert edited.modules[1].content_hash == first.modules[1].content_hash
    (copy / "images" / "side-room.png").write_bytes(
        (copy / "images" / "side-room.png").read_bytes() + b"\0")
    assert parse_course(copy).spec.content_hash != edited.content_hash


def test_markdown_too_slow_to_render_is_a_problem_at_its_line_not_a_hang(folder, modules):
    """8,000 unclosed '[' took python-markdown 11 s or more; the checker says where they are."""
    import time

    body = "## First {#first}\n\nFine text.\n\n## Second {#second}\n\n" + "[" * 8000 + "\n"
    files = {"c/course.md": folder.course_md("a.md"), "c/a.md": modules.text("lesson", body)}
    started = time.process_time()  # this process's CPU time: other work on the machine does not count
    problems = folder.check(files)
    assert time.process_time() - started < 5  # about 0.05 s
    assert problems == ["c/a.md:18: this Markdown takes too long to render: close or escape (\\[) "
                        "unclosed '[' and '](' and start a new paragraph or block (a blank line) more often"]


def test_course_md_is_guarded_too(folder, modules):
    files = {"c/course.md": folder.course_md("a.md") + "\nIntroduction.\n\n" + "# a\n" * 8000,
             "c/a.md": modules.lesson()}
    assert [p.split(": ", 1)[0] for p in folder.check(files)] == ["c/course.md:14"]  # the first "# a"


def test_near_misses_get_a_did_you_mean(folder, modules):
    from tests.support.samples import SCENARIO_FIXED, tiny_png

    files = {"course.md": folder.course_md("a.md", "b.md"),
             "a.md": modules.lesson().replace("Text.", "![A side room](images/side-rom.png)"),
             "b.md": SCENARIO_FIXED.replace("-> end-acceptable {#leave}", "-> end-acceptabel {#leave}")}
    folder.write(files)
    (folder.root / "images").mkdir()
    (folder.root / "images" / "side-room.png").write_bytes(tiny_png())
    found = folder.check(files)
    assert any("image images/side-rom.png does not exist; did you mean images/side-room.png?" in p
               for p in found), found
    assert any("choice leads to unknown node 'end-acceptabel'; did you mean 'end-acceptable'?" in p
               for p in found), found


def test_a_yaml_error_gives_a_hint_and_no_false_unlisted_warnings(folder, modules):
    files = {"course.md": folder.course_md("a.md").replace("title:", "title: Trafficking: what it is\nx:"),
             "a.md": modules.lesson()}
    found = folder.check(files)
    assert len(found) == 1 and "must be put in quotes" in found[0], found
