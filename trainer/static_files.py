"""Static files under names that carry a hash of their content, so browsers keep them for a year.

Every file in static/ is read once, when the app starts (the files are part of the release), and
gets a second name with the first 12 hex digits of its SHA-256 before the suffix:
``css/app.css`` is also ``css/app.3f2a1c9e0b7d.css``. ``url_for('static', filename='css/app.css')``
builds the hashed name, and the hashed name is sent with ``Cache-Control: public,
max-age=31536000, immutable``: a phone asks for it once, and a new release changes the name.

Any other name of a file keeps working but is sent with ``no-cache`` (the browser asks again each
time, and gets a 304 while the file is unchanged): the plain name, and a hashed name that is not
the current one. The latter is a page cached before a release asking for yesterday's file, or,
during a rolling release, a page from a new process whose file request reached an old one.
Either way the current file is the best answer, and it must not be kept under a name that
promises other bytes.

The bytes served under a hashed name are the bytes that were hashed: they are kept in memory
(static/ holds a few tens of kilobytes). With ``app.debug`` the folder is read again whenever a
file in it changes, so an edited stylesheet shows without a restart.
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
DIGITS = 12  # 48 bits of SHA-256: told apart from the few other versions of one file
# Files a browser must find again under the same address (a service worker script, a web app
# manifest) are never given a hashed name. static/ has none of them today.
STABLE_NAMES: frozenset[str] = frozenset()
_HASHED = re.compile(rf"^(?P<stem>.+)\.[0-9a-f]{{{DIGITS}}}(?P<suffix>\.[^.]+)?$")


@dataclass(frozen=True)
class StaticFile:
    name: str  # its path under static/, as templates name it
    hashed_name: str
    digest: str
    data: bytes
    mimetype: str


def hashed_name(name: str, digest: str) -> str:
    """``css/app.css`` → ``css/app.<digest>.css``; a name without a suffix gets the digest at the end."""
    folder, slash, base = name.rpartition("/")
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:  # "LICENSE", ".nojekyll"
        return f"{name}.{digest}"
    return f"{folder}{slash}{stem}.{digest}.{suffix}"


def plain_name(name: str) -> str | None:
    """The name without its digest, when it has the shape of a hashed name; otherwise None."""
    folder, slash, base = name.rpartition("/")
    match = _HASHED.match(base)
    if match is None:
        return None
    return f"{folder}{slash}{match['stem']}{match['suffix'] or ''}"


def _read(folder: Path, path: Path) -> StaticFile:
    name = path.relative_to(folder).as_posix()
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:DIGITS]
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return StaticFile(name=name, hashed_name=name if name in STABLE_NAMES else hashed_name(name, digest),
                      digest=digest, data=data, mimetype=mimetype)


class StaticFiles:
    """The files of one static folder, by their plain and their hashed names."""

    def __init__(self, folder: Path, watch: bool = False) -> None:
        self.folder = folder
        self.watch = watch
        self._seen: tuple[tuple[str, int, int], ...] = ()
        self.by_name: dict[str, StaticFile] = {}
        self.by_hashed_name: dict[str, StaticFile] = {}
        self.load()

    def _stamp(self) -> tuple[tuple[str, int, int], ...]:
        paths = sorted(p for p in self.folder.rglob("*") if p.is_file()) if self.folder.is_dir() else []
        return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)

    def load(self) -> None:
        """Read and hash every file of the folder."""
        self._seen = self._stamp()
        files = [_read(self.folder, Path(path)) for path, _, _ in self._seen]
        self.by_name = {f.name: f for f in files}
        self.by_hashed_name = {f.hashed_name: f for f in files}

    def _fresh(self) -> None:
        if self.watch and self._stamp() != self._seen:
            self.load()

    def url_name(self, name: str) -> str:
        """The name to put in a link: the hashed one for a file of the folder."""
        self._fresh()
        found = self.by_name.get(name)
        return found.hashed_name if found else name

    def find(self, requested: str) -> tuple[StaticFile, bool] | None:
        """The file a request names, and whether the name is its current hashed (immutable) one."""
        self._fresh()
        if (found := self.by_hashed_name.get(requested)) is not None:
            return found, found.name not in STABLE_NAMES
        if (found := self.by_name.get(requested)) is not None:
            return found, False
        plain = plain_name(requested)
        if plain is not None and (found := self.by_name.get(plain)) is not None:
            return found, False  # another version's name: the current file, asked for again next time
        return None


def static_files() -> StaticFiles:
    return current_app.extensions["static_files"]


def serve(filename: str) -> Response:
    """The view of the `static` endpoint: the file from memory, with its digest as the ETag."""
    found = static_files().find(filename)
    if found is None:
        abort(404)
    file, immutable = found
    response = Response(file.data, mimetype=file.mimetype)
    response.set_etag(file.digest)
    response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
    response.make_conditional(request)  # 304 for a browser that has it
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a static file's response neither sets the cookie
    nor says ``Vary: Cookie`` (extensions read the session on every request): a public response
    kept for a year must carry no one's cookie, and must not be fetched again when the cookie
    changes. Nothing a static request does changes the session."""

    def save_session(self, app: Flask, session: SessionMixin, response: Any) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def _hashed_static_url(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and isinstance(values.get("filename"), str):
        values["filename"] = static_files().url_name(values["filename"])


def init_app(app: Flask) -> None:
    """Serve static/ under hashed names, and make `url_for('static', ...)` build them."""
    if app.static_folder is None:
        return
    app.extensions["static_files"] = StaticFiles(Path(app.static_folder), watch=app.debug)
    app.view_functions["static"] = serve
    app.session_interface = SessionInterface()
    app.url_defaults(_hashed_static_url)
