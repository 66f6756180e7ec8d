"""Open Badges 2.0: each certificate is also a hosted badge assertion, verified at its own URL.

The recipient is identified by a salted SHA-256 of their email address, as the specification
allows, so the public JSON names nobody; a revoked or withdrawn assertion does not even carry
that hash."""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from trainer.extensions import db
from trainer.models import Certificate, Course, CourseVersion, User
from trainer.services.links import public_url

CONTEXT = "https://w3id.org/openbadges/v2"


def issuer() -> dict:
    return {"@context": CONTEXT, "type": "Issuer", "id": public_url("certificates.badge_issuer"),
            "name": current_app.config["ORGANISATION_NAME"], "url": public_url("pages.home")}


def badge_class(course: Course, version: CourseVersion) -> dict:
    return {"@context": CONTEXT, "type": "BadgeClass", "id": public_url("certificates.badge_class", slug=course.slug),
            "name": version.title, "description": version.summary,
            "image": public_url("static", filename="img/badge.svg"),
            "criteria": {"narrative": "Completed every required module of the course and passed each quiz."},
            "issuer": public_url("certificates.badge_issuer")}


def _salt(certificate: Certificate) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"badge-salt:{certificate.code}".encode(), hashlib.sha256).hexdigest()[:16]


def recipient_identity(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.lower() + salt).encode()).hexdigest()


def assertion(certificate: Certificate) -> dict | None:
    """The hosted assertion; for a revoked or withdrawn certificate only its id and that it is
    revoked (no recipient, badge, dates or reason); None when the course no longer exists."""
    if certificate.revoked_at or certificate.withdrawn:
        return {"@context": CONTEXT, "type": "Assertion",
                "id": public_url("certificates.badge_assertion", code=certificate.code), "revoked": True}
    user = db.session.get(User, certificate.user_id)
    course = db.session.get(Course, certificate.course_id)
    if user is None or course is None:
        return None
    salt = _salt(certificate)
    data = {
        "@context": CONTEXT, "type": "Assertion",
        "id": public_url("certificates.badge_assertion", code=certificate.code),
        "recipient": {"type": "email", "hashed": True, "salt": salt,
                      "identity": recipient_identity(user.email, salt)},
        "badge": public_url("certificates.badge_class", slug=course.slug),
        "verification": {"type": "hosted"},
        "issuedOn": certificate.issued_at.isoformat(),
        "evidence": public_url("certificates.verify", code=certificate.code),
    }
    if certificate.credit:
        data["narrative"] = credit_text(certificate.credit)
    if certificate.expires_on:
        data["expires"] = certificate.expires_on.isoformat() + "T23:59:59+00:00"
    return data


def credit_text(credit: dict) -> str:
    """The credit details in one English sentence, as the assertion's narrative."""
    text = f"{credit['hours']:g} {credit['type']}, accredited by {credit['body']}"
    return text + (f" (activity {credit['activity_id']})." if credit.get("activity_id") else ".")
