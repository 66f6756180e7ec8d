"""Cohorts: for trainers, members, invitations, assignments with due dates, progress, exports;
for learners, their invitations, join links and leaving."""
from flask import Blueprint

bp = Blueprint("cohorts", __name__)

from trainer.cohorts import case_views, learner_views, views  # noqa: E402,F401  (routes register on import)
