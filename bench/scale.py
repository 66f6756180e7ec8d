"""Costs that must not grow with the installation: the same pages measured on PostgreSQL at 1,000
learners and at 100,000 (`python -m bench scale --large 20000` for a quicker try).

Each size gets its own database on a throw-away PostgreSQL server, migrated, with the courses in
courses/ published and an installation generated in bulk by INSERT … SELECT: learners in cohorts
of 100, each cohort with five assignments and a trainer, enrolments, module progress, quiz
attempts with answers and results, scenario runs and certificates. One extra cohort of 2,000
learners (the same at both sizes) is the one whose pages are measured.

For each page: the SQL statements one request sends, the median time of several requests (Flask
test client, in process), and EXPLAIN of each statement it sent, with the same parameters, to find
sequential scans of tables that grow with the number of learners.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.apps import ROOT, bench_app

SMALL = 1_000
LARGE = 100_000
COHORT = 2_000  # the measured cohort, at every size
PER_COHORT = 100
COHORTS_PER_TRAINER = 5
ASSIGNMENTS = 5  # per generated cohort; the measured cohort has 15
REQUESTS = 5
PASSWORD = "bench-scale-password"
TRAINER = ("trainer@example.org", "demo-trainer-meadow-compass")
ADMIN = ("admin@example.org", "demo-admin-lantern-harbour")
LESSON = ("core", "what-it-is")
QUIZ = ("core", "check-foundations")
# A table with at least this many rows at the large size is "large": a sequential scan of it on a
# page is reported.
LARGE_TABLE_ROWS = 5_000


@dataclass
class Page:
    label: str
    who: str  # learner, trainer, admin or nobody
    url: str
    method: str = "GET"
    data: Callable[[Any], dict[str, str]] | None = None  # form to post, built with the client
    repeats: int = REQUESTS


@dataclass
class Measure:
    statements: int
    median: float
    first: float
    captured: list[tuple[str, Any]] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------
# Generating an installation


def _catalogue() -> tuple[list[dict], list[dict], list[dict]]:
    """The published courses, their modules (with what a run or attempt of each looks like), and
    the quiz answer sheets: four that pass and two that fail per quiz."""
    from trainer.services import catalogue, course_data

    courses, modules, sheets = [], [], []
    for k, (course, version) in enumerate(catalogue.latest_published()):
        ordered = sorted(version.modules, key=lambda m: m.position)
        courses.append({"k": k, "course_id": course.id, "number": version.number, "title": version.title,
                        "hours": version.certificate_hours, "months": version.certificate_valid_months,
                        "n": len(ordered)})
        for idx, module in enumerate(ordered, start=1):
            row = {"course_id": course.id, "slug": module.slug, "idx": idx, "kind": module.kind,
                   "start_node": None, "ending": None, "grade": None}
            if module.kind == "scenario":
                nodes = course_data.nodes(module.body)
                endings = [n for n in nodes if n.ending]
                row["start_node"] = module.body.get("start") or (nodes[0].id if nodes else "start")
                if endings:
                    best = next((n for n in endings if n.ending == "best"), endings[0])
                    row["ending"], row["grade"] = best.id, best.ending
            if module.kind == "quiz":
                questions = course_data.questions(module.body)
                for v in range(6):
                    passing = v < 4
                    results, answers = {}, {}
                    for i, q in enumerate(questions):
                        ok = passing or (i + v) % 3 == 0
                        results[q.id] = {"score": float(ok), "correct": ok, "feedback": []}
                        if q.options:
                            right = [o.id for o in q.options if getattr(o, "correct", False)] or [q.options[0].id]
                            wrong = [o.id for o in q.options if o.id not in right] or right
                            answers[q.id] = right[:1] if ok else [wrong[(i + v) % len(wrong)]]
                    score = sum(r["score"] for r in results.values()) / max(len(results), 1)
                    sheets.append({"course_id": course.id, "slug": module.slug, "v": v,
                                   "questions": json.dumps([q.id for q in questions]),
                                   "answers": json.dumps(answers), "results": json.dumps(results),
                                   "score": score, "passed": passing})
            modules.append(row)
    return courses, modules, sheets


def _targets(courses: list[dict], modules: list[dict]) -> list[tuple[int, str | None, bool]]:
    """What cohorts are assigned: whole courses and single quizzes. The measured cohort (the last
    flag) has five whole courses and ten quizzes of those courses, as in the cohort benchmark."""
    found: list[tuple[int, str | None]] = [(c["course_id"], None) for c in courses]
    found += [(m["course_id"], m["slug"]) for m in modules if m["kind"] == "quiz"]
    first = {c["course_id"] for c in courses[:5]}
    big = [t for t in found if t[0] in first and t[1] is None]
    big += [t for t in found if t[0] in first and t[1] is not None][:10]
    big += [t for t in found if t not in big][:15 - len(big)]
    return [(course, module, (course, module) in big) for course, module in found]


GENERATE = [
    # Learners: the first `learners` in cohorts of 100, then the measured cohort's 2,000.
    """INSERT INTO users (email, password_hash, name, organisation, sector, specialty, is_resident, timezone,
                          active, created_at, email_verified_at)
       SELECT 'learner-' || g || '@scale.example.org', :hash, 'Learner ' || g, 'Organisation ' || (g % 50),
              (ARRAY['health', 'police', 'counselling', 'community'])[1 + g % 4], NULL, false, 'UTC', true,
              :now - (g % 900) * interval '1 hour', :now
       FROM generate_series(1, :learners + :cohort) AS g""",
    # g numbers the learners; h, which decides what each has done, restarts at 1 in the measured
    # cohort, so that its members have done the same at every size.
    """CREATE TEMP TABLE scale_learners AS
       SELECT id, g, CASE WHEN g > :learners THEN g - :learners ELSE g END AS h
       FROM (SELECT id, substring(email FROM 'learner-([0-9]+)@')::int AS g FROM users
             WHERE email LIKE 'learner-%@scale.example.org') AS numbered""",
    "INSERT INTO user_roles (user_id, role, granted_at) SELECT id, 'learner', :now FROM scale_learners",
    """INSERT INTO users (email, password_hash, name, organisation, sector, is_resident, timezone, active,
                          created_at, email_verified_at)
       SELECT 'trainer-' || t || '@scale.example.org', :hash, 'Trainer ' || t, 'Organisation ' || (t % 50),
              'police', false, 'UTC', true, :now, :now
       FROM generate_series(0, :trainers - 1) AS t""",
    """CREATE TEMP TABLE scale_trainers AS
       SELECT id, substring(email FROM 'trainer-([0-9]+)@')::int AS t FROM users
       WHERE email LIKE 'trainer-%@scale.example.org'""",
    """INSERT INTO user_roles (user_id, role, granted_at)
       SELECT id, r, :now FROM scale_trainers, (VALUES ('learner'), ('trainer')) AS roles(r)""",
    # Cohorts: number 0 is the measured one. Their ids differ between the sizes (the app keeps an
    # item analysis per cohort id in the process, which measures both databases).
    "SELECT setval('cohorts_id_seq', :learners)",
    """INSERT INTO cohorts (name, organisation, archived, join_code, join_enabled, created_at, starts_on)
       SELECT CASE WHEN c = 0 THEN 'Whole workforce' ELSE 'Cohort ' || c END, 'Organisation ' || (c % 50),
              false, 'scale-' || c, false, :now, CAST(:now AS date) - 30
       FROM generate_series(0, :cohorts) AS c""",
    """CREATE TEMP TABLE scale_cohorts AS
       SELECT id, substring(join_code FROM 'scale-([0-9]+)')::int AS c FROM cohorts WHERE join_code LIKE 'scale-%'""",
    """INSERT INTO cohort_trainers (cohort_id, user_id, owner)
       SELECT c.id, t.id, true FROM scale_cohorts c JOIN scale_trainers t ON t.t = c.c % :trainers WHERE c.c > 0""",
    # The demo trainer owns the measured cohort and co-trains four others.
    """INSERT INTO cohort_trainers (cohort_id, user_id, owner)
       SELECT c.id, :trainer, c.c = 0 FROM scale_cohorts c WHERE c.c <= 4""",
    """INSERT INTO cohort_members (cohort_id, user_id, joined_at)
       SELECT c.id, l.id, :now - interval '20 days' FROM scale_learners l
       JOIN scale_cohorts c ON c.c = CASE WHEN l.g > :learners THEN 0 ELSE (l.g - 1) / :per_cohort + 1 END""",
    """INSERT INTO assignments (cohort_id, course_id, module, due_on, created_at)
       SELECT c.id, t.course_id, t.module, CAST(:now AS date) + ((c.c + t.k) % 60 - 30), :now
       FROM scale_cohorts c JOIN scale_targets t
         ON (c.c = 0 AND t.big) OR (c.c > 0 AND t.k IN (SELECT (c.c * :assignments + j) % :target_count
                                                           FROM generate_series(0, :assignments - 1) AS j))""",
    # Enrolments: three courses in ten at random-looking, and four in five of the courses the
    # learner's cohort is assigned; half of them completed.
    """INSERT INTO enrolments (user_id, course_id, enrolled_at, last_module, last_visited_at, completed_at,
                               completed_version)
       SELECT l.id, c.course_id, :now - interval '15 days', NULL, :now - (l.h % 72) * interval '1 hour',
              CASE WHEN (l.h * 11 + c.k * 3) % 10 < 5 THEN :now - (l.h % 200) * interval '1 day' END,
              CASE WHEN (l.h * 11 + c.k * 3) % 10 < 5 THEN c.number END
       FROM scale_learners l CROSS JOIN scale_courses c
       LEFT JOIN (SELECT DISTINCT m.user_id, a.course_id FROM cohort_members m
                  JOIN assignments a ON a.cohort_id = m.cohort_id) AS assigned
              ON assigned.user_id = l.id AND assigned.course_id = c.course_id
       WHERE (l.h * 7 + c.k * 13) % 10 < 3 OR (l.h * 3 + c.k) % 5 < 4 AND assigned.user_id IS NOT NULL""",
    # Module progress: every module of a completed course; otherwise the first few completed and
    # the next in progress.
    """CREATE TEMP TABLE scale_progress AS
       SELECT e.user_id, e.course_id, m.slug, m.idx, m.kind, l.h, c.number,
              e.completed_at IS NOT NULL OR m.idx <= (l.h + c.k) % (c.n + 1) AS done,
              CASE WHEN e.completed_at IS NOT NULL OR m.idx <= (l.h + c.k) % (c.n + 1)
                   THEN (l.h + m.idx) % 4 ELSE 4 + l.h % 2 END AS v
       FROM enrolments e JOIN scale_learners l ON l.id = e.user_id
       JOIN scale_courses c ON c.course_id = e.course_id JOIN scale_modules m ON m.course_id = e.course_id
       WHERE e.completed_at IS NOT NULL OR m.idx <= (l.h + c.k) % (c.n + 1) + 1""",
    """INSERT INTO module_progress (user_id, course_id, module, state, score, attempts, seconds_spent, position,
                                    percent, skipped, done_sections, started_at, completed_at, updated_at)
       SELECT p.user_id, p.course_id, p.slug, CASE WHEN p.done THEN 'completed' ELSE 'in-progress' END,
              s.score, CASE WHEN p.kind = 'quiz' THEN 1 + p.h % 2 ELSE 0 END, 240 + p.h % 600, NULL,
              CASE WHEN p.done THEN 100 ELSE 40 END, CAST('[]' AS json), CAST('[]' AS json),
              :now - interval '14 days', CASE WHEN p.done THEN :now - (p.h % 100) * interval '1 day' END,
              :now - (p.h % 100) * interval '1 day'
       FROM scale_progress p
       LEFT JOIN scale_sheets s ON s.course_id = p.course_id AND s.slug = p.slug AND s.v = p.v""",
    # Quiz attempts: one for each quiz reached, and a failed one before it for a learner in two.
    """INSERT INTO quiz_attempts (user_id, course_id, module, version_number, form_token, questions, answers,
                                  results, score, passed, submitted_at)
       SELECT p.user_id, p.course_id, p.slug, p.number, 'scale-' || p.user_id || '-' || p.course_id || '-'
              || p.slug || '-' || attempt.n, CAST(s.questions AS json), CAST(s.answers AS json),
              CAST(s.results AS json), s.score, s.passed, :now - (p.h % 100 + attempt.n) * interval '1 day'
       FROM scale_progress p CROSS JOIN (VALUES (0), (1)) AS attempt(n)
       JOIN scale_sheets s ON s.course_id = p.course_id AND s.slug = p.slug
            AND s.v = CASE WHEN attempt.n = 0 THEN p.v ELSE 4 + p.h % 2 END
       WHERE p.kind = 'quiz' AND (attempt.n = 0 OR p.h % 2 = 0)""",
    """INSERT INTO scenario_runs (user_id, course_id, module, version_number, current_node, path, ending, grade,
                                  started_at, finished_at)
       SELECT p.user_id, p.course_id, p.slug, p.number, CASE WHEN p.done THEN m.ending ELSE m.start_node END,
              CAST('[]' AS json), CASE WHEN p.done THEN m.ending END, CASE WHEN p.done THEN m.grade END,
              :now - interval '10 days', CASE WHEN p.done THEN :now - (p.h % 100) * interval '1 day' END
       FROM scale_progress p JOIN scale_modules m ON m.course_id = p.course_id AND m.slug = p.slug
       WHERE p.kind = 'scenario' AND m.start_node IS NOT NULL AND (NOT p.done OR m.ending IS NOT NULL)""",
    """INSERT INTO certificates (code, user_id, course_id, completion_key, version_number, name, course_title,
                                 sector, hours, credit, completed_on, expires_on, issued_at, revoked_reason,
                                 pdf_error)
       SELECT upper(substr(md5(e.id || '-' || random()), 1, 26)), e.user_id, e.course_id,
              e.user_id || ':' || e.course_id || ':' || e.completed_at, c.number, u.name, c.title, u.sector,
              c.hours, NULL, CAST(e.completed_at AS date),
              CASE WHEN c.months IS NOT NULL THEN CAST(e.completed_at AS date) + c.months * 30 END,
              e.completed_at, '', ''
       FROM enrolments e JOIN scale_learners l ON l.id = e.user_id JOIN users u ON u.id = e.user_id
       JOIN scale_courses c ON c.course_id = e.course_id
       WHERE e.completed_at IS NOT NULL""",
    # The audit log: trainers' exports and reminders, a few per learner over the year.
    """INSERT INTO audit_events (created_at, actor_id, actor, action, target, details)
       SELECT :now - (g % 365) * interval '1 day', t.id, 'user ' || t.id,
              (ARRAY['export-cohort-csv', 'send-reminders', 'add-assignment'])[1 + g % 3],
              'cohort ' || (g % :cohorts + 1), CAST('{}' AS json)
       FROM generate_series(1, (:learners + :cohort) * 2) AS g JOIN scale_trainers t ON t.t = g % :trainers""",
]


def _generate(app, learners: int, random_page_cost: float | None = None) -> dict[str, Any]:
    """Migrate, publish the courses and generate the installation; returns what the pages need.
    With `random_page_cost`, the database plans with that cost of a random page read (PostgreSQL's
    default is 4, for spinning disks; 1.1 is usual where the data are on SSD or in memory)."""
    from datetime import UTC, datetime

    import flask_migrate
    import sqlalchemy as sa

    from trainer.extensions import db
    from trainer.models import Certificate, User
    from trainer.services import demo, passwords, publishing

    with app.app_context():
        flask_migrate.upgrade()
        demo.seed_accounts()
        assert publishing.import_path(ROOT / "courses").ok
        db.session.commit()
        started = time.perf_counter()
        courses, modules, sheets = _catalogue()
        targets = _targets(courses, modules)
        conn = db.session.connection()
        conn.execute(sa.text("CREATE TEMP TABLE scale_courses (k int, course_id int, number int, title text, "
                             "hours float, months int, n int)"))
        conn.execute(sa.text("INSERT INTO scale_courses VALUES (:k, :course_id, :number, :title, :hours, :months, "
                             ":n)"), courses)
        conn.execute(sa.text("CREATE TEMP TABLE scale_modules (course_id int, slug text, idx int, kind text, "
                             "start_node text, ending text, grade text)"))
        conn.execute(sa.text("INSERT INTO scale_modules VALUES (:course_id, :slug, :idx, :kind, :start_node, "
                             ":ending, :grade)"), modules)
        conn.execute(sa.text("CREATE TEMP TABLE scale_sheets (course_id int, slug text, v int, questions text, "
                             "answers text, results text, score float, passed bool)"))
        conn.execute(sa.text("INSERT INTO scale_sheets VALUES (:course_id, :slug, :v, :questions, :answers, "
                             ":results, :score, :passed)"), sheets)
        conn.execute(sa.text("CREATE TEMP TABLE scale_targets (k int, course_id int, module text, big bool)"))
        conn.execute(sa.text("INSERT INTO scale_targets VALUES (:k, :course_id, :module, :big)"),
                     [{"k": k, "course_id": c, "module": m, "big": b} for k, (c, m, b) in enumerate(targets)])
        cohorts = max(learners // PER_COHORT, 1)
        trainer_id = db.session.scalar(sa.select(User.id).where(User.email == TRAINER[0]))
        params = {"hash": passwords.hash_password(PASSWORD), "now": datetime.now(UTC).replace(tzinfo=None),
                  "learners": learners, "cohort": COHORT, "cohorts": cohorts, "per_cohort": PER_COHORT,
                  "trainers": max(cohorts // COHORTS_PER_TRAINER, 1), "trainer": trainer_id,
                  "assignments": ASSIGNMENTS, "target_count": len(targets)}
        for statement in GENERATE:
            used = {name: value for name, value in params.items() if f":{name}" in statement}
            conn.execute(sa.text(statement), used)
            if statement.lstrip().startswith(("INSERT", "CREATE")):  # plans for the next step need figures
                conn.execute(sa.text("ANALYZE " + re.search(r"(?:INTO|TABLE) (\w+)", statement).group(1)))
        db.session.commit()
        with db.engine.connect() as analyse:
            analyse.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
            if random_page_cost is not None:
                analyse.exec_driver_sql(f"ALTER DATABASE {db.engine.url.database} "
                                        f"SET random_page_cost = {float(random_page_cost)}")
        db.engine.dispose()  # new connections take the database's settings
        took = time.perf_counter() - started
        counts = {table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) for table in
                  ("users", "cohorts", "cohort_members", "assignments", "enrolments", "module_progress",
                   "quiz_attempts", "scenario_runs", "certificates", "audit_events")}
        learner_email = f"learner-{learners + 1}@scale.example.org"
        learner_id = db.session.scalar(sa.select(User.id).where(User.email == learner_email))
        code = db.session.scalar(sa.select(Certificate.code).where(Certificate.user_id == learner_id)
                                 .order_by(Certificate.id).limit(1))
        cohort_id = db.session.scalar(sa.text("SELECT id FROM cohorts WHERE join_code = 'scale-0'"))
        db.session.remove()
    return {"seconds": took, "counts": counts, "learner": learner_email, "certificate": code,
            "cohort": cohort_id}


# ------------------------------------------------------------------------------------------------
# Measuring


@contextmanager
def _captured(engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement sent on the engine while the block runs, with its parameters."""
    import sqlalchemy as sa

    found: list[tuple[str, Any]] = []
    thread = threading.get_ident()

    def record(_connection, _cursor, statement, parameters, _context, executemany) -> None:
        if threading.get_ident() == thread:
            found.append((statement, None if executemany else parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _pages(info: dict[str, Any]) -> list[Page]:
    cohort = info["cohort"]

    def quiz_form(client) -> dict[str, str]:
        page = client.get(f"/courses/{QUIZ[0]}/{QUIZ[1]}").get_data(as_text=True)
        token = re.search(r'name="token" value="([^"]+)"', page)
        assert token, "the quiz page has no form token"
        return {"token": token.group(1), "unanswered": "submit"}

    return [
        Page("lesson page", "learner", f"/courses/{LESSON[0]}/{LESSON[1]}"),
        Page("quiz submission", "learner", f"/courses/{QUIZ[0]}/{QUIZ[1]}/quiz", "POST", quiz_form),
        Page("My learning", "learner", "/learning"),
        Page("data export", "learner", "/profile/data.json", "POST", lambda _client: {"download-password": PASSWORD}),
        Page("cohort dashboard", "trainer", f"/cohorts/{cohort}"),
        Page("cohort CSV", "trainer", f"/cohorts/{cohort}/export.csv"),
        Page("item analysis", "trainer", f"/cohorts/{cohort}/analysis"),
        Page("report (trainer)", "trainer", "/reports"),
        Page("report CSV (trainer)", "trainer", "/reports/report.csv"),
        Page("report (admin, all)", "admin", "/reports", repeats=1),
        Page("certificate verify", "nobody", f"/verify/{info['certificate']}"),
    ]


def _send(app, client, page: Page) -> float:
    """One request (a form to post is fetched first, untimed); returns its time in seconds."""
    with app.app_context():
        form = page.data(client) if page.data else {}
    started = time.perf_counter()
    status = (client.post(page.url, data=form) if page.method == "POST" else client.get(page.url)).status_code
    took = time.perf_counter() - started
    assert status in (200, 302), f"{page.label}: {page.url} answered {status}"
    return took


def _capture(app, client, page: Page) -> Measure:
    """The first request (it fills what the app keeps between requests: the analysis, rendered
    fragments), then one more whose statements are recorded."""
    from trainer.extensions import db

    first = _send(app, client, page)
    with app.app_context():
        form = page.data(client) if page.data else {}
    with app.app_context(), _captured(db.engine) as captured:
        status = (client.post(page.url, data=form) if page.method == "POST" else client.get(page.url)).status_code
    assert status in (200, 302), f"{page.label}: {page.url} answered {status}"
    return Measure(len(captured), 0.0, first, captured)


def _explain(app, captured: list[tuple[str, Any]], large: set[str]) -> list[tuple[str, str, str]]:
    """(table, plan line, statement) for each sequential scan of a large table in the plans."""
    from trainer.extensions import db

    found = []
    with app.app_context(), db.engine.connect() as conn:
        for statement, parameters in captured:
            if parameters is None or not re.match(r"\s*(SELECT|UPDATE|DELETE|WITH)\b", statement, re.I):
                continue
            plan = [row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]
            for line in plan:
                scan = re.search(r"Seq Scan on (\w+)", line)
                if scan and scan.group(1) in large:
                    found.append((scan.group(1), line.strip(), " ".join(statement.split())))
        conn.rollback()
    return found


def _deletion(app, learners: int, large: set[str]) -> tuple[int, list[tuple[str, str, str]], list[str]]:
    """A learner erasing their account, rolled back: its statements, the sequential scans in their
    plans, and the time PostgreSQL spends in each foreign key's trigger when a user row goes (the
    cascades and SET NULLs, which no statement shows), from EXPLAIN ANALYZE."""
    import sqlalchemy as sa

    from trainer.extensions import db
    from trainer.models import User
    from trainer.services import privacy

    with app.app_context():
        first, second = (db.session.scalar(sa.select(User).where(User.email == f"learner-{learners + n}"
                                                                                "@scale.example.org"))
                         for n in (2, 3))
        with _captured(db.engine) as captured:
            privacy.delete_account(first, PASSWORD)
        scans = _explain(app, captured, large)
        plan = [row[0] for row in db.session.execute(
            sa.text("EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM users WHERE id = :id"), {"id": second.id})]
        db.session.rollback()
        db.session.remove()
    triggers = sorted((line for line in plan if line.startswith("Trigger")),
                      key=lambda line: -float(re.search(r"time=([\d.]+)", line).group(1)))
    return len(captured), scans, triggers[:4]


def _large_tables(app) -> set[str]:
    import sqlalchemy as sa

    from trainer.extensions import db

    with app.app_context():
        rows = db.session.execute(sa.text("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' "
                                          "AND relnamespace = 'public'::regnamespace")).all()
        db.session.remove()
    return {name for name, tuples in rows if tuples >= LARGE_TABLE_ROWS}


def _app(url: str):
    # No mail or jobs worker in the process: only the request's own statements count.
    return bench_app("scale", url, LOG_LEVEL="WARNING", JOBS_EMBEDDED_WORKER=False,
                     MAIL_OUTBOX=tempfile.mkdtemp(prefix="trainer-bench-scale-mail-"))


def _clients(app, info: dict[str, Any]) -> dict[str, Any]:
    clients = {}
    for who, (email, password) in {"learner": (info["learner"], PASSWORD), "trainer": TRAINER,
                                   "admin": ADMIN}.items():
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, f"{who} could not sign in"
        clients[who] = client
    clients["nobody"] = app.test_client()
    return clients


def run(argv: list[str] | None = None) -> dict[str, Any]:
    os.environ.setdefault("TRAINER_ENV", "development")
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument("--small", type=int, default=int(os.environ.get("BENCH_SCALE_SMALL", SMALL)))
    parser.add_argument("--large", type=int, default=int(os.environ.get("BENCH_SCALE_LARGE", LARGE)))
    parser.add_argument("--random-page-cost", type=float, default=None,
                        help="plan with this cost of a random page read (PostgreSQL's default: 4)")
    options = parser.parse_args(argv or [])
    sizes = (options.small, options.large)

    from tests.support.postgres import temporary_postgres

    results: dict[int, dict[str, Measure]] = {size: {} for size in sizes}
    scans: dict[int, list[tuple[str, str, str, str]]] = {size: [] for size in sizes}
    with temporary_postgres(tuple(f"scale_{size}" for size in sizes)) as urls:
        apps, clients, pages, large = {}, {}, {}, {}
        for size in sizes:
            apps[size] = _app(urls[f"scale_{size}"])
            info = _generate(apps[size], size, options.random_page_cost)
            counts = ", ".join(f"{table} {n:,}" for table, n in info["counts"].items())
            print(f"{size:,} learners (+{COHORT:,} in the measured cohort) generated in {info['seconds']:.1f} s: "
                  f"{counts}", flush=True)
            clients[size], pages[size] = _clients(apps[size], info), _pages(info)
            large[size] = _large_tables(apps[size])
        # Each page at one size then the other, in turn, so a busy machine slows both alike.
        for index, page in enumerate(pages[sizes[0]]):
            for size in sizes:
                mine = pages[size][index]
                measured = results[size][page.label] = _capture(apps[size], clients[size][mine.who], mine)
                scans[size] += [(page.label, *scan) for scan in _explain(apps[size], measured.captured, large[size])]
            times: dict[int, list[float]] = {size: [] for size in sizes}
            for _ in range(page.repeats):
                for size in sizes:
                    mine = pages[size][index]
                    times[size].append(_send(apps[size], clients[size][mine.who], mine))
            for size in sizes:
                results[size][page.label].median = statistics.median(times[size])
            print("  " + f"{page.label:<22}" + "   ".join(
                f"{size:,}: {results[size][page.label].statements:>4} statements "
                f"{results[size][page.label].median * 1000:>8.1f} ms" for size in sizes), flush=True)
        deletions = {}
        for size in sizes:
            deletions[size] = _deletion(apps[size], size, large[size])
            scans[size] += [("account deletion", *scan) for scan in deletions[size][1]]
            print(f"  account deletion at {size:,}: {deletions[size][0]} statements; the slowest foreign key "
                  "triggers when its user row goes:\n    " + "\n    ".join(deletions[size][2]), flush=True)
    small, big = sizes
    print(f"\nScale, PostgreSQL, Flask test client in process; median of {REQUESTS} requests after a first "
          "(one for the administrator's report), the two sizes in turn")
    print(f"{'page':<22} {'statements':>17} {'ms at ' + format(small, ','):>14} {'ms at ' + format(big, ','):>14} "
          f"{'ratio':>6}")
    for label, measured in results[small].items():
        other = results[big][label]
        print(f"{label:<22} {measured.statements:>7} -> {other.statements:<7} {measured.median * 1000:>14.1f} "
              f"{other.median * 1000:>14.1f} {other.median / measured.median:>6.2f}")
    for size in sizes:
        grouped: dict[tuple[str, str], tuple[list[str], str, str]] = {}
        for label, table, line, statement in scans[size]:
            shape = re.sub(r"%\(\w+\)s(::\w+)?", "?", statement)
            pages, _, _ = grouped.setdefault((table, shape[:200]), ([], line, shape))
            if label not in pages:
                pages.append(label)
        print(f"\nSequential scans of large tables (>= {LARGE_TABLE_ROWS:,} rows) at {size:,} learners: "
              f"{len(grouped) or 'none'}")
        for (table, _), (pages, line, shape) in grouped.items():
            print(f"  {table} on {', '.join(pages)}\n    {line}\n    {shape[:700]}")
    return {"results": results, "scans": scans}
