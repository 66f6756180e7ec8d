"""The page of a job: its progress, and its file once ready (the queue itself is
services/jobs.py)."""
from flask import Blueprint

bp = Blueprint("jobs", __name__)

from trainer.jobs import views  # noqa: E402,F401  (routes register on import)
