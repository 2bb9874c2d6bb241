"""Exceptions guard raises on purpose. The CLI maps each to an exit code."""

from __future__ import annotations


class GuardError(RuntimeError):
    """Base of every error guard reports as one line instead of a traceback."""

    exit_code = 2


class UsageError(GuardError):
    """The command line asks for something impossible (exit 2)."""


class ConfigError(GuardError):
    """A config file, environment variable or flag holds a bad value (exit 2)."""


class SourceError(GuardError):
    """Git or the filesystem could not give guard what it was asked to scan (exit 2)."""


class UnsafeOperationError(GuardError):
    """A purge, clean or restore was refused because it could touch the wrong thing (exit 2)."""


class LockedError(GuardError):
    """Another purge or clean holds this root's lock (exit 2)."""


class AuditError(GuardError):
    """The audit store cannot be opened or written: bad URL, unreachable server, no permission (exit 2)."""


class AuditWriteError(AuditError):
    """The audit store is there but cannot be reached or written (a server down, a full disk), so a
    destructive operation did not start or stopped (exit 1: it failed; the command line was fine)."""

    exit_code = 1
