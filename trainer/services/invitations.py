"""Invitation mail for people on a cohort list who have no account yet."""
from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from trainer.models import Cohort, Invitation
from trainer.services import mail
from trainer.services.links import public_url


def send(cohort: Cohort, invited: list[Invitation]) -> int:
    """Mail each new invitation a link to register; returns how many went out now (the rest
    are kept and retried by `flask mail retry`)."""
    sent = 0
    link = public_url("auth.register")
    for invitation in invited:
        body = render_template("mail/invitation.txt", invitation=invitation, cohort=cohort, link=link)
        sent += mail.send_mail(invitation.email, _("You are invited to training on Frontline Trainer"), body)
    return sent
