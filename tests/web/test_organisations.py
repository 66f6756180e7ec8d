"""Organisations: a hospital or a police force with its own administrators, who manage its people,
its cohorts and its report for command, set its defaults, and reach nothing of another
organisation. The authorisation matrix tries every route with an administrator of the cohort's
organisation and one of another; these tests follow what each sees and changes."""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import login
from trainer.extensions import db
from trainer.models import AuditEvent, Cohort, Organisation, OrganisationMember, Referral, User


@pytest.fixture
def world(app, client, make_user, published_course):
    """Two organisations made through the pages by a platform administrator: a hospital with a
    coordinator (its administrator), a trainer and a nurse; a police force with a trainer."""
    with app.app_context():
        for position, (country, name) in enumerate((("CA", "Canadian Human Trafficking Hotline"),
                                                     ("GB", "Modern Slavery Helpline"), ("NL", "CoMensha"))):
            db.session.add(Referral(country=country, name=name, phone="000", checked=date(2026, 11, 25),
                                    source="https://example.org/", position=position))
        db.session.commit()
    admin = make_user(roles=("admin",), name="Alex Admin")
    people = {
        "coordinator": make_user(name="Casey Coordinator"),
        "trainer": make_user(roles=("trainer",), name="Tamsin Trainer", timezone="UTC"),
        "nurse": make_user(name="Nia Nurse"),
        "officer": make_user(roles=("trainer",), name="Omar Officer", timezone="UTC"),
        "outsider": make_user(name="Olu Outsider"),
    }
    login(client, admin)
    ids = {}
    for name, country in (("St Mary's Hospital", "GB"), ("County Police", "")):
        response = client.post("/admin/organisations", data={"name": name, "country": country, "locale": "",
                                                              "password_sign_in": "y"})
        assert response.status_code == 302
        ids[name] = int(response.headers["Location"].rsplit("/", 1)[1])
    hospital, police = ids["St Mary's Hospital"], ids["County Police"]
    for who, organisation, admin_flag in (("coordinator", hospital, "y"), ("trainer", hospital, ""),
                                          ("nurse", hospital, ""), ("officer", police, "")):
        data = {"email": people[who].email, **({"admin": admin_flag} if admin_flag else {})}
        assert client.post(f"/admin/organisations/{organisation}/members", data=data).status_code == 302
    client.post("/logout")
    return dict(people, admin=admin, hospital=hospital, police=police)


def _signed_in(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def _cohort(client, name: str) -> int:
    response = client.post("/cohorts", data={"name": name, "organisation": ""})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_the_platforms_administrators_make_organisations_and_put_people_in_them(app, client, world, make_user):
    login(client, world["admin"])
    page = client.get(f"/admin/organisations/{world['hospital']}").get_data(as_text=True)
    assert "3 people belong to St Mary&#39;s Hospital." in page and "Casey Coordinator" in page
    same = client.post("/admin/organisations", data={"name": "st mary's  hospital"})
    assert same.status_code == 400 and "already an organisation with this name" in same.get_data(as_text=True)
    empty = client.post("/admin/organisations", data={"name": " "})
    assert empty.status_code == 400 and "Give the organisation&#39;s name" in empty.get_data(as_text=True)
    unknown = client.post(f"/admin/organisations/{world['hospital']}/members", data={"email": "nobody@example.org"})
    assert unknown.status_code == 400 and "No account has this email address." in unknown.get_data(as_text=True)
    taken = client.post(f"/admin/organisations/{world['police']}/members", data={"email": world["nurse"].email})
    assert taken.status_code == 400 and "belongs to another organisation" in taken.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 2
        assert db.session.get(User, world["nurse"].id).organisation_id == world["hospital"]


def test_an_organisations_administrator_manages_its_people_and_no_one_else(app, world):
    coordinator = _signed_in(app, world["coordinator"])
    listed = coordinator.get("/admin/users").get_data(as_text=True)
    assert "Nia Nurse" in listed and "Tamsin Trainer" in listed
    assert "Omar Officer" not in listed and "Olu Outsider" not in listed and "Alex Admin" not in listed
    assert coordinator.get(f"/admin/users/{world['officer'].id}").status_code == 404
    assert coordinator.get(f"/admin/users/{world['outsider'].id}").status_code == 404
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id == world["coordinator"].id))
        assert list(actions).count("account-access-refused") == 2

    nurse_page = coordinator.get(f"/admin/users/{world['nurse'].id}").get_data(as_text=True)
    assert 'name="trainer"' in nurse_page and 'name="admin"' not in nurse_page and 'name="author"' not in nurse_page
    # The trainer role they may give; an administrator's role posted anyway is left as it was.
    coordinator.post(f"/admin/users/{world['nurse'].id}/roles", data={"trainer": "y", "admin": "y"})
    with app.app_context():
        assert db.session.get(User, world["nurse"].id).role_names == {"learner", "trainer"}
    assert coordinator.post(f"/admin/users/{world['officer'].id}/roles", data={"trainer": "y"}).status_code == 404
    assert coordinator.post(f"/admin/users/{world['nurse'].id}/active", data={"active": "0"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, world["nurse"].id).active is False


def test_a_platform_administrator_in_an_organisation_is_beyond_its_administrators(app, client, world):
    login(client, world["admin"])
    client.post(f"/admin/organisations/{world['hospital']}/members", data={"email": world["admin"].email})
    coordinator = _signed_in(app, world["coordinator"])
    page = coordinator.get(f"/admin/users/{world['admin'].id}").get_data(as_text=True)
    assert "only the platform's administrators change it" in page and "Deactivate account" not in page
    assert coordinator.post(f"/admin/users/{world['admin'].id}/active", data={"active": "0"}).status_code == 403
    assert coordinator.post(f"/admin/organisations/{world['hospital']}/members",
                            data={"email": world["outsider"].email}).status_code == 403


def test_an_organisations_administrator_follows_its_cohorts_and_reports_on_them_alone(app, world):
    ours = _cohort(_signed_in(app, world["trainer"]), "Ward 4 nurses")
    theirs = _cohort(_signed_in(app, world["officer"]), "Roads policing")
    with app.app_context():
        assert db.session.get(Cohort, ours).organisation_id == world["hospital"]
        assert db.session.get(Cohort, ours).organisation == "St Mary's Hospital"
    coordinator = _signed_in(app, world["coordinator"])
    listed = coordinator.get("/cohorts").get_data(as_text=True)
    assert "Ward 4 nurses" in listed and "Roads policing" not in listed
    assert coordinator.get(f"/cohorts/{ours}").status_code == 200
    assert coordinator.get(f"/cohorts/{theirs}").status_code == 404
    report = coordinator.get("/reports").get_data(as_text=True)
    assert "Every current cohort of St Mary&#39;s Hospital" in report
    assert "Ward 4 nurses" in report and "Roads policing" not in report
    csv_text = coordinator.get("/reports/report.csv").data.decode("utf-8-sig")
    assert "Ward 4 nurses" in csv_text and "Roads policing" not in csv_text
    # Their own cohort is theirs to follow as well.
    own = _cohort(coordinator, "Coordinators' refresher")
    with app.app_context():
        assert db.session.get(Cohort, own).organisation_id == world["hospital"]
    assert _signed_in(app, world["officer"]).get(f"/cohorts/{own}").status_code == 404


def test_an_organisations_administrator_sets_its_defaults_but_not_its_name(app, world):
    coordinator = _signed_in(app, world["coordinator"])
    landing = coordinator.get("/admin/organisations").headers["Location"]
    assert landing.endswith(f"/admin/organisations/{world['hospital']}")
    bad = coordinator.post(f"/admin/organisations/{world['hospital']}/edit",
                           data={"name": "Renamed", "country": "XX", "locale": "", "password_sign_in": "y"})
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    saved = coordinator.post(f"/admin/organisations/{world['hospital']}/edit",
                             data={"name": "Renamed", "country": "NL", "locale": "nl", "password_sign_in": "y"})
    assert saved.status_code == 302
    with app.app_context():
        organisation = db.session.get(Organisation, world["hospital"])
        assert (organisation.name, organisation.country, organisation.locale) == ("St Mary's Hospital", "NL", "nl")
    assert coordinator.get(f"/admin/organisations/{world['police']}").status_code == 404
    assert coordinator.post(f"/admin/organisations/{world['police']}/edit", data={"country": "NL"}).status_code == 404

    # Its people who chose no language read the site in its language; the rest as they chose.
    nurse = _signed_in(app, world["nurse"])
    assert '<html lang="nl">' in nurse.get("/learning").get_data(as_text=True)
    assert '<html lang="en">' in _signed_in(app, world["officer"]).get("/learning").get_data(as_text=True)
    nurse.post("/language", data={"locale": "en"})
    assert '<html lang="en">' in nurse.get("/learning").get_data(as_text=True)
    # Its country's services come first on the support page.
    support = _signed_in(app, world["trainer"]).get("/support").get_data(as_text=True)
    headings = re.findall(r'<h\d id="country-([A-Z]{2})', support)
    assert headings and headings[0] == "NL"


def test_administration_changes_hands_and_a_removed_member_keeps_their_account(app, world):
    coordinator = _signed_in(app, world["coordinator"])
    own = coordinator.post(f"/admin/organisations/{world['hospital']}/members/{world['coordinator'].id}/admin",
                           data={"admin": "0"})
    assert own.status_code == 400 and "cannot change your own administration" in own.get_data(as_text=True)
    coordinator.post(f"/admin/organisations/{world['hospital']}/members/{world['trainer'].id}/admin",
                     data={"admin": "1"})
    coordinator.post(f"/admin/organisations/{world['hospital']}/members/{world['nurse'].id}/remove")
    with app.app_context():
        assert db.session.get(User, world["trainer"].id).organisation_admin is True
        nurse = db.session.get(User, world["nurse"].id)
        assert nurse is not None and nurse.membership is None and nurse.active
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OrganisationMember)) == 3
    assert coordinator.get(f"/admin/users/{world['nurse'].id}").status_code == 404
    assert coordinator.post(f"/admin/organisations/{world['police']}/members/{world['officer'].id}/remove"
                            ).status_code == 404
