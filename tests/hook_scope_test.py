"""The hooks judge what a change adds (issue 18): content findings on the lines a commit adds or
changes, path findings for every staged path; `hook-scope = "files"` judges whole files.

Driven by real git: `git commit` through the standalone hook `guard install` puts in place, the
pre-commit framework's entry (`guard hook guard FILES`), `git push` to a bare remote, and the
library on repositories hypothesis generates.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from support import git
from support import run_guard
from support import write

from guard import config as config_module
from guard.config import Config
from guard.git import plumbing as git_plumbing
from guard.rules import CONTENT_RULES
from guard.rules import RULES
from guard.rules.base import Rule
from guard.scan import staged
from guard.scan.engine import ScanResult
from guard.scan.engine import make_scanner
from guard.scan.lines import added_line_numbers
from guard.scan.scanner import Document
from guard.scan.scanner import Scanner

# Assembled at run time so this file is not itself a secret to any scanner.
BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
PEM_BEGIN = '-----BEGIN ' + 'RSA PRIVATE' + ' KEY-----'
PEM_END = '-----END ' + 'RSA PRIVATE' + ' KEY-----'
OLD_FINDINGS = 50


def aws_key(rng: random.Random) -> str:
    return 'AKIA' + ''.join(rng.choice(BASE32) for _ in range(16))


def finding_line(kind: str, tag: str, rng: random.Random) -> str:
    """One line holding one finding of `kind` (unique by `tag`), or a clean one."""
    if kind == 'ip':
        octets = (rng.choice((23, 45, 67, 89)), *(rng.randint(1, 250) for _ in range(3)))
        return f'HOST_{tag} = "{".".join(map(str, octets))}"'
    if kind == 'home':
        return f'DATA_{tag} = "/home/user{tag}/projects/data.csv"'
    if kind == 'aws':
        return f'KEY_{tag} = "{aws_key(rng)}"'
    return f'value_{tag} = {len(tag)}'


def legacy_text(seed: int = 18) -> str:
    """50 findings, committed before guard was installed: 20 IPs, 20 home paths, 10 AWS key ids."""
    rng = random.Random(seed)
    kinds = ['ip'] * 20 + ['home'] * 20 + ['aws'] * 10
    return ''.join(finding_line(kind, f'old{i}', rng) + '\n' for i, kind in enumerate(kinds))


def pem_block(rng: random.Random, body_lines: int = 4) -> list[str]:
    return [PEM_BEGIN, *(''.join(rng.choice(BASE64) for _ in range(64)) for _ in range(body_lines)), PEM_END]


def commit(
    repo: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ['git', 'commit', '-q', '-m', 'change', *args],
        cwd=cwd or repo,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def output(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout + proc.stderr


def reported(text: str) -> list[str]:
    """The `path:line:column: severity rule` lines of a text report."""
    return [line for line in text.splitlines() if ': error ' in line or ': warning ' in line or ': note ' in line]


@pytest.fixture
def legacy(git_repo: Path) -> Path:
    """A repository whose legacy.py holds 50 findings committed with --no-verify, guard's hooks installed after."""
    write(git_repo, 'legacy.py', legacy_text())
    write(git_repo, 'README.md', '# demo\n')
    git(git_repo, 'add', '.')
    git(git_repo, 'commit', '-q', '--no-verify', '-m', 'before guard')
    proc = run_guard('install', git_repo)
    assert proc.returncode == 0, proc.stderr
    return git_repo


def edit_line(repo: Path, rel: str, number: int, text: str) -> None:
    lines = (repo / rel).read_text().splitlines(keepends=True)
    lines[number - 1] = text + '\n'
    write(repo, rel, ''.join(lines))


def test_one_changed_line_among_fifty_old_findings_is_judged_alone(legacy: Path) -> None:
    edit_line(legacy, 'legacy.py', 25, 'NEW_HOST = "45.67.89.12"')  # replaces an old home-path finding
    git(legacy, 'add', 'legacy.py')
    proc = commit(legacy)
    assert proc.returncode == 1
    assert reported(output(proc)) == ['legacy.py:25:13: warning hardcoded-ipv4']
    assert 'guard: 1 finding (1 warning) in 1 file' in output(proc)
    assert (
        'guard: 49 findings on lines this commit does not change were left out (hook-scope = "lines"); '
        '`guard scan --staged --all-lines` lists them.'
    ) in output(proc)
    listed = run_guard('scan', '--staged', '--all-lines', '--format', 'json', legacy)
    assert listed.returncode == 1 and len(json.loads(listed.stdout)['findings']) == OLD_FINDINGS
    edit_line(legacy, 'legacy.py', 25, 'NEW_HOST = os.environ["NEW_HOST"]')
    git(legacy, 'add', 'legacy.py')
    clean = commit(legacy)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, '', '')  # a clean commit stays silent


def test_a_line_whose_secret_changed_blocks_and_a_moved_line_does_not(legacy: Path) -> None:
    lines = (legacy / 'legacy.py').read_text().splitlines()
    moved = lines[45:] + lines[:45]  # every line moved, none new
    fresh = aws_key(random.Random(7))
    write(legacy, 'legacy.py', '\n'.join(moved[:3] + [f'KEY_old40 = "{fresh}"'] + moved[4:]) + '\n')
    git(legacy, 'add', 'legacy.py')
    proc = commit(legacy)
    assert proc.returncode == 1
    assert reported(output(proc)) == ['legacy.py:4:14: error aws-access-key-id']
    assert fresh not in output(proc)
    write(legacy, 'legacy.py', '\n'.join(('    ' + line + ' \r') for line in moved) + '\n')  # re-indented, CRLF
    git(legacy, 'add', 'legacy.py')
    assert commit(legacy).returncode == 0


def test_a_file_merely_staged_again_or_renamed_passes_and_a_copy_is_new(legacy: Path) -> None:
    os.chmod(legacy / 'legacy.py', 0o755)
    git(legacy, 'add', 'legacy.py')
    assert git(legacy, 'diff', '--cached', '--name-only').stdout == 'legacy.py\n'
    assert commit(legacy).returncode == 0
    (legacy / 'pkg').mkdir()
    git(legacy, 'mv', 'legacy.py', 'pkg/renamed.py')
    assert commit(legacy).returncode == 0
    git(legacy, 'mv', 'pkg/renamed.py', 'moved_and_edited.py')
    edit_line(legacy, 'moved_and_edited.py', 3, f'KEY_moved = "{aws_key(random.Random(3))}"')
    git(legacy, 'add', '-A')
    proc = commit(legacy)
    assert proc.returncode == 1 and reported(output(proc)) == ['moved_and_edited.py:3:14: error aws-access-key-id']
    git(legacy, 'reset', '-q')
    git(legacy, 'checkout', '-q', '--', '.')
    write(legacy, 'copy.py', (legacy / 'pkg' / 'renamed.py').read_text())  # the same secrets in one more place
    git(legacy, 'add', 'copy.py')
    copied = commit(legacy)
    assert copied.returncode == 1 and len(reported(output(copied))) == OLD_FINDINGS


def test_path_findings_hold_for_every_staged_path(legacy: Path) -> None:
    write(legacy, '.env', 'DB_PASSWORD=hunter2-but-longer\n')
    git(legacy, 'add', '.env')
    git(legacy, 'commit', '-q', '--no-verify', '-m', 'env file')
    write(legacy, '.env', 'DB_PASSWORD=hunter2-but-longer\nDEBUG=1\n')  # only a clean line added
    git(legacy, 'add', '.env')
    proc = commit(legacy)
    assert proc.returncode == 1 and '.env: error env-file' in output(proc)


def test_the_first_commit_judges_everything(git_repo: Path) -> None:
    assert run_guard('install', git_repo).returncode == 0
    write(git_repo, 'legacy.py', legacy_text())
    git(git_repo, 'add', '.')
    proc = commit(git_repo)
    assert proc.returncode == 1 and len(reported(output(proc))) == OLD_FINDINGS
    assert 'left out' not in output(proc)


def test_a_merge_is_judged_on_what_its_resolution_adds(legacy: Path) -> None:
    write(legacy, 'shared.py', 'A = 1\n')
    git(legacy, 'add', '.')
    git(legacy, 'commit', '-q', '--no-verify', '-m', 'shared')
    git(legacy, 'checkout', '-q', '-b', 'topic')
    write(legacy, 'shared.py', 'A = 2\nTOPIC_HOST = "23.45.67.89"\n')
    write(legacy, 'topic.py', 'T_HOST = "67.45.23.89"\n')  # new to HEAD, but the merged side has it
    git(legacy, 'add', '.')
    git(legacy, 'commit', '-q', '--no-verify', '-m', 'topic')
    git(legacy, 'checkout', '-q', 'main')
    write(legacy, 'shared.py', 'A = 3\nMAIN_HOST = "89.67.45.23"\n')
    git(legacy, 'add', '.')
    git(legacy, 'commit', '-q', '--no-verify', '-m', 'main')
    assert git(legacy, 'merge', '-q', 'topic', check=False).returncode != 0  # a conflict in shared.py
    assert (legacy / '.git' / 'MERGE_HEAD').is_file()
    resolved = 'A = 4\nTOPIC_HOST = "23.45.67.89"\nMAIN_HOST = "89.67.45.23"\n'
    write(legacy, 'shared.py', resolved + 'NEW_HOST = "45.89.67.23"\n')
    git(legacy, 'add', 'shared.py')
    proc = commit(legacy)
    assert proc.returncode == 1 and reported(output(proc)) == ['shared.py:4:13: warning hardcoded-ipv4']
    write(legacy, 'shared.py', resolved)  # only lines one side or the other had, and a clean one
    git(legacy, 'add', 'shared.py')
    assert commit(legacy).returncode == 0


def test_commit_all_judges_the_lines_of_gits_temporary_index(legacy: Path) -> None:
    edit_line(legacy, 'legacy.py', 10, f'KEY_new = "{aws_key(random.Random(10))}"')  # not staged
    proc = commit(legacy, '-a', cwd=legacy)
    assert proc.returncode == 1 and reported(output(proc)) == ['legacy.py:10:12: error aws-access-key-id']
    edit_line(legacy, 'legacy.py', 10, 'value = 10')
    assert commit(legacy, '-a').returncode == 0


@pytest.mark.parametrize('how', ['pyproject', 'environment'])
def test_hook_scope_files_judges_whole_files(legacy: Path, how: str) -> None:
    env = {}
    if how == 'pyproject':
        write(legacy, 'pyproject.toml', '[tool.guard]\nhook-scope = "files"\n')
        git(legacy, 'add', 'pyproject.toml')
    else:
        env['GUARD_HOOK_SCOPE'] = 'files'
    edit_line(legacy, 'legacy.py', 1, 'import os')
    git(legacy, 'add', 'legacy.py')
    proc = commit(legacy, env=env)
    assert proc.returncode == 1 and len(reported(output(proc))) == OLD_FINDINGS - 1
    assert 'left out' not in output(proc)


def test_a_bad_hook_scope_is_a_config_error(legacy: Path) -> None:
    write(legacy, 'guard.toml', 'hook-scope = "diff"\n')
    proc = run_guard('hook', 'pre-commit', cwd=legacy)
    assert proc.returncode == 2
    assert "hook-scope must be one of lines, files, got 'diff'" in proc.stderr


def test_guard_scan_staged_follows_the_scope_and_a_tree_scan_reports_everything(legacy: Path) -> None:
    edit_line(legacy, 'legacy.py', 1, 'NEW_HOST = "45.67.89.12"')
    git(legacy, 'add', 'legacy.py')
    lines = run_guard('scan', '--staged', '--format', 'json', legacy)
    report = json.loads(lines.stdout)
    assert [(f['path'], f['line']) for f in report['findings']] == [('legacy.py', 1)]
    assert lines.stderr.startswith('guard: 49 findings on lines this commit does not change were left out')
    assert any('left out' in note for note in report['summary']['notes'])
    whole = json.loads(run_guard('scan', '--staged', '--all-lines', '--format', 'json', legacy).stdout)
    tree = json.loads(run_guard('scan', '--format', 'json', legacy).stdout)
    assert len(whole['findings']) == len(tree['findings']) == OLD_FINDINGS
    bad = run_guard('scan', '--all-lines', legacy)
    assert bad.returncode == 2 and bad.stderr.count('\n') == 1 and '--all-lines goes with --staged' in bad.stderr


def test_the_framework_entry_judges_changed_lines_and_named_unchanged_files_whole(legacy: Path) -> None:
    write(legacy, 'other.py', 'OTHER_HOST = "67.89.12.45"\n')
    git(legacy, 'add', 'other.py')
    git(legacy, 'commit', '-q', '--no-verify', '-m', 'other')
    edit_line(legacy, 'legacy.py', 2, 'NEW_HOST = "45.67.89.12"')
    git(legacy, 'add', 'legacy.py')
    proc = run_guard('hook', 'guard', 'legacy.py', cwd=legacy)  # what pre-commit runs on a commit
    assert proc.returncode == 1 and reported(proc.stdout) == ['legacy.py:2:13: warning hardcoded-ipv4']
    assert 'guard: 49 findings on lines this commit does not change were left out' in proc.stdout
    # `pre-commit run --files other.py` (or --all-files): a file the commit does not change is judged whole.
    named = run_guard('hook', 'guard-hardcoded-ip', 'other.py', cwd=legacy)
    assert named.returncode == 1 and reported(named.stdout) == ['other.py:1:15: warning hardcoded-ipv4']


def test_a_private_key_counts_when_any_line_of_its_block_changes(legacy: Path) -> None:
    block = pem_block(random.Random(5))
    write(legacy, 'deploy/id_rsa.txt', '# the deploy key\n' + '\n'.join(block) + '\n')
    git(legacy, 'add', '.')
    git(legacy, 'commit', '-q', '--no-verify', '-m', 'key')
    write(legacy, 'deploy/id_rsa.txt', '# the deploy key, rotated\n' + '\n'.join(block) + '\n')
    git(legacy, 'add', '.')
    assert commit(legacy).returncode == 0  # the comment changed, not the key
    changed = [*block[:3], ''.join(random.Random(6).choice(BASE64) for _ in range(64)), *block[4:]]
    write(legacy, 'deploy/id_rsa.txt', '# the deploy key, rotated\n' + '\n'.join(changed) + '\n')
    git(legacy, 'add', '.')
    proc = commit(legacy)
    assert proc.returncode == 1 and reported(output(proc)) == ['deploy/id_rsa.txt:2:32: error private-key']


def test_pre_push_judges_the_lines_the_pushed_commits_add(legacy: Path, tmp_path: Path) -> None:
    remote = tmp_path / 'remote.git'
    git(tmp_path, 'init', '-q', '--bare', str(remote))
    git(legacy, 'remote', 'add', 'origin', str(remote))
    assert git(legacy, 'push', '-q', '--no-verify', 'origin', 'main', check=False).returncode == 0
    edit_line(legacy, 'legacy.py', 5, 'value = 5')
    git(legacy, 'add', '.')
    git(legacy, 'commit', '-q', '--no-verify', '-m', 'edit')
    git(legacy, 'mv', 'legacy.py', 'renamed.py')
    git(legacy, 'commit', '-q', '--no-verify', '-m', 'rename')
    proc = git(legacy, 'push', 'origin', 'main', check=False)
    assert proc.returncode == 0, output(proc)
    edit_line(legacy, 'renamed.py', 7, f'KEY_pushed = "{aws_key(random.Random(8))}"')
    git(legacy, 'add', '.')
    git(legacy, 'commit', '-q', '--no-verify', '-m', 'leak')
    leak = git(legacy, 'rev-parse', 'HEAD').stdout.strip()
    blocked = git(legacy, 'push', 'origin', 'main', check=False)
    assert blocked.returncode != 0 and 'push blocked' in output(blocked)
    assert reported(output(blocked)) == [f'{leak[:12]}:renamed.py:7:15: error aws-access-key-id']


def test_a_big_commit_is_judged_on_its_lines_on_every_core_too(git_repo: Path) -> None:
    from guard.scan.engine import PARALLEL_MIN_FILES

    count = PARALLEL_MIN_FILES + 10
    for i in range(count):
        write(git_repo, f'pkg/m{i}.py', f'HOST = "45.67.89.{i % 250 + 1}"\nVALUE = {i}\n')
    git(git_repo, 'add', '.')
    git(git_repo, 'commit', '-q', '--no-verify', '-m', 'old')
    for i in range(count):
        write(git_repo, f'pkg/m{i}.py', f'HOST = "45.67.89.{i % 250 + 1}"\nVALUE = {i + 1}\n')
    write(git_repo, 'pkg/m42.py', 'HOST = "45.67.89.43"\nOTHER_HOST = "23.45.67.89"\n')
    git(git_repo, 'add', '.')
    located = git_plumbing.locate(git_repo)
    config = config_module.load(located.root, environ={})
    parallel = staged.scan_staged(config.replace('test', jobs=2), located)
    serial = staged.scan_staged(config.replace('test', jobs=1), located)
    for result in (parallel, serial):
        assert [(f.path, f.line) for f in result.findings] == [('pkg/m42.py', 2)]
        assert result.left_out == count and result.files_scanned == count


def test_parse_raw_takes_the_new_path_of_a_rename() -> None:
    a, b = 'a' * 40, 'b' * 40
    out = f':100644 100644 {a} {b} R087\0old.py\0new.py\0:100644 100644 {a} {a} C100\0x.py\0y.py\0'.encode()
    assert list(git_plumbing.parse_raw(out)) == [
        (None, git_plumbing.Entry('new.py', '100644', b, (a,), 'old.py')),
        (None, git_plumbing.Entry('y.py', '100644', a, (a,), 'x.py')),
    ]


# Generated: what the hook reports is exactly what a whole-file scan finds on the lines the change adds.

KINDS = st.sampled_from(['ip', 'home', 'aws', 'clean'])


@st.composite
def changes(draw: st.DrawFn) -> tuple[list[str], list[str], set[int]]:
    """(old lines, new lines, the 1-based numbers of the new lines no old version had)."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    old = [finding_line(kind, f'o{i}', rng) for i, kind in enumerate(draw(st.lists(KINDS, min_size=1, max_size=30)))]
    new: list[str | None] = list(old)
    if draw(st.booleans()):
        rng.shuffle(new)  # moved lines are not new
    for i in draw(st.sets(st.integers(0, len(new) - 1), max_size=len(new))):
        new[i] = None  # replaced below
    for _ in range(draw(st.integers(0, 5))):
        new.insert(draw(st.integers(0, len(new))), None)  # inserted below
    fresh = iter(
        finding_line(kind, f'n{i}', rng)
        for i, kind in enumerate(draw(st.lists(KINDS, min_size=len(new), max_size=len(new))))
    )
    lines = [line if line is not None else next(fresh) for line in new]
    assume(lines != old)  # a file the commit does not change is not staged
    return old, lines, {n for n, line in enumerate(new, 1) if line is None}


def staged_scan(repo: Path, **kwargs: object) -> ScanResult:
    located = git_plumbing.locate(repo)
    return staged.scan_staged(config_module.load(located.root, environ={}), located, **kwargs)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(change=changes(), framework=st.booleans())
def test_generated_reported_findings_are_the_findings_on_changed_lines(
    change: tuple[list[str], list[str], set[int]], framework: bool
) -> None:
    old, new, changed = change
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder)
        git(repo, 'init', '-q')
        write(repo, 'app.py', '\n'.join(old) + '\n')
        git(repo, 'add', '.')
        git(repo, 'commit', '-q', '--no-verify', '-m', 'old')
        write(repo, 'app.py', '\n'.join(new) + '\n')
        git(repo, 'add', '.')
        paths = ['app.py'] if framework else None
        whole = staged_scan(repo, paths=paths, whole_files=True)
        judged = staged_scan(repo, paths=paths, count_left_out=True)
        uncounted = staged_scan(repo, paths=paths)
    planted = {n for n, line in enumerate(new, 1) if not line.startswith('value_')}
    assert {f.line for f in whole.findings} == planted  # the generator plants what the rules find
    expected = [(f.rule, f.line) for f in whole.findings if f.line in changed]
    assert [(f.rule, f.line) for f in judged.findings] == expected
    assert judged.left_out == len(whole.findings) - len(expected)
    assert [(f.rule, f.line) for f in uncounted.findings] == expected
    assert uncounted.left_out == (judged.left_out if expected else 0)  # counted only when there is a report
    assert added_line_numbers('\n'.join(new) + '\n', ['\n'.join(old) + '\n']) - {len(new) + 1} == changed


@settings(max_examples=60, deadline=None)
@given(
    before=st.integers(0, 6),
    after=st.integers(0, 6),
    body=st.integers(1, 6),
    seed=st.integers(0, 2**32),
    wanted=st.sets(st.integers(1, 20)),
)
def test_generated_a_key_block_is_reported_when_the_change_touches_any_line_of_it(
    before: int, after: int, body: int, seed: int, wanted: set[int]
) -> None:
    rng = random.Random(seed)
    block = pem_block(rng, body)
    text = '\n'.join([f'x{i} = {i}' for i in range(before)] + block + [f'y{i} = {i}' for i in range(after)]) + '\n'
    scanner = make_scanner(Config())
    whole, _ = scanner.scan(Document('key.txt', text))
    assert [f.rule for f in whole] == ['private-key']
    doc = Document('key.txt', text, None, frozenset(wanted))
    findings, _ = scanner.scan(doc)
    left_out = scanner.count_left_out(doc)
    # The match runs from the BEGIN line to the last line of the body (the END line holds no key material).
    touched = bool(wanted & set(range(before + 1, before + 1 + body + 1)))
    assert ([f.rule for f in findings], left_out) == ((['private-key'], 0) if touched else ([], 1))


def _path_for(rule: Rule) -> str:
    """A path the rule applies to (rules restricted by path_pattern get one that matches)."""
    for candidate in ('config/app.py', '.pgpass', 'home/.pgpass', 'config.json', 'settings.yaml', 'key.pem'):
        if rule.applies_to(candidate):
            return candidate
    return 'config/app.py'


BAD_EXAMPLES = [(rule, example) for rule in CONTENT_RULES for example in rule.examples_bad]
EVERY_RULE = Scanner(RULES)
FOCUSED = Scanner(RULES)  # as a history scan runs it: keywords looked for only near the wanted lines
FOCUSED.focus()


# Matches that span lines (a key block, an XML element with its value on the next line) are where
# judging by lines can go wrong: they get a test of their own.
SPANNING = [(rule, example) for rule, example in BAD_EXAMPLES if '\n' in example]


@settings(max_examples=300, deadline=None)
@given(
    case=st.sampled_from(BAD_EXAMPLES),
    before=st.integers(0, 4),
    after=st.integers(0, 4),
    wanted=st.sets(st.integers(1, 16)),
)
def test_generated_judging_by_lines_keeps_what_touches_them_and_counts_the_rest(
    case: tuple[Rule, str], before: int, after: int, wanted: set[int]
) -> None:
    """Every rule's bad examples, among clean lines: the scan near the wanted lines (it skips keywords too
    far from them) reports exactly the whole-file findings it should, and the count takes the rest."""
    check_judged_by_lines(case, before, after, wanted)


@settings(max_examples=200, deadline=None)
@given(
    case=st.sampled_from(SPANNING),
    before=st.integers(0, 3),
    after=st.integers(0, 3),
    wanted=st.sets(st.integers(1, 10), max_size=2),
)
def test_generated_a_match_over_several_lines_counts_when_any_of_them_changed(
    case: tuple[Rule, str], before: int, after: int, wanted: set[int]
) -> None:
    assert SPANNING, 'some bad examples span lines'
    check_judged_by_lines(case, before, after, wanted)


def check_judged_by_lines(case: tuple[Rule, str], before: int, after: int, wanted: set[int]) -> None:
    rule, example = case
    text = ''.join(f'x{i} = {i}\n' for i in range(before)) + example + ''.join(f'\ny{i} = {i}' for i in range(after))
    path = _path_for(rule)
    full = {(f.rule, f.line, f.column) for f in EVERY_RULE.scan(Document(path, text))[0]}
    doc = Document(path, text, None, frozenset(wanted))
    judged = {(f.rule, f.line, f.column) for f in EVERY_RULE.scan(doc)[0]}
    assert judged <= full
    assert {f for f in full if f[1] in wanted} <= judged
    assert len(judged) + EVERY_RULE.count_left_out(doc) == len(full)
    assert {(f.rule, f.line, f.column) for f in FOCUSED.scan(doc)[0]} == judged


# Issue 15c finding 17: a rename adds no line, but it can change what the old lines' findings are.
SAMPLE_KINDS = st.sampled_from(['password', 'ip', 'home'])
TEST_FOLDERS = st.sampled_from(['tests/fixtures', 'test', 'docs', 'testdata'])
PLAIN_FOLDERS = st.sampled_from(['config', 'src/app', 'deploy'])


def sample_line(kind: str, rng: random.Random) -> str:
    """A line that is sample data (a note) in a test or docs path and a blocking finding elsewhere."""
    if kind == 'password':
        return f'password: {rng.choice(["trader", "summer", "dragon", "orders"])}{rng.randint(1000, 9999)}'
    if kind == 'ip':
        return f'host: {rng.choice((23, 45, 67, 89))}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}'
    return f'data: /home/user{rng.randint(1, 99)}/projects/data.csv'


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kinds=st.lists(SAMPLE_KINDS, min_size=1, max_size=4), source=TEST_FOLDERS, target=PLAIN_FOLDERS, seed=st.integers()
)
def test_a_rename_out_of_a_test_path_is_judged_where_it_lands(
    kinds: list[str], source: str, target: str, seed: int
) -> None:
    """Notes in tests/ become errors or warnings in config/: `git mv` must not carry them past either
    hook, while a rename that changes no finding (test path to test path) still adds nothing."""
    rng = random.Random(seed)
    lines = ['database:', *(f'  {sample_line(kind, rng)}' for kind in kinds), '  pool: 5']
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / 'w'
        remote = Path(tmp) / 'remote.git'
        git(Path(tmp), 'init', '-q', '--bare', str(remote))
        git(Path(tmp), 'init', '-q', str(repo))
        git(repo, 'config', 'user.name', 'a')
        git(repo, 'config', 'user.email', 'a@b')
        git(repo, 'remote', 'add', 'origin', str(remote))
        assert run_guard('install', repo).returncode == 0
        write(repo, f'{source}/db.yml', '\n'.join(lines) + '\n')
        git(repo, 'add', '-A')
        assert commit(repo).returncode == 0  # sample data: notes only
        moved = 'docs/db.yml' if source != 'docs' else 'tests/db.yml'
        (repo / moved).parent.mkdir(exist_ok=True)
        git(repo, 'mv', f'{source}/db.yml', moved)
        assert commit(repo).returncode == 0  # still sample data where it lands: no line is new
        (repo / target).mkdir(parents=True)
        git(repo, 'mv', moved, f'{target}/database.yml')
        blocked = commit(repo)
        scan = run_guard('scan', repo, '-q')
        assert blocked.returncode == scan.returncode == 1, output(blocked) + output(scan)
        assert reported(output(blocked)) == reported(output(run_guard('scan', repo, '--staged')))
        git(repo, 'commit', '-q', '--no-verify', '-m', 'moved past the commit hook')
        pushed = git(repo, 'push', 'origin', 'HEAD:refs/heads/main', check=False)
        assert pushed.returncode != 0 and 'push blocked' in output(pushed), output(pushed)
