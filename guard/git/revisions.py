"""The commits a `git push` sends, from the lines git hands a pre-push hook (githooks(5))."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from guard.errors import UsageError
from guard.git import runner

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.records import StrPath


@dataclass(frozen=True)
class PushUpdate:
    """One line git gives a pre-push hook on stdin."""

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str


def parse_push_lines(text: str) -> list[PushUpdate]:
    """`<local ref> <local sha> <remote ref> <remote sha>` lines (githooks(5), pre-push)."""
    updates = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4 or not all(_is_sha(p) for p in (parts[1], parts[3])):
            from guard.excerpt import quoted  # only on the error path: what git sent may be anything

            raise UsageError(
                f'pre-push: expected "<local ref> <local sha> <remote ref> <remote sha>", got {quoted(line)}'
            )
        updates.append(PushUpdate(*parts))
    return updates


def push_revisions(root: StrPath, updates: Sequence[PushUpdate], remote: str = '') -> list[str]:
    """`git log` arguments for the commits a push sends; [] when it only deletes branches.

    A branch the remote already has: the commits after the remote's tip. A new branch, or a remote
    tip this clone never fetched: the commits on no remote-tracking ref of `remote` (the remote's
    name, as git passes it to pre-push), as pre-commit does. A commit on another remote's ref (a
    fork's) has never been where this push goes; a push to a URL, or an unknown remote, counts no
    ref as published.
    """
    pushed = [u for u in updates if not _is_zero(u.local_sha)]
    if not pushed:
        return []
    known = _existing(root, [u.remote_sha for u in pushed if not _is_zero(u.remote_sha)])
    unknown_base = any(_is_zero(u.remote_sha) or u.remote_sha not in known for u in pushed)
    published = [*sorted(known), *(_tracking(root, remote) if unknown_base and _remote_name(remote) else [])]
    return [*dict.fromkeys(u.local_sha for u in pushed), *(['--not', *published] if published else [])]


def not_commits(root: StrPath, updates: Sequence[PushUpdate]) -> list[tuple[str, str]]:
    """(local ref, object type) of each pushed ref that names no commit, tags peeled: `git push origin
    <blob>:refs/tags/x` sends a blob or a tree no commit holds, which a scan of commits never reads."""
    pushed = [u for u in updates if not _is_zero(u.local_sha)]
    if not pushed:
        return []
    out = runner.git(
        root,
        'cat-file',
        '--batch-check=%(objecttype)',
        input_bytes=''.join(f'{u.local_sha}^{{}}\n' for u in pushed).encode(),
    )
    kinds = out.decode().splitlines()
    return [(u.local_ref, kind.rpartition(' ')[2]) for u, kind in zip(pushed, kinds, strict=False) if kind != 'commit']


def _tracking(root: StrPath, remote: str) -> list[str]:
    """Arguments selecting `remote`'s remote-tracking refs: refs/remotes/<remote>/*, without those of a
    remote named under it (`origin/fork`'s refs/remotes/origin/fork/* are no refs of origin's)."""
    nested = [name for name in runner.git(root, 'remote').decode().split() if name.startswith(remote + '/')]
    return [*(f'--exclude={name}/*' for name in nested), f'--remotes={remote}']


def _remote_name(remote: str) -> bool:
    """Whether `remote` may select remote-tracking refs: no glob, which `--remotes=` would expand to
    other remotes' refs (no ref name holds one; a URL that does selects nothing either way)."""
    return bool(remote) and not any(c in remote for c in '*?[')


def _existing(root: StrPath, shas: Sequence[str]) -> set[str]:
    if not shas:
        return set()
    out = runner.git(root, 'cat-file', '--batch-check', input_bytes=''.join(s + '\n' for s in shas).encode())
    return {line.split()[0] for line in out.decode().splitlines() if not line.endswith(' missing')}


def _is_sha(value: str) -> bool:
    return len(value) in (40, 64) and all(c in '0123456789abcdef' for c in value)


def _is_zero(sha: str) -> bool:
    return not sha.strip('0')
