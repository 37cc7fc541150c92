"""Exceptions raised by hipnb: one base class, one subclass per kind of bad input."""

from __future__ import annotations


class HipnbError(Exception):
    """Base class of every error hipnb raises on purpose."""


class RoutineError(HipnbError):
    """Raised when a routine file is missing, malformed or names an invalid step."""


class LogError(HipnbError):
    """Raised when a session log (or rows for it) cannot be used; says file, line and field."""


class WriteError(LogError):
    """Raised when a write to a log failed (disk full, no permission, an I/O error): nothing was
    written, and the same write may work later. A row the door refuses raises :class:`LogError`."""
