"""Domain errors that services raise and the web layer translates."""
from __future__ import annotations


class ServiceError(Exception):
    """Base class for refusals a user can be told about."""


class InvalidInput(ServiceError):
    """A value is not acceptable; `field` names the form field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class NotAllowed(ServiceError):
    """The actor may not do this (maps to 403)."""


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know that it does (maps to 404)."""
