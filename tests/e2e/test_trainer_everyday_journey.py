"""A trainer's everyday path, on a phone (360 px) and a desktop (1280 px), in English and Dutch:
a list saved by Dutch Excel (semicolons, Windows-1252), a pending invitation withdrawn, the module
picker that follows the course, a due date in the past refused, the join link copied, a learner
removed and put back, the reminders page, the item analysis and the report for command; then an
administrator's staff pages. Every page is checked with axe and must not scroll sideways."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext, ngettext
from playwright.sync_api import expect

from tests.e2e.conftest import audit, english_left, fresh_learner, sign_in
from trainer.extensions import db
from trainer.models import CohortMember, User
from trainer.services import accounts

PASSWORD = "harbour-lantern-violet-42"


def _words(live_server, locale: str):
    """The page's own words in `locale`, so the journey finds controls by what people read."""
    def t(text: str, **values) -> str:
        with live_server.app.test_request_context(), force_locale(locale):
            return gettext(text, **values)

    def tn(singular: str, plural: str, num: int, **values) -> str:
        with live_server.app.test_request_context(), force_locale(locale):
            return ngettext(singular, plural, num, **values)

    return t, tn


def _fits(page) -> None:
    """Nothing scrolls sideways; on failure, name the widest elements outside scrolled tables."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
        .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px: {wide}"


def _check(page) -> None:
    audit(page)
    _fits(page)


def _trainer(live_server, locale: str) -> str:
    email = f"trainer-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        accounts.register(email, PASSWORD, accounts.Profile(
            name="Tamsin Trainer", organisation="Police College", sector="police", specialty=None,
            is_resident=False, locale=locale, timezone="UTC"), roles=("trainer",), verified=True)
        db.session.commit()
    return email


def _join(live_server, cohort_name: str, email: str) -> None:
    """Put a learner in the cohort as if they had accepted (accepting is the learner journey's)."""
    from trainer.models import Cohort

    with live_server.app.app_context():
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == cohort_name))
        user = db.session.scalar(sa.select(User).where(User.email == email))
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id))
        db.session.commit()


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_trainers_everyday_path(context_factory, live_server, tmp_path, width, locale):
    t, tn = _words(live_server, locale)
    context = context_factory(viewport={"width": width, "height": 800}, locale="nl-NL" if locale == "nl" else "en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    sign_in_as = _trainer(live_server, locale)
    member_email, _ = fresh_learner(live_server, sector="police", verified=True)
    page.goto("/login")
    page.get_by_label(t("Email address")).fill(sign_in_as)
    page.get_by_label(t("Password")).fill(PASSWORD)
    page.get_by_role("button", name=t("Sign in")).click()
    page.get_by_role("button", name=t("Sign out"), include_hidden=True).wait_for(state="attached")

    page.goto("/cohorts")
    _check(page)
    name = f"Nachtdienst {uuid.uuid4().hex[:6]}"
    page.get_by_label(t("Name of the cohort")).fill(name)
    page.get_by_role("button", name=t("Create cohort")).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    _check(page)

    # A list as Dutch Excel saves it.
    invited = f"zoe-{uuid.uuid4().hex[:6]}@example.org"
    listing = tmp_path / "lijst.csv"
    listing.write_bytes(f"Naam;E-mailadres\r\nZoë Müller;{invited}\r\nBram de Vries;bram-{uuid.uuid4().hex[:6]}"
                        f"@example.org\r\n".encode("cp1252"))
    page.get_by_label(t("CSV file with the columns name and email")).set_input_files(str(listing))
    page.get_by_role("button", name=t("Check and invite")).click()
    expect(page.get_by_role("status")).to_contain_text(
        tn("%(num)d person was emailed an invitation.", "%(num)d people were emailed an invitation.", 2))
    expect(page.get_by_text(t("a semicolon (;)"), exact=False)).to_be_visible()
    _check(page)
    page.get_by_role("link", name=t("Back to %(name)s", name=name)).click()

    # Pending invitations: one withdrawn.
    page.get_by_role("button", name=t("Withdraw") + " " + t("the invitation to %(name)s", name="Bram de Vries")).click()
    expect(page.get_by_text(t("The invitation to %(name)s is withdrawn: they can no longer accept it.",
                              name="Bram de Vries"))).to_be_visible()
    expect(page.locator("#members")).to_contain_text("Zoë Müller")
    _check(page)

    # The module picker follows the course; a past due date is refused.
    course = page.get_by_label(t("Course"), exact=True)
    course.select_option(label="Human trafficking: the shared core")
    module = page.get_by_label(t("Only one module (optional)"))
    expect(module.locator("option")).to_have_count(4)  # the whole course and its three modules
    expect(page.get_by_role("button", name=t("List this course's modules"))).to_be_hidden()
    module.select_option("what-it-is")
    page.get_by_label(t("Due date")).fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_role("button", name=t("Assign"), exact=True).click()
    refusal = t("The due date %(date)s has passed. Choose today or a later date.", date="@").split("@")[1]
    expect(page.get_by_text(refusal.strip(" ."), exact=False)).to_be_visible()
    page.get_by_label(t("Course"), exact=True).select_option(label="Human trafficking: the shared core")
    page.get_by_label(t("Only one module (optional)")).select_option("what-it-is")
    page.get_by_label(t("Due date")).fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name=t("Assign"), exact=True).click()
    expect(page.get_by_text(t("Assigned."))).to_be_visible()
    expect(page.get_by_text(tn("%(num)d person invited has not joined yet and counts as not complete.",
                               "%(num)d people invited have not joined yet and count as not complete.", 1)))\
        .to_be_visible()

    # The join link, copied.
    page.get_by_role("button", name=t("Switch a join link on")).click()
    page.get_by_role("button", name=t("Copy the link")).click()
    expect(page.locator(".copy-status")).to_have_text(t("Copied"))
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith(live_server.url + "/join/")
    _check(page)

    # A learner removed, with confirmation, and put back.
    _join(live_server, name, member_email)
    page.reload()
    page.get_by_role("link", name=t("Remove") + " Sam Okafor").click()
    expect(page.get_by_role("heading", name=t("Remove %(name)s from %(cohort)s?", name="Sam Okafor", cohort=name)))\
        .to_be_visible()
    _check(page)
    page.get_by_role("button", name=t("Remove %(name)s", name="Sam Okafor")).click()
    page.get_by_role("button", name=t("Undo: put %(name)s back", name="Sam Okafor")).click()
    expect(page.get_by_text(t("%(name)s is back in the cohort.", name="Sam Okafor"))).to_be_visible()
    expect(page.locator(".progress-table")).to_contain_text("Sam Okafor")
    _check(page)

    page.get_by_role("link", name=t("Remind overdue learners")).click()
    expect(page.get_by_role("heading", name=t("Reminders the daily run will send"))).to_be_visible()
    _check(page)
    page.go_back()
    page.get_by_role("link", name=t("What the cohort misses")).click()
    _check(page)

    page.goto("/cohorts")
    page.get_by_role("link", name=t("Report for command: completion, overdue learners, certificates that expire soon"))\
        .click()
    expect(page.get_by_role("heading", name=t("Completion by cohort"))).to_be_visible()
    expect(page.get_by_role("img", name=t("Completion by cohort"))).to_be_visible()
    _check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=t("Download as CSV")).click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert any(row[:1] == [name] for row in rows)
    with page.expect_download() as pdf:
        page.get_by_role("link", name=t("Download a printable PDF")).click()
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("locale", ["en", "nl"])
def test_staff_pages_have_no_violations_and_fit(context_factory, live_server, width, locale):
    """The demo administrator chose no language, so a Dutch browser gets the pages in Dutch."""
    t, _tn = _words(live_server, locale)
    page = context_factory(viewport={"width": width, "height": 800},
                           locale="nl-NL" if locale == "nl" else "en-GB").new_page()
    sign_in(page, "admin@example.org", "demo-admin-lantern-harbour", t)
    for path in ("/admin/users", "/admin/users/1", "/admin/audit", "/admin/certificates", "/admin/organisations",
                 "/admin/mail", "/authoring/courses", "/authoring/courses/core", "/authoring/courses/core/versions",
                 "/authoring/courses/core/evaluations", "/authoring/referrals", "/authoring/referrals/new",
                 "/cohorts", "/reports"):
        assert page.goto(path).status == 200, path
        assert page.locator("html").get_attribute("lang") == locale, path
        expect(page.get_by_role("link", name=t("Skip to main content"))).to_be_attached()
        if locale == "nl":
            assert not english_left(page), path
        _check(page)
    page.goto("/admin/audit")
    expect(page.get_by_role("region", name=t("Audit log entries"))).to_be_visible()
    assert "user " not in page.locator("tbody").inner_text()
