"""Startup validation: everything `guard watch` needs, checked before READY=1.

Each failure is one line that names what to fix. Config problems (a bad value, a database check
with no URL, a bad webhook) are ConfigError, exit 2; a root, state directory, audit store or
metrics folder the daemon cannot use is StartupError, exit 1 ("daemon failed to start").
The same checks run on a reload, against the new config, before it replaces the old one.
"""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from guard.errors import ConfigError
from guard.errors import GuardError

if TYPE_CHECKING:
    from guard.alerts import Sink
    from guard.audit import AuditStore
    from guard.config import Config


class StartupError(GuardError):
    """`guard watch` cannot start: the root, state directory, audit store or metrics folder is unusable (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Ready:
    """What a validated config gives the service: its audit store and its alert sinks."""

    store: AuditStore
    sinks: list[Sink]


def check_settings(config: Config) -> None:
    """Values the generic validation lets through but a daemon cannot run with."""
    watch = config.watch
    for key, value in (
        ('debounce', watch.debounce),
        ('max-wait', watch.max_wait),
        ('sweep-interval', watch.sweep_interval),
        ('health-interval', watch.health_interval),
        ('disk-interval', watch.disk_interval),
    ):
        if value <= 0:
            raise ConfigError(f'{config.source}: watch.{key} must be more than 0 seconds, got {value:g}')
    if watch.max_wait < watch.debounce:
        raise ConfigError(
            f'{config.source}: watch.max-wait ({watch.max_wait:g}) must be at least watch.debounce ({watch.debounce:g})'
        )


def check_root(root: Path) -> None:
    from guard.daemon.facts import root_problem

    problem = root_problem(root)
    if problem:
        raise StartupError(f"cannot watch {problem}; create it, or fix the root (the unit's instance name)")
    if not os.access(root, os.R_OK | os.X_OK):
        raise StartupError(f'cannot watch {root}: no read permission; run as a user that owns it')


class SandboxError(GuardError):
    """The unit's sandbox keeps guard from a folder its config names (exit 2: a restart cannot fix it)."""

    exit_code = 2


def check_writable(folder: Path, what: str) -> None:
    from guard import ownfiles
    from guard.errors import UnsafeOperationError

    try:
        # guard's own folder: no link followed, owned by the service user, writable by nobody else.
        fd = ownfiles.open_dir(folder, create=True)
        try:
            with tempfile.TemporaryFile(dir=ownfiles.fd_path(fd)):
                pass
        finally:
            os.close(fd)
    except UnsafeOperationError as e:
        raise StartupError(f'{what}: {e}') from None
    except OSError as e:
        _sandboxed(e, f'{what} {folder}')
        raise StartupError(
            f'{what} {folder} is not writable ({e.strerror}); '
            'set state-dir or give the service user write access (StateDirectory=)'
        ) from None


def _sandboxed(error: OSError, what: str) -> None:
    """EROFS on a folder that is not a read-only mount: the unit's ProtectSystem= hides it from guard."""
    if error.errno == errno.EROFS and os.environ.get('INVOCATION_ID'):
        raise SandboxError(
            f'{what} is read-only for this service (its sandbox, ProtectSystem=strict): '
            'run `guard install-service ROOT` again, which adds the folders the config '
            'names to ReadWritePaths=, then `systemctl daemon-reload`'
        ) from None


def check_health_targets(config: Config, root: Path) -> None:
    """Every check health.checks names can run: a database check needs a URL it can parse."""
    from guard.health.checks import selected

    names = selected(config.health.checks, None)
    if 'database' in names:
        from guard.health.dburl import resolve

        resolve(config, root)  # ConfigError naming everywhere it looked


def check_metrics_file(config: Config, root: Path) -> None:
    if not config.watch.metrics_file:
        return
    target = metrics_target(config, root)
    try:
        _probe_folder(target.parent)
    except OSError as e:
        _sandboxed(e, f"watch.metrics-file's folder {target.parent}")
        raise StartupError(
            f'watch.metrics-file {target}: cannot write in {target.parent} ({e.strerror}); '
            "create the folder (node_exporter's textfile directory) or fix the path"
        ) from None


def metrics_target(config: Config, root: Path) -> Path:
    """metrics_path, judged as every path guard writes is (guard.safety.targets): a ConfigError
    when it names a protected file, guard's own state, a symlink or a folder of the root."""
    from guard.safety import targets

    target = metrics_path(config, root)
    why = targets.problem(config, root, 'watch.metrics-file', target)
    if why:
        raise ConfigError(why)
    return target


def _probe_folder(folder: Path) -> None:
    """Create and remove a file in `folder`, reached without following a link at any component and
    used through that descriptor only: a folder swapped for a symlink cannot send the probe
    elsewhere, nor leave it there (finding 16b-19)."""
    from guard import ownfiles

    fd = ownfiles.open_dir(folder, owners=False)
    try:
        name = f'.guard-probe.{os.getpid()}.{os.urandom(4).hex()}.tmp'
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=fd))
        os.unlink(name, dir_fd=fd)
    finally:
        os.close(fd)


def metrics_path(config: Config, root: Path) -> Path:
    """watch.metrics-file; a folder (a value ending in '/', or an existing folder) gets this root's own
    file in it, `guard-<instance>.prom`, so a setting shared by every root of a machine stays per root."""
    from guard.instances import escape_path

    value = config.watch.metrics_file
    target = root / value
    if value.endswith('/') or target.is_dir():
        target = target / f'guard-{escape_path(root)}.prom'
    return Path(os.path.normpath(target))


def check_config(config: Config, root: Path) -> list[Sink]:
    """Every check but the audit store's, in the order a person would fix them; the alert sinks."""
    check_settings(config)
    check_root(root)
    check_writable(config.state_path(), 'state directory')
    check_health_targets(config, root)
    check_metrics_file(config, root)
    from guard.alerts import build_sinks

    return build_sinks(config)


def pattern_warnings(config: Config, root: Path) -> list[str]:
    """A line for each purge.ephemeral pattern that names a floor (`.git`, a config file, guard's own
    folders) or a protected folder: the purge will never clear it, so the setting is a mistake the
    operator should hear about rather than find out from a disk that stays full."""
    from guard.safety.paths import PROTECTED
    from guard.safety.purge import matcher_for

    matcher = matcher_for(config, root)
    lines = []
    for pattern in config.purge.ephemeral:
        name = pattern.strip('/')
        if not name or any(c in name for c in '*?[') or name.startswith('!'):
            continue
        is_dir = pattern.endswith('/') or (root / name).is_dir()
        if matcher.decide(name, is_dir=is_dir) == PROTECTED:
            parts = name.split('/')
            floor = any(
                matcher.is_floor('/'.join(parts[:i]), is_dir=i < len(parts) or is_dir) for i in range(1, len(parts) + 1)
            )
            kind = 'a floor (never cleared, whatever the config says)' if floor else 'a protected path'
            lines.append(f'{config.source}: purge.ephemeral {pattern!r} names {kind}: the purge will never clear it')
    return lines


def validate(config: Config, root: Path) -> Ready:
    """Run every check; return the opened store and sinks."""
    sinks = check_config(config, root)
    return Ready(open_store(config), sinks)


def open_store(config: Config) -> AuditStore:
    from guard.audit import AuditStore

    try:
        if config.audit.url and not config.audit.url.startswith('sqlite'):
            # A remote store may be down: the daemon records locally and forwards (guard.audit_spool).
            # A local SQLite URL that cannot be used is a mistake to fix, not an outage to ride out.
            from guard.audit_spool import SpoolingStore

            store: AuditStore = SpoolingStore.open_spooling(config.audit.url, config.state_path())
        else:
            store = AuditStore.open(config)
        store.history(limit=1)
    except GuardError as e:
        raise StartupError(f"{e}; fix [tool.guard.audit] url or the state directory's permissions") from None
    return store
