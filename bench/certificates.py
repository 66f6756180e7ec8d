"""Certificate PDFs: median time to render one, and to serve a stored one, over 20 each."""
from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime

from bench.apps import bench_app, migrated

RUNS = 20


def run() -> list[dict]:
    app = bench_app("cert", JOBS_EMBEDDED_WORKER=False)  # the zip is made here, not by a worker
    migrated(app, curriculum=False)
    from trainer.extensions import db
    from trainer.models import Certificate, Course, User
    from trainer.services import certificates

    with app.app_context():
        resident = db.session.scalar(db.select(User.id).where(User.email == "resident@example.org"))
        course = Course(slug="bench")
        db.session.add(course)
        db.session.flush()
        certificate = Certificate(code=certificates.new_code(), user_id=resident, course_id=course.id,
                                  completion_key="b", version_number=1, name="Nguyễn Thị Minh Khai",
                                  course_title="The shared core", sector="health", hours=2,
                                  completed_on=date.today(), expires_on=None, issued_at=datetime.now(UTC))
        db.session.add(certificate)
        db.session.commit()
        with app.test_request_context():
            render = []
            for _ in range(RUNS + 1):
                started = time.perf_counter()
                data = certificates.render_pdf(certificate)
                render.append(time.perf_counter() - started)
        certificate.pdf = data
        db.session.commit()
        cert_id = certificate.id
    client = app.test_client()
    client.post("/login", data={"email": "resident@example.org", "password": "demo-resident-violet-kettle"})
    serve = []
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        assert client.get(f"/certificates/{cert_id}.pdf").status_code == 200
        serve.append(time.perf_counter() - started)
    result = {"render_ms": statistics.median(render[1:]) * 1000, "serve_ms": statistics.median(serve[1:]) * 1000,
              "bytes": len(data), "zip_s": _zip_of(app, 200)}
    print(f"Certificate PDF: render {result['render_ms']:.0f} ms, serve stored {result['serve_ms']:.1f} ms "
          f"(median of {RUNS}; {result['bytes'] // 1024} KB with the embedded font); "
          f"a cohort's zip of 200 certificates, none rendered before: {result['zip_s']:.1f} s")
    return [result]


def _zip_of(app, count: int) -> float:
    """Time to make a cohort's zip when none of its certificates has a PDF yet."""
    from trainer.extensions import db
    from trainer.models import Assignment, Certificate, Cohort, CohortMember, CohortTrainer, Course, User
    from trainer.services import certificates

    with app.app_context():
        trainer = db.session.scalar(db.select(User).where(User.email == "trainer@example.org"))
        course = db.session.scalar(db.select(Course))
        cohort = Cohort(name="zip", join_code="zip-bench", trainers=[CohortTrainer(user_id=trainer.id, owner=True)])
        db.session.add(cohort)
        db.session.flush()
        db.session.add(Assignment(cohort_id=cohort.id, course_id=course.id, due_on=date.today()))
        for i in range(count):
            user = User(email=f"zip{i}@example.org", password_hash="x", name=f"Zoë Łukasiewicz {i}", organisation="",
                        sector="health", timezone="UTC")
            db.session.add(user)
            db.session.flush()
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id))
            db.session.add(Certificate(code=certificates.new_code(), user_id=user.id, course_id=course.id,
                                       completion_key=f"zip-{i}", version_number=1, name=user.name,
                                       course_title="The shared core", sector="health", hours=2,
                                       completed_on=date.today(), expires_on=None))
        db.session.commit()
        with app.test_request_context():
            started = time.perf_counter()
            certificates.cohort_zip(trainer, cohort)
            return time.perf_counter() - started
