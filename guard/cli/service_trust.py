"""What `guard watch` will honour of a project's own config when it runs as a service (issue 17, D1).

`guard install-service` prints it, so the operator sees before starting the unit which trust-gated
settings the daemon will take and which it will leave out, evaluated as the service evaluates them:
its own state (StateDirectory=, /var/lib/guard) and the system trust store, not the trust of whoever
runs install-service. With --trust (root), the project's config is first recorded in the system store.
"""

from __future__ import annotations

import os
from pathlib import Path

from guard import config as config_module
from guard import trust
from guard.daemon import unit

# The machine's own layers may be moved (tests, containers); the rest of this shell's environment is
# not the service's, so it is left out.
PASSED_THROUGH = ('GUARD_SYSTEM_CONFIG', 'GUARD_SYSTEM_TRUST')


def service_environ() -> dict[str, str]:
    """The environment the unit gives guard watch, as far as trust and layers depend on it."""
    environ = {'XDG_STATE_HOME': str(unit.STATE_DIR.parent)}  # Environment=XDG_STATE_HOME=%S
    environ.update({name: os.environ[name] for name in PASSED_THROUGH if name in os.environ})
    return environ


def record(root: Path) -> str:
    """Trust the project's config in the system store (root only); the file trusted, or ''."""
    path, table, _, _ = config_module.project_trust(root)
    if path:
        trust.update(service_environ(), path, trust.table_digest(table), system=True)
    return path


def report(root: Path, config_file: Path | None) -> list[str]:
    """The lines install-service prints: each trust-gated key the project sets, honoured or not, and why."""
    if config_file is not None:
        return [f"The service reads {config_file} (trusted: named by the unit), not {root}'s own config."]
    path, _, _, keys = config_module.project_trust(root)
    if not path:
        return [f'{root} has no guard config of its own: the service uses the system layer and the defaults.']
    config = config_module.load(root, environ=service_environ())
    ignored = {i.key: i for i in config.ignored}
    lines = [
        f'Of {path}, the service will honour every setting'
        + (' but:' if ignored else (f', including {", ".join(keys)}.' if keys else '.'))
    ]
    lines += [f'  ignored: {i.key} ({i.trust}): {i.why}' for i in ignored.values()]
    honoured = [key for key in keys if key not in ignored]
    if ignored:
        if honoured:
            lines.append(f'  honoured: {", ".join(honoured)}')
        lines.append(
            f'To honour them, review the file and run as root: guard trust --system {root} '
            '(or install-service --trust).'
        )
    return lines
