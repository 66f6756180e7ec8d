"""Everyday learner pages on a 360-pixel phone and a 1280-pixel screen, in English and Dutch: the
lesson comes first, nothing scrolls sideways, Quick exit covers no heading, the menu and the quiz
work without JavaScript, the catalogue filters by language and two-factor setup suits a phone.
Every page visited is audited with axe."""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.conftest import GOOD_COURSE
from tests.e2e.conftest import audit, english_left, fresh_learner, open_menu, sign_in

LESSON = "/courses/core/what-it-is"
QUIZ = "/courses/core/indicators-quiz"
SCENARIO = "/courses/core/ed-night-shift"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
WIDE = {"viewport": {"width": 1280, "height": 800}}
LEARNER_PAGES = ("/", "/learning", "/courses", "/courses/core", LESSON, QUIZ, SCENARIO, "/break", "/support",
                 "/privacy", "/wellbeing", "/learning/transcript", "/my/cohorts", "/profile", "/profile/two-factor")
DUTCH_MONTHS = "jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec"


def _fits(page) -> None:
    """Nothing scrolls sideways. Measured against the screen's width: a phone browser widens its
    window (innerWidth) to fit a page that overflows, which would hide the overflow."""
    width = page.evaluate("() => Math.max(document.documentElement.scrollWidth, window.innerWidth)")
    assert width <= page.viewport_size["width"], (f"{page.url} is {width}px wide on a {page.viewport_size['width']}px "
                                                  f"screen: {_too_wide(page)}")


def _too_wide(page) -> list[str]:
    """The outermost elements reaching past the screen's right edge."""
    return page.evaluate("""(limit) => Array.from(document.querySelectorAll('body *')).filter(e =>
        e.getBoundingClientRect().right > limit + 1
          && !(e.parentElement && e.parentElement.getBoundingClientRect().right > limit + 1))
        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
        page.viewport_size["width"])


def _headings_clear_of_quick_exit(page) -> None:
    """No heading in view lies under the Quick exit button (or, on a phone, under the bar it sits on)."""
    covered = page.evaluate("""() => {
        const exit = document.getElementById('quick-exit').getBoundingClientRect();
        const header = document.querySelector('.site-header');
        const bar = getComputedStyle(header).position === 'sticky' ? header.getBoundingClientRect() : null;
        const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        return Array.from(document.querySelectorAll('main h1, main h2, main h3')).filter(h => {
            const box = h.getBoundingClientRect();
            if (box.bottom <= 0 || box.top >= innerHeight || box.width === 0) { return false; }
            return overlaps(box, exit) || (bar && box.top < bar.bottom - 1);
        }).map(h => h.textContent.trim());
    }""")
    assert not covered, f"{page.url}: Quick exit covers {covered}"


def _choose_language(page, code: str) -> None:
    open_menu(page)
    page.locator("#language-select").select_option(code)
    page.locator(".language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("screen", [PHONE, WIDE], ids=["360px", "1280px"])
def test_learner_pages_fit_the_screen_and_pass_the_audit(context_factory, live_server, screen, language):
    page = context_factory(**screen).new_page()
    sign_in(page, *fresh_learner(live_server, verified=True))
    _choose_language(page, language)
    # One quiz attempt, so the quiz page lists a date.
    page.goto(QUIZ)
    page.locator("fieldset.question").first.locator("input").first.check()
    page.locator("form.quiz button[type=submit]:not([name])").click()
    page.locator("button.submit-anyway").click()
    expect(page.locator(".result")).to_be_visible()
    for path in LEARNER_PAGES:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        if language == "nl":
            assert not english_left(page), path
        audit(page)
        _fits(page)
        _headings_clear_of_quick_exit(page)
    # A jump to a section lands its heading below the bar, not under it.
    page.goto(f"{LESSON}#section-sexual-exploitation")
    expect(page.locator("#heading-sexual-exploitation")).to_be_in_viewport()
    _headings_clear_of_quick_exit(page)
    # Dates as the language writes them.
    page.goto(QUIZ)
    listed = page.locator("#attempts-heading + ul").inner_text()
    if language == "nl":
        assert re.search(rf"\d{{1,2}} ({DUTCH_MONTHS})\.? 20\d\d", listed), listed
    else:
        assert re.search(r"[A-Z][a-z]{2} \d{1,2}, 20\d\d", listed), listed


def test_on_a_phone_the_lesson_title_and_first_section_are_on_the_first_screen(context_factory, live_server):
    page = context_factory(**PHONE).new_page()
    sign_in(page, *fresh_learner(live_server, verified=True))
    page.goto(LESSON)
    title = page.get_by_role("heading", name="What human trafficking is", level=1)
    first_section = page.get_by_role("heading", name="The legal definition", level=2)
    for heading in (title, first_section):
        box = heading.bounding_box()
        assert box and box["y"] + box["height"] <= 740, box
    # Where you are, the tools and both progress bars are still there, condensed above the title.
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_be_visible()
    expect(page.get_by_role("link", name="Take a break")).to_be_visible()
    expect(page.get_by_role("progressbar", name="This module")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Course progress")).to_be_visible()
    # The main menu is folded away until asked for.
    expect(page.get_by_role("link", name="My learning", exact=True).first).to_be_visible()  # the breadcrumb's
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses")).to_be_visible()
    audit(page)
    # A wide lesson table scrolls inside its own named region, which the keyboard can reach.
    region = page.get_by_role("region", name="Table: element, examples")
    region.scroll_into_view_if_needed()
    region.focus()
    expect(region).to_be_focused()
    assert region.evaluate("(el) => el.getBoundingClientRect().right") <= 360
    _fits(page)


def test_the_menu_and_an_incomplete_quiz_work_without_javascript(context_factory, live_server):
    email, password = fresh_learner(live_server, verified=True)
    page = context_factory(java_script_enabled=False, **PHONE).new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    expect(page.get_by_role("heading", name="Courses", level=1)).to_be_visible()

    page.goto(QUIZ)
    page.get_by_label("Arrange to see her alone, with a professional interpreter.").check()
    page.get_by_label("Your answer").first.fill("Palermo")
    page.get_by_role("button", name="Submit answers").click()
    # Shown again by the server: what is open, linked; the answers kept; nothing graded yet.
    summary = page.get_by_role("alert").filter(has_text="You have not answered 4 questions")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile(r"^Question 2: "))).to_be_visible()
    expect(page.get_by_label("Arrange to see her alone, with a professional interpreter.")).to_be_checked()
    expect(page.get_by_label("Your answer").first).to_have_value("Palermo")
    expect(page.get_by_role("group", name=re.compile(r"^Question 2 of 6"))).to_have_accessible_description(
        "Not answered yet")
    _fits(page)
    page.get_by_role("button", name="Submit with questions unanswered").click()
    expect(page.get_by_role("status")).to_contain_text("The pass mark is 80%")


def test_the_server_side_quiz_warning_passes_the_audit(context_factory, live_server):
    """The page the server sends back for an incomplete quiz, audited (axe needs JavaScript, so
    the form is sent here without the page's own script's check)."""
    page = context_factory(**PHONE).new_page()
    sign_in(page, *fresh_learner(live_server, verified=True))
    page.goto(QUIZ)
    page.get_by_label("Arrange to see her alone, with a professional interpreter.").check()
    page.evaluate("() => document.querySelector('form.quiz').submit()")  # skips the submit event
    expect(page.get_by_role("alert").filter(has_text="You have not answered 5 questions")).to_be_visible()
    audit(page)
    _fits(page)
    _headings_clear_of_quick_exit(page)


@pytest.fixture(scope="module")
def dutch_course(live_server, tmp_path_factory):
    """A course written in Dutch beside the English example course."""
    from trainer.extensions import db
    from trainer.services import publishing

    folder = tmp_path_factory.mktemp("dutch") / "course"
    shutil.copytree(GOOD_COURSE, folder)
    course_md = folder / "course.md"
    text = course_md.read_text().replace("id: core", "id: kern", 1).replace("language: en", "language: nl", 1)
    course_md.write_text(text.replace('title: "Human trafficking: the shared core"',
                                      'title: "Mensenhandel: de gedeelde kern"', 1))
    with live_server.app.app_context():
        assert publishing.import_path(folder).ok
        db.session.commit()


@pytest.mark.parametrize("language, label, button", [("en", "Courses in", "Show"), ("nl", "Cursussen in het", "Tonen")])
def test_the_catalogue_filters_by_course_language(context_factory, live_server, dutch_course, language, label, button):
    page = context_factory(**PHONE).new_page()
    sign_in(page, *fresh_learner(live_server, verified=True))
    _choose_language(page, language)
    page.goto("/courses")
    expect(page.get_by_role("link", name="Human trafficking: the shared core")).to_be_visible()
    page.get_by_label(label).select_option("nl")
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("link", name="Mensenhandel: de gedeelde kern")).to_be_visible()
    expect(page.get_by_role("link", name="Human trafficking: the shared core")).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("Nederlands")
    audit(page)
    _fits(page)


def test_two_factor_setup_on_a_phone(context_factory, live_server):
    page = context_factory(**PHONE).new_page()
    sign_in(page, *fresh_learner(live_server, verified=True))
    page.goto("/profile/two-factor")
    key = page.locator("code.totp-secret").inner_text()
    assert re.fullmatch(r"(?:[A-Z2-7]{4} )+[A-Z2-7]{1,4}", key), key
    link = page.get_by_role("link", name="Open in your authenticator app")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href.startswith("otpauth://totp/") and f"secret={key.replace(' ', '')}" in href
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    audit(page)
    _fits(page)


@pytest.fixture
def long_addresses(live_server):
    """A directory entry with the long web addresses real services have."""
    from datetime import date

    from trainer.extensions import db
    from trainer.models import Referral

    url = "https://www.wegwijzermensenhandel.example/signalenlijstvoorprofessionalsindezorgendehulpverlening?id=1"
    with live_server.app.app_context():
        entry = Referral(country="NL", name="Landelijk coördinatiecentrum tegen mensenhandel en uitbuiting",
                         description="Advice for professionals.", phone="+31 (0)30 700 0000", url=url,
                         hours="Monday to Friday", languages=["nl", "en"], checked=date.today(), source=url)
        db.session.add(entry)
        db.session.commit()
        entry_id = entry.id
    yield
    with live_server.app.app_context():
        db.session.delete(db.session.get(Referral, entry_id))
        db.session.commit()


def test_long_addresses_wrap_on_a_phone(context_factory, live_server, long_addresses):
    page = context_factory(**PHONE).new_page()
    sign_in(page, *fresh_learner(live_server, verified=True))
    for path in ("/support", "/support?country=NL"):
        page.goto(path)
        expect(page.get_by_role("link", name=re.compile(r"signalenlijstvoorprofessionals"))).to_be_visible()
        audit(page)
        _fits(page)
