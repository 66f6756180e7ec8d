"""Compressed responses: brotli or gzip for the text the app sends itself, when the browser asks.

Flask-Compress does the work (settings COMPRESS_* in trainer/config.py): HTML, CSS, JavaScript,
JSON and SVG of 1 KB or more; never PDFs, zips, images or streamed responses; every response says
``Vary: Accept-Encoding``. COMPRESS_RESPONSES=false leaves it to a proxy in front.

BREACH (docs/deploy.md): the few pages that show a lasting secret in clear, the two-factor secret
and recovery codes, are sent uncompressed (``@uncompressed``): they are seldom seen, and their
length then tells nothing about what is on them.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, g
from flask_compress import Compress

View = TypeVar("View", bound=Callable[..., Any])


def uncompressed(view: View) -> View:
    """A view whose pages are never compressed."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.uncompressed = True
        return view(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    if not app.config["COMPRESS_RESPONSES"]:
        return
    app.config["COMPRESS_REGISTER"] = False  # registered below, to honour @uncompressed
    compress = Compress(app)
    app.extensions["compress"] = compress

    def compress_response(response: Response) -> Response:
        if g.get("uncompressed"):
            return response
        return compress.after_request(response)

    app.after_request(compress_response)
