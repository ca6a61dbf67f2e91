"""Errors that services raise and every edge (views, API, commands) knows how to present."""


class ApplicationError(Exception):
    """A business rule forbids the requested change. The message is shown to the user as it is."""

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
