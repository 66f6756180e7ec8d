"""Static files: hashed names in pages, a year's immutable caching for them, and every older name
still answered with the current file."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask, url_for

from trainer import static_files
from trainer.config import ROOT
from trainer.services.links import public_url
from trainer.static_files import IMMUTABLE, StaticFiles, hashed_name, plain_name

HASHED_LINK = re.compile(r'(?:href|src)="(/static/([^"]+))"')


def _linked(page: str) -> dict[str, str]:
    """The static files a page links to: plain name → the URL in the page."""
    return {plain_name(name) or name: url for url, name in HASHED_LINK.findall(page)}


def test_pages_link_every_static_file_by_a_name_that_carries_its_hash(client):
    links = _linked(client.get("/").get_data(as_text=True))
    assert set(links) >= {"css/app.css", "js/app.js"}
    for name, url in links.items():
        digest = re.fullmatch(rf"/static/{re.escape(name.rsplit('.', 1)[0])}\.([0-9a-f]{{12}})\.\w+", url)
        assert digest, url
        assert hashlib.sha256((ROOT / "static" / name).read_bytes()).hexdigest().startswith(
            digest.group(1))


def test_a_hashed_name_is_kept_for_a_year(client):
    url = _linked(client.get("/").get_data(as_text=True))["css/app.css"]
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert response.mimetype == "text/css"
    assert response.data == (ROOT / "static" / "css" / "app.css").read_bytes()
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_signed_in_person_gets_the_same_caching(client, learner):
    page = client.get("/learning").get_data(as_text=True)
    url = _linked(page)["css/app.css"]
    assert client.get(url).headers["Cache-Control"] == IMMUTABLE
    # The plain name is asked for again each time, not kept out of every cache like a personal page.
    assert client.get("/static/css/app.css").headers["Cache-Control"] == "no-cache"


def test_static_files_leave_the_session_alone(client, learner):
    """A public response kept for a year must not carry anyone's cookie, nor vary with it."""
    url = _linked(client.get("/learning").get_data(as_text=True))["css/app.css"]
    with client.session_transaction() as session:
        session["seen_at"] -= 120  # the next request that reads the session refreshes the cookie
    response = client.get(url)
    assert "Set-Cookie" not in response.headers
    assert "cookie" not in response.headers["Vary"].lower()
    assert "Set-Cookie" in client.get("/learning").headers  # a page does refresh it


@pytest.mark.parametrize("name", ["css/app.css", "css/app.000000000000.css", "css/app.0123456789ab.css"])
def test_the_plain_name_and_other_versions_names_get_the_current_file_asked_for_again(client, name):
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.data == (ROOT / "static" / "css" / "app.css").read_bytes()


@pytest.mark.parametrize("name", ["css/none.css", "css/none.000000000000.css", "css/app.000000000000.js",
                                  "../trainer/config.py", "css/../../wsgi.py", "css"])
def test_names_of_no_file_are_not_found(client, name):
    assert client.get(f"/static/{name}").status_code == 404


def test_links_that_leave_the_site_carry_the_hash_too(app):
    with app.app_context():
        assert re.fullmatch(r"http://127\.0\.0\.1:5000/static/img/badge\.[0-9a-f]{12}\.svg",
                            public_url("static", filename="img/badge.svg"))


@pytest.mark.parametrize(("name", "hashed"), [
    ("css/app.css", "css/app.0123456789ab.css"),
    ("js/vendor/lib.min.js", "js/vendor/lib.min.0123456789ab.js"),
    ("LICENSE", "LICENSE.0123456789ab"),
    (".well-known", ".well-known.0123456789ab"),
])
def test_hashed_names_go_back_to_their_plain_names(name, hashed):
    assert hashed_name(name, "0123456789ab") == hashed
    assert plain_name(hashed) == name
    assert plain_name(name) is None


def _site(folder: Path, debug: bool) -> Flask:
    site = Flask(__name__, static_folder=str(folder), static_url_path="/static")
    site.debug = debug
    static_files.init_app(site)
    return site


def test_a_changed_file_gets_a_new_name_and_the_old_name_keeps_working(tmp_path):
    (tmp_path / "site.css").write_text("body { color: black }")
    site = _site(tmp_path, debug=True)  # reads the folder again when a file changes
    client = site.test_client()
    with site.test_request_context():
        before = url_for("static", filename="site.css")
    (tmp_path / "site.css").write_text("body { color: navy }")
    with site.test_request_context():
        after = url_for("static", filename="site.css")
    assert before != after
    assert re.fullmatch(r"/static/site\.[0-9a-f]{12}\.css", after)
    fresh = client.get(after)
    assert fresh.headers["Cache-Control"] == IMMUTABLE and fresh.data == b"body { color: navy }"
    stale = client.get(before)  # a page cached yesterday
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    assert stale.data == b"body { color: navy }"


def test_without_debug_a_hashed_name_always_serves_the_bytes_that_were_hashed(tmp_path):
    (tmp_path / "site.js").write_text("one();")
    site = _site(tmp_path, debug=False)
    with site.test_request_context():
        url = url_for("static", filename="site.js")
    (tmp_path / "site.js").write_text("two();")  # changed under a running release
    assert site.test_client().get(url).data == b"one();"
    # The next start reads the new file under a new name.
    assert StaticFiles(tmp_path).url_name("site.js") != url.removeprefix("/static/")
