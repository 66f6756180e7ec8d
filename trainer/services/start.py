"""The signed-in Home page: where to continue, what is assigned, invitations waiting for an answer
and the newest certificates. Built from the same services as My learning, in a fixed number of
queries however many courses, assignments or certificates the learner has."""
from __future__ import annotations

from dataclasses import dataclass

from trainer.models import Certificate, User
from trainer.services import assignments, catalogue, certificates, membership
from trainer.vocabulary import AssignmentState

RECENT_CERTIFICATES = 3


@dataclass
class StartPage:
    resume: catalogue.LearningItem | None  # the unfinished course visited last, with its place
    in_progress: list[catalogue.LearningItem]  # the other unfinished courses
    assigned: list[assignments.LearnerAssignment]  # not yet completed, soonest due first
    certificates: list[Certificate]  # the newest few
    invitations: membership.Invitations
    started: bool  # the learner has begun a course (or holds a certificate)

    @property
    def empty(self) -> bool:
        return not (self.started or self.assigned)


def for_learner(user: User) -> StartPage:
    """What the learner's Home page shows."""
    items = catalogue.my_learning(user)
    unfinished = [item for item in items if item.completed_at is None and item.resume is not None]
    held = certificates.mine(user)
    assigned = [a for a in assignments.for_learner(user) if a.status.state != AssignmentState.COMPLETED]
    return StartPage(resume=unfinished[0] if unfinished else None, in_progress=unfinished[1:],
                     assigned=assigned, certificates=held[:RECENT_CERTIFICATES],
                     invitations=membership.invitations_for(user), started=bool(items or held))
