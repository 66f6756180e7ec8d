"""Certificates: learners' PDFs, the public verification page, administrators' revocation."""
from flask import Blueprint

bp = Blueprint("certificates", __name__)

from trainer.certificates import transcript_views, views  # noqa: E402,F401  (routes register on import)
