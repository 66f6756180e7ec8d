"""LTI 1.3: the platforms (an organisation's Canvas or Moodle) registered to launch the site, the
site's own signing keys, the short-lived state of a launch in progress, and what a launch leaves
behind: the platform's account of a person, its courses (contexts) and the line items grades go to.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import Model
from trainer.models.types import UTCDateTime, utcnow


class LtiPlatform(Model):
    """A platform an administrator registered: who it is (issuer, the client id it gave the site,
    its deployments) and where its OpenID Connect, token and key endpoints are."""

    __tablename__ = "lti_platforms"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))  # also the organisation of the accounts it makes
    sector: Mapped[str] = mapped_column(sa.String(20))  # of the accounts it makes: a hospital's are health
    issuer: Mapped[str] = mapped_column(sa.String(255))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    deployment_ids: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    auth_url: Mapped[str] = mapped_column(sa.String(500))
    token_url: Mapped[str] = mapped_column(sa.String(500))
    jwks_url: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiKey(Model):
    """One of the site's RSA key pairs. The newest unretired key signs; every unretired key is in
    the public key set, so a platform that cached the old one keeps working through a rotation."""

    __tablename__ = "lti_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LtiState(Model):
    """A login in progress, kept on the server under the hash of its `state` (the browser carries
    the state to the platform and back; no cookie is needed). Spent by the launch it belongs to."""

    __tablename__ = "lti_states"

    state_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(sa.String(64))
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LtiHandoff(Model):
    """A verified launch waiting to be opened: the one-time link from the launch page (which may be
    inside the platform's frame, where cookies may be blocked) to a signed-in page of the site."""

    __tablename__ = "lti_handoffs"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LtiAccount(Model):
    """The platform's person (its `sub`) behind one of the site's accounts."""

    __tablename__ = "lti_accounts"
    __table_args__ = (sa.UniqueConstraint("platform_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiContext(Model):
    """A course on the platform, and the cohort that stands for it here."""

    __tablename__ = "lti_contexts"
    __table_args__ = (sa.UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(sa.String(255))
    title: Mapped[str] = mapped_column(sa.String(255), default="")
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    memberships_url: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiLineItem(Model):
    """Where a learner's grade for a course or module goes: the platform's line item, learned from
    the learner's launch of that link. `module` is None for the whole course."""

    __tablename__ = "lti_line_items"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id", "module", "lineitem_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(255))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    module: Mapped[str | None] = mapped_column(sa.String(64))
    lineitem_url: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
