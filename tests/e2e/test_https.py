"""The site over real HTTPS in Chromium: served over TLS by the app itself, and behind Debian's
nginx terminating TLS with `X-Forwarded-Proto: https` (PROXY_HOPS=1), as in docs/deploy.md.

Over HTTPS the CSRF check also wants a same-site Referer, so every form must still go through:
signing in, a quiz, changing the language, signing out. Quick exit must tell the neutral site
nothing about where the person came from."""
from __future__ import annotations

import http.client
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SimpleServer, e2e_app, fresh_learner, new_context, serving, sign_in
from tests.support.journeys import QUIZ
from tests.support.tls import make_certificate, temporary_nginx

# Production cookies: Secure, so the session cookie is a __Host- cookie.
PRODUCTION_COOKIES = {"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(database_urls, certificate):
    """The app serving HTTPS itself."""
    app = e2e_app(database_urls["e2e"], **PRODUCTION_COOKIES)
    with serving(app, ssl_context=certificate.server_context()) as port:
        app.config["PUBLIC_BASE_URL"] = url = f"https://127.0.0.1:{port}"
        yield SimpleServer(app=app, url=url)


@pytest.fixture(scope="module")
def proxied_server(database_urls, certificate):
    """The app on plain HTTP behind nginx, which ends TLS and says so in X-Forwarded-Proto."""
    app = e2e_app(database_urls["e2e"], PROXY_HOPS=1, **PRODUCTION_COOKIES)
    with serving(app) as upstream, temporary_nginx(certificate, upstream) as port:
        app.config["PUBLIC_BASE_URL"] = url = f"https://127.0.0.1:{port}"
        yield SimpleServer(app=app, url=url)


@pytest.fixture(params=["tls", "nginx"])
def https_server(request):
    return request.getfixturevalue({"tls": "tls_server", "nginx": "proxied_server"}[request.param])


@pytest.fixture
def https_context(browser, https_server):
    contexts = []

    def make(**options):
        context = new_context(browser, https_server, ignore_https_errors=True, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def test_forms_work_over_https(https_server, https_context):
    context = https_context()
    page = context.new_page()
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.all_headers()))
    email, password = fresh_learner(https_server)
    sign_in(page, email, password)
    [cookie] = context.cookies()
    assert (cookie["name"], cookie["secure"], cookie["path"]) == ("__Host-session", True, "/")

    page.goto(QUIZ)
    page.get_by_label("Call the police straight away.").check()
    page.get_by_role("button", name="Submit answers").click()  # five questions open: a warning, no post
    page.get_by_role("button", name="Submit with questions unanswered").click()
    expect(page.get_by_role("status")).to_contain_text("The pass mark is 80%")

    page.locator("#language-select").select_option("nl")
    page.locator(".language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()
    # Every form carried the site's own Origin and a same-site Referer.
    assert len(posts) == 4
    assert all(h["origin"] == https_server.url and h["referer"].startswith(https_server.url + "/") for h in posts)


@pytest.mark.parametrize("javascript", [True, False])
def test_quick_exit_over_https_tells_the_neutral_site_nothing(https_server, https_context, javascript):
    context = https_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto("/support")
    page.get_by_role("link", name=re.compile("Quick exit")).click()
    expect(page).to_have_url(https_server.app.config["QUICK_EXIT_URL"])
    expect(page).to_have_title("Weather")
    assert context.neutral_requests, "Quick exit did not reach the neutral page"
    for request in context.neutral_requests:
        headers = request.all_headers()
        assert "referer" not in headers, headers


def _get(server, certificate, path, host):
    port = int(server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=certificate.client_context(), timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_nginx_refuses_unknown_host_names(proxied_server, certificate):
    with pytest.raises(http.client.RemoteDisconnected):  # nginx closes the connection (444)
        _get(proxied_server, certificate, "/login", "evil.example")


def test_the_app_refuses_unknown_host_names_over_tls(tls_server, certificate):
    assert _get(tls_server, certificate, "/healthz", "evil.example") == (
        400, "This site does not answer at that address.")
    assert _get(tls_server, certificate, "/healthz", "localhost")[0] == 200


def test_the_request_id_is_nginx_s(proxied_server, certificate):
    """nginx passes its own `$request_id` (replacing whatever the client sent); the app keeps it."""
    port = int(proxied_server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=certificate.client_context(), timeout=10)
    try:
        connection.request("GET", "/healthz", headers={"Host": "127.0.0.1", "X-Request-ID": "chosen-by-client"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 200 and re.fullmatch(r"[0-9a-f]{32}", response.getheader("X-Request-ID"))
