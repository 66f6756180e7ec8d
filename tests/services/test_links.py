"""Links for mail and certificates come from PUBLIC_BASE_URL, never from the request."""
from trainer.services.links import public_url


def test_public_url_ignores_the_request_host(app):
    old = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = "https://training.example.org"
    try:
        with app.test_request_context("/", base_url="http://evil.example"):
            assert public_url("auth.login") == "https://training.example.org/login"
    finally:
        app.config["PUBLIC_BASE_URL"] = old


def test_public_url_outside_a_request_keeps_a_path_prefix(app):
    old = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = "https://example.org/trainer/"
    try:
        with app.app_context():
            assert public_url("auth.reset_password", token="abc") == "https://example.org/trainer/password/reset/abc"
    finally:
        app.config["PUBLIC_BASE_URL"] = old
