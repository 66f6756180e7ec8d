"""A throw-away PostgreSQL server for the test suite, from the system's PostgreSQL binaries.

It listens on a Unix socket only, in a temporary folder, with durability switched off for speed;
it is stopped and deleted when the tests end.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator


def find_bindir() -> str:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for path in reversed(candidates):
        if os.path.exists(os.path.join(path, "initdb")):
            return path
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(found)
    raise RuntimeError("PostgreSQL server binaries not found; install Debian's 'postgresql' package")


def _runner() -> list[str]:
    """PostgreSQL refuses to run as root: run it as the 'postgres' system user then."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def _run(args: list[str]) -> None:
    subprocess.run(_runner() + args, check=True, capture_output=True, text=True)


@contextlib.contextmanager
def temporary_postgres(dbnames: tuple[str, ...] = ("trainer_test",)) -> Iterator[dict[str, str]]:
    """Start a server; yield {dbname: SQLAlchemy URL}; stop and delete it afterwards."""
    bindir = find_bindir()
    folder = tempfile.mkdtemp(prefix="trainer-pg-")
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    data = os.path.join(folder, "data")
    port = str(random.randint(20000, 40000))
    try:
        _run([f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync",
              "-E", "UTF8", "--locale=C"])
        options = (f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        _run([f"{bindir}/pg_ctl", "-D", data, "-o", options, "-l", os.path.join(folder, "log"),
              "-w", "start"])
        urls = {}
        for name in dbnames:
            _run([f"{bindir}/createdb", "-h", folder, "-p", port, "-U", "postgres", name])
            urls[name] = f"postgresql+psycopg://postgres@/{name}?host={folder}&port={port}"
        yield urls
    finally:
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(_runner() + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                           capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
