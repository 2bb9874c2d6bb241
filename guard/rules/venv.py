"""The venv rule: Python environments left in the project root, recognised by evidence, not by name.

`python -m venv .` run in a repository root scatters `bin/ lib/ lib64/ include/ pyvenv.cfg` beside
the code. Folder names prove nothing (a project has its own `bin/` of scripts, a C project its
`include/`, a JS project its `lib/`), so the rule looks for what only an environment leaves:
`pyvenv.cfg`, activation scripts, `lib/pythonX.Y/site-packages`, interpreter links, `conda-meta/`.
It also says exactly which entries belong to the environment, which is what `guard clean` moves.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from guard.findings import Finding
from guard.findings import fingerprint
from guard.lazy_regex import LazyRegex
from guard.records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.rules.trees import Tree

ROOT_RULE = 'venv-root'
NESTED_RULE = 'venv-committed'
CATEGORY = 'venv'
WHY = 'A Python environment in the project root mixes thousands of installed files with the code and breaks other machines.'
FIX_DISK = (
    'Run `guard clean` to move these entries to a quarantine, then create environments in .venv/ (ignored by git).'
)
FIX_STAGED = 'Add them to .gitignore and unstage them with `git rm -r --cached <entry>`; keep environments in .venv/.'

_PY_DIR = LazyRegex(r'python\d+(?:\.\d+)?t?$')
_ACTIVATE = LazyRegex(r'(?:activate(?:\.\w+)?|Activate\.ps1|activate_this\.py|deactivate(?:\.\w+)?)$')
_INTERPRETER = LazyRegex(r'(?:python\d*(?:\.\d+)?t?|pip\d*(?:\.\d+)?|pydoc\d*(?:\.\d+)?)$')
# Matched on a file's head decoded as latin-1 (one char per byte) with ASCII classes, as a bytes
# pattern would match the bytes (a str pattern, so LazyRegex's str typing holds).
_VENV_SHEBANG = LazyRegex(r'(?a)^#!(?:/bin/sh\n\'\'\'exec\' "?)?(\S*?/bin/python[\d.]*)')
# What only an environment holds (pyvenv.cfg, conda-meta/, an activate script, an interpreter) and what a
# test fixture may mimic too (`lib/python2.5/site-packages/`): the latter counts only beside the former.
_NESTED = LazyRegex(
    r'^(?P<dir>.+?)/(?:(?P<own>pyvenv\.cfg$|conda-meta/|(?:bin|Scripts)/(?:activate(?:\.\w+)?|Activate\.ps1)$'
    r'|bin/python\d*(?:\.\d+)?$|Scripts/python\.exe$)'
    r'|(?:lib|lib64)/python\d[\d.]*t?/site-packages/|Lib/site-packages/)'
)
# A literal every _NESTED match contains: most commits have none, and then the regex is never compiled.
_NESTED_LITERALS = (
    'pyvenv.cfg',
    'conda-meta/',
    'bin/activate',
    'Scripts/activate',
    'Activate.ps1',
    'site-packages/',
    'bin/python',
    'Scripts/python',
)


class _Evidence(Record):
    """What the root holds, as lists of relative paths filled in place: `strong` evidence (one is
    enough), `weak` evidence (two are), the `entries` that belong to the environment, and the
    entries of its folders that do not (`kept`).
    """

    strong: list[str]
    weak: list[str]
    entries: list[str]
    kept: list[str]

    def found(self) -> bool:
        return bool(self.strong) or len(self.weak) >= 2


def detect_root_venv(tree: Tree, *, staged: bool = False, root_path: str | None = None) -> Finding | None:
    """A finding listing the root's environment entries, or None when the root is clean."""
    ev = _Evidence([], [], [], [])
    _scan_markers(tree, ev)
    _scan_bin(tree, 'bin', ev, root_path)
    _scan_bin(tree, 'Scripts', ev, root_path)
    _scan_lib(tree, 'lib', ev)
    _scan_lib(tree, 'Lib', ev)
    _scan_lib64(tree, ev)
    _scan_include(tree, ev)
    if not ev.found():
        return None
    evidence = ', '.join(dict.fromkeys(ev.strong + ev.weak))
    message = f'{WHY} Evidence: {evidence}.'
    if ev.kept:
        message += f' Not part of it (kept): {", ".join(ev.kept)}.'
    entries = tuple(sorted(dict.fromkeys(ev.entries)))
    return Finding(
        rule=ROOT_RULE,
        category=CATEGORY,
        severity='error',
        path='.',
        line=None,
        column=None,
        message=message,
        fix=FIX_STAGED if staged else FIX_DISK,
        excerpt='venv entries: ' + ', '.join(_show(tree, e) for e in entries),
        fingerprint=fingerprint(ROOT_RULE, '\0'.join(entries)),
        entries=entries,
    )


def detect_nested_venvs(paths: Iterable[str]) -> list[Finding]:
    """Environments committed (tracked or staged) in a subfolder, one finding per environment.

    A folder counts when it holds what only an environment has (pyvenv.cfg, conda-meta/, an activate
    script, an interpreter); `lib/pythonX.Y/site-packages/` alone is a layout a test fixture mimics.
    """
    counts: dict[str, int] = {}
    proven: set[str] = set()
    for path in paths:
        match = _NESTED.match(path) if any(literal in path for literal in _NESTED_LITERALS) else None
        if match:
            counts[match['dir']] = counts.get(match['dir'], 0) + 1
            if match['own']:
                proven.add(match['dir'])
    counts = {directory: n for directory, n in counts.items() if directory in proven}
    findings = []
    for directory in sorted(counts):
        if any(directory.startswith(other + '/') for other in counts if other != directory):
            continue
        findings.append(
            Finding(
                rule=NESTED_RULE,
                category=CATEGORY,
                severity='error',
                path=directory + '/',
                line=None,
                column=None,
                message=f'A Python environment is committed in {directory}/ ({counts[directory]} environment files seen).',
                fix=f'Add {directory}/ to .gitignore and run `git rm -r --cached {directory}`.',
                excerpt=f'{directory}/',
                fingerprint=fingerprint(NESTED_RULE, directory),
                entries=(directory,),
            )
        )
    return findings


def reported_dirs(findings: Iterable[Finding]) -> set[str]:
    """The entries (root-relative, no trailing slash) of the environments these venv findings report."""
    return {entry for f in findings if f.rule in (ROOT_RULE, NESTED_RULE) for entry in f.entries}


def _scan_markers(tree: Tree, ev: _Evidence) -> None:
    if tree.kind('pyvenv.cfg') == 'file':
        ev.strong.append('pyvenv.cfg')
        ev.entries.append('pyvenv.cfg')
    if tree.kind('conda-meta') == 'dir':
        ev.strong.append('conda-meta/')
        ev.entries.append('conda-meta')


def _scan_bin(tree: Tree, folder: str, ev: _Evidence, root_path: str | None) -> None:
    names = tree.names(folder)
    mine = []
    for name in names:
        rel = f'{folder}/{name}'
        if _ACTIVATE.match(name) and name != 'deactivate':
            ev.strong.append(rel)
        elif _INTERPRETER.match(name.removesuffix('.exe')):
            if name.startswith('python'):
                ev.weak.append(rel)
        elif not _points_at_own_python(tree, rel, folder, root_path):
            continue
        mine.append(rel)
    _attribute(tree, folder, names, mine, ev)


def _points_at_own_python(tree: Tree, rel: str, folder: str, root_path: str | None) -> bool:
    """A console script pip wrote for this environment: its shebang names <root>/bin/python."""
    match = _VENV_SHEBANG.match(tree.head(rel).decode('latin-1'))
    if not match:
        return False
    interpreter = os.fsdecode(match[1].encode('latin-1'))
    if root_path is None:
        return not interpreter.startswith(('/usr/', '/bin/', '/opt/', '/nix/'))
    return os.path.dirname(interpreter) == os.path.join(root_path, folder)


def _scan_lib(tree: Tree, folder: str, ev: _Evidence) -> None:
    names = tree.names(folder)
    mine = []
    if folder == 'Lib' and tree.kind('Lib/site-packages') == 'dir':
        ev.strong.append('Lib/site-packages')
        mine.append('Lib/site-packages')
    for name in names:
        if _PY_DIR.match(name) and tree.kind(f'{folder}/{name}/site-packages') == 'dir':
            ev.strong.append(f'{folder}/{name}/site-packages')
            mine.append(f'{folder}/{name}')
    _attribute(tree, folder, names, mine, ev)


def _scan_lib64(tree: Tree, ev: _Evidence) -> None:
    kind = tree.kind('lib64')
    if kind == 'link' and (tree.link_target('lib64') or '').rstrip('/') in ('lib', './lib'):
        ev.weak.append('lib64 -> lib')
        ev.entries.append('lib64')
    elif kind == 'dir':
        names = tree.names('lib64')
        mine = [f'lib64/{n}' for n in names if _PY_DIR.match(n) and tree.kind(f'lib64/{n}/site-packages') == 'dir']
        if mine:
            ev.strong.extend(f'{m}/site-packages' for m in mine)
        _attribute(tree, 'lib64', names, mine, ev)


def _scan_include(tree: Tree, ev: _Evidence) -> None:
    for folder in ('include', 'Include'):
        names = tree.names(folder)
        mine = [
            f'{folder}/{n}' for n in names if (_PY_DIR.match(n) or n == 'site') and tree.kind(f'{folder}/{n}') == 'dir'
        ]
        ev.weak.extend(mine)
        _attribute(tree, folder, names, mine, ev)


def _attribute(tree: Tree, folder: str, names: list[str], mine: list[str], ev: _Evidence) -> None:
    """Claim the whole folder when every entry is the environment's, else only its own entries."""
    if not mine:
        return
    if len(mine) == len(names):
        ev.entries.append(folder)
        return
    ev.entries.extend(mine)
    owned = {m.rsplit('/', 1)[1] for m in mine}
    ev.kept.extend(f'{folder}/{n}' for n in names if n not in owned)


def _show(tree: Tree, entry: str) -> str:
    return entry + '/' if tree.kind(entry) == 'dir' else entry
