"""Database models. Importing this package registers every table with the metadata."""
from trainer.models.audit import AuditEvent
from trainer.models.certificate import Certificate, CertificateReminder
from trainer.models.cohort import Assignment, Cohort, CohortMember, CohortTrainer, Invitation, Reminder
from trainer.models.course import Course, CourseDraft, CourseVersion, Module, StoredImage, VersionImage
from trainer.models.job import Job
from trainer.models.mail import PendingMail
from trainer.models.referral import Referral
from trainer.models.progress import Enrolment, ModuleProgress, QuizAttempt, QuizDraw, ScenarioRun
from trainer.models.wellbeing import WellbeingCheck
from trainer.models.user import HEALTH_SPECIALTIES, ROLES, SECTORS, RecoveryCode, User, UserRole, UserSession

__all__ = ["AuditEvent", "Certificate", "CertificateReminder", "Assignment", "Cohort", "CohortMember", "CohortTrainer", "Invitation", "Reminder", "Course", "CourseDraft", "CourseVersion", "HEALTH_SPECIALTIES", "Job", "Module", "PendingMail",
           "ROLES", "RecoveryCode", "SECTORS", "StoredImage", "Enrolment", "ModuleProgress", "QuizAttempt", "QuizDraw", "ScenarioRun", "User", "UserRole", "UserSession", "VersionImage"]
