"""The referral directory: seeded from a file, kept by administrators, shown on Support."""
from __future__ import annotations

import pytest

from tests.conftest import login
from trainer.extensions import db
from trainer.models import Referral
from trainer.services import publishing

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
