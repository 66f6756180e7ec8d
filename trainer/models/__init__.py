"""Database models. Importing this package registers every table with the metadata."""
from trainer.models.assessment import CourseEvaluation, CourseRound
from trainer.models.audit import AuditEvent
from trainer.models.certificate import Certificate, CertificateReminder
from trainer.models.cohort import (
    Assignment,
    Cohort,
    CohortCase,
    CohortCaseRole,
    CohortMember,
    CohortTrainer,
    Invitation,
    Reminder,
)
from trainer.models.course import Course, CourseDraft, CourseVersion, Module, StoredImage, VersionImage
from trainer.models.identity import SignInIdentity
from trainer.models.job import Job
from trainer.models.lti import LtiAccount, LtiContext, LtiHandoff, LtiKey, LtiLineItem, LtiPlatform, LtiState
from trainer.models.mail import PendingMail
from trainer.models.organisation import Organisation, OrganisationCohort, OrganisationMember
from trainer.models.progress import Enrolment, ModuleProgress, QuizAttempt, QuizDraw, ScenarioRun
from trainer.models.referral import Referral
from trainer.models.user import RecoveryCode, User, UserRole, UserSession
from trainer.models.wellbeing import WellbeingCheck
from trainer.models.xapi import XapiActor, XapiStatement

__all__ = [
    "AuditEvent", "Certificate", "CertificateReminder", "Assignment", "Cohort", "CohortCase", "CohortCaseRole",
    "CohortMember",
    "CohortTrainer", "Invitation", "Reminder", "Course", "CourseDraft", "CourseEvaluation", "CourseRound",
    "CourseVersion", "Job", "Module", "Organisation", "OrganisationCohort", "OrganisationMember",
    "PendingMail", "RecoveryCode", "Referral", "SignInIdentity", "StoredImage", "Enrolment",
    "ModuleProgress", "QuizAttempt", "QuizDraw", "ScenarioRun", "User", "UserRole", "UserSession",
    "VersionImage", "WellbeingCheck", "XapiActor", "XapiStatement",
    "LtiAccount", "LtiContext", "LtiHandoff", "LtiKey", "LtiLineItem", "LtiPlatform", "LtiState",
]
