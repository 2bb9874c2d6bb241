"""guard.records: what mypy reads as typing.NamedTuple is, at run time, a light tuple class with exactly the
declared fields, that behaves as the NamedTuple in what guard uses."""

from __future__ import annotations

import ast
import copy
import importlib
import pickle
import secrets
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

import guard
from guard.findings import Finding
from guard.git.plumbing import Entry
from guard.records import Record

FIELDS = ['path', 'mode', 'oid', 'parents']
GUARD = Path(guard.__file__).resolve().parent


class Ours(Record):
    path: str
    mode: str
    oid: str
    parents: tuple[str, ...] = ()


class Theirs(NamedTuple):
    path: str
    mode: str
    oid: str
    parents: tuple[str, ...] = ()


def values(count: int) -> list[str]:
    return [secrets.token_hex(4) for _ in range(count)]


def pair() -> tuple[type, type]:
    """The same declaration made a guard.records.Record and a typing.NamedTuple."""
    return Ours, Theirs


def test_construction_fields_and_defaults_as_namedtuple() -> None:
    ours, theirs = pair()
    given = values(4)
    assert ours(*given) == theirs(*given) == tuple(given)
    assert ours(*given[:3]) == theirs(*given[:3]) == (*given[:3], ())
    assert ours(given[0], oid=given[2], mode=given[1]) == theirs(given[0], oid=given[2], mode=given[1])
    rec = ours(*given)
    assert [getattr(rec, f) for f in FIELDS] == given
    assert ours._fields == theirs._fields == tuple(FIELDS)
    assert repr(rec) == repr(theirs(*given)).replace('Theirs(', 'Ours(')
    assert ours._field_defaults == theirs._field_defaults == {'parents': ()}
    assert rec._replace(oid='x', parents=('p',)) == theirs(*given)._replace(oid='x', parents=('p',))
    assert type(rec._replace(oid='x')) is ours
    with pytest.raises(AttributeError):
        rec.path = 'elsewhere'  # type: ignore[misc]


@pytest.mark.parametrize(
    'call',
    [
        lambda cls: cls('only-path'),  # a field without default missing
        lambda cls: cls(*values(5)),  # too many
        lambda cls: cls(*values(3), colour='red'),  # no such field
        lambda cls: cls(*values(3), path='twice'),  # given twice
    ],
)
def test_wrong_fields_are_type_errors_as_with_namedtuple(call: object) -> None:
    ours, theirs = pair()
    for cls in (ours, theirs):
        with pytest.raises(TypeError):
            call(cls)  # type: ignore[operator]


def test_replacing_an_unknown_field_is_a_value_error_as_with_namedtuple() -> None:
    for cls in pair():
        with pytest.raises((ValueError, TypeError)):  # NamedTuple: TypeError since Python 3.13
            cls(*values(4))._replace(colour='red')


def test_guard_records_survive_pickle_and_copy() -> None:
    """Worker pools pickle findings and entries back to the parent."""
    entry = Entry(*values(3), parents=tuple(values(2)))
    finding = Finding(*values(10))
    for item in (entry, finding):
        for clone in (pickle.loads(pickle.dumps(item)), copy.copy(item), copy.deepcopy(item)):
            assert clone == item and type(clone) is type(item)
    assert finding.entries == () and finding.path == finding[3]


def _default(module: str, node: ast.expr) -> object:
    """A declared default: a literal, or a constant of its module (`version: int = FORMAT_VERSION`)."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        assert isinstance(node, ast.Name), ast.dump(node)
        return getattr(importlib.import_module(module), node.id)


def declared_records() -> dict[tuple[str, str], tuple[list[str], dict[str, object]]]:
    """Every `class X(Record)` in guard's source, read from the text: its annotated fields, in order,
    and the defaults assigned to them."""
    found = {}
    for path in sorted(GUARD.rglob('*.py')):
        module = '.'.join(path.relative_to(GUARD.parent).with_suffix('').parts).removesuffix('.__init__')
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id == 'Record' for b in node.bases):
                fields = [
                    s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                ]
                defaults = {
                    s.target.id: _default(module, s.value)
                    for s in node.body
                    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value is not None
                }
                found[(module, node.name)] = (fields, defaults)
    return found


def test_every_record_has_at_run_time_exactly_the_fields_it_declares() -> None:
    declared = declared_records()
    assert len(declared) >= 14  # the whole package was read
    for (module, name), (fields, defaults) in declared.items():
        cls = getattr(importlib.import_module(module), name)
        assert issubclass(cls, tuple) and cls.__slots__ == ()
        assert cls._fields == tuple(fields), name
        assert cls._field_defaults == defaults, name
        assert not [f for f in fields if not isinstance(vars(cls)[f], property)], name
        record = cls(*(object() for _ in fields))
        assert not hasattr(record, '__dict__')  # no field can be added or misspelt
        assert [getattr(record, f) for f in fields] == list(record)


def test_a_field_without_a_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match='follows one with a default'):

        class Bad(Record):  # noqa: F841
            first: int = 0
            second: int


def test_mypy_sees_the_declared_field_types(tmp_path: Path) -> None:
    """The point of declaring records as NamedTuples: the checker knows each field's type, so a
    misspelt field or a wrong type is an error (with the old record() every field was Any)."""
    sample = tmp_path / 'sample.py'
    sample.write_text(
        'from guard.findings import Finding\n'
        "f = Finding('r', 'c', 'error', 'p', 1, None, 'm', 'x', 'e', 'fp')\n"
        'reveal_type(f.line)\n'
        'reveal_type(f.entries)\n'
        'f.nonexistent\n'
        "f._replace(line='one')\n"
    )
    mypy = Path(sys.executable).with_name('mypy')
    result = subprocess.run(
        [str(mypy), '--strict', '--no-incremental', '--follow-imports=silent', str(sample)],
        capture_output=True,
        text=True,
        cwd=GUARD.parent,
        timeout=600,
    )
    lines = result.stdout.splitlines()
    assert any('Revealed type is "int | None"' in line for line in lines), result.stdout
    assert any('Revealed type is "tuple[str, ...]"' in line for line in lines), result.stdout
    assert any('"Finding" has no attribute "nonexistent"' in line for line in lines), result.stdout
    assert any('incompatible type "str"; expected "int | None"' in line for line in lines), result.stdout
