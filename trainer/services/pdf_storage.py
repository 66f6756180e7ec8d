"""Where a certificate's PDF is kept once it is made.

The database is the default: the PDF sits in `certificates.pdf`, backed up with everything else,
and `make run` needs nothing more. An installation with many thousands of certificates can keep
them in S3-compatible object storage instead (`CERTIFICATE_STORAGE=s3`, see docs/deploy.md): the
row then records the object's key, and the database stays small.

Whichever store is set, a PDF already in the database is still served, so switching to object
storage needs no migration of old files. An object's key is fixed by the certificate's id, so
dropping it (a corrected name, a re-issue, an erased account) deletes the object even if the
transaction that recorded it never committed. A store that cannot be reached when a PDF is made
costs only the keeping: the PDF is sent, and made again on the next download.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from flask import current_app
from flask_babel import lazy_gettext as _l

from trainer.models import Certificate
from trainer.services.errors import InvalidInput

log = logging.getLogger(__name__)


class PdfStore(Protocol):
    def get(self, certificate: Certificate) -> bytes | None: ...

    def put(self, certificate: Certificate, data: bytes) -> None: ...

    def drop(self, certificate: Certificate) -> None: ...


class DatabaseStore:
    """In the certificate's own row."""

    def get(self, certificate: Certificate) -> bytes | None:
        return certificate.pdf or None

    def put(self, certificate: Certificate, data: bytes) -> None:
        certificate.pdf = data

    def drop(self, certificate: Certificate) -> None:
        certificate.pdf, certificate.pdf_key = None, None  # a key from a time with object storage


class ObjectStore:
    """In an S3-compatible bucket (AWS S3, MinIO, Ceph…), through boto3. Credentials come the
    usual boto3 ways (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role)."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def key(self, certificate: Certificate) -> str:
        return f"{self.prefix}certificate-{certificate.id}.pdf"

    def get(self, certificate: Certificate) -> bytes | None:
        if certificate.pdf:  # kept in the database before object storage was set
            return certificate.pdf
        if not certificate.pdf_key:
            return None
        try:
            body: bytes = self.client.get_object(Bucket=self.bucket, Key=certificate.pdf_key)["Body"].read()
        except Exception:  # noqa: BLE001 - a missing or unreachable object is made again
            log.warning("certificate %s: the stored PDF could not be read; it is made again", certificate.id,
                        exc_info=True)
            certificate.pdf_key = None
            return None
        return body

    def put(self, certificate: Certificate, data: bytes) -> None:
        key = self.key(certificate)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType="application/pdf")
        except Exception:  # noqa: BLE001 - the learner still gets the PDF; it is made again next time
            log.warning("certificate %s: the PDF could not be stored", certificate.id, exc_info=True)
            return
        certificate.pdf, certificate.pdf_key = None, key

    def drop(self, certificate: Certificate) -> None:
        """Refused while the store cannot be reached: an erasure or a corrected name must not
        leave the old PDF behind, so the caller's whole change waits."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(certificate))
        except Exception:  # noqa: BLE001 - any failure of the store's client
            log.warning("certificate %s: the stored PDF could not be deleted", certificate.id, exc_info=True)
            raise InvalidInput("pdf", str(_l("The certificate store cannot be reached just now, so nothing was "
                                             "changed. Please try again in a few minutes."))) from None
        certificate.pdf, certificate.pdf_key = None, None


_CLIENTS: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()


def _client(endpoint: str, region: str) -> Any:
    """One boto3 client per endpoint (making one takes tens of milliseconds; they are thread-safe)."""
    import boto3  # only installations that keep PDFs in object storage need it
    from botocore.config import Config

    # A store that is down must not hold a download for long: two tries, short waits.
    patience = Config(connect_timeout=3, read_timeout=20, retries={"max_attempts": 2, "mode": "standard"})
    with _LOCK:
        if (endpoint, region) not in _CLIENTS:
            _CLIENTS[(endpoint, region)] = boto3.client("s3", endpoint_url=endpoint or None,
                                                        region_name=region or None, config=patience)
        return _CLIENTS[(endpoint, region)]


def store() -> PdfStore:
    cfg = current_app.config
    if cfg["CERTIFICATE_STORAGE"] == "s3":
        return ObjectStore(_client(cfg["CERTIFICATE_S3_ENDPOINT"], cfg["CERTIFICATE_S3_REGION"]),
                           cfg["CERTIFICATE_S3_BUCKET"], cfg["CERTIFICATE_S3_PREFIX"])
    return DatabaseStore()
