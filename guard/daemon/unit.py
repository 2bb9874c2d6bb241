"""The systemd unit for `guard watch`: the shipped template, and the drop-in that fits it to one root.

`systemd/guard@.service` is a template whose instance is the root's escaped path
(`systemd-escape --path /srv/app` = `srv-app`). Everything that differs between servers (the user
that owns the root, where guard is installed, a system-wide config file, a root under /home) goes
in a drop-in beside it, so the shipped file stays byte-for-byte what the tests lint.
https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html#Description
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from guard import instances
from guard.errors import UsageError

TEMPLATE = 'guard@.service'
DROP_IN = 'guard.conf'
UNIT_DIR = Path('/etc/systemd/system')
# StateDirectory=guard: writable by the service, so never listed again in ReadWritePaths=.
STATE_DIR = Path('/var/lib/guard')
# ProtectHome=yes hides these; a root below one of them needs ProtectHome=read-only, which
# ReadWritePaths=%f then overrides for the root alone.
HOME_DIRS = (Path('/home'), Path('/root'), Path('/run/user'))


@dataclass(frozen=True)
class ServiceSpec:
    """What the drop-in for one root says."""

    root: Path  # absolute, resolved
    user: str
    group: str
    guard: Path  # the guard executable ExecStart= runs
    config_file: Path | None = None
    # Folders outside the root and /var/lib/guard that guard writes (a metrics file's, a state-dir).
    writable: tuple[Path, ...] = ()


def escape_path(path: Path) -> str:
    """The instance name for `path`, as `systemd-escape --path` spells it."""
    return instances.escape_path(path)


def unit_name(root: Path) -> str:
    """`guard@<escaped root>.service`."""
    return f'guard@{escape_path(root)}.service'


def template_text() -> str:
    """The shipped unit: systemd/ in a checkout, share/guard/systemd/ in an installed wheel."""
    for folder in (Path(__file__).resolve().parents[2] / 'systemd', Path(sys.prefix) / 'share' / 'guard' / 'systemd'):
        if (folder / TEMPLATE).is_file():
            return (folder / TEMPLATE).read_text(encoding='utf-8')
    raise UsageError(f'{TEMPLATE} is missing from this installation (reinstall guard)')


def drop_in_text(spec: ServiceSpec) -> str:
    """The drop-in `guard@<instance>.service.d/guard.conf` for one root."""
    command = [str(spec.guard), 'watch']
    if spec.config_file is not None:
        command += ['--config', str(spec.config_file)]
    lines = [
        '# Written by `guard install-service`; run it again rather than editing this file.',
        '[Service]',
        f'User={spec.user}',
        f'Group={spec.group}',
        "# An empty ExecStart= clears the template's before setting this one.",
        'ExecStart=',
        'ExecStart=' + ' '.join(_exec_word(word) for word in command) + ' %f',
        '# A reload is checked first, as `nginx -t`: a bad config fails `systemctl reload` with its',
        '# reason, and the daemon, signalled all the same, keeps its old config and shows the rejection.',
        'ExecReload=',
        'ExecReload=' + ' '.join(_exec_word(word) for word in command) + ' --reload $MAINPID %f',
    ]
    if under_home(spec.root):
        lines.append('ProtectHome=read-only')
    for folder in spec.writable:
        # '-': a missing folder is left to guard's own start-up check, which names it, rather
        # than failing the namespace set-up with a bare status 226.
        lines.append('ReadWritePaths=-' + _path_word(str(folder)))
    return '\n'.join(lines) + '\n'


def under_home(root: Path) -> bool:
    """True when ProtectHome=yes would hide `root`."""
    return any(root == home or home in root.parents for home in HOME_DIRS)


def _path_word(path: str) -> str:
    # Path lists expand % specifiers and split on blanks; quotes keep a blank inside one path.
    path = path.replace('%', '%%')
    return f'"{path}"' if any(c.isspace() for c in path) else path


def _exec_word(word: str) -> str:
    # ExecStart= expands % specifiers and $VARIABLES and splits on blanks: double the first two,
    # quote a word that holds a blank or a quote.
    # https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html#Command%20lines
    word = word.replace('%', '%%').replace('$', '$$')
    if any(c in word for c in ' \t"\'\\'):
        return '"' + word.replace('\\', '\\\\').replace('"', '\\"') + '"'
    return word
