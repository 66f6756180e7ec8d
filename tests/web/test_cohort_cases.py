"""A case played by a cohort: roles by sector, chapters in turn, each sector told when the case
reaches it, the trainer following and unsticking it, and the debrief for everyone at the end.
Only the members whose chapter it is may move the case on."""
from __future__ import annotations

import re

import pytest

from tests.conftest import login, mailed_path
from tests.support.case_sample import choose as _post_choice, hand_off
from trainer.extensions import db
from trainer.models import CohortCase, CohortMember, ModuleProgress


@pytest.fixture
def staff(client, make_user, case_course):
    user = make_user(roles=("trainer",), timezone="UTC")
    login(client, user)
    return user


def _cohort(app, client, *members) -> int:
    cohort_id = int(client.post("/cohorts", data={"name": "Region", "organisation": "Health and police"})
                    .headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        db.session.add_all(CohortMember(cohort_id=cohort_id, user_id=m.id) for m in members)
        db.session.commit()
    return cohort_id


def _start(client, cohort_id, *roles) -> str:
    data = {"case": "wrap/case-small", "action": "start", **{f"role-{m.id}": chapter for m, chapter in roles}}
    response = client.post(f"/cohorts/{cohort_id}/cases/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _as(app, user):
    other = app.test_client()
    login(other, user)
    return other


def _post_hand_off(client, url, texts):
    return hand_off(client, url, texts, note="Mornings are safest.")


def _state(app):
    with app.app_context():
        case = db.session.scalar(db.select(CohortCase))
        return case.current_node, list(case.path), dict(case.handoffs)


def test_a_cohort_passes_a_case_from_sector_to_sector(app, client, staff, make_user, outbox):
    neighbour, nurse = make_user(name="Noor", sector="community"), make_user(name="Bram", sector="health")
    cohort_id = _cohort(app, client, neighbour, nurse)
    form = client.get(f"/cohorts/{cohort_id}/cases/new?case=wrap/case-small").get_data(as_text=True)
    assert "Case: Ana" in form and 'name="role-' in form and "not taking part" in form
    case_url = _start(client, cohort_id, (neighbour, "community"), (nurse, "clinic"))
    first = outbox()
    assert [m["To"] for m in first] == [neighbour.email]
    assert "Your turn in a case" in first[0]["Subject"] and "A neighbour notices" in first[0].get_content()
    my_url = mailed_path(first[0], "/my/cases/")
    noor, bram = _as(app, neighbour), _as(app, nurse)
    assert "your chapter's turn" in noor.get("/learning").get_data(as_text=True)
    waiting = bram.get(my_url).get_data(as_text=True)
    assert "The case is with another sector" in waiting and "At the bus stop" not in waiting
    # Bram cannot move the case while it is the community's turn.
    page = noor.get(my_url).get_data(as_text=True)
    key = re.search(r'name="choice" value="([0-9a-f]{16})"', page).group(1)
    refused = bram.post(my_url, data={"node": "bus-stop", "choice": key})
    assert refused.status_code == 400 and "not your chapter" in refused.get_data(as_text=True)
    assert _state(app)[1] == []
    _post_choice(noor, my_url, "Ask quietly")
    _post_choice(noor, my_url, "Ask whether she would like you to call a clinic")
    _post_hand_off(noor, my_url, ["Her hand needs to be seen", "She agreed that you call"])
    second = outbox()[len(first):]
    assert [m["To"] for m in second] == [nurse.email]
    assert "The case is with another sector" in noor.get(my_url).get_data(as_text=True)
    page = bram.get(my_url).get_data(as_text=True)
    received = page.split('id="received-heading"')[1].split("</section>")[0]
    assert "Her hand needs to be seen" in received and "Mornings are safest." in received
    follow = client.get(case_url).get_data(as_text=True)
    assert "playing now" in follow and "Bram" in follow and "The case so far" in follow
    _post_choice(bram, my_url, "Treat her hand, and see her alone")
    for reader in (noor, bram):
        debrief = reader.get(my_url).get_data(as_text=True)
        assert "Seen, and safe" in debrief and "the chain held" in debrief and "Map of the case" in debrief
    final = client.get(case_url).get_data(as_text=True)
    assert "The debrief: the case, sector by sector" in final and "Played by: Noor" in final
    with app.app_context():
        done = db.session.scalars(db.select(ModuleProgress.user_id).where(ModuleProgress.state == "completed"))
        assert set(done) == {neighbour.id, nurse.id}
    # A hand-off replayed after the case moved on changes nothing.
    assert noor.post(my_url, data={"node": "refer", "action": "handoff"}).status_code == 400


def test_a_stalled_chapter_is_played_by_the_platform_or_given_to_someone_else(app, client, staff, make_user, outbox):
    neighbour, nurse, other = (make_user(name="Noor", sector="community"), make_user(name="Bram"),
                               make_user(name="Eva"))
    cohort_id = _cohort(app, client, neighbour, nurse, other)
    case_url = _start(client, cohort_id, (neighbour, "community"), (nurse, "clinic"))
    case_id = case_url.rsplit("/", 1)[1]
    outbox()
    client.post(f"{case_url}/holders", data={"chapter": "community", "member": [str(other.id)]})
    assert [m["To"] for m in outbox()][-1] == other.email
    # Keeping a player and moving another in from a later chapter: each member keeps one role.
    client.post(f"{case_url}/holders", data={"chapter": "community", "member": [str(other.id), str(nurse.id)]})
    with app.app_context():
        roles = {r.user_id: r.chapter for r in db.session.scalar(db.select(CohortCase)).roles}
        assert roles == {other.id: "community", nurse.id: "community"}
    client.post(f"{case_url}/holders", data={"chapter": "clinic", "member": [str(nurse.id)]})
    eva = _as(app, other)
    assert "At the bus stop" in eva.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert client.post(f"{case_url}/platform").status_code == 302
    node, path, handoffs = _state(app)
    assert node == "triage" and handoffs["refer"]["platform"] is True
    assert all("platform" in (step.get("by"), step.get("handoff")) for step in path)
    assert [m["To"] for m in outbox()][-1] == nurse.email
    assert "Played by the platform" in client.get(case_url).get_data(as_text=True)


def test_only_the_cohorts_trainers_and_the_cases_players_see_it(app, client, staff, make_user):
    neighbour = make_user(sector="community")
    cohort_id = _cohort(app, client, neighbour)
    case_url = _start(client, cohort_id, (neighbour, "community"))
    case_id = case_url.rsplit("/", 1)[1]
    stranger = _as(app, make_user())
    assert stranger.get(f"/my/cases/{case_id}").status_code == 404
    assert stranger.post(f"/my/cases/{case_id}", data={"node": "bus-stop", "choice": "0" * 16}).status_code == 404
    other_trainer = _as(app, make_user(roles=("trainer",)))
    assert other_trainer.get(case_url).status_code == 404
    assert other_trainer.post(f"{case_url}/platform").status_code == 404
    learner = _as(app, neighbour)
    assert learner.get(case_url).status_code == 403  # a trainer's page


@pytest.mark.parametrize("roles, message", [
    ({}, "Give at least one member a role"),
    ({"outsider": "community"}, "Give at least one member a role"),  # only members are asked for a role
    ({"member": "police"}, "Give roles only to members of the cohort, in the case"),
])
def test_a_case_with_bad_roles_is_not_started(app, client, staff, make_user, roles, message):
    member, outsider = make_user(), make_user()
    cohort_id = _cohort(app, client, member)
    people = {"member": member, "outsider": outsider}
    data = {"case": "wrap/case-small", "action": "start",
            **{f"role-{people[who].id}": chapter for who, chapter in roles.items()}}
    response = client.post(f"/cohorts/{cohort_id}/cases/new", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CohortCase)) == 0


def test_a_players_export_holds_their_part_and_deleting_the_account_removes_their_notes(
        app, client, staff, make_user):
    neighbour, nurse = make_user(name="Noor", sector="community"), make_user(name="Bram")
    cohort_id = _cohort(app, client, neighbour, nurse)
    _start(client, cohort_id, (neighbour, "community"), (nurse, "clinic"))
    with app.app_context():
        case_id = db.session.scalar(db.select(CohortCase.id))
    my_url = f"/my/cases/{case_id}"
    noor = _as(app, neighbour)
    _post_choice(noor, my_url, "Ask quietly")
    _post_choice(noor, my_url, "Ask whether she would like you to call a clinic")
    _post_hand_off(noor, my_url, ["Her hand needs to be seen"])
    export = noor.post("/profile/data.json", data={"download-password": neighbour.password}).get_json()
    played = export["cohort_cases"][0]
    assert played["chapter"] == "community" and [c["choice"] for c in played["choices"]] == ["ask", "offer"]
    assert played["handoffs"]["refer"]["note"] == "Mornings are safest."
    bram_export = _as(app, nurse).post("/profile/data.json", data={"download-password": nurse.password}).get_json()
    assert bram_export["cohort_cases"][0]["choices"] == []  # the others' steps are not his
    noor.post("/profile/delete", data={"password": neighbour.password})
    _, path, handoffs = _state(app)
    assert handoffs["refer"]["note"] == "" and str(neighbour.id) not in {s.get("by") for s in path}
    assert {s.get("by") for s in path if "choice" in s} == {"former member"} and path[-1]["handoff"] == "former member"
    assert "The hand-off you received" in _as(app, nurse).get(my_url).get_data(as_text=True)  # the case goes on
