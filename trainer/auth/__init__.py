"""Accounts: registration, sign-in and out, profile, passwords, language; and, for every request
of the app, who is signed in, the session time limits and the two-factor gate (`signin.py`)."""
from flask import Blueprint

from trainer.auth import signin
from trainer.services import single_sign_on

bp = Blueprint("auth", __name__)
bp.record_once(lambda _state: signin.configure_login())
bp.before_app_request(signin.enforce_time_limits)
bp.before_app_request(signin.require_two_factor)
# Whether password sign-in and registration are offered (LOCAL_PASSWORDS; services/single_sign_on.py).
bp.app_context_processor(lambda: {"local_passwords": single_sign_on.local_passwords})

from trainer.auth import views  # noqa: E402,F401  (routes register on import)
