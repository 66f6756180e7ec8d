"""LTI 1.3: an organisation's LMS (Canvas, Moodle) launches the site. The platform's login and
launch, the deep linking choice, the one-time link into the site, the key set, a trainer's view of
a platform course's roster, and the administrators' list of registered platforms."""
from flask import Blueprint

bp = Blueprint("lti", __name__)

from trainer.lti import views  # noqa: E402,F401  (routes register on import)
