"""Which paths are protected, which are ephemeral, and which roots guard refuses outright.

Patterns use gitignore syntax (pathspec) and match whole path components, never substrings:
`config/` protects `config/` and `logs/config/`, not `logs/config_backup.log`.

- Protected patterns follow gitignore exactly: a pattern without an inner slash matches at any
  depth (`.env` protects every `.env`), because erring towards protection is the safe direction.
- Ephemeral patterns are anchored at the root unless they start with `**/`: `logs/` means
  `<root>/logs/`, never a `src/app/logs/` package.
- Protection is inherited: anything at or below a protected path is protected, whatever ephemeral
  pattern also matches it (`**/logs/` never reaches into protected `models/logs/`), and a negated
  protected pattern cannot re-include below a protected folder, as in gitignore.
- Inside an ephemeral path the deepest match decides: `logs/` is ephemeral, `logs/config/` inside
  it is protected again. At equal depth protection wins.
- Floors are protected whatever the config says, negations included: `.git` at any depth, guard's
  own state and quarantine folders, and config files (see `FLOOR_NAMES`).
"""

from __future__ import annotations

import os
import pwd
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from guard import gitignore
from guard.errors import ConfigError
from guard.errors import UnsafeOperationError
from guard.printable import printable

# Roots no purge or clean may ever be pointed at, whatever the config says.
SYSTEM_DIRS = frozenset(
    (
        '/',
        '/bin',
        '/boot',
        '/dev',
        '/etc',
        '/home',
        '/lib',
        '/lib32',
        '/lib64',
        '/media',
        '/mnt',
        '/opt',
        '/proc',
        '/root',
        '/run',
        '/sbin',
        '/srv',
        '/sys',
        '/tmp',
        '/usr',
        '/var',
        '/var/lib',
        '/var/log',
        '/var/tmp',
    )
)


PROTECTED = 'protected'
EPHEMERAL = 'ephemeral'
# Never purged, whatever the config says: git's history (a `.git` folder or worktree file, at
# any depth) and the config files guard reads. Guard's state, its quarantine and the config file
# in use are added per root by `guard.safety.purge.matcher_for`.
FLOOR_NAMES = ('.git', 'pyproject.toml', 'guard.toml')
# A negated pattern (`!config/generated/`) matched: explicitly neither, whatever the parent is.
_NEITHER = 'neither'
# Ephemeral patterns that would hand the whole root to the purge.
_WHOLE_ROOT = frozenset(('/', '/*', '/**', '**', '**/*', '**/**', '*', '/**/*'))


@dataclass(frozen=True)
class _PatternSet:
    """Patterns compiled to one regex, or kept in order when negations make order matter."""

    source: tuple[str, ...]
    combined: re.Pattern[str] | None
    ordered: tuple[tuple[re.Pattern[str], bool], ...]

    def matches(self, path: str) -> bool | None:
        """True when a pattern includes `path`, False when a negation excludes it last, else None."""
        if self.combined is not None:
            return True if self.combined.match(path) else None
        verdict = None
        for regex, include in self.ordered:
            if regex.match(path):
                verdict = include  # gitignore: the last matching pattern wins
        return verdict


class Matcher:
    """Decides protected / ephemeral / neither for root-relative paths ('/'-separated)."""

    def __init__(
        self, protected: Sequence[str], ephemeral: Sequence[str], *, floors: Sequence[str] = FLOOR_NAMES
    ) -> None:
        self.protected = _compile(protected, anchor=False, key='purge.protected')
        self.ephemeral = _compile(ephemeral, anchor=True, key='purge.ephemeral')
        self.floors = _compile(tuple(f for f in floors if not f.startswith('!')), anchor=False, key='floors')
        self.plain_protected = _joined(self.floors, self.protected)

    def is_floor(self, rel: str, *, is_dir: bool) -> bool:
        """True when `rel`'s own name is a floor (`.git`, guard's state, a config file)."""
        return bool(self.floors.matches(rel + '/' if is_dir else rel))

    def names_ephemeral(self, rel: str, *, is_dir: bool) -> bool:
        """True when an ephemeral pattern matches `rel`'s own name (whether or not it wins)."""
        return bool(self.ephemeral.matches(rel + '/' if is_dir else rel))

    def own(self, rel: str, *, is_dir: bool) -> str | None:
        """What `rel`'s own name says, ignoring its ancestors: PROTECTED, EPHEMERAL, neither, or None."""
        path = rel + '/' if is_dir else rel
        if self.floors.matches(path):
            return PROTECTED
        protected = self.protected.matches(path)
        if protected:
            return PROTECTED
        ephemeral = self.ephemeral.matches(path)
        if ephemeral:
            return EPHEMERAL
        return _NEITHER if protected is False or ephemeral is False else None

    def decide(self, rel: str, *, is_dir: bool) -> str | None:
        """The deepest decision along `rel`'s components (ancestors are directories)."""
        parts = rel.split('/')
        verdict = None
        for depth in range(1, len(parts) + 1):
            verdict = self.child(verdict, '/'.join(parts[:depth]), is_dir=is_dir or depth < len(parts))
        return verdict

    def child(self, parent_verdict: str | None, rel: str, *, is_dir: bool) -> str | None:
        """The decision for `rel` when its parent's decision is already known (one step of a walk)."""
        if parent_verdict == PROTECTED:
            return PROTECTED  # inherited: nothing below a protected path is ever anything else
        own = self.own(rel, is_dir=is_dir)
        if own is None:
            return parent_verdict
        return None if own == _NEITHER else own


def _compile(patterns: Sequence[str], *, anchor: bool, key: str) -> _PatternSet:
    compiled: list[tuple[re.Pattern[str], bool]] = []
    for raw in patterns:
        text = _anchored(raw) if anchor else raw
        if anchor and text in _WHOLE_ROOT:
            raise ConfigError(f'{key}: pattern {raw!r} would make the whole root ephemeral; name the folders to clear')
        try:
            regex, include = gitignore.pattern_regex(text, key)
        except gitignore.PatternError as e:
            from guard.excerpt import masked  # only on the error path
            from guard.excerpt import quoted

            raise ConfigError(e.shown(quoted, masked)) from None
        if regex is not None:
            # Exact match only (\Z): 'logs/' must not claim 'logs/app.log' on its own, or the
            # deepest-match rule could not hand a child back to another pattern. DOTALL because
            # file names may hold newlines.
            compiled.append((re.compile(f'(?:{regex})\\Z', re.DOTALL), include))
    if all(include for _, include in compiled):
        joined = '|'.join(f'(?:{r.pattern})' for r, _ in compiled) or r'(?!x)x'
        return _PatternSet(tuple(patterns), re.compile(joined, re.DOTALL), ())
    return _PatternSet(tuple(patterns), None, tuple(compiled))


def _joined(*sets: _PatternSet) -> re.Pattern[str] | None:
    """One regex for several negation-free pattern sets (None when any holds a negation)."""
    if any(s.combined is None for s in sets):
        return None
    return re.compile('|'.join(f'(?:{s.combined.pattern})' for s in sets if s.combined is not None), re.DOTALL)


def _anchored(pattern: str) -> str:
    negate = pattern.startswith('!')
    body = pattern[1:] if negate else pattern
    if body and not body.startswith(('/', '**/', '#')) and '/' not in body.rstrip('/'):
        body = '/' + body
    return ('!' if negate else '') + body


def check_root(root: str | os.PathLike[str]) -> Path:
    """The resolved root, or UnsafeOperationError for '/', a home or system directory, a non-directory."""
    path = Path(os.path.abspath(root))
    if not path.exists():
        raise UnsafeOperationError(f'{path}: no such directory')
    resolved = path.resolve()
    if not resolved.is_dir():
        raise UnsafeOperationError(f'{path}: not a directory')
    shown = printable(resolved)
    if str(resolved) in SYSTEM_DIRS:
        raise UnsafeOperationError(f'{shown}: refusing to work on a system directory; point guard at a project root')
    if resolved in _home_dirs():
        raise UnsafeOperationError(
            f'{shown}: refusing to work on a home directory; point guard at a project root inside it'
        )
    refuse_refused_directory(os.stat(resolved), shown)
    return resolved


def refuse_refused_directory(st: os.stat_result, shown: str) -> None:
    """UnsafeOperationError when the directory `st` describes IS `/`, a system directory or a home
    directory: the same directory (device and inode), whatever path reaches it.

    The path checks above compare names; a bind mount of `/` at /host or /mnt/sysimage (or of /usr,
    /var, /root) is the same directory under another name, and a purge there clears the machine's
    real /var/log (issue 16, attack 21). A bind mount shares the device and inode of its source, so
    comparing (st_dev, st_ino) catches every name of it; the root's descriptor is judged as well
    (RootPin), so a path swapped between this check and the open gains nothing.

    Only "is one of them" is checked, not "contains one of them": the path rule refuses only exact
    matches, and a directory that contains a refused one without being one either holds it behind a
    mount (another mount id, which the purge never enters: guard.safety.purge) or is an ordinary
    parent the path rule accepts too (the folder holding users' homes at a custom place).
    """
    for path, kind in _refused_identities().get((st.st_dev, st.st_ino), ()):
        raise UnsafeOperationError(
            f'{shown}: refusing to work on a {kind} (it is {printable(path)}, reached through a bind mount '
            'or another name); point guard at a project root'
        )


def _refused_identities() -> dict[tuple[int, int], list[tuple[str, str]]]:
    """(st_dev, st_ino) -> the refused paths that are that directory: each stat'ed once per check."""
    found: dict[tuple[int, int], list[tuple[str, str]]] = {}
    named = [(p, 'system directory') for p in sorted(SYSTEM_DIRS)] + [
        (str(h), 'home directory') for h in sorted(_home_dirs())
    ]
    for path, kind in named:
        try:
            st = os.stat(path)
        except OSError:
            continue  # not on this machine (/lib32): nothing to be the same as
        found.setdefault((st.st_dev, st.st_ino), []).append((path, kind))
    return found


def _home_dirs() -> set[Path]:
    homes = {Path(os.path.expanduser('~'))}
    for name in filter(None, (os.environ.get('SUDO_USER'), _login_name())):
        try:
            homes.add(Path(pwd.getpwnam(name).pw_dir))
        except KeyError:
            pass
    try:
        homes.add(Path(pwd.getpwuid(os.getuid()).pw_dir))
    except KeyError:
        pass
    return {h.resolve() for h in homes if str(h) not in ('', '/')}


def _login_name() -> str | None:
    try:
        return os.getlogin()
    except OSError:
        return None


def is_inside(path: str | os.PathLike[str], root: Path) -> bool:
    """True when `path` (already resolved) is `root` or below it, by components."""
    try:
        Path(path).relative_to(root)
    except ValueError:
        return False
    return True


def link_refusal(root: Path, rel: str, matcher: Matcher) -> str | None:
    """Why the symlink at `rel` must be left alone, or None when it may be unlinked.

    The link itself is never followed by removal; this only judges where it points, so a link
    an operator made on purpose (`logs -> /var/log/app`) is reported instead of silently dropped.
    """
    target = os.path.realpath(os.path.join(root, rel))
    if not is_inside(target, root):
        return f'symlink to {target}, outside the root'
    inner = Path(target).relative_to(root).as_posix()
    if inner == '.':
        return 'symlink to the root itself'
    if matcher.decide(inner, is_dir=os.path.isdir(target)) == PROTECTED:
        return f'symlink into protected {inner}'
    return None
