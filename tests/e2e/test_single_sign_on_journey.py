"""Signing in through an organisation's identity provider in Chromium: a real OpenID Connect
provider (pyop, over HTTPS on a loopback port) with its own sign-in form, and back."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import audit
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, PASSWORD, Person, serving
from tests.support.tls import make_certificate
from trainer import sso_config
from trainer.extensions import db
from trainer.models import SignInIdentity, User


@pytest.fixture
def idp(live_server, tmp_path, monkeypatch):
    """The provider, and the served app pointed at it for this test."""
    with serving([f"{live_server.url}/login/sso/hospital/callback"], make_certificate(tmp_path)) as provider:
        settings = {"ISSUER": provider.issuer, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                    "LABEL": "St Example Hospital", "CREATE_ACCOUNTS": "true", "SECTOR": "health",
                    "ORGANISATION": "St Example Hospital", "CA_BUNDLE": provider.ca_path}
        monkeypatch.setitem(live_server.app.config, "OIDC_PROVIDERS",
                            (sso_config.provider_from("hospital", settings),))
        yield provider


@pytest.fixture
def sso_page(browser, live_server, idp):
    """A page that may open the app and the provider, and nothing else."""
    context = browser.new_context(base_url=live_server.url, ignore_https_errors=True)  # the provider's test CA
    context.set_default_navigation_timeout(90_000)

    def route(request_route):
        url = request_route.request.url
        if url.startswith((live_server.url, idp.url)):
            request_route.continue_()
        else:
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    yield page
    context.close()


def test_a_nurse_signs_in_through_the_hospitals_provider(sso_page, live_server, idp):
    page = sso_page
    nurse = idp.add(Person(username="amira", sub="hospital-0042", amr=["pwd", "mfa"], claims={
        "email": "amira.nurse@hospital.example", "email_verified": True, "name": "Amira Haddad"}))
    page.goto("/login")
    audit(page)
    page.get_by_role("link", name="Sign in with St Example Hospital").click()
    # At the provider: its own sign-in form.
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Username").fill(nurse.username)
    page.get_by_label("Provider password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    # Back, signed in, on the home page.
    page.get_by_role("button", name="Sign out", include_hidden=True).wait_for(state="attached")
    assert page.url.startswith(live_server.url)
    audit(page)
    with live_server.app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == "amira.nurse@hospital.example")).unique().one()
        assert user.name == "Amira Haddad" and user.organisation == "St Example Hospital"
        identity = db.session.scalars(sa.select(SignInIdentity).where(SignInIdentity.user_id == user.id)).one()
        assert (identity.issuer, identity.subject) == (idp.issuer, "hospital-0042")

    # Signed out, a forged answer from the "provider" is refused with a page that says so.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    idp.mode = "forged"
    try:
        page.goto("/login")
        page.get_by_role("link", name="Sign in with St Example Hospital").click()
        page.get_by_label("Username").fill(nurse.username)
        page.get_by_label("Provider password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
        expect(page.get_by_text("We could not check the answer from St Example Hospital")).to_be_visible()
        audit(page)
        assert page.get_by_role("button", name="Sign out", include_hidden=True).count() == 0
    finally:
        idp.mode = None
