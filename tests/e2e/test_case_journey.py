"""A case in a real browser: a health professional plays their own chapter of the wraparound
case on a phone while the platform plays the other sectors, receives a hand-off, sends one by
keyboard, and reads the debrief; another plays the whole case without JavaScript. Every page is
audited with axe and nothing scrolls sideways."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import audit, fresh_learner, sign_in
from tests.e2e.test_phone_first import PHONE, _fits

ROOT = Path(__file__).resolve().parents[2]
CASE = "/courses/wraparound/case-farm-worker"


def _play_to_the_end(page, checks=None) -> int:
    """Take the first open choice at every step and pass on the first two items of every hand-off,
    until the debrief; returns the number of pages played. ``checks`` runs on every page."""
    for steps in range(1, 60):
        if page.locator("#timeline-heading").count():
            return steps
        if checks:
            checks(page)
        if page.locator("form.handoff").count():
            for box in page.locator("form.handoff input[type=checkbox]").all()[:2]:
                box.focus()
                page.keyboard.press("Space")
                expect(box).to_be_checked()
            page.get_by_label("A note for the next sector (optional)").fill("He prefers to be called in the morning.")
            page.get_by_role("button", name="Send the hand-off").click()
        else:
            page.locator("form.choices input[type=radio]").first.check()
            page.get_by_role("button", name="Choose").click()
        expect(page.locator("#step")).to_be_visible()
    raise AssertionError("the case did not end in 60 steps")


def test_a_resident_plays_the_emergency_chapter_on_a_phone(context_factory, live_server, case_courses):
    page = context_factory(**PHONE).new_page()
    sign_in(page, *fresh_learner(live_server, sector="health"))
    page.goto(CASE)
    expect(page.get_by_role("heading", name="One person's story, sector by sector")).to_be_visible()
    audit(page)
    _fits(page)
    page.get_by_label("Your chapter").select_option("emergency")
    page.get_by_role("button", name="Play this chapter").click()
    expect(page.locator(".case-chapter")).to_contain_text("Chapter 2 of 4:")
    expect(page.locator("#received-heading")).to_have_text("The hand-off you received")
    expect(page.locator(".case-received .meta")).to_contain_text("From the previous chapter: The community supper")
    expect(page.get_by_text("You play this chapter; the platform plays the others.")).to_be_visible()

    def every_page(p):
        audit(p)
        _fits(p)

    _play_to_the_end(page, every_page)
    expect(page.locator(".ending")).to_be_visible()
    expect(page.get_by_text("Played by the platform, along a sensible path.").first).to_be_visible()
    expect(page.get_by_role("heading", name="Map of the case")).to_be_visible()
    expect(page.locator(".case-handoff").first).to_be_visible()
    audit(page)
    _fits(page)


def test_a_police_officer_plays_their_chapter_of_the_dutch_case_in_dutch(context_factory, live_server,
                                                                         case_courses):
    from tests.e2e.test_trainer_everyday_journey import _words

    t, _ = _words(live_server, "nl")
    page = context_factory(locale="nl-NL", **PHONE).new_page()
    sign_in(page, *fresh_learner(live_server, sector="police"), t)
    page.goto("/courses/wraparound-nl/casus-mensenhandel")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    audit(page)
    _fits(page)
    page.get_by_label(t("Your chapter")).select_option("politie")
    page.get_by_role("button", name=t("Play this chapter")).click()
    expect(page.locator(".case-chapter")).to_contain_text(t("Chapter %(number)d of %(count)d:", number=2, count=4))
    expect(page.locator("#received-heading")).to_be_visible()

    def every_page(p):
        audit(p)
        _fits(p)

    for _ in range(60):
        if page.locator("#timeline-heading").count():
            break
        every_page(page)
        if page.locator("form.handoff").count():
            page.locator("form.handoff input[type=checkbox]").first.check()
            page.get_by_role("button", name=t("Send the hand-off")).click()
        else:
            page.locator("form.choices input[type=radio]").first.check()
            page.get_by_role("button", name=t("Choose")).click()
    expect(page.get_by_role("heading", name=t("The case, sector by sector"))).to_be_visible()
    every_page(page)


def test_the_whole_case_plays_without_javascript(context_factory, live_server, case_courses):
    page = context_factory(java_script_enabled=False).new_page()
    sign_in(page, *fresh_learner(live_server, sector="police"))
    page.goto(CASE)
    page.get_by_role("button", name="Play the whole case").click()
    expect(page.locator(".case-chapter")).to_contain_text("Chapter 1 of 4:")
    assert _play_to_the_end(page) >= 2
    expect(page.locator(".ending")).to_be_visible()
    expect(page.get_by_role("heading", name="The case, sector by sector")).to_be_visible()
