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
    assert "account-deactivated</code>" not in filtered


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
    # The page names the account as it is now, looked up when the page is shown.
    assert f"Alex Admin (user {admin.id})" in client.get("/admin/audit").get_data(as_text=True)


def test_a_refused_action_leaves_no_record(app, client, make_user, count_rows):
    admin = make_user(roles=("admin",))
    login(client, admin)
    before = count_rows(AuditEvent)
    client.post(f"/admin/users/{admin.id}/roles", data={})  # admins cannot change their own roles
    assert count_rows(AuditEvent) == before


def test_the_log_has_no_way_to_change_it(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin/audit")]
    assert [sorted(r.methods - {"HEAD", "OPTIONS"}) for r in rules] == [["GET"]]
