"""A small error hierarchy; the API maps each class to an RFC 7807 problem, the CLI to a line."""

from __future__ import annotations


class CompanionError(Exception):
    """Base class for errors a user can act on."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InputError(CompanionError):
    """A file or request the companion cannot use."""

    title = "Unusable input"
    status = 422


class FileInputError(InputError):
    """A file that cannot be used; the message names the file, the line and why."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class TranscriptParseError(FileInputError):
    """A transcript or notes file that cannot be parsed; names file, line and reason."""

    title = "Transcript could not be parsed"


class NotFoundError(CompanionError):
    """A session, tip, person or key that does not exist."""

    title = "Not found"
    status = 404


class ConfigurationError(CompanionError):
    """Settings that cannot work, or an optional extra that is not installed."""

    title = "Configuration problem"
    status = 500


class ProviderError(CompanionError):
    """A model provider that failed (down, timed out, refused)."""

    title = "Model provider failed"
    status = 502


class AuthError(CompanionError):
    """Missing or invalid credentials."""

    title = "Unauthorized"
    status = 401


class ForbiddenError(CompanionError):
    """Valid credentials without the right scope or origin."""

    title = "Forbidden"
    status = 403


def missing_extra(package: str, extra: str) -> ConfigurationError:
    """The error for an optional dependency that is not installed."""
    return ConfigurationError(
        f"the '{package}' package is not installed; "
        f'install it with: pip install "learning-companion[{extra}]"'
    )
