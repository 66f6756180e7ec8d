"""A generated cohort of 2,000 learners with 15 assignments: the trainer's dashboard, its CSV
export and the item analysis. SQL statements per request at 50 and at 2,000 learners (they must
not grow), and the median time per request over several requests."""
from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from bench.apps import bench_app, migrated

REQUESTS = 7


def _populate(app, learners: int, cohort_name: str) -> int:
    """A cohort with `learners` members, 15 assignments and plausible progress; returns its id."""
    import sqlalchemy as sa

    from trainer.extensions import db
    from trainer.models import (
        Assignment,
        Cohort,
        CohortMember,
        CohortTrainer,
        Enrolment,
        ModuleProgress,
        QuizAttempt,
        User,
        UserRole,
    )
    from trainer.services import catalogue, course_data, passwords

    rng = random.Random(learners)
    now = datetime.now(UTC)
    with app.app_context():
        trainer = db.session.scalar(sa.select(User).where(User.email == "trainer@example.org"))
        cohort = Cohort(name=cohort_name, join_code=f"bench-{learners}",
                        trainers=[CohortTrainer(user_id=trainer.id, owner=True)])
        db.session.add(cohort)
        db.session.flush()
        pairs = [(c, v) for c, v in catalogue.latest_published()]
        targets = [(c, v, None) for c, v in pairs][:5]
        for c, v in pairs:
            targets += [(c, v, m) for m in v.modules if m.kind == "quiz"]
        targets = targets[:15]
        for i, (course, _, module) in enumerate(targets):
            db.session.add(Assignment(cohort_id=cohort.id, course_id=course.id, module=module.slug if module else None,
                                      due_on=date.today() + timedelta(days=i - 5)))
        hashed = passwords.hash_password("bench-password-not-used")
        users = [{"email": f"{cohort_name}-{i}@example.org", "password_hash": hashed, "name": f"Learner {i}",
                  "organisation": "", "sector": "police", "timezone": "UTC", "active": True, "is_resident": False,
                  "created_at": now} for i in range(learners)]
        ids = [row.id for row in db.session.execute(sa.insert(User).returning(User.id), users)]
        db.session.execute(sa.insert(UserRole), [{"user_id": i, "role": "learner", "granted_at": now} for i in ids])
        # Members as if each had accepted an invitation (the only way in besides a join link).
        db.session.execute(sa.insert(CohortMember), [{"cohort_id": cohort.id, "user_id": i, "joined_at": now}
                                                     for i in ids])
        enrol, progress, attempts = [], [], []
        for uid in ids:
            for course, version, module in targets:
                if rng.random() < 0.7:
                    enrol.append({"user_id": uid, "course_id": course.id, "enrolled_at": now,
                                  "completed_at": now if rng.random() < 0.4 else None})
                if module is not None and rng.random() < 0.6:
                    questions = course_data.questions(module.body)
                    results = {q.id: {"score": float(ok), "correct": ok, "feedback": []}
                               for q in questions for ok in [rng.random() < 0.7]}
                    answers = {q.id: [rng.choice(q.options).id] for q in questions if q.options}
                    score = sum(r["score"] for r in results.values()) / max(len(results), 1)
                    attempts.append({"user_id": uid, "course_id": course.id, "module": module.slug,
                                     "version_number": version.number, "form_token": f"b{uid}-{module.id}",
                                     "answers": answers, "results": results, "score": score,
                                     "passed": score >= 0.8, "submitted_at": now})
                    progress.append({"user_id": uid, "course_id": course.id, "module": module.slug,
                                     "state": "completed" if score >= 0.8 else "in-progress", "score": score,
                                     "attempts": 1, "seconds_spent": 300, "skipped": [], "done_sections": [],
                                     "started_at": now, "updated_at": now,
                                     "completed_at": now if score >= 0.8 else None})
        enrol = list({(e["user_id"], e["course_id"]): e for e in enrol}.values())
        progress = list({(p["user_id"], p["course_id"], p["module"]): p for p in progress}.values())
        for table, rows in ((Enrolment, enrol), (ModuleProgress, progress), (QuizAttempt, attempts)):
            if rows:
                db.session.execute(sa.insert(table), rows)
        db.session.commit()
        return cohort.id


def _measure(app, client, url: str) -> tuple[int, float]:
    from tests.support.statements import recorded_statements
    from trainer.extensions import db

    with app.app_context(), recorded_statements(db.engine) as statements:
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        first = time.perf_counter() - started
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append(time.perf_counter() - started)
    return len(statements), statistics.median(times), first


def run() -> list[dict]:
    app = bench_app("cohorts")
    migrated(app)
    sizes = {50: _populate(app, 50, "small"), 2000: _populate(app, 2000, "large")}
    client = app.test_client()
    client.post("/login", data={"email": "trainer@example.org", "password": "demo-trainer-meadow-compass"})
    print(f"Cohort pages, SQLite, in process; median of {REQUESTS} requests after the first "
          "(the analysis is recomputed only when its data change)")
    results = []
    for label, suffix in (("dashboard", ""), ("CSV export", "/export.csv"), ("analysis", "/analysis")):
        row = {"label": label}
        for size, cohort_id in sizes.items():
            row[size] = _measure(app, client, f"/cohorts/{cohort_id}{suffix}")
        print(f"{label:<12} 50 learners: {row[50][0]:>3} queries {row[50][1] * 1000:>7.1f} ms   "
              f"2,000 learners: {row[2000][0]:>3} queries {row[2000][1] * 1000:>7.1f} ms "
              f"(first request {row[2000][2] * 1000:.0f} ms)", flush=True)
        results.append(row)
    return results
