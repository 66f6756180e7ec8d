"""The audit log records administrators' and trainers' actions and only administrators read it."""
from __future__ import annotations

from tests.conftest import login
from trainer.models import AuditEvent


def test_role_changes_deactivations_and_exports_are_recorded(app, client, make_user, count_rows, published_course):
    admin = make_user(roles=("admin",), name="Alex Admin")
    target = make_user(name="Rosa")
    login(client, admin)
    client.post(f"/admin/users/{target.id}/roles", data={"trainer": "y"})
    client.post(f"/admin/users/{target.id}/active", data={"active": "0"})
    cohort_id = int(client.post("/cohorts", data={"name": "C"}).headers["Location"].rsplit("/", 1)[1])
    client.get(f"/cohorts/{cohort_id}/export.csv")
    page = client.get("/admin/audit").get_data(as_text=True)
    for action in ("roles-changed", "account-deactivated", "export-cohort-csv", "course-published"):
        assert action in page, action
    assert "Alex Admin" in page
    filtered = client.get("/admin/audit?action=roles-changed").get_data(as_text=True)
    assert "<td>deactivated an account</td>" in page and "<td>deactivated an account</td>" not in filtered


def test_entries_name_accounts_by_id_only(app, client, make_user, published_course):
    import sqlalchemy as sa

    from trainer.extensions import db

    admin = make_user(roles=("admin",), name="Alex Admin", email="alex@example.org")
    target = make_user(name="Rosa Reyes", email="rosa@example.org")
    login(client, admin)
    client.post(f"/admin/users/{target.id}/roles", data={"trainer": "y"})
    client.post(f"/admin/users/{target.id}/two-factor-reset")
    with app.app_context():
        rows = db.session.execute(sa.select(AuditEvent.actor, AuditEvent.target, AuditEvent.details)
                                  .where(AuditEvent.actor_id == admin.id)).all()
    assert {(r.actor, r.target) for r in rows} == {(f"user {admin.id}", f"user {target.id}")}
    for personal in ("Alex", "Rosa", "@example.org"):
        assert personal not in repr(rows), personal
    # The page names the accounts as they are now, looked up when the page is shown, in words.
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f'<a href="/admin/users/{admin.id}">Alex Admin</a>' in page
    assert ("<td>changed roles</td><td>the account of Rosa Reyes</td>\n"
            "      <td>roles now: learner, trainer</td>") in page
    assert f"user {admin.id}" not in page and f"user {target.id}" not in page


def test_a_refused_action_leaves_no_record(app, client, make_user, count_rows):
    admin = make_user(roles=("admin",))
    login(client, admin)
    before = count_rows(AuditEvent)
    client.post(f"/admin/users/{admin.id}/roles", data={})  # admins cannot change their own roles
    assert count_rows(AuditEvent) == before


def test_the_log_has_no_way_to_change_it(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin/audit")]
    assert [sorted(r.methods - {"HEAD", "OPTIONS"}) for r in rules] == [["GET"]]


def _events(app):
    import sqlalchemy as sa

    from trainer.extensions import db

    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))


def test_a_trainer_asking_for_another_trainers_cohort_is_recorded_though_the_request_fails(
        app, client, make_user, published_course):
    owner, stranger = make_user(roles=("trainer",)), make_user(roles=("trainer",), name="Sam Stranger")
    login(client, owner)
    cohort_id = int(client.post("/cohorts", data={"name": "C"}).headers["Location"].rsplit("/", 1)[1])
    other = app.test_client()
    login(other, stranger)
    for path in (f"/cohorts/{cohort_id}", f"/cohorts/{cohort_id}/export.csv",
                 f"/cohorts/{cohort_id}/learners/{owner.id}"):
        assert other.get(path).status_code == 404
    assert other.post(f"/cohorts/{cohort_id}/certificates.zip").status_code == 404
    assert other.post(f"/cohorts/{cohort_id}/archive", data={"archived": "1"}).status_code == 404
    refused = [(e.action, e.actor_id, e.target) for e in _events(app) if e.actor_id == stranger.id]
    assert refused == [("cohort-access-refused", stranger.id, f"cohort {cohort_id}")] * 5
    assert other.get("/cohorts/999999").status_code == 404  # a cohort that does not exist: nothing to record
    assert len([e for e in _events(app) if e.actor_id == stranger.id]) == 5


def test_exports_account_changes_and_membership_changes_are_recorded_with_ids_only(
        app, client, make_user, published_course):
    import io
    import re

    admin = make_user(roles=("admin",), name="Alex Admin")
    trainer, colleague = make_user(roles=("trainer",), name="Tamsin Trainer"), make_user(roles=("trainer",))
    ana, bram = make_user(name="Ana Ortiz", email="ana@example.org"), make_user(name="Bram", email="bram@example.org")
    login(client, trainer)
    cohort_id = int(client.post("/cohorts", data={"name": "C"}).headers["Location"].rsplit("/", 1)[1])
    client.post(f"/cohorts/{cohort_id}/trainers", data={"email": colleague.email})
    client.post(f"/cohorts/{cohort_id}/trainers/{colleague.id}/remove")
    client.post(f"/cohorts/{cohort_id}/roster", data={"roster": (
        io.BytesIO(b"name,email\nAna Ortiz,ana@example.org\nBram,bram@example.org\n"), "list.csv")})
    client.post(f"/cohorts/{cohort_id}/certificates.zip")
    client.post(f"/cohorts/{cohort_id}/joining", data={"enabled": "1", "new_code": "1"})
    join_url = re.search(r"https?://[^/<\s]+(/join/[^<\s]+)", client.get(f"/cohorts/{cohort_id}").get_data(
        as_text=True)).group(1)
    learners = {}
    for account in (ana, bram):
        learners[account.id] = app.test_client()
        login(learners[account.id], account)
    ids = {e.details.get("invitation"): e.target for e in _events(app) if e.action == "cohort-invited"}
    assert len(ids) == 2
    ana_invitation, bram_invitation = sorted(ids)
    learners[ana.id].post(f"/my/cohorts/invitations/{ana_invitation}/accept")
    learners[bram.id].post(f"/my/cohorts/invitations/{bram_invitation}/decline")
    learners[bram.id].post(join_url)
    learners[bram.id].post(f"/my/cohorts/{cohort_id}/leave")
    client.post(f"/cohorts/{cohort_id}/members/{ana.id}/remove")
    admin_client = app.test_client()
    login(admin_client, admin)
    admin_client.post(f"/admin/users/{bram.id}/active", data={"active": "0"})
    admin_client.post(f"/admin/users/{bram.id}/active", data={"active": "1"})
    admin_client.post(f"/admin/users/{bram.id}/roles", data={"trainer": "y"})

    events = [(e.action, e.actor_id, e.target, e.details) for e in _events(app)]
    target = f"cohort {cohort_id}"
    for expected in [
        ("co-trainer-added", trainer.id, target, {"user": colleague.id}),
        ("co-trainer-removed", trainer.id, target, {"user": colleague.id}),
        ("cohort-invited", trainer.id, target, {"invitation": ana_invitation}),
        ("cohort-invited", trainer.id, target, {"invitation": bram_invitation}),
        ("export-certificates-zip", trainer.id, target, {}),
        ("cohort-invitation-accepted", ana.id, target, {"invitation": ana_invitation}),
        ("cohort-invitation-declined", bram.id, target, {"invitation": bram_invitation}),
        ("cohort-joined-by-link", bram.id, target, {}),
        ("cohort-left", bram.id, target, {}),
        ("cohort-member-removed", trainer.id, target, {"user": ana.id}),
        ("account-deactivated", admin.id, f"user {bram.id}", {}),
        ("account-reactivated", admin.id, f"user {bram.id}", {}),
        ("roles-changed", admin.id, f"user {bram.id}", {"roles": ["learner", "trainer"]}),
    ]:
        assert expected in events, expected
    for event in _events(app):
        assert event.actor in {"system", f"user {event.actor_id}"}
        text = f"{event.target} {event.details}"
        assert "@" not in text and not any(name in text for name in ("Ana", "Bram", "Tamsin", "Alex")), text
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Tamsin Trainer" in page and "Ana Ortiz" in page  # shown from the account, by id


def test_every_action_and_detail_recorded_has_words_on_the_log():
    """Administrators read the log in words and filter it by action: an action or a detail
    recorded anywhere without a label would show as its key (and an action could not be chosen)."""
    import ast
    from pathlib import Path

    from trainer.services import audit

    actions, details = set(), set()
    for path in (Path(__file__).resolve().parents[2] / "trainer").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                action = node.args[1]
                written = [action] if isinstance(action, ast.Constant) else (
                    [action.body, action.orelse] if isinstance(action, ast.IfExp) else [])
                assert written and all(isinstance(a, ast.Constant) for a in written), \
                    f"{path}:{node.lineno}: the action is not written out"
                actions |= {a.value for a in written}
                details |= {keyword.arg for keyword in node.keywords if keyword.arg}
    assert len(actions) > 40  # the calls are still found
    assert actions - set(audit.ACTION_LABELS) == set()
    assert details - set(audit.DETAIL_LABELS) == set()
