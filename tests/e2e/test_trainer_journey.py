"""A police trainer sets up a cohort and uploads a list with one bad row, then a good one: the
learner on it is only invited, and the trainer sees nothing of them. The learner signs in, sees
who invited them and what the trainers would see, and accepts; only then does the dashboard show
them. A course is assigned with a due date, the learner completes it, the trainer sees the change
and exports the CSV. Finally the learner leaves the cohort, and the dashboard no longer shows them."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import audit, fresh_learner, sign_in


def test_trainer_follows_a_cohort(page, context_factory, live_server, tmp_path):
    email, password = fresh_learner(live_server, sector="police", verified=True)
    sign_in(page, "trainer@example.org", "demo-trainer-meadow-compass")
    page.get_by_role("link", name="Cohorts", exact=True).click()
    audit(page)
    page.get_by_label("Name of the cohort").fill("Roadside unit, spring")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_role("heading", name="Roadside unit, spring")).to_be_visible()
    audit(page)

    bad = tmp_path / "officers.csv"
    bad.write_text(f"name,email\nSam Okafor,{email}\nBram,not-an-email\n", encoding="utf-8")
    page.get_by_label("CSV file with the columns name and email").set_input_files(str(bad))
    page.get_by_role("button", name="Check and invite").click()
    expect(page.get_by_role("alert")).to_contain_text("Line 3")
    audit(page)
    page.go_back()
    good = tmp_path / "officers-fixed.csv"
    good.write_text(f"name,email\nSam Okafor,{email}\n", encoding="utf-8")
    page.get_by_label("CSV file with the columns name and email").set_input_files(str(good))
    page.get_by_role("button", name="Check and invite").click()
    expect(page.get_by_role("status")).to_contain_text("1 person was emailed an invitation.")
    audit(page)
    page.get_by_role("link", name="Back to Roadside unit, spring").click()

    page.get_by_label("Course", exact=True).select_option(label="Human trafficking: the shared core")
    page.get_by_label("Only one module (optional)").select_option("what-it-is")
    page.get_by_label("Due date").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Overall: 0% of assignments completed by 0 learners.")).to_be_visible()
    expect(page.locator(".progress-table")).not_to_contain_text("Sam Okafor")
    expect(page.locator("#members")).to_contain_text(email)  # listed as invited, apart from members

    learner = context_factory().new_page()
    sign_in(learner, email, password)
    invitation = learner.get_by_role("article").filter(has_text="Roadside unit, spring")
    expect(invitation).to_contain_text("Tamsin Trainer")
    expect(invitation).to_contain_text("They never see your wellbeing self-checks")
    audit(learner)
    invitation.get_by_role("button", name="Accept and join").click()
    expect(learner.get_by_text("You joined Roadside unit, spring.")).to_be_visible()
    audit(learner)

    page.reload()
    expect(page.get_by_text("Overall: 0% of assignments completed by 1 learner.")).to_be_visible()
    expect(page.locator(".progress-table")).to_contain_text("Sam Okafor")

    learner.goto("/learning")
    expect(learner.get_by_role("heading", name="Assigned to you")).to_be_visible()
    audit(learner)
    learner.get_by_role("link", name="Human trafficking: the shared core (what-it-is)").click()
    note = learner.locator("#section-sexual-exploitation .content-note")
    note.get_by_role("button", name="Read a non-graphic version").click()
    learner.get_by_role("button", name="Finish this module and continue").click()

    page.reload()
    expect(page.get_by_text("Overall: 100%")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this table as CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[1][:2] == ["Sam Okafor", email] and rows[1][2] == "completed"
    assert rows[-1][-1] == "100"
    page.get_by_role("link", name="What the cohort misses").click()
    expect(page.get_by_role("heading", name="What the cohort misses")).to_be_visible()
    audit(page)
    page.go_back()
    # The certificates' zip is made by a job; its page follows it and offers the file when ready.
    page.get_by_role("button", name="Certificates (zip of PDFs)").click()
    expect(page.get_by_role("heading", name="Certificates of the cohort (zip of PDFs)")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Ready.", timeout=60_000)
    audit(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download cohort-\d+-certificates\.zip$")).click()
    assert zipfile.is_zipfile(download.value.path())
    page.get_by_role("link", name="Back", exact=True).click()
    page.get_by_role("link", name="Remind overdue learners").click()
    expect(page.get_by_text("Nobody is overdue.")).to_be_visible()
    audit(page)

    learner.goto("/profile")
    learner.get_by_role("link", name="My cohorts").click()
    audit(learner)
    learner.get_by_role("link", name="What the trainers see, and leaving").click()
    expect(learner.get_by_role("heading", name="Leave Roadside unit, spring")).to_be_visible()
    audit(learner)
    learner.get_by_role("button", name="Leave the cohort").click()
    expect(learner.get_by_text("You left Roadside unit, spring.")).to_be_visible()
    expect(learner.get_by_text("You are not in a cohort.")).to_be_visible()

    page.get_by_role("link", name="Back to Roadside unit, spring").click()
    expect(page.get_by_text("completed by 0 learners.")).to_be_visible()
    expect(page.locator(".progress-table")).not_to_contain_text("Sam Okafor")
    assert page.csp_errors == []
