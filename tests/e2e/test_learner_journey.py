"""A resident between shifts: meets a content note, finishes a lesson, a scenario and a quiz
(failing first), leaves, comes back and resumes in two taps. On a phone-sized screen, with an
accessibility audit of every page in English and Dutch."""
from __future__ import annotations

import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import audit, fresh_learner, mailed_link, open_menu

PASSWORD = "harbour-lantern-violet-42"


def _phone(context_factory):
    return context_factory(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()


def _register(page, email):
    page.goto("/register")
    page.get_by_label("Name", exact=True).fill("Ólafur Þórsson")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("Sector").select_option("health")
    page.get_by_label("Profession or specialty (health)").select_option("emergency")
    page.get_by_role("button", name="Create account").click()


def _fits(page):
    # Against the screen: a phone browser widens innerWidth to fit an overflowing page.
    width = page.evaluate("() => Math.max(document.documentElement.scrollWidth, window.innerWidth)")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide on a 360px screen: {_too_wide(page)}"


def _too_wide(page) -> list[str]:
    """The outermost elements reaching past the screen's right edge."""
    return page.evaluate("""(limit) => Array.from(document.querySelectorAll('body *')).filter(e =>
        e.getBoundingClientRect().right > limit + 1
          && !(e.parentElement && e.parentElement.getBoundingClientRect().right > limit + 1))
        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
        page.viewport_size["width"])


def test_resident_journey_on_a_phone(context_factory, live_server):
    page = _phone(context_factory)
    email = f"resident-{uuid.uuid4().hex[:8]}@example.org"
    _register(page, email)
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    # Signed in before opening the mail: every page asks to confirm the address, once, briefly.
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Send the link again")).to_be_visible()
    audit(page)
    _fits(page)
    page.goto(mailed_link(live_server, email, "/email/confirm/"))
    expect(page.get_by_text(f"Thank you: your email address {email} is confirmed.")).to_be_visible()
    expect(page.get_by_role("button", name="Send the link again")).to_have_count(0)

    open_menu(page)
    page.get_by_role("link", name="Courses", exact=True).click()
    audit(page)
    page.get_by_role("link", name="Human trafficking: the shared core").click()
    audit(page)
    page.get_by_role("button", name="Start this course").click()

    # The lesson: an honest overview, then a content note before the distressing section.
    expect(page.get_by_role("heading", name="What human trafficking is", level=1)).to_be_visible()
    expect(page.get_by_text("How heavy:")).to_be_visible()
    note = page.locator("#section-sexual-exploitation .content-note")
    expect(note).to_contain_text("this section deals with sexual violence")
    audit(page)
    _fits(page)
    note.get_by_role("button", name="Read a non-graphic version").click()
    expect(page.get_by_text("You are reading the non-graphic version")).to_be_visible()
    page.get_by_role("button", name="Finish this module and continue").click()

    # The quiz: fail first, review, then pass.
    expect(page.get_by_role("heading", name="Check: indicators", level=1)).to_be_visible()
    audit(page)
    page.get_by_label("Call the police straight away.").check()
    page.get_by_role("button", name="Submit answers").click()
    # Five questions are still open: said at once, on the page, with the way to send it anyway.
    expect(page.locator("#quiz-warning")).to_contain_text("You have not answered 5 questions")
    expect(page.locator("#quiz-warning")).to_be_focused()
    audit(page)
    page.get_by_role("button", name="Submit with questions unanswered").click()
    expect(page.get_by_role("status")).to_contain_text("The pass mark is 80%")
    audit(page)
    _fits(page)
    page.get_by_role("link", name="Try again").click()
    page.get_by_label("Arrange to see her alone, with a professional interpreter.").check()
    page.get_by_label("Someone else holds her passport.").check()
    page.get_by_label("She is never alone.").check()
    page.get_by_label("False").check()
    page.get_by_label("Your answer").first.fill("Palermo")
    page.get_by_label("Your answer").nth(1).fill("3")
    page.get_by_label("Recruitment").select_option(label="Act")
    page.get_by_label("Deception").select_option(label="Means")
    page.get_by_label("Forced labour").select_option(label="Purpose")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("status")).to_contain_text("You passed.")
    expect(page.get_by_role("link", name="Next: Scenario: the night shift")).to_be_visible()
    audit(page)

    # Take a break, sign out for the night; come back: sign in, then one tap on Continue.
    page.get_by_role("link", name="Take a break").first.click()
    expect(page.get_by_text("Your place is saved.")).to_be_visible()
    audit(page)
    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Continue where you left off")).to_be_visible()  # Home
    expect(page.get_by_text("Next: Scenario: the night shift")).to_be_visible()
    audit(page)
    _fits(page)
    page.locator(".continue-card").get_by_role("link", name="Continue").click()  # the one tap
    expect(page.get_by_role("heading", name="Scenario: the night shift", level=1)).to_be_visible()

    # The scenario: one situation at a time; the consequence is announced; the path is kept.
    page.get_by_role("button", name="Start the scenario").click()
    audit(page)
    # A harmful ending: the debrief, no completion, and a replay.
    page.get_by_label("Let him stay; you can talk to her later.").check()
    page.get_by_role("button", name="Choose").click()
    page.get_by_label("Discharge her.").check()
    page.get_by_role("button", name="Choose").click()
    expect(page.get_by_text("the module is not complete yet")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Play it again").click()
    page.get_by_label("Let him stay; you can talk to her later.").check()
    page.get_by_role("button", name="Choose").click()
    expect(page.get_by_role("status")).to_contain_text("He answers for her")
    page.get_by_label("Try again to see her alone before discharge.").check()
    page.get_by_role("button", name="Choose").click()
    page.get_by_label("Ask open questions and tell her what help exists.").check()
    page.get_by_role("button", name="Choose").click()
    expect(page.get_by_text("the best outcome")).to_be_visible()
    expect(page.get_by_role("heading", name="The path you took")).to_be_visible()
    audit(page)
    _fits(page)

    page.goto("/learning")
    expect(page.get_by_text("completed on")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Certificate (PDF)").click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    page.get_by_role("link", name="Verification page").click()
    expect(page.get_by_role("status")).to_contain_text("Valid certificate")
    expect(page.get_by_text("Ólafur Þórsson")).to_be_visible()
    audit(page)

    # The transcript, for a licensing body or a CPD portfolio.
    page.goto("/learning")
    page.get_by_role("link", name="My transcript").click()
    expect(page.get_by_role("heading", name="My transcript")).to_be_visible()
    expect(page.get_by_role("cell", name="valid", exact=True)).to_be_visible()
    audit(page)
    _fits(page)

    # The privacy notice, linked from every page's footer.
    expect(page.locator("footer").get_by_role("link", name="Privacy notice")).to_have_attribute("href", "/privacy")
    page.goto("/privacy")
    expect(page.get_by_role("heading", name="Who sees what")).to_be_visible()
    audit(page)
    _fits(page)

    # The same pages in Dutch.
    open_menu(page)
    page.locator("#language-select").select_option("nl")
    page.locator(".language-form button").click()
    for path in ("/", "/learning", "/courses", "/courses/core", "/courses/core/what-it-is",
                 "/courses/core/indicators-quiz", "/courses/core/ed-night-shift", "/break", "/support",
                 "/privacy", "/wellbeing", "/learning/transcript"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        audit(page)
        _fits(page)


def test_lesson_works_without_javascript(context_factory, live_server):
    email, password = fresh_learner(live_server)
    page = context_factory(java_script_enabled=False).new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/courses/core/what-it-is")
    page.locator("#section-sexual-exploitation").get_by_role("button", name="Skip for now").click()
    expect(page.locator("#section-sexual-exploitation")).to_contain_text("You skipped this section for now")
    page.get_by_role("button", name="Finish this module and continue").click()
    expect(page.get_by_text("The module stays open")).to_be_visible()
