"""Public pages every visitor can reach: home, support, quick exit, health check."""
from flask import Blueprint

bp = Blueprint("pages", __name__)

from trainer.pages import views  # noqa: E402,F401  (routes register on import)
