"""Errors the services raise; their messages are shown to station staff as they are."""

from __future__ import annotations


class StationError(Exception):
    """Base class of every error whose message is meant for the user (in Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(StationError):
    """Input that breaks a rule; ``field`` names the offending form field, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(StationError):
    """The signed-in user's role does not allow the action."""


class NotFound(StationError):
    """A record the user referred to does not exist (any more)."""


class DuplicateError(ValidationError):
    """A unique value (ID number, user name …) is already taken; ``existing_id`` points at the holder."""

    def __init__(self, message: str, field: str | None = None, existing_id: int | None = None) -> None:
        super().__init__(message, field)
        self.existing_id = existing_id


class DatabaseProblem(StationError):
    """The database cannot be opened or used as it is (corrupt, too new, unreachable)."""
