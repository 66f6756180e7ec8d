"""Links in course files: relative links that lead nowhere, forms that will not work, dead
addresses and raw <img> tags, each reported as path:line: message by `courses check`."""
import pytest

from trainer.content import check_path
from trainer.content.links import dead_url_reason, mask_code


def course(folder, modules, body: str, other: str = "## Elsewhere {#elsewhere}\n\nText.\n",
           references: str = "  - A source.\n"):
    """c/m.md (a lesson whose body starts at line 12) and c/n.md (a lesson), then check."""
    m = modules.front.format(id="m", kind="lesson").replace("  - A source.\n", references)
    return folder.check({"c/course.md": folder.course_md("m.md", "n.md"),
                         "c/m.md": m + "## A {#a}\n\n" + body,
                         "c/n.md": modules.text("lesson", other, "n")}, "c")


def test_links_inside_the_course_that_lead_somewhere_pass(folder, modules):
    body = ("See [the section above](#section-a), [its heading](#heading-a), [mail](mailto:x@example.org),\n"
            "[call](tel:+31201234567), [a page](https://example.org/a_(b) \"Title\") and <https://example.org>.\n")
    assert course(folder, modules, body) == []


@pytest.mark.parametrize("link, message", [
    ("[x](missing.md)", "(missing.md): there is no missing.md in the course"),
    ("[x](images/nothing.pdf)", "(images/nothing.pdf): there is no images/nothing.pdf in the course"),
    ("[x](../other/m.md)", "(../other/m.md) points outside the course folder"),
    ("[x](#a)", "(#a): lesson sections are linked to as #section-a, not #a"),
    ("[x](#section-nope)", "(#section-nope): m.md has no section #section-nope (its sections: section-a)"),
    ("[x](n.md#section-nope)", "(n.md#section-nope): n.md has no section #section-nope"),
    ("[x](course.md#intro)", "(course.md#intro): course.md has no sections a link can point to"),
])
def test_relative_links_to_missing_files_or_sections_are_refused(folder, modules, link, message):
    problems = course(folder, modules, f"Text and {link}.\n")
    assert len(problems) == 1 and problems[0].startswith("c/m.md:14: ")
    assert message in problems[0] and "warning" not in problems[0]


def test_a_link_to_another_file_of_the_course_is_a_warning(folder, modules):
    problems = course(folder, modules, "Text and [the other module](n.md#section-elsewhere).\n")
    assert problems == ["c/m.md:14: warning: (n.md#section-elsewhere): links to other files of the "
                        "course are not rewritten when it is published, so this one would lead to a "
                        "missing page; name the module in words instead"]


@pytest.mark.parametrize("text, message", [
    ("<www.example.org>", "<www.…> is removed as HTML"),
    ("[x](www.example.org/page)", "(www.example.org/page): add https:// in front of the address"),
    ("[x]: www.example.org", "(www.example.org): add https://"),
    ("[x](htp://example.org)", "'htp:' is not a web address"),
    ("<htps://example.org>", "'htps:' is not a web address"),
    ("[x](https:/example.org)", "write https:// with two slashes"),
    ("[x](http//example.org)", "needs a colon after the scheme"),
    ("[x](https://example.org/a page.html)", "a space in a link address breaks the link"),
    ("[x]()", "this link has no address"),
])
def test_links_of_a_form_that_will_not_work_are_refused(folder, modules, text, message):
    problems = course(folder, modules, f"Before.\n\n{text}\n")
    assert len(problems) == 1 and problems[0].startswith("c/m.md:16: ") and message in problems[0]
    assert "warning" not in problems[0]


@pytest.mark.parametrize("url, expected", [
    ("http://www.reliefweb.int/rw/rwb.nsf/db900sid/LSGZ-8E7H9S?OpenDocument", "rwb.nsf"),
    ("http://www.cic.gc.ca/english/refugees/outside/summary-ifhp.asp", "cic.gc.ca"),
    ("http://canada.justice.gc.ca/eng/fs-sv/tp/is-fr.html", "Department of Justice Canada"),
    ("http://www.nspcc.org.uk/help-and-advice/frequently-asked-questions_wda83770.html", "NSPCC"),
    ("https://www.btp.police.uk/advice_and_information-1/keeping_yourself_safe/modern_slavery.aspx",
     "British Transport Police"),
    ("https://www.ourwatch.org.uk/moern-slavery/reporting", "Neighbourhood Watch"),
])
def test_known_dead_addresses_are_warnings_wherever_they_are(folder, modules, url, expected):
    reference = f'  - "A report. <{url}>"\n'
    problems = course(folder, modules, f"Also [here]({url}) and bare {url} text.\n",
                      references=reference)
    assert [p.split(": ", 1)[0] for p in problems] == ["c/m.md:10", "c/m.md:14", "c/m.md:14"]
    assert all(": warning: " in p and expected in p for p in problems)
    assert dead_url_reason("https://www.canada.ca/ifhp") is None
    assert dead_url_reason("https://laws-lois.justice.gc.ca/eng/acts/c-46/") is None
    assert dead_url_reason("https://www.ourwatch.org.uk/modern-slavery/spotting-the-signs") is None


def test_raw_img_tags_are_a_warning(folder, modules):
    problems = course(folder, modules, 'Text.\n\n<IMG src="images/a.png" alt="A">\n')
    assert problems == ["c/m.md:16: warning: raw <img> tags are removed when the course is "
                        "published: write ![what it shows](images/file.png)"]


def test_missing_images_are_refused_by_the_image_check(folder, modules):
    problems = course(folder, modules, "![A map](images/map.png)\n")
    assert problems == ["c/m.md:14: image images/map.png does not exist"]


def test_code_and_comments_are_not_links(folder, modules):
    body = ("Write `[x](missing.md)` or `<img>`.\n\n```\n[x](www.example.org) <img src=x>\n```\n\n"
            "<!-- [x](htp://old) -->\n\n~~~markdown\n[x](#nowhere)\n~~~\n")
    assert course(folder, modules, body) == []
    assert mask_code("a `b` c\n```\nd\n```\n") == "a     c\n   \n \n   \n"


def test_links_in_course_md_and_quizzes_and_the_report(folder, modules):
    quiz = modules.text("quiz", "## Q {#q kind=true-false}\n\nSee [this](www.example.org).\n\n"
                        "- [x] True {#true}\n  > Yes.\n- [ ] False {#false}\n  > No.\n\n"
                        "::: explanation\nBecause.\n:::\n")
    course_md = folder.course_md("q.md") + "\nRead [the quiz](q.md#section-q) first.\n"
    report = check_path(folder.write({"c/course.md": course_md, "c/q.md": quiz}) / "c")
    assert [str(p) for p in report.problems] == [
        "c/course.md:12: (q.md#section-q): q.md has no sections a link can point to (only lesson "
        "sections can be linked to, as #section-<id>)",
        "c/q.md:14: (www.example.org): add https:// in front of the address, or the link leads to "
        "a missing page on this site"]
    assert not report.ok and report.courses == () and report.summaries[0].errors == 2


@pytest.mark.parametrize("link, scheme", [
    ("[click](javascript:alert(1))", "javascript"),
    ("[click](JavaScript:alert(1))", "javascript"),
    ("[page](data:text/html;base64,PHNjcmlwdD4=)", "data"),
])
def test_script_and_data_links_are_refused(folder, modules, link, scheme):
    problems = course(folder, modules, f"Text and {link}.\n")
    assert len(problems) == 1 and problems[0].startswith("c/m.md:14: ") and "warning" not in problems[0]
    assert f"'{scheme}:' is not a web address" in problems[0]


@pytest.mark.parametrize("link", ["<http://https.omb.report/icr/1>", "[form](https://http://example.org/a)"])
def test_a_scheme_written_twice_is_refused(folder, modules, link):
    problems = course(folder, modules, f"Text and {link}.\n")
    assert len(problems) == 1 and "the scheme is written twice" in problems[0]
