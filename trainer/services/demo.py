"""Demo accounts for a local installation: an administrator, a trainer, a resident, and the
coordinator who administers the trainer's organisation (a police training college)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from trainer.extensions import db
from trainer.models import Organisation, OrganisationMember
from trainer.services import accounts
from trainer.services.errors import NotAllowed
from trainer.vocabulary import Role, Sector, Specialty

# Where demo accounts may exist: their passwords are published (in this file and in the README).
ENVIRONMENTS = ("development", "testing")


@dataclass(frozen=True)
class DemoAccount:
    label: str
    email: str
    password: str
    roles: tuple[str, ...]
    profile: accounts.Profile
    organisation_admin: bool = False  # of DEMO_ORGANISATION; only its people belong to it


# The demo trainer and coordinator belong to it; the others to none.
DEMO_ORGANISATION = "Police Training College"


def _profile(name: str, organisation: str, sector: str, specialty: str | None = None,
             resident: bool = False) -> accounts.Profile:
    return accounts.Profile(name=name, organisation=organisation, sector=sector, specialty=specialty,
                            is_resident=resident, locale=None, timezone="America/Toronto")


DEMO_ACCOUNTS = (
    DemoAccount("administrator", "admin@example.org", "demo-admin-lantern-harbour", (Role.ADMIN,),
                _profile("Alex Admin", "Frontline Trainer", Sector.COMMUNITY)),
    DemoAccount("trainer", "trainer@example.org", "demo-trainer-meadow-compass", (Role.TRAINER,),
                _profile("Tamsin Trainer", DEMO_ORGANISATION, Sector.POLICE)),
    DemoAccount("organisation administrator", "coordinator@example.org", "demo-coordinator-birch-lantern", (),
                _profile("Casey Coordinator", DEMO_ORGANISATION, Sector.POLICE), organisation_admin=True),
    DemoAccount("resident", "resident@example.org", "demo-resident-violet-kettle", (Role.LEARNER,),
                _profile("Rosa Resident", "University Hospital", Sector.HEALTH, Specialty.EMERGENCY, True)),
)


def seed_accounts() -> set[str]:
    """Create the demo accounts that do not exist yet; returns the emails created.

    Refuses (NotAllowed) anywhere but a development or test installation (TRAINER_ENV), since
    anyone could sign in to them, as an administrator too."""
    environment = current_app.config["ENV"]
    if environment not in ENVIRONMENTS:
        raise NotAllowed(f"Demo accounts have published passwords, so they are never made in {environment}. "
                         "On a local installation, set TRAINER_ENV=development.")
    created = set()
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == DEMO_ORGANISATION))
    if organisation is None:
        organisation = Organisation(name=DEMO_ORGANISATION, country="CA")
        db.session.add(organisation)
        db.session.flush()
    for account in DEMO_ACCOUNTS:
        if accounts.get_by_email(account.email) is None:
            user = accounts.register(account.email, account.password, account.profile, roles=account.roles,
                                     verified=True)
            if account.profile.organisation == DEMO_ORGANISATION:
                user.membership = OrganisationMember(organisation_id=organisation.id,
                                                     admin=account.organisation_admin)
            created.add(account.email)
    db.session.flush()
    return created
