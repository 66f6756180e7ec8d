"""Learning: the catalogue, courses and their modules, and course images."""
from flask import Blueprint

bp = Blueprint("learn", __name__)

from trainer.learn import assessment_views, views, wellbeing_views  # noqa: E402,F401  (routes register on import)
