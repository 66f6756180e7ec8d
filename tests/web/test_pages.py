"""Public pages, the base layout, error pages and security headers."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import login
from trainer.services.errors import InvalidInput, NotAllowed, NotFound

PUBLIC_PAGES = ["/", "/support", "/privacy", "/login", "/register", "/password/forgot"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_has_the_base_layout(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page
    assert 'href="/support"' in page
    # Quick exit comes straight after the skip link, early in the keyboard order.
    links = re.findall(r'<a [^>]*href="([^"]+)"', page)
    assert links[:2] == ["#main", "/quick-exit"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_no_inline_script_and_strict_headers(client, path):
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert re.search(r"\son[a-z]+=", page) is None
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Same-site requests carry Referer and Origin (the CSRF checks need them); other sites get neither.
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in page
    assert re.search(r'<a class="quick-exit"[^>]*rel="noreferrer"', page)


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert cookie.startswith("session=")  # local HTTP keeps the plain name


def test_a_secure_session_cookie_is_a_host_only_cookie(database_urls, make_user):
    from tests.conftest import build_app

    app = build_app(database_urls["unit"], SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    assert app.config["REMEMBER_COOKIE_NAME"] == "__Host-remember_token"
    response = login(app.test_client(), make_user())
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "path", "httponly", "samesite"} <= attributes and "domain" not in attributes
    assert "; Path=/;" in cookie or cookie.endswith("; Path=/")


def test_production_cookies_are_secure_and_need_a_secret_key(monkeypatch):
    from trainer import create_app
    from trainer.config import Config

    class Production(Config):
        ENV = "production"
        LOCAL = False
        SECRET_KEY = None

    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app(Production)
    Production.SECRET_KEY = "s" * 32
    Production.SESSION_COOKIE_SECURE = True
    assert create_app(Production).config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("signed_in", [False, True])
def test_quick_exit_without_javascript_goes_through_a_neutral_page(client, app, make_user, signed_in):
    if signed_in:
        login(client, make_user())
    response = client.get("/quick-exit")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = response.get_data(as_text=True)
    exit_url = app.config["QUICK_EXIT_URL"]
    assert f'<meta http-equiv="refresh" content="0;url={exit_url}">' in page
    assert f'<a href="{exit_url}" rel="noreferrer">' in page
    assert "<title>Weather</title>" in page
    # Nothing names or looks like the site: no brand, no stylesheet, no script, no links back.
    assert "Frontline" not in page and "Trainer" not in page
    assert "<link" not in page and "<script" not in page and 'href="/' not in page
    assert "Content-Security-Policy" in response.headers  # the refresh needs no exception to it
    if signed_in:  # Back must not find a session: the person is signed out
        assert client.get("/profile").status_code == 302


def test_quick_exit_page_is_in_the_readers_language(client):
    page = client.get("/quick-exit", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="nl">' in page and "<title>Weer</title>" in page


def test_support_page_is_honest_about_quick_exit(client):
    page = client.get("/support").get_data(as_text=True)
    assert "does not clear your browser history" in page
    assert "monitoring software" in page


def test_healthz_reports_app_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["app"] == "ok" and body["database"]["status"] == "ok"


def test_healthz_reports_a_failing_database(client, monkeypatch):
    from trainer.extensions import db

    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["status"] == "error"


@pytest.mark.parametrize("locale, title", [("en", "Page not found"), ("nl", "Pagina niet gevonden")])
def test_not_found_page_is_styled_and_translated(client, locale, title):
    response = client.get("/no-such-page", headers={"Accept-Language": locale})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page and re.search(r"/static/css/app\.[0-9a-f]{12}\.css", page)


def test_server_error_shows_no_stack_trace(database_urls):
    from tests.conftest import build_app

    app = build_app(database_urls["unit"])

    @app.get("/__boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/__boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_forms_without_csrf_token_are_refused(app, client, make_user, count_rows):
    from trainer.models import User

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/register", data={"name": "A", "email": "a@example.org"})
        assert response.status_code == 400
        assert "Something in that request was not right" in response.get_data(as_text=True)
        assert count_rows(User) == 0
        page = client.get("/register").get_data(as_text=True)
        assert 'name="csrf_token"' in page
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_sign_in_is_rate_limited_per_account_with_the_same_message(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "5 per minute")
    user = make_user()
    statuses = [client.post("/login", data={"email": user.email, "password": "wrong-wrong-wrong"},
                            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(7)]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]
    limited = client.post("/login", data={"email": user.email, "password": user.password})
    assert limited.status_code == 429
    assert "Too many attempts" in limited.get_data(as_text=True)


def test_sign_in_is_rate_limited_per_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "20 per minute")
    statuses = [client.post("/login", data={"email": f"u{i}@example.org", "password": "x" * 12}).status_code
                for i in range(22)]
    assert statuses[:20] == [200] * 20 and statuses[20:] == [429, 429]


def test_password_reset_requests_are_rate_limited(app, client, monkeypatch, outbox):
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_ADDRESS", "3 per minute")
    statuses = [client.post("/password/forgot", data={"email": "x@example.org"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_registration_is_rate_limited_per_address(app, client, monkeypatch, count_rows):
    from trainer.models import User

    monkeypatch.setitem(app.config, "REGISTER_LIMIT_PER_ADDRESS", "3 per minute")
    statuses = [client.post("/register", data={"email": f"new-{i}@example.org"}).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert count_rows(User) == 0


def test_join_links_are_rate_limited_per_address(app, client, monkeypatch, make_user):
    login(client, make_user())
    monkeypatch.setitem(app.config, "REGISTER_LIMIT_PER_ADDRESS", "3 per minute")
    statuses = [client.get(f"/join/guess-{i}").status_code for i in range(4)]
    assert statuses[3] == 429 and 429 not in statuses[:3]


def test_suite_runs_on_the_database_it_was_asked_for(client, request):
    backend = client.get("/healthz").get_json()["database"]["backend"]
    assert backend == ("postgresql" if request.config.getoption("--postgres") else "sqlite")


def test_behind_a_proxy_limits_count_the_client_address(database_urls, monkeypatch):
    from tests.conftest import build_app

    app = build_app(database_urls["unit"], PROXY_HOPS=1, LOGIN_LIMIT_PER_ADDRESS="2 per minute")
    client = app.test_client()

    def attempt(address):
        return client.post("/login", data={"email": "x@example.org", "password": "x" * 12},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.5") for _ in range(3)] == [200, 200, 429]
    assert attempt("198.51.100.7") == 200  # another client behind the same proxy is not blocked


@pytest.mark.parametrize("path", ["/", "/support", "/login", "/privacy"])
def test_every_page_links_to_the_privacy_notice_in_its_footer(client, path):
    page = client.get(path).get_data(as_text=True)
    assert 'href="/privacy"' in page.split("<footer")[1]


def test_the_registration_form_links_to_the_privacy_notice_next_to_its_button(client):
    page = client.get("/register").get_data(as_text=True)
    assert re.search(r'<a href="/privacy">privacy notice</a></p>\s*<button type="submit">Create account</button>', page)


def test_the_privacy_notice_says_who_sees_what_and_links_to_your_data(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "The trainers of a cohort you joined see, for the courses assigned to it:" in page
    assert "They never see your wellbeing self-checks" in page  # the cohort consent notice itself
    assert "No course is assigned yet" not in page and "Courses assigned now" not in page
    assert "Nobody else sees your wellbeing self-checks" in page
    assert 'href="/profile/data"' in page


def test_the_privacy_notice_is_in_dutch(client):
    page = client.get("/privacy", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="nl">' in page and "Privacyverklaring" in page


def test_support_page_names_a_crisis_line_for_each_country_before_the_directory(client):
    page = client.get("/support").get_data(as_text=True)
    self_care = page.index('id="self-heading"')
    assert self_care < page.index('id="directory-heading"')
    for line in ("988 in the United States", "9-8-8 in Canada", "Samaritans on 116 123", "113 Zelfmoordpreventie"):
        assert page.index(line) > self_care


@pytest.mark.parametrize("error, code, title", [
    (NotAllowed(), 403, "You do not have access to this page"),
    (NotFound(), 404, "Page not found"),
    (InvalidInput("name", "secret detail of the refusal"), 400, "Something in that request was not right"),
])
def test_a_service_refusal_a_view_does_not_catch_is_an_error_page(database_urls, error, code, title):
    """Views call services directly: the refusal becomes the styled page of its status, or JSON."""
    from tests.conftest import build_app

    app = build_app(database_urls["unit"])

    @app.get("/__refuse")
    @app.get("/__refuse.json")
    def refuse():
        raise error

    page = app.test_client().get("/__refuse")
    assert page.status_code == code
    text = page.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in text and "secret detail" not in text
    answer = app.test_client().get("/__refuse.json")
    assert answer.status_code == code and answer.get_json() == {"error": title}
