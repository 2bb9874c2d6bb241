"""One root, one systemd instance: its name (`systemd-escape --path`) and its own config file.

`guard@srv-app.service` watches /srv/app and reads `/etc/guard/srv-app.toml`, layered over the
shared `/etc/guard/guard.toml` and the project's own `[tool.guard]`. Every guard command run for
that root (watch, status, history, install-service) finds the same file by the same name, so a
shell and the service agree without a `--config` to remember. Pure string work: no imports above
the errors layer, so config (and the commit hook's path) can use it.
"""

from __future__ import annotations

import os

# systemd-escape keeps these bytes as they are; every other byte becomes \xNN.
_PLAIN = frozenset(b'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.')


def escape_path(path: str | os.PathLike[str]) -> str:
    """The instance name for `path`, as `systemd-escape --path` spells it."""
    text = os.path.normpath(os.fspath(path)).strip('/')
    if not text or text == '.':
        return '-'
    out = []
    # fsencode: a name that is not UTF-8 (surrogate escapes) is escaped byte by byte, as systemd does.
    for index, byte in enumerate(os.fsencode(text)):
        if byte == ord('/'):
            out.append('-')
        elif byte in _PLAIN and not (index == 0 and byte == ord('.')):
            out.append(chr(byte))
        else:
            out.append(f'\\x{byte:02x}')
    return ''.join(out)


def instance_file(root: str | os.PathLike[str], shared_file: str) -> str:
    """`<shared file's folder>/<instance>.toml` for this root (whether or not it exists): with the
    shared file /etc/guard/guard.toml, /srv/app's is /etc/guard/srv-app.toml."""
    absolute = os.path.realpath(os.path.abspath(os.fspath(root)))
    return os.path.join(os.path.dirname(shared_file), escape_path(absolute) + '.toml')
