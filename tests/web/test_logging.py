"""Logging: a request id on every line and in every answer, JSON lines on request, and no
personal data (addresses, names, typed text) in any record."""
from __future__ import annotations

import io
import json
import logging
import re
import smtplib
from types import SimpleNamespace

import pytest

from tests.conftest import PASSWORD, build_app, login, mailed_path
from tests.support.smtp import RefusingSMTP
from trainer import logging_setup
from trainer.services import mail

NAMES = ("Zoë Łukasiewicz", "Łukasiewicz", "Ana Ortiz", "Chen Li", "Tamsin Trainer", "Harbour Street Team",
         "City Hospital")
NEW_PASSWORD = "a-brand-new-lantern-path"
# A mail's Message-ID (`<digits.digits@host>`) names this machine, not a person: it may be logged.
MESSAGE_ID = re.compile(r"<[\d.]+@[^>\s]+>")


def _everything_logged(records) -> list[str]:
    """Each record as it would be written, with its arguments, extra fields and traceback."""
    plain, as_json = logging_setup.PlainFormatter(), logging_setup.JsonFormatter()
    return [text for record in records for text in (plain.format(record), as_json.format(record))]


def test_no_address_name_or_typed_text_in_the_logs(app, client, make_user, outbox, monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    # Register, confirm the address, sign in and out.
    client.post("/register", data=dict(name="Zoë Łukasiewicz", email="zoe@example.org", password=PASSWORD,
                                       confirm=PASSWORD, organisation="City Hospital", sector="health",
                                       locale="en", timezone="Europe/Amsterdam"))
    [confirm] = outbox()
    client.get(mailed_path(confirm, "/email/confirm/"))
    assert login(client, SimpleNamespace(email="zoe@example.org", password=PASSWORD)).status_code == 302
    client.post("/logout")
    # Failed sign-ins, with the address typed in upper case, until the limit for the account stops them.
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "2 per minute")
    for _ in range(3):
        tried = client.post("/login", data={"email": "ZOE@example.org", "password": "not-the-password"})
    assert tried.status_code == 429
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "1000 per minute")
    # Password reset by the mailed link.
    client.post("/password/forgot", data={"email": "zoe@example.org"})
    reset = outbox()[-1]
    client.post(mailed_path(reset, "/password/reset/"), data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    # A trainer uploads a list of learners; the invitations are mailed.
    trainer = make_user(roles=("trainer",), name="Tamsin Trainer", email="tamsin@example.org")
    trainer_client = app.test_client()
    login(trainer_client, trainer)
    created = trainer_client.post("/cohorts", data={"name": "Harbour Street Team", "organisation": "City Hospital"})
    cohort_id = int(created.headers["Location"].rsplit("/", 1)[1])
    roster = "name,email\nAna Ortiz,ana@example.org\nChen Li,chen@example.org\n"
    trainer_client.post(f"/cohorts/{cohort_id}/roster", data={"roster": (io.BytesIO(roster.encode()), "team.csv")})
    assert len(outbox()) == 4
    # The mail server refuses: at once (a roster) and in the background (a reset link).
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.invalid")
    monkeypatch.setattr(smtplib, "SMTP", RefusingSMTP)
    roster = "name,email\nLi Wei,li.wei@example.org\n"
    trainer_client.post(f"/cohorts/{cohort_id}/roster", data={"roster": (io.BytesIO(roster.encode()), "team.csv")})
    client.post("/password/forgot", data={"email": "zoe@example.org"})
    mail.wait_for_deliveries()

    messages = [r.getMessage() for r in caplog.records]
    assert any("registered" in m for m in messages) and any("reset its password" in m for m in messages)
    assert sum("failed, kept for retry: SMTPRecipientsRefused" in m for m in messages) == 2
    assert sum(m.startswith("mail <") and " written to " in m for m in messages) == 4
    for text in _everything_logged(caplog.records):
        assert "@" not in MESSAGE_ID.sub("", text), text
        for secret in (*NAMES, "Li Wei", PASSWORD, NEW_PASSWORD, "not-the-password"):
            assert secret not in text, (secret, text)


def test_every_answer_and_log_line_carries_the_request_id(client, caplog, capsys):
    caplog.set_level(logging.INFO)
    response = client.post("/register", data=dict(name="Rid Person", email="rid@example.org", password=PASSWORD,
                                                  confirm=PASSWORD, sector="health", locale="en",
                                                  timezone="Europe/Amsterdam"),
                           headers={"X-Request-ID": "nginx-4f2a_01"})
    mail.wait_for_deliveries()
    assert response.headers["X-Request-ID"] == "nginx-4f2a_01"
    mine = [r for r in caplog.records if r.name.startswith("trainer.")]
    assert mine and all(r.request_id == "nginx-4f2a_01" for r in mine)  # the mail sent afterwards too
    written = [line for line in capsys.readouterr().out.splitlines() if " trainer." in line]
    assert written and all("[nginx-4f2a_01]" in line for line in written)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO trainer\.\S+ \[nginx-4f2a_01\] .+", written[0])


@pytest.mark.parametrize("sent", [None, "", "has space", "semi;colon", "x" * 65, "ünï"])
def test_an_unsafe_or_missing_request_id_is_replaced(client, sent):
    headers = {} if sent is None else {"X-Request-ID": sent}
    first, second = client.get("/", headers=headers), client.get("/", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_error_answers_carry_the_request_id_too(client):
    assert client.get("/no-such-page", headers={"X-Request-ID": "x" * 64}).headers["X-Request-ID"] == "x" * 64


def test_json_lines_parse_with_the_fields(app, client, caplog, capsys, monkeypatch):
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h, logging_setup.StdoutHandler)]
    monkeypatch.setattr(handler, "formatter", logging_setup.JsonFormatter())
    caplog.set_level(logging.INFO)
    client.post("/register", data=dict(name="Jay Son", email="jay@example.org", password=PASSWORD, confirm=PASSWORD,
                                       sector="health", locale="en", timezone="Europe/Amsterdam"),
                headers={"X-Request-ID": "json-1"})
    mail.wait_for_deliveries()
    with app.test_request_context(headers={"X-Request-ID": "json-2"}):
        app.preprocess_request()
        logging.getLogger("trainer.test").warning("with %s", "fields", extra={"user_id": 7, "cohort_id": 3})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    registered = [e for e in lines if e["message"].endswith("registered")]
    assert registered and set(registered[0]) == {"time", "level", "logger", "message", "request_id"}
    assert registered[0]["request_id"] == "json-1" and registered[0]["level"] == "INFO"
    assert registered[0]["logger"] == "trainer.services.accounts"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", registered[0]["time"])
    [extra] = [e for e in lines if e["logger"] == "trainer.test"]
    assert extra["message"] == "with fields" and extra["request_id"] == "json-2"
    assert (extra["user_id"], extra["cohort_id"], extra["level"]) == (7, 3, "WARNING")


def test_logging_is_configured_once_per_process_and_checks_its_settings(app, database_urls):
    def ours():
        return [h for h in logging.getLogger().handlers if isinstance(h, logging_setup.StdoutHandler)]

    level, formatter = logging.getLogger().level, ours()[0].formatter
    assert len(ours()) == 1
    build_app(database_urls["unit"], LOG_FORMAT="json", LOG_LEVEL="DEBUG")
    assert ours() and len(ours()) == 1 and ours()[0].formatter is formatter and logging.getLogger().level == level
    assert logging_setup.settings("info", "JSON")["handlers"]["stdout"]["formatter"] == "json"
    assert logging_setup.settings("INFO", "plain")["root"]["level"] == "INFO"
    assert logging_setup.settings("DEBUG", "plain")["loggers"]["flask-limiter"]["level"] == "WARNING"
    assert logging_setup.settings("ERROR", "plain")["loggers"]["flask-limiter"]["level"] == "ERROR"
    with pytest.raises(RuntimeError, match="LOG_LEVEL"):
        logging_setup.settings("LOUD", "plain")
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        logging_setup.settings("INFO", "xml")


def test_an_unhandled_error_logs_the_route_not_the_path(database_urls, caplog):
    """Paths carry reset tokens, join codes and certificate codes; the log names the route."""
    app = build_app(database_urls["unit"])

    @app.get("/__boom/<token>")
    def boom(token):
        raise RuntimeError("broken")

    caplog.set_level(logging.INFO)
    response = app.test_client().get("/__boom/reset-token-4711", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "boom-1"
    [record] = [r for r in caplog.records if r.name == "trainer.errors"]
    assert record.getMessage() == "unhandled error on GET boom" and record.request_id == "boom-1"
    assert not any("reset-token-4711" in text for text in _everything_logged(caplog.records))
