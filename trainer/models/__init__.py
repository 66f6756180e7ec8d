"""Database models. Importing this package registers every table with the metadata."""
from trainer.models.mail import PendingMail
from trainer.models.user import HEALTH_SPECIALTIES, ROLES, SECTORS, User, UserRole

__all__ = ["HEALTH_SPECIALTIES", "PendingMail", "ROLES", "SECTORS", "User", "UserRole"]
