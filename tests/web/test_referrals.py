"""The referral directory: seeded from a file, kept by administrators, shown on Support."""
from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import login
from trainer.extensions import db
from trainer.models import Referral, User
from trainer.services import local_dates, publishing

YAML = """- country: CA
  name: Canadian Human Trafficking Hotline
  description: Confidential, 24/7.
  phone: "1-833-900-1010"
  url: https://www.canadianhumantraffickinghotline.ca/
  hours: 24/7
  languages: [en, fr]
  checked: 2026-11-25
  source: https://canadianhumantraffickinghotline.ca/faq
- country: NL
  name: CoMensha
  phone: "033 448 11 86"
  checked: 2026-11-25
  source: https://www.comensha.nl/
"""


@pytest.fixture
def courses_folder(tmp_path):
    import shutil

    from tests.conftest import GOOD_COURSE

    shutil.copytree(GOOD_COURSE, tmp_path / "core")
    (tmp_path / "referrals.yaml").write_text(YAML)
    return tmp_path


def _import(app, folder):
    with app.app_context():
        result = publishing.import_path(folder)
        assert result.ok
        db.session.commit()
        return result.referrals


def test_import_seeds_the_directory_and_is_idempotent(app, courses_folder, count_rows):
    assert _import(app, courses_folder) == (2, 0)
    assert _import(app, courses_folder) == (0, 0)
    assert count_rows(Referral) == 2


def test_support_page_lists_services_by_country(client, app, courses_folder):
    _import(app, courses_folder)
    page = client.get("/support").get_data(as_text=True)
    assert "Canadian Human Trafficking Hotline" in page and 'href="tel:1-833-900-1010"' in page
    assert "Checked on" in page
    only_nl = client.get("/support?country=NL").get_data(as_text=True)
    assert "CoMensha" in only_nl and "Canadian Human" not in only_nl
    dutch = client.get("/support", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Nederland" in dutch


def test_admin_edits_survive_the_next_import(client, app, courses_folder, make_user):
    _import(app, courses_folder)
    login(client, make_user(roles=("admin",)))
    with app.app_context():
        comensha = db.session.scalar(db.select(Referral).where(Referral.name == "CoMensha"))
    form = {"country": "NL", "name": "CoMensha", "description": "Coordination centre, office hours.",
            "phone": "033 448 11 86", "url": "https://www.comensha.nl/", "hours": "Mon–Fri 09:00–17:00",
            "languages": "nl, en", "checked": "2026-11-25", "source": "https://www.comensha.nl/"}
    assert client.post(f"/authoring/referrals/{comensha.id}", data=form).status_code == 302
    _import(app, courses_folder)
    with app.app_context():
        kept = db.session.get(Referral, comensha.id)
        assert kept.description == "Coordination centre, office hours." and kept.languages == ["nl", "en"]


def test_an_edit_that_leaves_fields_out_is_refused_and_changes_nothing(client, app, courses_folder, make_user):
    """A field missing from the sent form is empty, not the stored value: the stored languages
    (a list) once reached the service in place of the form's text and raised an error."""
    _import(app, courses_folder)
    login(client, make_user(roles=("admin",)))
    before = _referral(app, "CoMensha")
    response = client.post(f"/authoring/referrals/{before.id}", data={"name": "CoMensha (renamed)"})
    assert response.status_code == 200 and "This field is required." in response.get_data(as_text=True)
    after = _referral(app, "CoMensha")
    assert (after.name, after.languages, after.checked) == (before.name, before.languages, before.checked)


@pytest.mark.parametrize("changes, message", [
    ({"country": "NLD"}, "country code"),
    ({"phone": "", "url": ""}, "phone number, a web address"),
    ({"source": "not a url"}, "https://"),
    ({"checked": ""}, "required"),
])
def test_bad_directory_entries_are_refused(client, make_user, count_rows, changes, message):
    login(client, make_user(roles=("admin",)))
    form = {"country": "GB", "name": "Modern Slavery & Exploitation Helpline", "phone": "08000 121 700",
            "url": "", "hours": "", "languages": "", "description": "", "checked": "2026-11-25",
            "source": "https://www.modernslaveryhelpline.org/", **changes}
    response = client.post("/authoring/referrals/new", data=form)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert count_rows(Referral) == 0


def test_admin_adds_and_removes_a_local_service(client, make_user, count_rows):
    login(client, make_user(roles=("admin",)))
    form = {"country": "CA-ON", "name": "Local shelter", "phone": "555-0100", "url": "", "hours": "24/7",
            "languages": "en", "description": "", "checked": "2026-11-25", "source": "https://example.org/"}
    assert client.post("/authoring/referrals/new", data=form).status_code == 302
    page = client.get("/support?country=CA").get_data(as_text=True)
    assert "Local shelter" in page and "(CA-ON)" in page
    with client.application.app_context():
        referral_id = db.session.scalar(db.select(Referral.id))
    client.post(f"/authoring/referrals/{referral_id}/delete")
    assert count_rows(Referral) == 0


# --- checks against the source, descriptions per language, the learner's country first ----------

DUTCH_YAML = YAML.replace("""- country: NL
  name: CoMensha
""", """- country: NL
  name: CoMensha
  description: National coordination centre against human trafficking.
  description_nl: Landelijk coördinatiecentrum tegen mensenhandel.
""")


def _referral(app, name):
    with app.app_context():
        row = db.session.scalar(db.select(Referral).where(Referral.name == name))
        db.session.expunge(row)
        return row


def _set_checked(app, name, day, by=None):
    with app.app_context():
        row = db.session.scalar(db.select(Referral).where(Referral.name == name))
        row.checked, row.checked_by_id = day, by
        db.session.commit()


def test_i_checked_this_today_records_the_date_who_and_an_audit_entry(client, app, courses_folder, make_user):
    from trainer.models import AuditEvent

    (courses_folder / "referrals.yaml").write_text(YAML.replace("2026-11-25", "2020-01-31"))
    _import(app, courses_folder)
    admin = make_user(roles=("admin",), name="Ada Admin")
    login(client, admin)
    comensha = _referral(app, "CoMensha")
    page = client.get("/authoring/referrals").get_data(as_text=True)
    assert "2 entries are due for checking." in page and page.count("Due for checking") == 2
    assert page.count(">I checked this today<span") == 2
    response = client.post(f"/authoring/referrals/{comensha.id}/checked")
    assert response.status_code == 302 and response.headers["Location"].endswith("/authoring/referrals")
    with app.app_context():
        row = db.session.get(Referral, comensha.id)
        today = local_dates.today_for(db.session.get(User, admin.id))
        assert (row.checked, row.checked_by_id, row.from_file) == (today, admin.id, True)
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "referral-checked"))
        assert (event.actor_id, event.target, event.details) == (
            admin.id, f"referral {comensha.id}", {"checked": today.isoformat()})
        assert "CoMensha" not in str(event.details) and "Ada" not in event.target
    page = client.get("/authoring/referrals").get_data(as_text=True)
    assert "1 entry is due for checking." in page and "by Ada Admin" in page


def test_the_edit_page_offers_the_check_and_returns_to_itself(client, app, courses_folder, make_user):
    _import(app, courses_folder)
    login(client, make_user(roles=("admin",)))
    comensha = _referral(app, "CoMensha")
    page = client.get(f"/authoring/referrals/{comensha.id}").get_data(as_text=True)
    assert "Last checked on Nov 25, 2026." in page and "I checked this today" in page
    here = f"/authoring/referrals/{comensha.id}"
    response = client.post(f"{here}/checked", data={"next": here})
    assert response.headers["Location"].endswith(here)


def test_only_administrators_record_checks_and_only_with_a_csrf_token(client, app, courses_folder, make_user):
    _import(app, courses_folder)
    comensha = _referral(app, "CoMensha")
    login(client, make_user(roles=("trainer",)))
    assert client.post(f"/authoring/referrals/{comensha.id}/checked").status_code == 403
    login(client, make_user(roles=("admin",)))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/authoring/referrals/{comensha.id}/checked").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _referral(app, "CoMensha").checked == date(2026, 11, 25)


def test_an_import_keeps_the_later_check_date(app, courses_folder, make_user):
    admin = make_user(roles=("admin",))
    _import(app, courses_folder)
    _set_checked(app, "CoMensha", date(2026, 11, 30), by=admin.id)
    assert _import(app, courses_folder) == (0, 0)  # the file's 2026-11-25 is older: nothing moves
    kept = _referral(app, "CoMensha")
    assert (kept.checked, kept.checked_by_id) == (date(2026, 11, 30), admin.id)
    (courses_folder / "referrals.yaml").write_text(YAML.replace("2026-11-25", "2026-12-01"))
    assert _import(app, courses_folder) == (2, 0)
    newer = _referral(app, "CoMensha")
    assert (newer.checked, newer.checked_by_id) == (date(2026, 12, 1), None)


def test_admin_edits_a_dutch_description_and_cannot_date_a_check_in_the_future(client, make_user):
    login(client, make_user(roles=("admin",)))
    form = {"country": "NL", "name": "CoMensha", "description": "Coordination centre.",
            "description_nl": "Coördinatiecentrum.", "phone": "033 448 11 86", "url": "", "hours": "",
            "languages": "", "checked": "2999-01-01", "source": "https://www.comensha.nl/"}
    page = client.post("/authoring/referrals/new", data=form).get_data(as_text=True)
    assert "A check cannot be dated in the future." in page
    assert client.post("/authoring/referrals/new", data={**form, "checked": "2026-11-25"}).status_code == 302
    saved = _referral(client.application, "CoMensha")
    assert saved.descriptions == {"nl": "Coördinatiecentrum."} and saved.checked_by_id is not None
    page = client.get(f"/authoring/referrals/{saved.id}").get_data(as_text=True)
    assert "Coördinatiecentrum." in page


def test_support_shows_descriptions_and_dates_in_the_readers_language(client, app, courses_folder):
    (courses_folder / "referrals.yaml").write_text(DUTCH_YAML)
    _import(app, courses_folder)
    english = client.get("/support").get_data(as_text=True)
    assert "National coordination centre" in english and "Landelijk" not in english
    assert "Checked on Nov 25, 2026" in english
    assert english.index("Canada") < english.index("Netherlands")  # English suggests no country
    dutch = client.get("/support", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Landelijk coördinatiecentrum tegen mensenhandel." in dutch
    assert "National coordination centre" not in dutch
    assert "Op 25 nov 2026 gecontroleerd via" in dutch
    assert '<p lang="en">Confidential, 24/7.</p>' in dutch  # no Dutch text: the English, marked
    assert dutch.index('id="country-NL"') < dutch.index('id="country-CA"')  # the reader's country first
    only_ca = client.get("/support?country=CA", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert 'id="country-CA"' in only_ca and 'id="country-NL"' not in only_ca


def test_lesson_who_to_call_box_shows_check_dates_and_the_readers_country_first(
        client, app, courses_folder, make_user):
    _import(app, courses_folder)
    login(client, make_user(locale="nl"))
    page = client.get("/courses/core/what-it-is").get_data(as_text=True)
    box = page[page.index('class="who-to-call"'):]
    assert "(gecontroleerd op 25 nov 2026)" in box
    assert box.index("CoMensha") < box.index("Canadian Human Trafficking Hotline")


def test_removing_an_account_keeps_the_check_and_forgets_who(app, courses_folder, make_user):
    from trainer.services import privacy

    admin = make_user(roles=("admin",))
    _import(app, courses_folder)
    _set_checked(app, "CoMensha", date(2026, 11, 30), by=admin.id)
    with app.app_context():
        privacy.delete_account(db.session.get(User, admin.id), admin.password)
        db.session.commit()
    kept = _referral(app, "CoMensha")
    assert (kept.checked, kept.checked_by_id) == (date(2026, 11, 30), None)
