"""An organisation, end to end: the platform's administrator makes a hospital and puts its
coordinator and a nurse in it (1280 px); the coordinator, on a phone (360 px), finds the hospital's
page in the menu, sets its language to Dutch, sees only its own people, gives the nurse the trainer
role and opens the hospital's report; the nurse then reads the site in Dutch. Every page is checked
with axe and must not scroll sideways."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import audit, open_menu, sign_in
from tests.e2e.test_phone_first import PHONE
from tests.e2e.test_trainer_everyday_journey import _fits, _words
from trainer.extensions import db
from trainer.models import User
from trainer.services import accounts

PASSWORD = "harbour-lantern-violet-42"
WIDE = {"viewport": {"width": 1280, "height": 900}}


def _person(live_server, name: str, locale: str | None = None) -> str:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        accounts.register(email, PASSWORD, accounts.Profile(
            name=name, organisation="", sector="health", specialty=None, is_resident=False, locale=locale,
            timezone="UTC"), verified=True)
        db.session.commit()
    return email


def _check(page) -> None:
    audit(page)
    _fits(page)


def test_a_hospital_and_its_coordinator(live_server, context_factory):
    hospital = f"Harbour Hospital {uuid.uuid4().hex[:6]}"
    # The coordinator chose English; the nurse chose no language, so the hospital's applies.
    coordinator, nurse = _person(live_server, "Casey Coordinator", "en"), _person(live_server, "Nia Nurse")

    admin = context_factory(**WIDE).new_page()
    sign_in(admin, "admin@example.org", "demo-admin-lantern-harbour")
    admin.goto("/admin/organisations")
    _check(admin)
    admin.get_by_label("Name").fill(hospital)
    admin.get_by_role("button", name="Add the organisation").click()
    expect(admin.get_by_role("heading", level=1, name=hospital)).to_be_visible()
    for email, administers in ((coordinator, True), (nurse, False)):
        admin.get_by_label("Email address of the account").fill(email)
        if administers:
            admin.get_by_label("Administers the organisation: its people, cohorts and report").check()
        admin.get_by_role("button", name="Add to the organisation").click()
        expect(admin.locator(".flash-success")).to_contain_text("is in")
    expect(admin.get_by_role("status").filter(has_text="belong to")).to_contain_text("2 people")
    _check(admin)

    phone = context_factory(**PHONE).new_page()
    sign_in(phone, coordinator, PASSWORD)
    open_menu(phone)
    phone.get_by_role("link", name="Organisation", exact=True).click()
    expect(phone.get_by_role("heading", level=1, name=hospital)).to_be_visible()
    expect(phone.get_by_label("Name")).to_have_count(0)  # only the platform renames it
    _check(phone)
    phone.get_by_label("Language for its people who have not chosen one").select_option("nl")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator(".flash-success")).to_contain_text("saved")

    open_menu(phone)
    phone.get_by_role("link", name="Users", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("2 accounts found.")
    expect(phone.get_by_role("link", name="Tamsin Trainer")).to_have_count(0)  # another organisation's
    _check(phone)
    phone.get_by_role("link", name="Nia Nurse").click()
    expect(phone.get_by_label("Administrator: manages courses, users and certificates")).to_have_count(0)
    phone.get_by_label("Trainer: creates cohorts and follows their progress").check()
    phone.get_by_role("button", name="Save roles").click()
    expect(phone.locator(".flash-success")).to_contain_text("Roles of Nia Nurse are saved.")
    _check(phone)
    with live_server.app.app_context():
        assert db.session.scalars(sa.select(User).where(User.email == nurse)).unique().one().role_names == {
            "learner", "trainer"}

    phone.goto("/reports")
    expect(phone.get_by_text(f"Every current cohort of {hospital}")).to_be_visible()
    _check(phone)

    nurse_page = context_factory(**PHONE).new_page()
    dutch, _ = _words(live_server, "nl")
    # The sign-in form speaks the browser's language; once signed in, the organisation's.
    sign_in(nurse_page, nurse, PASSWORD, t=lambda text: dutch(text) if text == "Sign out" else text)
    expect(nurse_page.locator("html")).to_have_attribute("lang", "nl")
    _check(nurse_page)
