"""Cohorts for trainers: members, assignments with due dates, progress, exports."""
from flask import Blueprint

bp = Blueprint("cohorts", __name__)

from trainer.cohorts import views  # noqa: E402,F401  (routes register on import)
