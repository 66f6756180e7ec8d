"""Reading a lesson moves the module's progress bar, and the place is kept for next time."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import audit, fresh_learner, sign_in

LESSON = "/courses/core/what-it-is"


def test_scrolling_through_a_lesson_moves_the_module_bar_and_is_kept(live_server, context_factory):
    page = context_factory(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    sign_in(page, *fresh_learner(live_server))
    page.goto(LESSON)
    bar = page.locator("#module-progress")
    expect(bar).to_have_attribute("value", "0")
    audit(page)
    # The first section has no content note: reading to its end counts; the noted one waits.
    page.locator("#section-definition .section-end").scroll_into_view_if_needed()
    expect(bar).to_have_attribute("value", "50", timeout=10_000)
    expect(page.locator("#module-progress-text")).to_have_text("50%")
    page.reload()
    expect(page.locator("#module-progress")).to_have_attribute("value", "50")
    page.goto("/learning")
    page.get_by_role("link", name="Resume").first.click()
    # Back where they stopped: the end of the first section, or the content note after it if
    # that came into view too (it is short); never the top of the lesson.
    lesson = re.escape(f"{live_server.url}{LESSON}")
    expect(page).to_have_url(re.compile(lesson + "#section-(definition|sexual-exploitation)$"))
    expect(page.locator("#module-progress")).to_have_attribute("value", "50")
    # Choosing how to read the noted section and reading to its end finishes the lesson: both bars
    # move without a reload.
    page.locator("#section-sexual-exploitation").get_by_role("button", name="Read a non-graphic version").click()
    page.locator("#section-sexual-exploitation .section-end").scroll_into_view_if_needed()
    expect(page.locator("#module-progress")).to_have_attribute("value", "100")
    expect(page.locator("#course-progress")).not_to_have_attribute("value", "0")
    audit(page)
