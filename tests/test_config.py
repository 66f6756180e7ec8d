"""Settings that follow from others: the trusted host names and the cookie names."""
from __future__ import annotations

import pytest

from trainer.config import settle, trusted_hosts

SITE = "https://training.example.org"


@pytest.mark.parametrize("listed, local, expected", [
    (None, False, ["training.example.org"]),
    ("", False, ["training.example.org"]),
    (None, True, ["training.example.org", "127.0.0.1", "localhost"]),
    ("Training.Example.org, www.example.org,", False, ["training.example.org", "www.example.org"]),
    ("a.example, 127.0.0.1", True, ["a.example", "127.0.0.1", "localhost"]),
])
def test_trusted_hosts(listed, local, expected):
    assert trusted_hosts(listed, SITE, local) == expected


def _settled(monkeypatch, env=None, **config):
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    if env is not None:
        monkeypatch.setenv("TRUSTED_HOSTS", env)
    config = {"ENV": "production", "PUBLIC_BASE_URL": SITE, "TRUSTED_HOSTS": None,
              "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True, **config}
    settle(config)
    return config


def test_production_trusts_the_public_host_only(monkeypatch):
    assert _settled(monkeypatch)["TRUSTED_HOSTS"] == ["training.example.org"]


def test_the_environment_variable_names_the_hosts(monkeypatch):
    assert _settled(monkeypatch, env="a.example,b.example")["TRUSTED_HOSTS"] == ["a.example", "b.example"]


def test_development_also_answers_on_loopback(monkeypatch):
    assert _settled(monkeypatch, ENV="development")["TRUSTED_HOSTS"][1:] == ["127.0.0.1", "localhost"]


def test_secure_cookies_get_the_host_prefix(monkeypatch):
    config = _settled(monkeypatch)
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert config["REMEMBER_COOKIE_NAME"] == "__Host-remember_token"
    assert config["SESSION_COOKIE_PATH"] == "/" and config["SESSION_COOKIE_DOMAIN"] is None


def test_plain_http_keeps_the_plain_cookie_names(monkeypatch):
    config = _settled(monkeypatch, SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    assert config["SESSION_COOKIE_NAME"] == "session" and config["REMEMBER_COOKIE_NAME"] == "remember_token"
