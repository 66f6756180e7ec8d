"""An administrator writes a scenario in the browser, sees the checker's message at the right
line, fixes it, publishes, and a learner can play it."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import audit, sign_in
from tests.support.samples import SCENARIO_FIXED, SCENARIO_WITH_DANGLING_LINK


def test_admin_writes_fixes_and_publishes_a_scenario_a_learner_then_plays(page, context_factory):
    sign_in(page, "admin@example.org", "demo-admin-lantern-harbour")
    page.get_by_role("link", name="Mail", exact=True).click()
    expect(page.get_by_role("heading", name="Undelivered mail")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Authoring").click()
    audit(page)
    page.get_by_label("Course id").fill("roadside-checks")
    page.get_by_label("Title").fill("Roadside checks")
    page.get_by_role("button", name="Create course").click()
    expect(page.get_by_text("The draft checks clean")).to_be_visible()
    audit(page)

    page.get_by_label("File name", exact=True).fill("02-roadside")
    page.get_by_label("Title", exact=True).fill("A roadside check")
    page.get_by_label("Kind").select_option("scenario")
    page.get_by_role("button", name="Add module").click()
    expect(page.get_by_role("heading", name="Edit 02-roadside.md")).to_be_visible()
    page.wait_for_load_state("load")  # the editor's script is deferred

    # Type the scenario: the live preview reports the dangling link at its line.
    page.get_by_label("Markdown").fill(SCENARIO_WITH_DANGLING_LINK)
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Line 26")
    expect(problems).to_contain_text("end-ok")
    audit(page)
    # Jump to the line, fix it there, and the message goes away.
    problems.get_by_role("button", name="Line 26").click()
    page.get_by_label("Markdown").fill(SCENARIO_FIXED)
    expect(problems).to_contain_text("No problems found in this file.")
    expect(page.locator("#preview")).to_contain_text("Away from the driver")
    page.get_by_role("button", name="Save to draft").click()
    expect(page.get_by_text("Saved to the draft.")).to_be_visible()

    # course.md starts as a draft hidden from learners: publish it for them.
    page.get_by_role("link", name="Back to course roadside-checks").click()
    page.get_by_role("link", name="course.md").click()
    source = page.get_by_label("Markdown").input_value()
    # The starting text may not be published: the course gets its own summary and introduction,
    # and the starter lesson leaves the course.
    published = (source.replace("status: draft", "status: published")
                 .replace("One or two sentences for the catalogue.", "What to notice at a roadside check.")
                 .replace("An introduction to the course, shown on its page.",
                          "Officers learn to speak to each person alone, with an interpreter.")
                 .replace("  - 01-introduction.md\n", "" if "02-roadside.md" in source else "  - 02-roadside.md\n"))
    page.get_by_label("Markdown").fill(published)
    page.get_by_role("button", name="Save to draft").click()
    page.get_by_role("link", name="Back to course roadside-checks").click()
    page.get_by_role("link", name="Review and publish").click()
    expect(page.get_by_role("heading", name="What publishing makes")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Published as version 1.")).to_be_visible()
    audit(page)

    learner = context_factory().new_page()
    sign_in(learner, "resident@example.org", "demo-resident-violet-kettle")
    learner.goto("/courses")
    learner.get_by_role("link", name="Roadside checks").click()
    learner.get_by_role("link", name="A roadside check").click()
    learner.get_by_role("button", name="Start the scenario").click()
    expect(learner.get_by_role("heading", name="The stop")).to_be_visible()
    learner.get_by_label("Speak to each worker away from the driver.").check()
    learner.get_by_role("button", name="Choose").click()
    expect(learner.get_by_role("status")).to_contain_text("The driver objects")
    audit(learner)
    learner.get_by_label("Give her the hotline number").check()
    learner.get_by_role("button", name="Choose").click()
    expect(learner.get_by_text("the best outcome")).to_be_visible()
    audit(learner)
    assert page.csp_errors == []


def test_the_editor_asks_before_unsaved_changes_are_lost_but_never_holds_up_a_quick_exit(page, live_server):
    sign_in(page, "admin@example.org", "demo-admin-lantern-harbour")
    page.goto("/authoring/courses/core/files/course.md")
    page.wait_for_load_state("load")  # the editor's script is deferred
    editor = page.get_by_label("Markdown")
    editor.fill(editor.input_value() + "\n")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Back to course core").click()
    expect(page.get_by_role("heading", name="Edit course.md")).to_be_visible()
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/files/course.md")

    page.get_by_role("link", name=re.compile("Quick exit")).click()
    expect(page).to_have_url(live_server.app.config["QUICK_EXIT_URL"])


def test_an_author_tries_reviews_and_discards_a_draft_on_a_phone(context_factory, live_server):
    """The pages an author reviews a draft on, at 360 px: trying it as a learner, the scenario map,
    the review before publishing and the discard question; axe on each, nothing sideways."""
    from tests.e2e.test_phone_first import PHONE, _fits

    page = context_factory(**PHONE).new_page()
    sign_in(page, "admin@example.org", "demo-admin-lantern-harbour")
    for path in ("/authoring/courses/core/try/what-it-is", "/authoring/courses/core/try/indicators-quiz"):
        page.goto(path)
        expect(page.get_by_text("Nothing you do here is recorded")).to_be_visible()
        _fits(page)
        audit(page)
    page.get_by_role("button", name="Check my answers").click()
    expect(page.get_by_role("status")).to_contain_text("This try scored")
    _fits(page)
    audit(page)
    page.goto("/authoring/courses/core/try/ed-night-shift")
    page.get_by_role("list").filter(has=page.locator("a[href*='via=']")).get_by_role("link").first.click()
    expect(page.locator("main h2").first).to_be_visible()
    _fits(page)
    audit(page)
    page.goto("/authoring/courses/core/files/03-night-shift.md")
    expect(page.get_by_role("heading", name="Map of this scenario")).to_be_visible()
    _fits(page)
    audit(page)
    for path, heading in (("/authoring/courses/core/publish", "Publish core"),
                          ("/authoring/courses/core/discard", "Discard the draft of core?")):
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        _fits(page)
        audit(page)
