"""Certificate PDFs: median time to render one, and to serve a stored one, over 20 each."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import date, datetime, timezone

RUNS = 20


def run() -> list[dict]:
    os.environ.setdefault("TRAINER_ENV", "development")
    import flask_migrate

    from trainer import create_app
    from trainer.extensions import db
    from trainer.models import Certificate, Course
    from trainer.services import certificates, demo

    folder = tempfile.mkdtemp(prefix="trainer-bench-cert-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade()
        demo.seed_accounts()
        course = Course(slug="bench")
        db.session.add(course)
        db.session.flush()
        certificate = Certificate(code=certificates.new_code(), user_id=3, course_id=course.id, completion_key="b",
                                  version_number=1, name="Nguyễn Thị Minh Khai", course_title="The shared core",
                                  sector="health", hours=2, completed_on=date.today(), expires_on=None,
                                  issued_at=datetime.now(timezone.utc))
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
              "bytes": len(data)}
    print(f"Certificate PDF: render {result['render_ms']:.0f} ms, serve stored {result['serve_ms']:.1f} ms "
          f"(median of {RUNS}; {result['bytes'] // 1024} KB with the embedded font)")
    return [result]
