"""A learner's transcript: every certificate they hold and its hours, for licensing bodies and
CPD portfolios, as a page, a PDF and a CSV. Only ever the signed-in learner's own: nothing here
takes another person's id."""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app, render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from trainer.models import Certificate, User
from trainer.services import certificates
from trainer.services.spreadsheets import csv_bytes, safe_cell
from trainer.vocabulary import CertificateState

CSV_HEADER = ["Course", "Version", "Completed on", "Valid until", "State", "Hours", "Credit hours",
              "Credit type", "Accrediting body", "Activity id", "Certificate code", "Verify at"]


@dataclass(frozen=True)
class Line:
    """One certificate as the transcript shows it."""

    certificate: Certificate
    state: CertificateState
    verify_url: str

    @property
    def credit(self) -> dict | None:
        return self.certificate.credit


@dataclass(frozen=True)
class Transcript:
    """The learner's certificates, newest first, and the hours of those still valid."""

    user: User
    lines: list[Line]
    today: date

    @property
    def valid_hours(self) -> float:
        return sum(line.certificate.hours for line in self.lines if line.state == CertificateState.VALID)

    @property
    def credit_totals(self) -> list[tuple[str, str, float]]:
        """Credit hours of the valid certificates by (accrediting body, credit type)."""
        totals: dict[tuple[str, str], float] = {}
        for line in self.lines:
            if line.state == CertificateState.VALID and line.credit:
                key = (line.credit["body"], line.credit["type"])
                totals[key] = totals.get(key, 0.0) + line.credit["hours"]
        return [(body, kind, hours) for (body, kind), hours in sorted(totals.items())]


def for_learner(user: User, today: date | None = None) -> Transcript:
    """The signed-in learner's own transcript (withdrawn certificates are no longer theirs)."""
    today = today or datetime.now(UTC).date()
    lines = [Line(c, c.state(today), certificates.verify_url(c.code))
             for c in certificates.mine(user) if not c.withdrawn]
    return Transcript(user, lines, today)


def csv_for(user: User) -> bytes:
    """The transcript as CSV; every text cell is safe from spreadsheet formula injection."""
    transcript = for_learner(user)
    rows: list[Sequence[object]] = [CSV_HEADER]
    for line in transcript.lines:
        c, credit = line.certificate, line.credit or {}
        rows.append([safe_cell(c.course_title), c.version_number, c.completed_on.isoformat(),
                     c.expires_on.isoformat() if c.expires_on else "", line.state, c.hours,
                     credit.get("hours", ""), safe_cell(credit.get("type", "")),
                     safe_cell(credit.get("body", "")), safe_cell(credit.get("activity_id") or ""),
                     c.code, safe_cell(line.verify_url)])
    return csv_bytes(rows)


def pdf_for(user: User) -> bytes:
    """The transcript as a PDF, in English like the certificates; it may read nothing but the font
    folder and fetch nothing from the network."""
    cfg = current_app.config
    font_dir = cfg["CERTIFICATE_FONT_DIR"]
    html = render_template("certificates/transcript_pdf.html", transcript=for_learner(user), font_dir=font_dir,
                           organisation=cfg["ORGANISATION_NAME"], page_size=cfg["CERTIFICATE_PAGE_SIZE"])
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8",
                            resource_policy=ResourceAccessPolicy.server(base_dir=font_dir, allow_remote=False))
    if result.err:
        raise RuntimeError(f"the transcript could not be rendered ({result.err} errors)")
    return output.getvalue()
