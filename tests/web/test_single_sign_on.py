"""Single sign-on through a real OpenID Connect provider (pyop, on a loopback port): the whole
redirect dance, with the Flask test client on our side and real HTTP on the provider's."""
from __future__ import annotations

import logging
import re
import socket
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, MODES, Person, serving
from tests.support.tls import make_certificate
from trainer import sso_config
from trainer.extensions import db
from trainer.models import AuditEvent, SignInIdentity, User, UserSession

BASE = "http://127.0.0.1:5000"  # the test app's PUBLIC_BASE_URL
CALLBACK = f"{BASE}/login/sso/test/callback"


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    with serving([CALLBACK], make_certificate(tmp_path_factory.mktemp("idp-tls"))) as provider:
        yield provider


@pytest.fixture
def configure(app, idp, monkeypatch):
    """Point the app at the test provider, with these settings (as the environment would give)."""
    def make(**settings: str) -> sso_config.Provider:
        values = {"ISSUER": idp.issuer, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                  "LABEL": "Test Hospital", "SECTOR": "health", "CA_BUNDLE": idp.ca_path,
                  **{k.upper(): v for k, v in settings.items()}}
        provider = sso_config.provider_from("test", values)
        monkeypatch.setitem(app.config, "OIDC_PROVIDERS", (provider,))
        return provider

    idp.mode = None
    idp.people.clear()
    yield make
    idp.mode = None


_counter = iter(range(1, 100_000))


def person(idp, email: str | None = None, verified: bool = True, **extra) -> Person:
    n = next(_counter)
    claims = {"email": email or f"sso{n}@hospital.example", "email_verified": verified, "name": f"Nurse {n}"}
    fields = {k: extra.pop(k) for k in ("amr", "acr", "in_id_token") if k in extra}
    claims.update(extra)
    return idp.add(Person(username=f"person{n}", sub=f"subject-{n}", claims=claims, **fields))


def start(client, next_url: str = "") -> str:
    response = client.get("/login/sso/test", query_string={"next": next_url} if next_url else None)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def come_back(client, location: str):
    assert location.startswith(CALLBACK), location
    return client.get(location[len(BASE):])


def dance(client, idp, who: Person, next_url: str = ""):
    """Sign in at the provider and bring its answer back to the app."""
    return come_back(client, idp.sign_in(start(client, next_url), who.username))


def signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))  # type: ignore[return-value]
                     for m in (User, SignInIdentity, UserSession))


def actions(app) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.action, e.details) for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]


def refusal_reasons(app) -> list[str]:
    return [details["reason"] for action, details in actions(app) if action == "sso-sign-in-refused"]


# -- the sign-in page -----------------------------------------------------------------------------

def test_without_providers_the_sign_in_page_is_as_before(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with" not in page and 'name="password"' in page


def test_the_sign_in_page_offers_each_provider_as_a_link_that_keeps_next(app, client, configure):
    configure()
    page = client.get("/login?next=/my/learning").get_data(as_text=True)
    assert re.search(r'<a class="button button-secondary" href="/login/sso/test\?next=/my/learning">\s*'
                     r'Sign in with Test Hospital</a>', page)
    assert 'name="password"' in page  # passwords stay on by default
    # Only a redirect to the provider: the link changes nothing else, and takes no form.
    assert client.post("/login/sso/test").status_code == 405
    assert counts(app) == (0, 0, 0)


def test_a_next_that_leaves_the_site_is_dropped(app, client, idp, configure):
    configure(create_accounts="true")
    response = dance(client, idp, person(idp), next_url="https://elsewhere.example/")
    assert response.status_code == 302 and response.headers["Location"] == "/"


# -- signing in --------------------------------------------------------------------------------------

def test_first_sign_in_makes_an_account_with_pkce_state_and_nonce(app, client, idp, configure):
    configure(create_accounts="true", organisation="St Example Hospital")
    who = person(idp, locale="nl")
    authorize = start(client, "/my/learning")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0] and query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == [CALLBACK]
    response = come_back(client, idp.sign_in(authorize, who.username))
    assert idp.token_errors == []
    assert response.status_code == 302 and response.headers["Location"] == "/my/learning"
    # The code was exchanged with the PKCE verifier that matches the challenge (pyop checks it).
    assert idp.token_requests[-1]["code_verifier"]
    assert signed_in(client)
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == who.claims["email"])).unique().one()
        assert user.name == who.claims["name"] and user.email_verified and user.locale == "nl"
        assert user.organisation == "St Example Hospital" and user.sector == "health"
        assert user.role_names == {"learner"}
        identity = db.session.scalars(sa.select(SignInIdentity)).one()
        assert (identity.user_id, identity.issuer, identity.subject) == (user.id, idp.issuer, who.sub)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1
    assert [a for a, _ in actions(app)] == ["sso-account-created", "sso-sign-in"]
    # Signing out ends the session as for a password sign-in.
    client.post("/logout")
    assert not signed_in(client) and counts(app)[2] == 0


def test_the_people_of_an_organisations_provider_belong_to_that_organisation(app, client, idp, configure):
    from trainer.models import Organisation

    with app.app_context():
        db.session.add(Organisation(name="St Example Hospital"))
        db.session.commit()
    configure(create_accounts="true", organisation="st example hospital")
    who = person(idp)
    come_back(client, idp.sign_in(start(client), who.username))
    configure(create_accounts="true", organisation="Nowhere Known")
    other = person(idp)
    second = app.test_client()
    come_back(second, idp.sign_in(start(second), other.username))
    with app.app_context():
        member = db.session.scalars(sa.select(User).where(User.email == who.claims["email"])).unique().one()
        assert member.membership is not None and member.membership.organisation.name == "St Example Hospital"
        assert not member.organisation_admin  # administration is given by people, never by a provider
        stranger = db.session.scalars(sa.select(User).where(User.email == other.claims["email"])).unique().one()
        assert stranger.membership is None


def test_an_organisation_can_have_its_people_sign_in_only_through_its_provider(app, idp, configure, make_user):
    from trainer.models import Organisation, OrganisationMember
    from trainer.services import organisations

    nurse, platform_admin = make_user(), make_user(roles=("admin",))
    with app.app_context():
        hospital = Organisation(name="St Example Hospital")
        db.session.add(hospital)
        db.session.flush()
        db.session.add_all([OrganisationMember(user_id=nurse.id, organisation_id=hospital.id),
                            OrganisationMember(user_id=platform_admin.id, organisation_id=hospital.id)])
        db.session.commit()
        hospital_id = hospital.id
    configure(create_accounts="true", organisation="Another Hospital")
    admin = app.test_client()
    assert login(admin, platform_admin).status_code == 302
    data = {"name": "St Example Hospital", "country": "", "locale": ""}  # the box unticked
    refused = admin.post(f"/admin/organisations/{hospital_id}/edit", data=data)
    assert refused.status_code == 400 and "can only give up passwords once an identity provider" in refused.get_data(
        as_text=True)
    configure(create_accounts="true", organisation="St Example Hospital")
    assert admin.post(f"/admin/organisations/{hospital_id}/edit", data=data).status_code == 302

    client = app.test_client()
    page = login(client, nurse)
    assert page.status_code == 200 and not signed_in(client)
    assert "St Example Hospital signs its people in through its own sign-in service" in page.get_data(as_text=True)
    wrong = login(app.test_client(), nurse, password="not-the-password-at-all")
    assert "St Example Hospital" not in wrong.get_data(as_text=True)  # nothing said before the right password
    other = app.test_client()
    assert login(other, platform_admin).status_code == 302  # the platform's roles keep their password
    with app.app_context():
        assert organisations.password_sign_in_allowed(db.session.get(User, platform_admin.id))
        assert not organisations.password_sign_in_allowed(db.session.get(User, nurse.id))


def test_the_subject_finds_the_account_even_when_the_address_changes(app, client, idp, configure):
    configure(create_accounts="true")
    who = person(idp)
    assert dance(client, idp, who).status_code == 302
    client.post("/logout")
    who.claims["email"] = "renamed@hospital.example"
    assert dance(client, idp, who).status_code == 302 and signed_in(client)
    assert counts(app)[:2] == (1, 1)


def test_the_name_and_address_may_come_from_the_userinfo_endpoint(app, client, idp, configure, get_user):
    configure(create_accounts="true")
    who = person(idp, in_id_token=False)
    assert dance(client, idp, who).status_code == 302 and signed_in(client)
    user = get_user(who.claims["email"])
    assert user is not None and user.name == who.claims["name"] and user.email_verified


def test_without_account_creation_a_newcomer_is_refused_and_nothing_is_kept(app, client, idp, configure, caplog):
    configure()
    who = person(idp)
    caplog.set_level(logging.INFO)
    response = dance(client, idp, who)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "accounts are not made automatically for Test Hospital" in page and "You are not signed in" in page
    assert counts(app) == (0, 0, 0) and not signed_in(client)
    assert refusal_reasons(app) == ["no-account"]
    # The log says what was refused and why, and nothing about the person.
    assert "no-account" in caplog.text
    assert who.claims["email"] not in caplog.text and who.sub not in caplog.text
    assert who.claims["name"] not in caplog.text


def test_a_verified_address_links_an_existing_account(app, client, idp, configure, make_user):
    configure()
    local = make_user(email="nurse@hospital.example")
    who = person(idp, email="Nurse@Hospital.example")
    assert dance(client, idp, who).status_code == 302 and signed_in(client)
    with app.app_context():
        assert db.session.scalars(sa.select(SignInIdentity.user_id)).all() == [local.id]
    assert "sso-identity-linked" in [a for a, _ in actions(app)]
    # Its password goes on working.
    client.post("/logout")
    assert login(client, local).status_code == 302


@pytest.mark.parametrize("provider_verified,local_verified", [(False, True), (True, False)])
def test_an_address_not_proven_on_both_sides_never_takes_over_an_account(
        app, client, idp, configure, make_user, provider_verified, local_verified):
    configure(create_accounts="true")
    make_user(email="nurse@hospital.example", verified=local_verified)
    who = person(idp, email="nurse@hospital.example", verified=provider_verified)
    response = dance(client, idp, who)
    assert response.status_code == 403 and "Sign in with your password" in response.get_data(as_text=True)
    assert counts(app) == (1, 0, 0) and not signed_in(client)
    assert refusal_reasons(app) == ["email-unverified"]


def test_an_inactive_account_is_refused(app, client, idp, configure, make_user):
    configure()
    make_user(email="gone@hospital.example", active=False)
    response = dance(client, idp, person(idp, email="gone@hospital.example"))
    assert response.status_code == 403 and counts(app) == (1, 0, 0)
    assert refusal_reasons(app) == ["inactive"]


def test_roles_come_from_the_claim_and_never_above_what_the_provider_may_give(app, client, idp, configure, get_user):
    configure(create_accounts="true", role_claim="groups", role_map="educators=trainer,it=admin",
              allowed_roles="learner,trainer")
    who = person(idp, groups=["educators", "it", "unknown"])
    assert dance(client, idp, who).status_code == 302
    assert get_user(who.claims["email"]).role_names == {"learner", "trainer"}
    client.post("/logout")
    who.claims["groups"] = "nurses"
    assert dance(client, idp, who).status_code == 302
    assert get_user(who.claims["email"]).role_names == {"learner"}


def test_roles_the_provider_may_not_give_stay_as_the_administrators_set_them(app, client, idp, configure, make_user,
                                                                              get_user):
    configure(role_claim="groups", role_map="educators=trainer", allowed_roles="learner,trainer")
    local = make_user(email="admin@hospital.example", roles=("admin",))
    assert dance(client, idp, person(idp, email=local.email, groups=[])).status_code == 302
    assert get_user(local.id).role_names == {"learner", "admin"}


# -- two-factor sign-in --------------------------------------------------------------------------------

@pytest.fixture
def with_app_codes(app, make_user):
    """A linked account with two-factor sign-in on; returns (account, a function giving a code)."""
    from trainer.services import two_factor

    def make(email: str):
        local = make_user(email=email)
        secret = pyotp.random_base32()
        with app.app_context():
            two_factor.enable(db.session.get(User, local.id), secret, pyotp.TOTP(secret).now())
            db.session.commit()
        return local, secret

    return make


def test_without_the_providers_mfa_the_platforms_code_is_asked(app, client, idp, configure, with_app_codes):
    configure()
    local, secret = with_app_codes("coded@hospital.example")
    response = dance(client, idp, person(idp, email=local.email, amr=["pwd"]), next_url="/my/learning")
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert not signed_in(client)
    # The next time step's code: the one that switched two-factor sign-in on is used up.
    answer = client.post("/login/code", data={"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/my/learning" and signed_in(client)


@pytest.mark.parametrize("amr,acr", [(["pwd", "mfa"], None), (["hwk"], None), (["pwd"], "urn:example:high")])
def test_the_providers_mfa_counts_when_its_claims_say_so(app, client, idp, configure, with_app_codes, amr, acr):
    configure(mfa_acr="urn:example:high")
    local, _secret = with_app_codes("coded@hospital.example")
    response = dance(client, idp, person(idp, email=local.email, amr=amr, acr=acr))
    assert response.status_code == 302 and response.headers["Location"] == "/" and signed_in(client)
    assert ("sso-sign-in", {"provider": "test", "two_factor": "provider"}) in actions(app)


def test_roles_that_need_two_factors_are_satisfied_by_the_providers_mfa_only(app, client, idp, configure,
                                                                            make_user, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("trainer",))
    configure(mfa_amr="otp")
    trainer = make_user(email="trainer@hospital.example", roles=("trainer",))
    assert dance(client, idp, person(idp, email=trainer.email, amr=["otp"])).status_code == 302
    assert client.get("/profile").status_code == 200
    client.post("/logout")
    assert dance(client, idp, person(idp, email=trainer.email, amr=["mfa"])).status_code == 302
    response = client.get("/profile")
    assert response.status_code == 302 and response.headers["Location"] == "/profile/two-factor"


# -- bad answers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_a_spoiled_id_token_is_refused_and_changes_nothing(app, client, idp, configure, mode):
    configure(create_accounts="true")
    who = person(idp)
    idp.mode = mode
    response = dance(client, idp, who)
    assert response.status_code == 400, mode
    assert "We could not check the answer from Test Hospital" in response.get_data(as_text=True)
    assert counts(app) == (0, 0, 0) and not signed_in(client)
    [reason] = refusal_reasons(app)
    assert reason.startswith("id-token:"), reason
    # The same person, with an honest token, gets in.
    idp.mode = None
    assert dance(client, idp, who).status_code == 302 and signed_in(client)


def test_a_replayed_answer_is_refused(app, client, idp, configure):
    configure(create_accounts="true")
    who = person(idp)
    answer = idp.sign_in(start(client), who.username)
    assert come_back(client, answer).status_code == 302
    client.post("/logout")
    # The same state and code again: the state was used up.
    response = come_back(client, answer)
    assert response.status_code == 400 and "has been used already" in response.get_data(as_text=True)
    # The old code with a fresh state: the provider refuses a code twice (and its PKCE verifier is another).
    fresh_state = parse_qs(urlsplit(start(client)).query)["state"][0]
    old_code = parse_qs(urlsplit(answer).query)["code"][0]
    response = client.get(f"/login/sso/test/callback?code={old_code}&state={fresh_state}")
    assert response.status_code == 400 and not signed_in(client)
    # (pyop finds the PKCE verifier wrong before it looks whether the code was used.)
    assert refusal_reasons(app) == ["state", "provider-error:invalid_request"]
    assert counts(app)[1:] == (1, 0)


def test_an_answer_from_another_browser_is_refused(app, idp, configure):
    configure(create_accounts="true")
    mine, theirs = app.test_client(), app.test_client()
    answer = idp.sign_in(start(mine), person(idp).username)
    response = come_back(theirs, answer)
    assert response.status_code == 400 and counts(app) == (0, 0, 0)


def test_a_callback_without_state_or_with_a_provider_error_is_refused(app, client, idp, configure):
    configure(create_accounts="true")
    assert client.get("/login/sso/test/callback").status_code == 400
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(f"/login/sso/test/callback?error=access_denied&state={state}")
    assert response.status_code == 403 and "Test Hospital did not sign you in" in response.get_data(as_text=True)
    # An error code that is not a plain code is not written down as it came.
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(f"/login/sso/test/callback?error=Nurse%20Amira%20amira@x.example&state={state}")
    assert response.status_code == 400
    assert refusal_reasons(app) == ["state", "provider-declined", "provider-error:other"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_provider_that_is_down_is_refused_with_502(app, client, idp, configure):
    configure(create_accounts="true", discovery_url=f"http://127.0.0.1:{_closed_port()}/.well-known/openid-configuration")
    response = client.get("/login/sso/test")
    assert response.status_code == 502 and "We could not reach Test Hospital" in response.get_data(as_text=True)
    assert refusal_reasons(app) == ["provider-unreachable"] and counts(app) == (0, 0, 0)


def test_a_provider_that_goes_down_during_the_sign_in_is_refused_with_502(app, client, idp, configure):
    configure(create_accounts="true")
    answer = idp.sign_in(start(client), person(idp).username)
    configure(create_accounts="true", discovery_url=f"http://127.0.0.1:{_closed_port()}/.well-known/openid-configuration")
    assert come_back(client, answer).status_code == 502 and counts(app) == (0, 0, 0)


def test_a_discovery_document_for_another_issuer_is_refused(app, client, idp, configure):
    configure(issuer="https://127.0.0.1:1/not-this-one",
              discovery_url=f"{idp.issuer}/.well-known/openid-configuration")
    assert client.get("/login/sso/test").status_code == 502


def test_an_unknown_provider_is_not_found(app, client, configure):
    configure()
    assert client.get("/login/sso/elsewhere").status_code == 404
    assert client.get("/login/sso/elsewhere/callback?code=x&state=y").status_code == 404


# -- confirming it is you, instead of a password -----------------------------------------------------------

def confirm(client, idp, who: Person):
    response = client.get("/profile/confirm/test", query_string={"next": "/profile/data"})
    assert response.status_code == 302, response.get_data(as_text=True)
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    return come_back(client, idp.sign_in(response.headers["Location"], who.username))


def test_an_account_made_by_single_sign_on_confirms_at_the_provider_to_download_and_delete(app, client, idp,
                                                                                          configure):
    configure(create_accounts="true")
    who = person(idp)
    assert dance(client, idp, who).status_code == 302
    page = client.get("/profile/data").get_data(as_text=True)
    assert "Confirm with Test Hospital" in page
    # Not yet confirmed: the password is asked, and nobody knows it.
    assert client.post("/profile/data.json", data={"password": ""}).status_code == 400
    response = confirm(client, idp, who)
    assert response.status_code == 302 and response.headers["Location"] == "/profile/data"
    page = client.get("/profile/data").get_data(as_text=True)
    assert "Confirm with Test Hospital" not in page and 'name="password"' not in page
    download = client.post("/profile/data.json", data={})
    assert download.status_code == 200
    assert download.get_json()["single_sign_on"][0]["subject"] == who.sub
    assert ("sso-confirmed", {"provider": "test"}) in actions(app)
    assert client.post("/profile/delete", data={}).status_code == 302
    assert counts(app) == (0, 0, 0)


def test_a_confirmation_by_someone_else_or_without_a_fresh_sign_in_confirms_nothing(app, client, idp, configure):
    configure(create_accounts="true")
    who, other = person(idp), person(idp)
    assert dance(client, idp, other).status_code == 302
    client.post("/logout")
    assert dance(client, idp, who).status_code == 302
    response = confirm(client, idp, other)
    assert response.status_code == 403 and "signed in someone else" in response.get_data(as_text=True)
    assert client.post("/profile/data.json", data={}).status_code == 400
    who.stale = True  # the provider answers without asking for the password again
    response = confirm(client, idp, who)
    assert response.status_code == 403 and "did not ask you to sign in again" in response.get_data(as_text=True)
    assert client.post("/profile/delete", data={}).status_code == 400
    assert counts(app)[0] == 2 and signed_in(client)
    assert refusal_reasons(app) == ["confirm-other-person", "confirm-not-fresh"]


def test_a_confirmation_stands_in_for_the_password_on_the_two_factor_page_but_the_code_is_still_asked(
        app, client, idp, configure, get_user):
    from trainer.services import two_factor

    configure(create_accounts="true")
    who = person(idp, amr=["mfa"])
    assert dance(client, idp, who).status_code == 302
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.get(User, get_user(who.claims["email"]).id)
        two_factor.enable(user, secret, pyotp.TOTP(secret).now())
        db.session.commit()
    assert dance(client, idp, who).status_code == 302 and signed_in(client)  # the provider's MFA counts
    assert "Confirm with Test Hospital" in client.get("/profile/two-factor").get_data(as_text=True)
    assert confirm(client, idp, who).status_code == 302
    page = client.get("/profile/two-factor").get_data(as_text=True)
    assert 'name="password"' not in page and 'name="renew-password"' not in page
    assert client.post("/profile/two-factor/recovery-codes", data={"renew-code": "000000"}).status_code == 400
    codes = client.post("/profile/two-factor/recovery-codes",
                        data={"renew-code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert codes.status_code == 200 and "new set of recovery codes" in codes.get_data(as_text=True)
    recovery = re.findall(r"<li><code>([^<]+)</code></li>", codes.get_data(as_text=True))[0]
    assert client.post("/profile/two-factor/disable", data={"code": recovery}).status_code == 302
    assert get_user(who.claims["email"]).totp_secret is None


def test_a_password_account_without_a_provider_is_not_offered_a_confirmation(app, client, configure, make_user):
    configure()
    local = make_user()
    login(client, local)
    assert "Confirm with" not in client.get("/profile/data").get_data(as_text=True)
    assert client.get("/profile/confirm/test").status_code == 404


# -- local passwords off ---------------------------------------------------------------------------------

def test_with_local_passwords_off_only_the_providers_remain(app, client, idp, configure, make_user, monkeypatch):
    configure()
    monkeypatch.setitem(app.config, "LOCAL_PASSWORDS", False)
    local = make_user(email="nurse@hospital.example")
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Test Hospital" in page and 'name="password"' not in page and "/register" not in page
    response = login(client, local)
    assert response.status_code == 403 and "Passwords are not used here" in response.get_data(as_text=True)
    assert not signed_in(client)
    for path in ("/register", "/password/forgot", "/password/reset/some-token"):
        assert client.get(path).status_code == 403, path
        assert client.post(path, data={"email": local.email}).status_code == 403, path
    # Signing in through the provider still works.
    assert dance(client, idp, person(idp, email=local.email)).status_code == 302 and signed_in(client)
    assert client.get("/password").status_code == 403
    assert "Change your password" not in client.get("/profile").get_data(as_text=True)


def test_local_passwords_off_without_a_provider_keeps_passwords(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOCAL_PASSWORDS", False)
    assert login(client, make_user()).status_code == 302


# -- settings ------------------------------------------------------------------------------------------------

def test_settings_from_the_environment():
    env = {"OIDC_PROVIDERS": "St-Mary, police", "OIDC_ST_MARY_ISSUER": "https://id.stmary.example/",
           "OIDC_ST_MARY_CLIENT_ID": "ft", "OIDC_ST_MARY_CLIENT_SECRET": "s", "OIDC_ST_MARY_LABEL": "St Mary's",
           "OIDC_ST_MARY_ROLE_CLAIM": "roles", "OIDC_ST_MARY_ROLE_MAP": "ed=trainer, boss=admin",
           "OIDC_ST_MARY_ALLOWED_ROLES": "learner,trainer", "OIDC_ST_MARY_CREATE_ACCOUNTS": "yes",
           "OIDC_ST_MARY_SECTOR": "health", "OIDC_ST_MARY_MFA_AMR": "", "OIDC_ST_MARY_MFA_ACR": "loa3",
           "OIDC_POLICE_ISSUER": "https://login.police.example", "OIDC_POLICE_CLIENT_ID": "ft",
           "OIDC_POLICE_CLIENT_SECRET": "t"}
    mary, police = sso_config.from_environ(env)
    assert mary.name == "st-mary" and mary.issuer == "https://id.stmary.example"
    assert mary.discovery_url == "https://id.stmary.example/.well-known/openid-configuration"
    assert mary.create_accounts and mary.label == "St Mary's"
    assert mary.roles_from(["ed", "boss"]) == {"trainer"} and mary.roles_from(42) == set()
    assert not mary.counts_as_two_factors(["mfa"], None) and mary.counts_as_two_factors([], "loa3")
    assert police.label == "police" and not police.create_accounts and police.allowed_roles == ("learner",)
    assert police.counts_as_two_factors(["pwd", "mfa"], None) and not police.counts_as_two_factors("mfa", None)
    assert sso_config.from_environ({}) == ()


@pytest.mark.parametrize("change,complaint", [
    ({"OIDC_X_CLIENT_SECRET": ""}, "CLIENT_SECRET"),
    ({"OIDC_X_ROLE_MAP": "a=emperor"}, "ROLE_MAP"),
    ({"OIDC_X_ALLOWED_ROLES": "learner,emperor"}, "ALLOWED_ROLES"),
    ({"OIDC_X_CREATE_ACCOUNTS": "true"}, "SECTOR"),
    ({"OIDC_X_SCOPES": "email"}, "SCOPES"),
    ({"OIDC_X_ISSUER": "http://id.example"}, "https"),
    ({"OIDC_PROVIDERS": "x, bad name"}, "letters, digits"),
])
def test_settings_that_cannot_work_are_refused_at_start(change, complaint):
    env = {"OIDC_PROVIDERS": "x", "OIDC_X_ISSUER": "https://id.example", "OIDC_X_CLIENT_ID": "ft",
           "OIDC_X_CLIENT_SECRET": "s", **change}
    with pytest.raises(sso_config.ProviderConfigError, match=complaint):
        sso_config.from_environ(env)
