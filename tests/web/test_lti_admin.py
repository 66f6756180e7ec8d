"""Registering LTI platforms (the administrators' page and `flask lti`), and the site's keys: made,
rotated with both served until the old one is retired, used to sign."""
from __future__ import annotations

import sqlalchemy as sa
from joserfc import jwk, jwt

from trainer.extensions import db
from trainer.models import AuditEvent, LtiKey, LtiPlatform
from trainer.services import lti

REGISTRATION = {"name": "St Mary's Moodle", "sector": "health", "issuer": "https://moodle.stmarys.example",
                "client_id": "abc123", "deployment_ids": "1, 2", "auth_url": "https://moodle.stmarys.example/auth",
                "token_url": "https://moodle.stmarys.example/token", "jwks_url": "https://moodle.stmarys.example/jwks"}


def platform_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(LtiPlatform))


def test_rotation_serves_both_keys_until_the_old_one_is_retired(app, client, runner):
    assert "New signing key" in runner.invoke(args=["lti", "rotate-key"]).output
    first = client.get("/lti/jwks").get_json()["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and "d" not in first[0]  # public halves only
    old_kid = first[0]["kid"]
    runner.invoke(args=["lti", "rotate-key"])
    both = [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]]
    assert len(both) == 2 and both[0] == old_kid
    new_kid = both[1]
    with app.app_context():  # the newest key signs, and the published set verifies it
        token = lti.sign({"iss": "tool", "aud": "platform"})
    key_set = jwk.KeySet.import_key_set(client.get("/lti/jwks").get_json())
    assert jwt.decode(token, key_set).header["kid"] == new_kid
    refused = runner.invoke(args=["lti", "retire-key", new_kid])
    assert refused.exit_code != 0 and "newest key signs" in refused.output
    assert runner.invoke(args=["lti", "retire-key", old_kid]).exit_code == 0
    assert [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]] == [new_kid]
    assert runner.invoke(args=["lti", "retire-key", old_kid]).exit_code != 0  # already gone
    with app.app_context():
        assert db.session.scalar(sa.select(LtiKey).where(LtiKey.kid == old_kid)).retired_at is not None


def test_key_ids_never_read_as_options_and_an_old_one_that_does_is_still_retired(app, runner):
    """Ids were URL-safe base64, so one in 32 began with "-", which the command line took for an
    option; they are hex now, and such an old id is given after "--"."""
    with app.app_context():
        kids = [lti.rotate_key().kid for _ in range(10)]
        assert all(len(kid) == 24 and set(kid) <= set("0123456789abcdef") for kid in kids)
        old = lti.rotate_key()
        old.kid = "-mZ1qUBPYW3InMiT"  # as a key made before could be
        db.session.commit()
    runner.invoke(args=["lti", "rotate-key"])
    assert runner.invoke(args=["lti", "retire-key", "-mZ1qUBPYW3InMiT"]).exit_code != 0  # read as an option
    done = runner.invoke(args=["lti", "retire-key", "--", "-mZ1qUBPYW3InMiT"])
    assert done.exit_code == 0 and "Retired key -mZ1qUBPYW3InMiT" in done.output


def test_the_command_line_registers_lists_and_removes_a_platform(app, runner):
    args = ["lti", "add-platform", "--name", "Canvas", "--sector", "police", "--issuer", "https://canvas.example",
            "--client-id", "10000000000001", "--deployment-id", "7:abc", "--auth-url", "https://sso.canvas.example/auth",
            "--token-url", "https://sso.canvas.example/token", "--jwks-url", "https://sso.canvas.example/jwks"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "https://canvas.example\t10000000000001\t7:abc" in runner.invoke(args=["lti", "platforms"]).output
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already registered" in again.output
    insecure = runner.invoke(args=[a.replace("https://sso", "http://sso") for a in args])
    assert insecure.exit_code != 0 and "https://" in insecure.output
    with app.app_context():
        platform_id = db.session.scalar(sa.select(LtiPlatform.id))
    assert runner.invoke(args=["lti", "remove-platform", str(platform_id)]).exit_code == 0
    assert platform_count(app) == 0


def test_an_administrator_registers_and_removes_a_platform(app, client, admin):
    page = client.get("/lti/platforms").get_data(as_text=True)
    assert "http://127.0.0.1:5000/lti/login" in page and "http://127.0.0.1:5000/lti/jwks" in page
    assert "no signing key yet" in page
    response = client.post("/lti/platforms", data=REGISTRATION, follow_redirects=True)
    assert response.status_code == 200 and "The platform is registered" in response.get_data(as_text=True)
    with app.app_context():
        platform = db.session.scalar(sa.select(LtiPlatform))
        assert platform.deployment_ids == ["1", "2"] and platform.sector == "health"
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "lti-platform-added"))
    assert "St Mary&#39;s Moodle" in client.get("/lti/platforms").get_data(as_text=True)
    removed = client.post(f"/lti/platforms/{platform.id}/remove", follow_redirects=True)
    assert "The platform is removed" in removed.get_data(as_text=True)
    assert platform_count(app) == 0


def test_a_bad_registration_is_explained_and_stores_nothing(app, client, admin):
    response = client.post("/lti/platforms", data={**REGISTRATION, "jwks_url": "ftp://moodle.stmarys.example/jwks"})
    assert response.status_code == 400 and "Enter an https:// address." in response.get_data(as_text=True)
    response = client.post("/lti/platforms", data={**REGISTRATION, "deployment_ids": " , "})
    assert response.status_code == 400 and "Enter at least one deployment ID." in response.get_data(as_text=True)
    assert platform_count(app) == 0


def test_nobody_else_registers_a_platform(app, client, learner):
    assert client.get("/lti/platforms").status_code == 403
    assert client.post("/lti/platforms", data=REGISTRATION).status_code == 403
    assert platform_count(app) == 0
