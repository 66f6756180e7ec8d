"""Authoring for administrators: courses, the Markdown editor, images, GIFT and zip imports,
and the referral directory."""
from flask import Blueprint

bp = Blueprint("authoring", __name__)

from trainer.authoring import referral_views, views  # noqa: E402,F401  (routes register on import)
