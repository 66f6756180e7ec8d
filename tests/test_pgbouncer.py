"""The app behind PgBouncer in transaction mode, the pooler large installations put in front of
PostgreSQL (docs/deploy.md). Debian's PgBouncer (1.18) does not track prepared statements, so
psycopg's own (made after a statement's fifth use on a connection) collide between the clients
that share a server connection; with DATABASE_PREPARED_STATEMENTS=0 the app makes none, and a
signed-in learner's pages work through the pooler.

Marked slow: it starts its own PostgreSQL and PgBouncer."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import flask_migrate
import psycopg
import pytest

from tests.conftest import GOOD_COURSE, build_app, login
from tests.support.journeys import complete_example_course
from tests.support.postgres import temporary_postgres
from tests.support.waiting import free_port, wait_for
from trainer.extensions import db

pytestmark = pytest.mark.slow

LEARNER = SimpleNamespace(email="pooled@example.org", password="harbour-lantern-violet-42")


@pytest.fixture(scope="module")
def pooler(request):
    """(URL of the database through PgBouncer, URL straight to PostgreSQL)."""
    if not request.config.getoption("--postgres"):
        pytest.skip("PgBouncer sits in front of PostgreSQL; run with --postgres")
    binary = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None)
    if binary is None:
        pytest.fail("pgbouncer is missing: `make test` installs Debian's pgbouncer")
    with temporary_postgres(("pooled",)) as urls:
        direct = urls["pooled"]
        socket_dir = direct.split("host=")[1].split("&")[0]
        server_port = direct.split("port=")[1]
        folder = Path(tempfile.mkdtemp(prefix="trainer-pgbouncer-"))
        port = free_port()
        (folder / "users.txt").write_text('"postgres" ""\n')
        (folder / "pgbouncer.ini").write_text(
            f"[databases]\npooled = host={socket_dir} port={server_port} dbname=pooled user=postgres\n\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {folder}/users.txt\npool_mode = transaction\n"
            # One server connection: every client's transactions share it, as on a busy site.
            "default_pool_size = 1\nmax_client_conn = 50\n"
            f"logfile = {folder}/pgbouncer.log\n")
        command = [binary, str(folder / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            postgres = pwd.getpwnam("postgres")
            for path in (folder, *folder.iterdir()):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
            command = ["runuser", "-u", "postgres", "--", *command]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pooled = f"postgresql+psycopg://postgres@127.0.0.1:{port}/pooled"
        try:
            assert wait_for(lambda: _answers(pooled)), (folder / "pgbouncer.log").read_text()
            yield pooled, direct
        finally:
            process.terminate()
            process.wait(timeout=30)
            shutil.rmtree(folder, ignore_errors=True)


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(_plain(url), connect_timeout=2) as connection:
            connection.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


def _six_times(connection: psycopg.Connection) -> None:
    for _ in range(6):  # prepared from the sixth use on, with psycopg's default threshold
        connection.execute("SELECT count(*) FROM pg_class WHERE relname = %s", ("users",))
        connection.commit()


def test_psycopgs_own_prepared_statements_collide_behind_pgbouncer_and_none_do_without(pooler):
    pooled, _ = pooler
    with psycopg.connect(_plain(pooled)) as first, psycopg.connect(_plain(pooled)) as second:
        _six_times(first)
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement):
            _six_times(second)  # its first prepared statement has the name the first one's has
    with psycopg.connect(_plain(pooled), prepare_threshold=None) as first, \
            psycopg.connect(_plain(pooled), prepare_threshold=None) as second:
        _six_times(first)
        _six_times(second)


def test_the_app_works_through_pgbouncer_without_prepared_statements(pooler):
    from trainer.services import accounts, publishing

    pooled, direct = pooler
    # No embedded workers: their threads would outlive the servers this module stops.
    with build_app(direct, JOBS_EMBEDDED_WORKER=False).app_context():
        flask_migrate.upgrade()
        assert publishing.import_path(GOOD_COURSE).ok
        accounts.register(LEARNER.email, LEARNER.password, accounts.Profile(
            name="Pooled Learner", organisation="", sector="health", specialty=None, is_resident=False,
            locale=None, timezone="UTC"), verified=True)
        db.session.commit()
    app = build_app(pooled, DATABASE_PREPARED_STATEMENTS=False, JOBS_EMBEDDED_WORKER=False)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"prepare_threshold": None}
    with app.app_context(), db.engine.connect() as connection:
        assert connection.connection.driver_connection.prepare_threshold is None
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        assert login(client, LEARNER).status_code == 302
    complete_example_course(clients[0])
    for _ in range(4):  # every statement of these pages well past psycopg's threshold, on both
        for client in clients:
            assert client.get("/learning").status_code == 200
            assert client.get("/courses/core").status_code == 200
