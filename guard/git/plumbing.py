"""What git stores, asked through its plumbing: the index and the changes a commit makes (blobs: guard.git.blobs).

`diff --cached --raw -z` and `ls-files --stage -z` cost a few milliseconds,
where GitPython would cost ~250 ms of import before doing anything. This module loads nothing but
the process runner, so the commit hook can start git first (`StagedRead`) and let it work on the
other core while guard loads its rules.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from collections.abc import Sequence

from guard.errors import SourceError
from guard.git import runner
from guard.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    from guard.records import StrPath

    T = TypeVar('T')

SYMLINK = '120000'
GITLINK = '160000'  # a submodule: its "content" is a commit id in another repository
# Up to this many paths are looked up in the index by pathspec; more, and one full listing is cheaper.
PATHSPEC_MAX = 64
# Porcelain `diff --cached` compares with an empty tree when HEAD is unborn (the first commit).
# diff.relative=false: paths stay root-relative when git runs in a subdirectory. -M: a renamed file
# replaces the blob at its old path, so its old lines stay old (renames are found only when the
# commit also removes a path: nothing to compare otherwise).
DIFF_CACHED = (
    '-c',
    'diff.relative=false',
    'diff',
    '--cached',
    '--raw',
    '-z',
    '-M',
    '--no-abbrev',
    '--no-ext-diff',
    '--no-color',
    '--ignore-submodules=none',
    '--diff-filter=d',
)
REV_PARSE = ('rev-parse', '--show-toplevel', '--git-path', 'MERGE_HEAD')
LS_FILES = ('--literal-pathspecs', 'ls-files', '--stage', '-z')


class Entry(Record):
    """One file of the index (or of a commit's tree): where (`path`), what kind (`mode`), which blob (`oid`).

    `parents`: the blobs this one replaces, whose lines are not new (one per parent of a merge; in the
    index, HEAD's and each merged head's); empty for an added file.
    `source`: the path it was renamed or copied from ('' when it kept its path).
    """

    path: str
    mode: str
    oid: str
    parents: tuple[str, ...] = ()
    source: str = ''


class Repo(Record):
    """A work tree's top level (`root`, an absolute str), and the commits being merged into HEAD (none outside a merge)."""

    root: str
    merge_heads: tuple[str, ...] = ()


class StagedRead:
    """The repository and what its next commit holds, asked of git in the background.

    `git rev-parse` starts when this is created, with `git diff --cached` (everything staged, or the
    file `names` pre-commit passes). They run while the caller does other work (the commit hook loads
    its rules, ~10 ms) instead of one after the other once it is done. Each method answers like the
    function of the same name.

    Every git process it starts is waited for on every path: when its answer is read, when any
    answer fails (the rest are of no use then), and at `close()` — `with StagedRead(...) as read:`
    — so a long-lived caller (the daemon) is never left with zombie children.
    """

    def __init__(self, start: StrPath, *, names: Sequence[str] | None = None) -> None:
        self.folder = _folder(start)
        self._where: runner.RunningGit | None = None
        self._diff: runner.RunningGit | None = None
        try:
            self._where = runner.start_git(self.folder, *REV_PARSE)
            # Names are relative to `start`; the diff lists root-relative paths (diff.relative=false).
            self._diff = (
                runner.start_git(self.folder, *DIFF_CACHED, '--')
                if names is None
                else runner.start_git(self.folder, '--literal-pathspecs', *DIFF_CACHED, '--', *_pathspec(names))
                if names
                else None
            )
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> StagedRead:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for every git process still running; answers not yet read are dropped."""
        for running in (self._where, self._diff):
            if running is not None:
                running.reap()

    def repo(self) -> Repo:
        where = self._where
        assert where is not None
        return self._answer(lambda: _repo(self.folder, where))

    def staged_entries(self, repo: Repo) -> list[Entry]:
        diff = self._diff
        if diff is None:
            return staged_entries(repo)
        return self._answer(lambda: _new_to_every_head(repo, _entries(diff.output())))

    def named_entries(self, repo: Repo, paths: Sequence[str]) -> dict[str, Entry]:
        diff = self._diff
        if diff is None:
            return named_entries(repo, paths)
        return self._answer(lambda: _named(repo, _entries(diff.output()), paths))

    def _answer(self, read: Callable[[], T]) -> T:
        """`read()`; when it fails, the other answers are of no use: their processes are reaped at once."""
        try:
            return read()
        except BaseException:
            self.close()
            raise


def locate(start: StrPath) -> Repo:
    """The repository containing `start` (a subdirectory is fine), in one `git rev-parse`."""
    folder = _folder(start)
    return _repo(folder, runner.start_git(folder, *REV_PARSE))


def staged_entries(repo: Repo) -> list[Entry]:
    """Files the next commit adds or changes (deletions hold nothing to scan)."""
    return _new_to_every_head(repo, _diff_cached(repo.root))


def _folder(start: StrPath) -> str:
    return os.fspath(start) if os.path.isdir(start) else os.path.dirname(start)


def _repo(folder: str, rev_parse: runner.RunningGit) -> Repo:
    try:
        out = rev_parse.output()
    except SourceError as e:
        raise SourceError(f'{folder} is not inside a git work tree ({e})') from None
    top, merge_head = os.fsdecode(out).splitlines()[:2]
    try:
        with open(os.path.join(folder, merge_head), encoding='utf-8') as f:
            heads = tuple(f.read().split())
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        heads = ()
    return Repo(os.path.realpath(top), heads)


def _new_to_every_head(repo: Repo, entries: list[Entry], *, keep: bool = False) -> list[Entry]:
    """During a merge only what differs from every parent counts: the rest is already in a commit,
    which is how pre-commit limits a merge commit too (its `get_conflicted_files`). What differs
    also names each merged head's version in `parents`: a line either side had is not new.
    `keep`: an entry the same as a merged head's is kept, as replacing itself (it adds no line)."""
    for head in repo.merge_heads:
        theirs = {e.path: e.parents for e in _diff_cached(repo.root, head)}
        entries = [
            e._replace(parents=(*e.parents, *theirs[e.path]))
            if e.path in theirs
            else e._replace(parents=(*e.parents, e.oid))
            for e in entries
            if keep or e.path in theirs
        ]
    return entries


def named_entries(repo: Repo, paths: Sequence[str]) -> dict[str, Entry]:
    """Stage-0 index entries for these root-relative paths (absent paths are simply missing). Those the
    next commit adds or changes carry the blobs they replace (`parents`, as staged_entries); the
    others (pre-commit's `--all-files`, `--files`) are taken whole: no commit says what is old in them."""
    if not paths:
        return {}
    return _named(
        repo, _entries(runner.git(repo.root, '--literal-pathspecs', *DIFF_CACHED, '--', *_pathspec(paths))), paths
    )


def _pathspec(names: Sequence[str]) -> Sequence[str]:
    """The names themselves, or none (everything, filtered afterwards) when there are too many."""
    return names if len(names) <= PATHSPEC_MAX else ()


def _named(repo: Repo, changed: list[Entry], paths: Sequence[str]) -> dict[str, Entry]:
    wanted = set(paths)
    found = {e.path: e for e in _new_to_every_head(repo, [e for e in changed if e.path in wanted], keep=True)}
    rest = [p for p in paths if p not in found]
    return {**found, **index_entries(repo.root, rest)}


def index_entries(root: StrPath, paths: Sequence[str]) -> dict[str, Entry]:
    """Stage-0 index entries for these root-relative paths (absent paths are simply missing)."""
    if not paths:
        return {}
    out = runner.git(root, *LS_FILES, '--', *paths) if len(paths) <= PATHSPEC_MAX else runner.git(root, *LS_FILES)
    return _stage_zero(out, paths)


def _stage_zero(ls_files: bytes, paths: Sequence[str]) -> dict[str, Entry]:
    wanted = set(paths)
    found = {}
    for record in ls_files.split(b'\0'):
        if not record:
            continue
        meta, _, raw_path = record.partition(b'\t')
        mode, oid, stage = meta.decode().split()
        path = os.fsdecode(raw_path)
        if stage == '0' and path in wanted:
            found[path] = Entry(path, mode, oid)
    return found


def parse_raw(out: bytes) -> Iterable[tuple[str | None, Entry | None]]:
    """(commit, entry) for each added or changed path in `--raw -z` output, and (commit, None) at
    each commit header (any token that is not a record: `git log --format=%H`).

    Understands plain (`:m1 m2 o1 o2 S`) and combined (`::m1 m2 m3 o1 o2 o3 SS`) records; a rename or
    copy (`R<score>`, `C<score>`, with -M/-C) names the new path, replacing the blob at the old one.
    Deleted paths (result mode 000000) are dropped.
    """
    tokens = out.split(b'\0')
    commit = None
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b'\n')
        i += 1
        if not token.startswith(b':'):
            if token:
                commit = token.decode().strip()
                yield commit, None
            continue
        parents = len(token) - len(token.lstrip(b':'))
        fields = token[parents:].decode().split()
        mode, oid = fields[parents], fields[2 * parents + 1]
        replaced = tuple(o for o in fields[parents + 1 : 2 * parents + 1] if o.strip('0'))
        source = ''
        if parents == 1 and fields[-1][:1] in ('R', 'C'):
            source = os.fsdecode(tokens[i])  # the path it came from; the next token is where it is now
            i += 1
        path = os.fsdecode(tokens[i])
        i += 1
        if mode != '000000':
            yield commit, Entry(path, mode, oid, replaced, source)


def _diff_cached(root: StrPath, against: str | None = None) -> list[Entry]:
    return _entries(runner.git(root, *DIFF_CACHED, *([against] if against else []), '--'))


def _entries(raw_diff: bytes) -> list[Entry]:
    return sorted((e for _, e in parse_raw(raw_diff) if e is not None), key=lambda e: e.path)
