"""Host names: the site answers only to its own (TRUSTED_HOSTS), never believes X-Forwarded-Host,
and builds every absolute link (mail, join links) on PUBLIC_BASE_URL, whatever the request said.
A forged host must never reach a password-reset mail."""
from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from tests.conftest import build_app, login
from tests.support.waiting import wait_for


def test_tests_trust_the_public_host_and_the_loopback_names(app):
    assert set(app.config["TRUSTED_HOSTS"]) == {"127.0.0.1", "localhost"}


@pytest.mark.parametrize("path", ["/", "/login", "/healthz", "/no-such-page"])
def test_an_unknown_host_is_refused(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "This site does not answer at that address."


def test_a_forged_host_never_reaches_a_reset_mail(client, make_user, outbox):
    user = make_user()
    response = client.post("/password/forgot", data={"email": user.email}, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert outbox() == []


def test_a_signed_in_request_for_an_unknown_host_is_refused_too(client, make_user):
    login(client, make_user())
    assert client.get("/profile", headers={"Host": "evil.example:443"}).status_code == 400


def test_reset_link_uses_public_base_url_not_the_request_host(app, client, make_user, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://training.example.org")
    user = make_user()
    client.post("/password/forgot", data={"email": user.email}, headers={"Host": "127.0.0.1:8000"})
    [mail] = outbox()
    assert re.search(r"^https://training\.example\.org/password/reset/\S+$", mail.get_content(), re.M)
    assert "127.0.0.1" not in mail.get_content()


def test_behind_a_proxy_x_forwarded_host_is_ignored(database_urls):
    app = build_app(database_urls["unit"], PROXY_HOPS=1)

    @app.get("/__where")
    def where():
        from flask import request

        return f"{request.scheme}://{request.host} from {request.remote_addr}"

    forwarded = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    answer = app.test_client().get("/__where", headers=forwarded).get_data(as_text=True)
    assert answer == "https://localhost from 203.0.113.5"


def test_behind_a_proxy_reset_links_use_public_base_url(database_urls, make_user):
    app = build_app(database_urls["unit"], PROXY_HOPS=1, PUBLIC_BASE_URL="https://training.example.org")
    user = make_user()
    response = app.test_client().post("/password/forgot", data={"email": user.email},
                                      headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"})
    assert response.status_code == 302
    # Mail leaves after the response, from a job of this app's own worker: wait for it to arrive.
    outbox = Path(app.config["MAIL_OUTBOX"])
    assert wait_for(lambda: outbox.is_dir() and any(outbox.iterdir())), "the reset mail never arrived"
    [path] = outbox.iterdir()
    body = email.message_from_bytes(path.read_bytes(), policy=email.policy.default).get_content()
    assert "https://training.example.org/password/reset/" in body and "evil.example" not in body
