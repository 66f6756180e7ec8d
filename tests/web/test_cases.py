"""Playing a case alone: chapters by sector, hand-offs the next chapter starts from, facts that
open and close choices, and the debrief's timeline. Bad input is refused and changes nothing."""
from __future__ import annotations

import re

import pytest

from tests.conftest import login
from tests.support.case_sample import choose as _choose, hand_off as _hand_off
from trainer.extensions import db
from trainer.models import ModuleProgress, ScenarioRun

CASE_URL = "/courses/wrap/case-small"
@pytest.fixture
def player(client, make_user, case_course):
    user = make_user(sector="community")
    login(client, user)
    return user


def _run(app):
    with app.app_context():
        run = db.session.scalar(db.select(ScenarioRun))
        return run.current_node, list(run.facts), dict(run.handoffs), list(run.path)


def test_a_case_is_played_chapter_by_chapter_and_the_next_sector_gets_what_was_passed_on(client, player, app):
    intro = client.get(CASE_URL).get_data(as_text=True)
    assert "Where it is set:</strong> Canada." in intro
    assert "The clinic</strong> — Health care (Emergency medicine)" in intro
    run_url = client.post(f"{CASE_URL}/runs").headers["Location"]
    page = client.get(run_url).get_data(as_text=True)
    assert "Chapter 1 of 2:" in page and "At the bus stop" in page and "She looks up" not in page
    _choose(client, run_url, "Ask quietly")
    _choose(client, run_url, "Ask whether she would like you to call a clinic")
    page = client.get(run_url).get_data(as_text=True)
    assert "What do you pass on to the next sector?" in page
    # What belongs in the referral is never sent to the browser before the hand-off.
    assert "Not yours to share" not in page and "Only if she did agree" not in page and "[x]" not in page
    response = _hand_off(client, run_url, ["Her hand needs to be seen", "She agreed that you call"],
                         note="She prefers mornings.")
    assert response.status_code == 302
    node, facts, handoffs, _ = _run(app)
    assert node == "triage" and facts == ["consent", "told-consent", "told-hand", "trust"]
    assert handoffs["refer"]["shared"] == ["told-hand", "told-consent"] and handoffs["refer"]["right"] == 3
    page = client.get(run_url).get_data(as_text=True)
    received = page.split('id="received-heading"')[1].split("</section>")[0]
    assert "Chapter 2 of 2:" in page and "Her hand needs to be seen" in received
    assert "She prefers mornings." in received and "immigration" not in received
    # The facts decide what is open: she consented, so "against her wishes" is not offered.
    assert "see her alone as the referral asked" in page and "Call the police against her wishes" not in page
    _choose(client, run_url, "Treat her hand, and see her alone")
    page = client.get(run_url).get_data(as_text=True)
    assert "Seen, and safe" in page and "The case, sector by sector" in page
    timeline = page.split("The case, sector by sector")[1]
    assert "A neighbour notices — Community member or other" in timeline and "the chain held" in timeline
    assert "Only if she did agree." in timeline and "Health information is shared only with consent" in timeline
    case_map = page.split('id="map-heading"')[1]
    assert "Map of the case" in case_map and case_map.count("map-visited") == 5  # bus stop, talk, refer, triage, end
    assert "→ The clinic" in case_map  # the hand-off leads to the next chapter
    with app.app_context():
        row = db.session.scalar(db.select(ModuleProgress).where(ModuleProgress.user_id == player.id))
        assert row.state == "completed" and row.score == 1.0


def test_a_hand_off_that_passes_on_what_it_should_not_breaks_the_chain_and_closes_choices(client, player, app):
    run_url = client.post(f"{CASE_URL}/runs").headers["Location"]
    _choose(client, run_url, "Ask quietly")
    _choose(client, run_url, "Call the clinic without asking her")
    _hand_off(client, run_url, ["Your guess about her immigration status", "She agreed that you call"])
    _, facts, handoffs, _ = _run(app)
    assert handoffs["refer"]["right"] == 0 and "consent" not in facts
    page = client.get(run_url).get_data(as_text=True)
    assert "see her alone as the referral asked" not in page  # the referral did not say what she needs
    assert "Call the police against her wishes" in page
    _choose(client, run_url, "Call the police against her wishes")
    page = client.get(run_url).get_data(as_text=True)
    assert "Trust broken" in page and "the chain broke here" in page and 'id="replay-needed"' in page
    rows = page.split("The case, sector by sector")[1]
    assert rows.count('class="wrong"') == 3  # status passed on, consent claimed, the hand not mentioned


def test_bad_input_is_refused_and_changes_nothing(client, player, app):
    run_url = client.post(f"{CASE_URL}/runs").headers["Location"]
    _choose(client, run_url, "Ask quietly")
    _choose(client, run_url, "Ask whether she would like you to call a clinic")
    before = _run(app)
    page = client.get(run_url).get_data(as_text=True)
    node = re.search(r'name="node" value="([^"]+)"', page).group(1)
    # An item that is not on the list, the same item twice, a note too long.
    assert client.post(run_url, data={"node": node, "action": "handoff", "item": ["0" * 16]}).status_code == 400
    key = re.search(r'name="item" value="([0-9a-f]{16})"', page).group(1)
    assert client.post(run_url, data={"node": node, "action": "handoff", "item": [key, key]}).status_code == 400
    assert client.post(run_url, data={"node": node, "action": "handoff", "note": "x" * 1001}).status_code == 400
    # A hand-off at a node that is not a hand-off, or one sent from a page that has moved on.
    assert client.post(run_url, data={"node": "talk", "action": "handoff"}).status_code == 400
    assert _run(app) == before
    assert _hand_off(client, run_url, ["Her hand needs to be seen"]).status_code == 302
    after = _run(app)
    replay = client.post(run_url, data={"node": node, "action": "handoff", "item": [key]})
    assert replay.status_code == 400 and "sent already" in replay.get_data(as_text=True)
    assert _run(app) == after
    # A choice the case's state does not allow (consent was given, so this one is closed).
    with app.app_context():
        from trainer.services import scenarios

        run = db.session.scalar(db.select(ScenarioRun))
        closed = scenarios.choice_key(run, "triage", "police")
    response = client.post(run_url, data={"node": "triage", "choice": closed})
    assert response.status_code == 400 and "not open at this point in the case" in response.get_data(as_text=True)
    assert _run(app) == after


def test_someone_elses_case_run_is_not_found(client, player, make_user, app):
    run_url = client.post(f"{CASE_URL}/runs").headers["Location"]
    client.post("/logout")
    login(client, make_user(sector="police"))
    assert client.get(run_url).status_code == 404
    assert client.post(run_url, data={"node": "bus-stop", "action": "handoff"}).status_code == 404


def test_the_cohort_analysis_reports_each_sectors_hand_off_accuracy(app, client, make_user, case_course):
    from datetime import date

    from trainer.models import CohortMember

    staff = make_user(roles=("trainer",), timezone="UTC")
    login(client, staff)
    cohort_id = int(client.post("/cohorts", data={"name": "Mixed", "organisation": "Region"})
                    .headers["Location"].rsplit("/", 1)[1])
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "wrap", "due_on": date.today().isoformat()})
    plays = ((["Her hand needs to be seen", "She agreed that you call"], "Treat her hand, and see her alone"),
             (["Your guess about her immigration status"], "Treat her hand with the man present"))
    for shared, then in plays:
        account = make_user(sector="community")
        with app.app_context():
            db.session.add(CohortMember(cohort_id=cohort_id, user_id=account.id))
            db.session.commit()
        learner = app.test_client()
        login(learner, account)
        run_url = learner.post(f"{CASE_URL}/runs").headers["Location"]
        _choose(learner, run_url, "Ask quietly")
        _choose(learner, run_url, "Ask whether she would like you to call a clinic")
        _hand_off(learner, run_url, shared)
        _choose(learner, run_url, then)
    page = client.get(f"/cohorts/{cohort_id}/analysis").get_data(as_text=True)
    row = page.split('class="handoff-accuracy"')[1].split("</tr>")[1]
    # 3 of 3 items right, then 0 of 3 (status passed on; the hand and her consent not): 3 of 6.
    assert "A neighbour notices" in row and "Community member or other" in row and "<td>2</td>" in row
    assert "50%" in row


def test_a_learner_plays_their_own_chapter_and_the_platform_plays_the_rest(client, player, app):
    run_url = client.post(f"{CASE_URL}/runs", data={"chapter": "clinic"}).headers["Location"]
    page = client.get(run_url).get_data(as_text=True)
    assert "You play this chapter; the platform plays the others." in page and "Chapter 2 of 2:" in page
    received = page.split('id="received-heading"')[1].split("</section>")[0]
    assert "Her hand needs to be seen" in received and "She agreed that you call" in received
    assert "immigration" not in received
    _choose(client, run_url, "Treat her hand, and see her alone")
    page = client.get(run_url).get_data(as_text=True)
    assert "Seen, and safe" in page
    assert page.count("Played by the platform, along a sensible path.") == 1
    with app.app_context():
        run = db.session.scalar(db.select(ScenarioRun))
        assert run.handoffs["refer"]["platform"] is True and run.handoffs["refer"]["right"] == 3
        assert [s.get("by") for s in run.path] == ["platform", "platform", None, None]


def test_when_the_learners_hand_off_misses_what_the_next_sector_needs_the_platform_cannot_save_it(
        client, player, app):
    run_url = client.post(f"{CASE_URL}/runs", data={"chapter": "community"}).headers["Location"]
    _choose(client, run_url, "Ask quietly")
    _choose(client, run_url, "Ask whether she would like you to call a clinic")
    _hand_off(client, run_url, ["Your guess about her immigration status"])
    page = client.get(run_url).get_data(as_text=True)
    assert "Treated, not heard" in page  # the clinic could not see her alone: the referral did not ask
    assert "Played by the platform, along a sensible path." in page and "the chain broke here" in page


def test_a_chapter_that_is_not_in_the_case_is_refused(client, player, app):
    response = client.post(f"{CASE_URL}/runs", data={"chapter": "police"})
    assert response.status_code == 400 and "Choose one of the case" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ScenarioRun)) == 0


def test_an_author_tries_a_case_with_the_key_and_sees_it_on_the_map(client, make_user, case_course):
    login(client, make_user(roles=("admin",)))
    start = client.get("/authoring/courses/wrap/try/case-small").get_data(as_text=True)
    assert "A neighbour notices" in start and "needs:" not in start.split("At the bus stop")[1].split("</ul>")[0]
    assert "sets: trust" in start  # the facts a choice sets, for its author
    refer = client.get("/authoring/courses/wrap/try/case-small?node=refer").get_data(as_text=True)
    assert "pass on only when this fact is set: consent" in refer and "do not pass on" in refer
    assert "Go on to the next chapter: The clinic" in refer and "node=triage" in refer
    triage = client.get("/authoring/courses/wrap/try/case-small?node=triage").get_data(as_text=True)
    assert "needs: told-hand, told-consent" in triage
    editor = client.get("/authoring/courses/wrap/files/case.md").get_data(as_text=True)
    assert "Map of this scenario" in editor and "→ The clinic" in editor
