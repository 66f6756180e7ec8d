"""Compressed responses: brotli or gzip for text of 1 KB or more when the browser accepts it,
never for PDFs, zips, images, small or streamed responses, nor for pages that show a lasting secret."""
from __future__ import annotations

import gzip
import io
import re
import zipfile

import brotli
import pytest
from flask import Flask, Response

from tests.conftest import login
from trainer import compression
from trainer.config import TestConfig


def _encoding(response) -> str | None:
    return response.headers.get("Content-Encoding")


def _varies(response) -> bool:
    return "accept-encoding" in response.headers.get("Vary", "").lower()


def test_a_page_is_sent_with_gzip_to_a_browser_that_accepts_only_gzip(client):
    plain = client.get("/")
    packed = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert _encoding(plain) is None and _varies(plain)
    assert _encoding(packed) == "gzip" and _varies(packed)
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 2


def test_brotli_is_preferred_when_the_browser_accepts_both(client):
    plain = client.get("/")
    packed = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert _encoding(packed) == "br" and _varies(packed)
    assert brotli.decompress(packed.data) == plain.data


def test_a_refused_encoding_is_not_used(client):
    assert _encoding(client.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"})) is None


def test_static_text_is_compressed_and_keeps_its_caching(client):
    url = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', client.get("/").get_data(as_text=True)).group(1)
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "br"})
    assert _encoding(packed) == "br" and brotli.decompress(packed.data) == plain.data
    assert packed.headers["Cache-Control"] == plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert packed.headers["ETag"] != plain.headers["ETag"]  # another representation, another validator
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_small_responses_are_sent_as_they_are(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip, br"})
    assert len(response.data) < 1024 and _encoding(response) is None


def test_a_pdf_is_never_compressed(client, learner):
    response = client.get("/learning/transcript.pdf", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.data[:5] == b"%PDF-"
    assert _encoding(response) is None


def test_pages_that_show_the_two_factor_secret_or_recovery_codes_are_not_compressed(client, make_user):
    login(client, make_user())
    setup = client.get("/profile/two-factor", headers={"Accept-Encoding": "gzip, br"})
    assert 'class="totp-secret"' in setup.get_data(as_text=True)
    assert _encoding(setup) is None
    # Other signed-in pages are.
    assert _encoding(client.get("/profile", headers={"Accept-Encoding": "gzip, br"})) == "br"


def _site(**settings: object) -> Flask:
    """A bare app with the site's compression settings, and responses the site does not make itself."""
    site = Flask(__name__)
    site.config.from_object(TestConfig)
    site.config.update(settings)
    compression.init_app(site)
    text = "<p>" + "Recognising the signs. " * 200 + "</p>"

    @site.get("/page")
    def page():
        return text

    @site.get("/stream")
    def stream():
        return Response((chunk for chunk in [text, text]), mimetype="text/html")

    @site.get("/archive")
    def archive():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as bundle:
            bundle.writestr("a.txt", text)
        return Response(buffer.getvalue(), mimetype="application/zip")

    @site.get("/image")
    def image():
        return Response(b"\x89PNG" + b"\0" * 4096, mimetype="image/png")

    return site


@pytest.mark.parametrize("path", ["/stream", "/archive", "/image"])
def test_streamed_and_already_compressed_responses_are_sent_as_they_are(path):
    response = _site().test_client().get(path, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and _encoding(response) is None


def test_compression_can_be_left_to_a_proxy():
    on = _site().test_client().get("/page", headers={"Accept-Encoding": "gzip"})
    off = _site(COMPRESS_RESPONSES=False).test_client().get("/page", headers={"Accept-Encoding": "gzip"})
    assert _encoding(on) == "gzip"
    assert _encoding(off) is None and b"Recognising the signs." in off.data
