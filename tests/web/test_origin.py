"""Forms from other sites: besides the CSRF token, an unsafe request whose Origin is not the
site's own is refused with 400 and a clear message; requests without Origin rely on the token."""
from __future__ import annotations

import re

import pytest

from tests.conftest import build_app

REFUSED = "That form came from another website"


@pytest.fixture
def csrf_client(app, client):
    """The test client with the CSRF checks on, as in production; yields (client, token)."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/login").get_data(as_text=True)
        yield client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _sign_in(client, token, user, **headers):
    return client.post("/login", data={"email": user.email, "password": user.password, "csrf_token": token},
                       headers=headers)


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://localhost:8080", "https://localhost",
                                    "http://localhost.evil.example", "not an origin"])
def test_a_foreign_origin_is_refused_even_with_a_good_token(csrf_client, make_user, origin):
    client, token = csrf_client
    response = _sign_in(client, token, make_user(), Origin=origin)
    assert response.status_code == 400
    assert REFUSED in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302  # not signed in


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_unsafe_method_is_checked(csrf_client, method):
    client, _ = csrf_client
    response = getattr(client, method)("/login", headers={"Origin": "https://evil.example"})
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)


def test_the_sites_own_origin_passes(csrf_client, make_user):
    client, token = csrf_client
    assert _sign_in(client, token, make_user(), Origin="http://localhost").status_code == 302


def test_public_base_url_origin_passes(app, csrf_client, make_user):
    client, token = csrf_client
    assert _sign_in(client, token, make_user(), Origin=app.config["PUBLIC_BASE_URL"]).status_code == 302


def test_without_origin_the_token_decides_as_before(csrf_client, make_user):
    client, token = csrf_client
    user = make_user()
    assert _sign_in(client, "not-the-token", user).status_code == 400
    assert _sign_in(client, token, user).status_code == 302


def test_safe_methods_are_not_checked(csrf_client):
    client, _ = csrf_client
    assert client.get("/login", headers={"Origin": "https://evil.example"}).status_code == 200


def test_the_refusal_is_translated(csrf_client):
    client, _ = csrf_client
    response = client.post("/language", data={"locale": "en"},
                           headers={"Origin": "null", "Accept-Language": "nl"})
    assert "Dat formulier kwam van een andere website" in response.get_data(as_text=True)


def test_behind_a_tls_proxy_the_https_origin_is_the_sites_own(database_urls, make_user):
    app = build_app(database_urls["unit"], PROXY_HOPS=1, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    proxy = {"X-Forwarded-Proto": "https"}
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/login", headers=proxy).get_data(as_text=True)).group(1)
    user = make_user()
    plain = _sign_in(client, token, user, Origin="http://localhost", Referer="https://localhost/login", **proxy)
    assert plain.status_code == 400 and REFUSED in plain.get_data(as_text=True)
    secure = _sign_in(client, token, user, Origin="https://localhost", Referer="https://localhost/login", **proxy)
    assert secure.status_code == 302
