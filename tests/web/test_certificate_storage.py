"""Certificate PDFs in S3-compatible object storage, against a real S3 endpoint on a loopback
port: kept there and not in the database, served from there, deleted when the name is corrected,
the PDF re-issued or the account erased; a store that is down costs nothing but the keeping."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.support.journeys import complete_example_course
from tests.support.waiting import free_port
from trainer.extensions import db
from trainer.models import Certificate

BUCKET = "certificates-test"
PREFIX = "pdfs/"

boto3 = pytest.importorskip("boto3", reason="boto3 is in the dev extra")
moto_server = pytest.importorskip("moto.server", reason="moto[server] is in the dev extra")


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()  # returns once the server accepts connections
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(app, s3_endpoint, monkeypatch):
    """The app keeping PDFs in a fresh bucket; returns a client to look into it."""
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "eu-west-2"}.items():
        monkeypatch.setenv(name, value)
    for key, value in {"CERTIFICATE_STORAGE": "s3", "CERTIFICATE_S3_BUCKET": BUCKET,
                       "CERTIFICATE_S3_PREFIX": PREFIX, "CERTIFICATE_S3_ENDPOINT": s3_endpoint,
                       "CERTIFICATE_S3_REGION": "eu-west-2"}.items():
        monkeypatch.setitem(app.config, key, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2")
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    return client


@pytest.fixture
def graduate(client, make_user, published_course):
    user = make_user(name="Amina Farouk", sector="health")
    login(client, user)
    complete_example_course(client)
    return user


def _row(app) -> tuple[int, str | None, bool]:
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate))
        return certificate.id, certificate.pdf_key, certificate.pdf is not None


def _keys(s3) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def _admin(app, make_user):
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    return admin


def test_the_pdf_is_kept_in_the_bucket_not_the_database_and_served_from_there(app, client, s3, graduate,
                                                                                monkeypatch):
    from trainer.services import certificates

    certificate_id, _, _ = _row(app)
    first = client.get(f"/certificates/{certificate_id}.pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert _row(app) == (certificate_id, f"{PREFIX}certificate-{certificate_id}.pdf", False)
    stored = s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}certificate-{certificate_id}.pdf")
    assert stored["Body"].read() == first.data and stored["ContentType"] == "application/pdf"
    monkeypatch.setattr(certificates, "render_pdf", lambda c: (_ for _ in ()).throw(AssertionError("re-rendered")))
    assert client.get(f"/certificates/{certificate_id}.pdf").data == first.data


def test_a_pdf_kept_in_the_database_before_is_still_served(app, client, graduate, s3_endpoint, monkeypatch):
    certificate_id, _, _ = _row(app)
    before = client.get(f"/certificates/{certificate_id}.pdf").data  # the database store, the default
    assert _row(app)[2] is True
    monkeypatch.setitem(app.config, "CERTIFICATE_STORAGE", "s3")
    monkeypatch.setitem(app.config, "CERTIFICATE_S3_BUCKET", BUCKET)
    monkeypatch.setitem(app.config, "CERTIFICATE_S3_ENDPOINT", s3_endpoint)
    assert client.get(f"/certificates/{certificate_id}.pdf").data == before


def test_a_corrected_name_and_a_reissue_delete_the_object(app, client, s3, graduate, make_user):
    certificate_id, _, _ = _row(app)
    client.get(f"/certificates/{certificate_id}.pdf")
    admin = _admin(app, make_user)
    assert admin.post(f"/admin/certificates/{certificate_id}/name", data={"name": "Amina F."}).status_code == 302
    assert _keys(s3) == [] and _row(app) == (certificate_id, None, False)
    client.get(f"/certificates/{certificate_id}.pdf")
    assert _keys(s3) == [f"{PREFIX}certificate-{certificate_id}.pdf"]
    assert admin.post(f"/admin/certificates/{certificate_id}/reissue").status_code == 302
    assert _keys(s3) == []


def test_erasing_the_account_deletes_the_object(app, client, s3, graduate):
    certificate_id, _, _ = _row(app)
    client.get(f"/certificates/{certificate_id}.pdf")
    assert _keys(s3)
    assert client.post("/profile/delete", data={"password": graduate.password}).status_code == 302
    assert _keys(s3) == [] and _row(app) == (certificate_id, None, False)


def test_a_store_that_is_down_still_gives_the_pdf_and_refuses_a_deletion_changing_nothing(
        app, client, s3, graduate, make_user, monkeypatch):
    certificate_id, _, _ = _row(app)
    monkeypatch.setitem(app.config, "CERTIFICATE_S3_ENDPOINT", f"http://127.0.0.1:{free_port()}")  # nobody there
    down = client.get(f"/certificates/{certificate_id}.pdf")
    assert down.status_code == 200 and down.data.startswith(b"%PDF")
    assert _row(app) == (certificate_id, None, False)  # not kept: made again next time
    admin = _admin(app, make_user)
    refused = admin.post(f"/admin/certificates/{certificate_id}/name", data={"name": "Someone Else"})
    assert refused.status_code == 400 and "cannot be reached just now" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Certificate, certificate_id).name == "Amina Farouk"
    erase = client.post("/profile/delete", data={"password": graduate.password})
    assert erase.status_code == 400 and "cannot be reached just now" in erase.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Certificate, certificate_id).user_id == graduate.id


def test_an_object_gone_from_the_bucket_is_made_again(app, client, s3, graduate):
    certificate_id, _, _ = _row(app)
    client.get(f"/certificates/{certificate_id}.pdf")
    s3.delete_object(Bucket=BUCKET, Key=f"{PREFIX}certificate-{certificate_id}.pdf")
    again = client.get(f"/certificates/{certificate_id}.pdf")
    assert again.status_code == 200 and again.data.startswith(b"%PDF") and _keys(s3)


def test_settings_that_cannot_work_are_refused_at_start():
    from trainer.config import settle

    base = {"PUBLIC_BASE_URL": "http://127.0.0.1:5000", "ENV": "testing", "TRUSTED_HOSTS": []}
    with pytest.raises(ValueError, match="'database' or 's3'"):
        settle({**base, "CERTIFICATE_STORAGE": "ftp"})
    with pytest.raises(ValueError, match="needs CERTIFICATE_S3_BUCKET"):
        settle({**base, "CERTIFICATE_STORAGE": "s3", "CERTIFICATE_S3_BUCKET": ""})
