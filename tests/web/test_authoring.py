"""Administrators authoring in the browser: drafts, checker messages by line, images, GIFT,
publishing, history and export."""
from __future__ import annotations

import io
import pathlib
import re

import pytest

from tests.conftest import GOOD_COURSE, PASSWORD
from tests.support.samples import SCENARIO_FIXED, SCENARIO_WITH_DANGLING_LINK, tiny_png
from trainer.models import Course, CourseDraft, CourseVersion, StoredImage, User


def _new_course(client, slug="police-advanced"):
    return client.post("/authoring/courses", data={"slug": slug, "title": "Police: advanced", "language": "en"})


def test_new_course_starts_as_a_clean_draft(client, admin, count_rows):
    response = _new_course(client)
    assert response.headers["Location"] == "/authoring/courses/police-advanced"
    page = client.get("/authoring/courses/police-advanced").get_data(as_text=True)
    assert "The draft checks clean" in page and "01-introduction.md" in page
    assert count_rows(Course) == 1 and count_rows(CourseDraft) == 1 and count_rows(CourseVersion) == 0


@pytest.mark.parametrize("slug, message", [("Bad Id", "lowercase"), ("", "required")])
def test_new_course_with_a_bad_id_changes_nothing(client, admin, count_rows, slug, message):
    response = client.post("/authoring/courses", data={"slug": slug, "title": "T", "language": "en"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count_rows(Course) == 0


def test_duplicate_course_id_is_refused(client, admin, count_rows):
    _new_course(client)
    response = _new_course(client)
    assert "exists already" in response.get_data(as_text=True)
    assert count_rows(Course) == 1




def test_editor_reports_an_error_at_its_line_then_publishes_the_fix(client, admin, count_rows):
    _new_course(client)
    response = client.post("/authoring/courses/police-advanced/modules",
                           data={"filename": "02-roadside", "title": "Roadside", "kind": "scenario"})
    assert response.headers["Location"].endswith("/files/02-roadside.md")
    editor = "/authoring/courses/police-advanced/files/02-roadside.md"
    client.post(editor, data={"text": SCENARIO_WITH_DANGLING_LINK, "action": "save"})
    page = client.get(editor).get_data(as_text=True)
    assert "Line 26" in page and "end-ok" in page
    assert 'id="line-26" class="has-problem"' in page
    # Publishing is refused and writes nothing while the problem stands.
    client.post("/authoring/courses/police-advanced/publish")
    assert count_rows(CourseVersion) == 0
    fixed = SCENARIO_FIXED
    preview = client.post("/authoring/courses/police-advanced/preview/02-roadside.md", data={"text": fixed})
    assert preview.get_json()["problems"] == [] and "Away from the driver" in preview.get_json()["html"]
    client.post(editor, data={"text": fixed, "action": "save"})
    # The starting text of the new course and its first lesson is refused, line by line.
    refused = client.post("/authoring/courses/police-advanced/publish", follow_redirects=True)
    assert "these lines are still the starting text" in refused.get_data(as_text=True)
    assert "course.md:4" in refused.get_data(as_text=True)
    assert count_rows(CourseVersion) == 0
    _write_own_text(client)
    response = client.post("/authoring/courses/police-advanced/publish")
    assert response.headers["Location"].endswith("/versions")
    assert count_rows(CourseVersion) == 1 and count_rows(CourseDraft) == 0


OWN_TEXT = {
    "summary: One or two sentences for the catalogue.": "summary: Roadside checks for police officers.",
    "An introduction to the course, shown on its page.": "How to notice and respond at a roadside check.",
    "overview: What this module covers, and how heavy it is.": "overview: Why roadside checks matter. Light.",
    "- The first thing a learner will be able to do.": "- Say why a roadside check can reveal exploitation.",
    '- "Author or organisation, *Title* (year). <https://example.org/>"':
        '- "UNODC, *Global Report on Trafficking in Persons* (2024). <https://www.unodc.org/>"',
    "Write the lesson here.": "A van with workers who do not know where they are going is worth a closer look.",
    "The next step, the referral, the self-care.": "Speak to each person alone, with an interpreter.",
}


def _write_own_text(client, slug="police-advanced") -> None:
    import html

    for name in ("course.md", "01-introduction.md"):
        url = f"/authoring/courses/{slug}/files/{name}"
        page = client.get(url).get_data(as_text=True)
        text = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))
        for old, new in OWN_TEXT.items():
            text = "\n".join(line.replace(old, new) if line.strip() == old else line for line in text.split("\n"))
        client.post(url, data={"text": text, "action": "save"})


def test_preview_does_not_save(client, admin):
    _new_course(client)
    path = "/authoring/courses/police-advanced/files/01-introduction.md"
    client.post(path, data={"text": "not a module at all", "action": "preview"})
    assert "Write the lesson here." in client.get(path).get_data(as_text=True)


LESSON = "/authoring/courses/core/files/01-what-it-is.md"
PREVIEW = "/authoring/courses/core/preview/01-what-it-is.md"


def _source(client, editor: str) -> str:
    """The text in the editor's box."""
    import html

    page = client.get(editor).get_data(as_text=True)
    return html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))


def _lesson_with(client, body: str) -> str:
    return _source(client, LESSON) + "\n" + body + "\n"


def test_a_preview_of_text_that_would_take_minutes_to_render_answers_at_once(client, admin, published_course):
    import time

    text = _lesson_with(client, "[" * 8000)
    started = time.perf_counter()
    answer = client.post(PREVIEW, data={"text": text}).get_json()
    assert time.perf_counter() - started < 10  # well under a second; 11 s or more before
    assert [p["message"] for p in answer["problems"]] == [
        "this Markdown takes too long to render: close or escape (\\[) unclosed '[' and '](' and start a new "
        "paragraph or block (a blank line) more often"]
    assert answer["problems"][0]["line"] == text.count("\n") and "module-preview" in answer["html"]


def test_each_preview_sees_the_other_files_as_they_are_saved_now(client, admin, published_course):
    """Previews remember what they found in the files that did not change; a file saved since
    counts at once."""
    course_md = "/authoring/courses/core/files/course.md"
    link = "See [the legal definition](01-what-it-is.md#section-definition)."
    first = client.post("/authoring/courses/core/preview/course.md", data={"text": _source(client, course_md) + link})
    assert [p["severity"] for p in first.get_json()["problems"]] == ["warning"]  # a link to another file
    lesson = _source(client, LESSON)
    client.post(LESSON, data={"text": lesson.replace("{#definition}", "{#meaning}"), "action": "save"})
    again = client.post("/authoring/courses/core/preview/course.md", data={"text": _source(client, course_md) + link})
    assert [p["message"] for p in again.get_json()["problems"]] == [
        "(01-what-it-is.md#section-definition): 01-what-it-is.md has no section #section-definition (its "
        "sections: section-meaning, section-sexual-exploitation)"]


def test_the_preview_renders_at_most_64_kb_and_says_so_in_the_readers_language(client, admin, published_course):
    text = _lesson_with(client, "Words to read. " * 5000)
    answer = client.post(PREVIEW, data={"text": text}).get_json()
    assert answer["problems"] == [{"line": 1, "severity": "error", "message": (
        "This file is too long to check and preview as you type (more than 64 KB). Save it and see the checker "
        "on the course page, or split the module into two.")}]
    assert "module-preview" not in answer["html"]
    client.post("/language", data={"locale": "nl"})
    answer = client.post(PREVIEW, data={"text": text}).get_json()
    assert answer["problems"][0]["message"].startswith("Dit bestand is te lang")


def test_a_preview_that_takes_too_long_is_stopped_with_a_message(client, admin, published_course, monkeypatch):
    from tests.support import slow
    from trainer.services import authoring

    monkeypatch.setattr(authoring, "preview_file", slow.never_returns)
    monkeypatch.setattr(authoring, "PREVIEW_SECONDS", 0.5)
    answer = client.post(PREVIEW, data={"text": _lesson_with(client, "Fine.")}).get_json()
    assert answer["problems"][0]["message"].startswith("The preview took too long and was stopped.")


def test_a_preview_writes_nothing_not_even_a_draft(client, admin, published_course, count_rows):
    answer = client.post(PREVIEW, data={"text": "no front matter"})
    assert answer.status_code == 200 and answer.get_json()["problems"] and count_rows(CourseDraft) == 0


@pytest.mark.parametrize("method, url", [("POST", PREVIEW), ("GET", LESSON)], ids=["live preview", "editor page"])
def test_a_registration_succeeds_while_a_preview_renders(app, client, admin, published_course, monkeypatch,
                                                         count_rows, method, url):
    """SQLite lets one writer at a time: a preview holding a write while it rendered made every
    other write wait, then fail ("database is locked"). The database here is a file, as in use."""
    import threading

    from trainer.services import authoring

    rendering, written = threading.Event(), threading.Event()
    materialise = authoring._materialise

    def materialise_then_wait(*args):  # the files are written; rendering starts when this returns
        materialise(*args)
        rendering.set()
        written.wait(timeout=60)

    monkeypatch.setattr(authoring, "_materialise", materialise_then_wait)
    answers = {}
    previewing = threading.Thread(target=lambda: answers.update(
        preview=client.open(url, method=method, data={"text": "no front matter"})))
    previewing.start()
    try:
        assert rendering.wait(timeout=60), "the preview never started rendering"
        newcomer = app.test_client().post("/register", data=dict(
            name="Noor", email="noor@example.org", password=PASSWORD, confirm=PASSWORD, organisation="",
            sector="police", locale="en", timezone="Europe/Amsterdam"))
    finally:
        written.set()
        previewing.join(timeout=120)
    assert newcomer.status_code == 302 and count_rows(User) == 2
    assert answers["preview"].status_code == 200


@pytest.mark.parametrize("text", ["A long line of words. " * 50_000, "é" * 600_000],
                         ids=["over a million characters", "over a megabyte in UTF-8"])
def test_editor_refuses_a_file_over_1_mb_without_checking_or_previewing_it(client, admin, text):
    _new_course(client)
    path = "/authoring/courses/police-advanced/files/01-introduction.md"
    page = client.post(path, data={"text": text, "action": "save"}).get_data(as_text=True)
    assert "The file is larger than 1 MB. Split the module into two." in page
    assert '<p class="ok">' not in page and 'id="line-1"' not in page and "module-preview" not in page
    assert "Write the lesson here." in client.get(path).get_data(as_text=True)  # the draft is unchanged


def test_published_course_edits_make_a_new_version_with_a_diff(client, admin, published_course, count_rows):
    editor = "/authoring/courses/core/files/02-indicators-quiz.md"
    text = client.get(editor).get_data(as_text=True)
    assert "Call the police straight away." in text
    import html
    import re

    source = html.unescape(re.search(r'<textarea[^>]*>(.*?)</textarea>', text, re.S).group(1))
    client.post(editor, data={"text": source.replace("Call the police straight away.", "Phone the police now."),
                              "action": "save"})
    client.post("/authoring/courses/core/publish")
    assert count_rows(CourseVersion) == 2
    page = client.get("/authoring/courses/core/versions?from=1&to=2").get_data(as_text=True)
    assert '<span class="removed">-- [ ] Call the police straight away.' in page
    assert '<span class="added">+- [ ] Phone the police now.' in page


def test_export_downloads_a_zip(client, admin, published_course):
    response = client.get("/authoring/courses/core/versions/1/export")
    assert response.headers["Content-Type"] == "application/zip"
    import zipfile

    assert "core/course.md" in zipfile.ZipFile(io.BytesIO(response.data)).namelist()


def test_image_upload_checks_the_content_not_the_name(client, admin, count_rows):
    _new_course(client)
    url = "/authoring/courses/police-advanced/images"
    ok = client.post(url, data={"image": (io.BytesIO(tiny_png()), "Side Room.PNG")}, follow_redirects=True)
    assert "images/side-room.png" in ok.get_data(as_text=True)
    fake = client.post(url, data={"image": (io.BytesIO(b"<svg onload=alert(1)>"), "evil.png")},
                       follow_redirects=True)
    assert "Only PNG, JPEG and WebP images can be used." in fake.get_data(as_text=True)
    big = client.post(url, data={"image": (io.BytesIO(tiny_png() + b"\0" * (2 * 1024 * 1024)), "big.png")},
                      follow_redirects=True)
    assert "larger than 2 MB" in big.get_data(as_text=True)
    assert count_rows(StoredImage) == 1


GIFT = """// A small Moodle bank
::Companion::A companion answers every question for a patient. What first?{
=See the patient alone, with a professional interpreter.#Right: it is routine care.
~Let the companion interpret.#A companion may be the person in control.
}

::Essay::Describe your service.{}
"""


def test_a_gift_file_with_a_broken_question_imports_nothing_unless_told_to(client, admin):
    _new_course(client)
    response = client.post("/authoring/courses/police-advanced/gift", follow_redirects=True,
                           data={"gift": (io.BytesIO(GIFT.encode()), "bank.gift"), "filename": "03-imported",
                                 "title": "Imported questions"})
    page = response.get_data(as_text=True)
    assert "1 of the file&#39;s questions could not be converted, so nothing was imported" in page
    assert "question 2 (line 7): essay question" in page
    assert "03-imported.md" not in client.get("/authoring/courses/police-advanced").get_data(as_text=True)


def test_gift_import_converts_and_reports_what_it_could_not(client, admin):
    _new_course(client)
    response = client.post("/authoring/courses/police-advanced/gift",
                           data={"gift": (io.BytesIO(GIFT.encode()), "bank.gift"), "filename": "03-imported",
                                 "title": "Imported questions", "import_rest": "y"})
    page = response.get_data(as_text=True)
    assert "1 question converted into 03-imported.md." in page
    assert "Question 2" in page
    course = client.get("/authoring/courses/police-advanced").get_data(as_text=True)
    assert "03-imported.md" in course and "The draft checks clean" in course


@pytest.mark.parametrize("data, message", [
    ("// Saved by Windows\n::Cafe::Is the café open at night?{T}\n".encode("cp1252"),
     "The file is not UTF-8 text (line 2). Save it as UTF-8 and try again."),
    (GIFT.encode("utf-16"), "The file is not UTF-8 text (line 1)."),
    (GIFT.encode() * 4000, "The file is larger than 1 MB."),
], ids=["cp1252", "utf-16", "too large"])
def test_gift_import_refuses_a_file_it_would_have_to_guess_at_or_cut_short(client, admin, data, message):
    _new_course(client)
    response = client.post("/authoring/courses/police-advanced/gift", follow_redirects=True,
                           data={"gift": (io.BytesIO(data), "bank.gift"), "filename": "03-imported",
                                 "title": "Imported questions"})
    page = response.get_data(as_text=True)
    assert message in page and "03-imported.md" not in page


def test_gift_import_refuses_more_than_500_questions_with_a_message(client, admin):
    _new_course(client)
    bank = "\n\n".join(f"::Q{n}::Statement {n} is true.{{T}}" for n in range(1, 502))
    response = client.post("/authoring/courses/police-advanced/gift", follow_redirects=True,
                           data={"gift": (io.BytesIO(bank.encode()), "bank.gift"), "filename": "03-imported",
                                 "title": "Imported questions"})
    page = response.get_data(as_text=True)
    assert "The file holds 501 questions; at most 500 can be imported at once." in page
    assert "03-imported.md" not in page


def test_gift_import_reads_utf8_with_the_bom_windows_adds(client, admin):
    _new_course(client)
    response = client.post("/authoring/courses/police-advanced/gift",
                           data={"gift": (io.BytesIO(GIFT.encode("utf-8-sig")), "bank.gift"),
                                 "filename": "03-imported", "title": "Imported questions", "import_rest": "y"})
    assert "1 question converted into 03-imported.md." in response.get_data(as_text=True)
    module = client.get("/authoring/courses/police-advanced/files/03-imported.md").get_data(as_text=True)
    assert "\ufeff" not in module and "See the patient alone" in module


def test_discarding_a_draft_keeps_the_published_version(client, admin, published_course, count_rows):
    client.get("/authoring/courses/core")
    assert count_rows(CourseDraft) == 1
    client.post("/authoring/courses/core/discard")
    assert count_rows(CourseDraft) == 0 and count_rows(CourseVersion) == 1


def test_zip_upload_with_errors_reports_them_and_writes_nothing(client, admin, count_rows):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("broken/course.md", "---\nid: broken\n---\n")
    response = client.post("/authoring/import", data={"archive": (io.BytesIO(buffer.getvalue()), "c.zip")})
    assert response.status_code == 400
    assert "Nothing was imported" in response.get_data(as_text=True)
    assert "broken/course.md" in response.get_data(as_text=True)
    assert count_rows(Course) == 0


def test_a_zip_entry_named_dot_is_refused_with_a_message(client, admin, count_rows):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(".", "x")
    response = client.post("/authoring/import", data={"archive": (io.BytesIO(buffer.getvalue()), "c.zip")})
    assert response.status_code == 400
    assert "The zip holds an entry without a file name: ." in response.get_data(as_text=True)
    assert count_rows(Course) == 0


def test_course_text_is_sanitised_even_for_administrators(client, admin, published_course):
    editor = "/authoring/courses/core/files/01-what-it-is.md"
    import html
    import re

    source = html.unescape(re.search(r'<textarea[^>]*>(.*?)</textarea>',
                                     client.get(editor).get_data(as_text=True), re.S).group(1))
    hostile = source.replace("## The legal definition {#definition}",
                             "## The legal definition {#definition}\n\n<script>alert(1)</script>"
                             "<img src=x onerror=alert(2)> [x](javascript:alert(3))")
    client.post(editor, data={"text": hostile, "action": "save"})
    client.post("/authoring/courses/core/publish")
    page = client.get("/courses/core/what-it-is").get_data(as_text=True)
    assert "<script>alert" not in page and "onerror" not in page and "javascript:" not in page


def test_course_text_is_never_treated_as_a_template(client, admin, published_course):
    import html
    import re

    editor = "/authoring/courses/core/files/01-what-it-is.md"
    source = html.unescape(re.search(r'<textarea[^>]*>(.*?)</textarea>',
                                     client.get(editor).get_data(as_text=True), re.S).group(1))
    client.post(editor, data={"text": source.replace("## The legal definition {#definition}",
                                                     "## The legal definition {#definition}\n\n"
                                                     "{{ config.SECRET_KEY }} {% for x in range(3) %}loop{% endfor %}"),
                              "action": "save"})
    client.post("/authoring/courses/core/publish")
    page = client.get("/courses/core/what-it-is").get_data(as_text=True)
    assert "{{ config.SECRET_KEY }}" in html.unescape(page) and "test-secret-key" not in page
    assert "looploop" not in page


def _course_zip(folder_name: str, course_md: str, modules: dict[str, str]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{folder_name}/course.md", course_md)
        for name, text in modules.items():
            archive.writestr(f"{folder_name}/{name}", text)
    return buffer.getvalue()


def test_a_zip_that_takes_another_courses_id_is_refused_unless_replacing_is_chosen(client, admin, published_course,
                                                                                  count_rows):
    good = pathlib.Path(GOOD_COURSE)
    course_md = ((good / "course.md").read_text().replace('"Human trafficking: the shared core"', '"Hotels"')
                 .replace("  - 02-indicators-quiz.md\n  - 03-night-shift.md\n", "")
                 .replace("01-what-it-is.md", "01-hotels.md"))
    lesson = (good / "01-what-it-is.md").read_text().replace("id: what-it-is", "id: hotels")
    lesson = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", lesson)
    data = _course_zip("mine", course_md, {"01-hotels.md": lesson})
    response = client.post("/authoring/import", data={"archive": (io.BytesIO(data), "c.zip")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "the id &#39;core&#39; belongs to another course" in page and "Nothing was imported" in page
    assert count_rows(CourseVersion) == 1
    response = client.post("/authoring/import", data={"archive": (io.BytesIO(data), "c.zip"), "replace_course": "y",
                                                      "publish": "y"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert count_rows(CourseVersion) == 2


def test_the_editor_of_a_scenario_shows_its_map(client, admin):
    _new_course(client)
    client.post("/authoring/courses/police-advanced/modules",
                data={"filename": "02-roadside", "title": "Roadside", "kind": "scenario"})
    editor = "/authoring/courses/police-advanced/files/02-roadside.md"
    client.post(editor, data={"text": SCENARIO_FIXED, "action": "save"})
    page = client.get(editor).get_data(as_text=True)
    assert "Map of this scenario" in page and "<svg" in page
    assert "the best outcome" in page and "map-ending-best" in page
    lesson = client.get("/authoring/courses/police-advanced/files/01-introduction.md").get_data(as_text=True)
    assert "Map of this scenario" not in lesson


def test_a_gift_image_carried_in_the_file_joins_the_drafts_images(client, admin):
    import base64

    _new_course(client)
    data = base64.b64encode(tiny_png()).decode()
    gift = f'[html]<img src\\="data:image/png;base64,{data}" alt\\="A chart"> Q{{=Yes #Right: it is. ~No #It is.}}'
    client.post("/authoring/courses/police-advanced/gift",
                data={"gift": (io.BytesIO(gift.encode()), "bank.gift"), "filename": "03-imported", "title": "Imported"})
    page = client.get("/authoring/courses/police-advanced").get_data(as_text=True)
    assert "images/gift-" in page and "The draft checks clean" in page


def test_a_zip_becomes_a_draft_to_review_unless_publishing_at_once_is_chosen(app, client, admin, published_course,
                                                                          count_rows):
    import zipfile

    good = pathlib.Path(GOOD_COURSE)

    def course_zip(heading: bytes) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in good.rglob("*"):
                if path.is_file():
                    text = path.read_bytes()
                    if path.name == "01-what-it-is.md":
                        text = text.replace(b"## ", b"## " + heading + b": ", 1)
                    archive.writestr(f"core/{path.relative_to(good)}", text)
        return buffer.getvalue()

    data = course_zip(b"From the zip")
    page = client.post("/authoring/import", data={"archive": (io.BytesIO(data), "c.zip")}).get_data(as_text=True)
    assert "The zip is now the draft of core:" in page and "review and publish it" in page
    assert count_rows(CourseVersion) == 1
    review = client.get("/authoring/courses/core/publish").get_data(as_text=True)
    assert "+## From the zip: " in review
    # A second zip would throw those unpublished changes away: refused until they are dealt with.
    again = course_zip(b"From another")
    refused = client.post("/authoring/import", data={"archive": (io.BytesIO(again), "c.zip")})
    assert refused.status_code == 400
    assert "has a draft with changes that are not published" in refused.get_data(as_text=True)
    client.post("/authoring/courses/core/publish")
    assert count_rows(CourseVersion) == 2


def test_a_damaged_zip_member_is_refused_with_a_message(client, admin, count_rows):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("c/course.md", "---\nid: c\n---\nSome text to damage.\n")
    damaged = buffer.getvalue().replace(b"Some text", b"Sone text")  # same size, wrong checksum
    response = client.post("/authoring/import", data={"archive": (io.BytesIO(damaged), "c.zip")})
    assert response.status_code == 400
    assert "c/course.md in the zip is damaged or encrypted" in response.get_data(as_text=True)
    assert count_rows(Course) == 0
