"""Invitation mail for the people on a cohort list. Nobody is told they have joined: nobody has.
Someone with an account is asked to sign in and answer; someone without, to create an account
with the invited address first. Either way they see what the trainers would see before deciding."""
from __future__ import annotations

import contextlib

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale, gettext as _

from trainer.extensions import db
from trainer.models import Cohort, Invitation, User
from trainer.services import links, mail


def _compose(cohort: Cohort, invitation: Invitation, user: User | None, sign_in: str,
             register: str) -> tuple[str, str]:
    """Subject and body in the holder's language where the address has an account."""
    language = force_locale(user.locale) if user is not None and user.locale else contextlib.nullcontext()
    with language:
        subject = _("You are invited to a training group on Frontline Trainer")
        body = render_template("mail/invitation.txt", invitation=invitation, cohort=cohort,
                               has_account=user is not None, link=sign_in if user is not None else register)
    return subject, body


def queue_again(cohort: Cohort, invitation: Invitation) -> int:
    """Keep the invitation's mail to be sent once the caller commits (`mail.queue`); returns the
    id to pass to `mail.deliver_in_background` after the commit."""
    user = db.session.scalar(sa.select(User).where(User.email == invitation.email))
    subject, body = _compose(cohort, invitation, user, links.public_url("cohorts.my_cohorts"),
                             links.public_url("auth.register"))
    return mail.queue(invitation.email, subject, body)


def send(cohort: Cohort, invited: list[Invitation]) -> int:
    """Write an invitation mail for each to the outbox, in the caller's transaction; returns how
    many. They are delivered after the commit, by a worker, so a list of hundreds is answered as
    fast with a slow mail server as without. Links are built on PUBLIC_BASE_URL, never on the
    request."""
    emails = [i.email for i in invited]
    holders = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails))).unique()} \
        if emails else {}
    sign_in, register = links.public_url("cohorts.my_cohorts"), links.public_url("auth.register")
    sent = 0
    for invitation in invited:
        user = holders.get(invitation.email)
        language = force_locale(user.locale) if user is not None and user.locale else contextlib.nullcontext()
        with language:
            subject = _("You are invited to a training group on Frontline Trainer")
            body = render_template("mail/invitation.txt", invitation=invitation, cohort=cohort,
                                   has_account=user is not None, link=sign_in if user is not None else register)
        mail.queue(invitation.email, subject, body)
        sent += 1
    return sent
