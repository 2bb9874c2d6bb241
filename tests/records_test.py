"""guard.records builds tuple classes that behave as the namedtuples they replaced, in what guard uses."""
from __future__ import annotations

import copy
import pickle
import secrets
from collections import namedtuple

import pytest

from guard.findings import Finding
from guard.git.plumbing import Entry
from guard.records import record

FIELDS = ['path', 'mode', 'oid', 'parents']


def values(count: int) -> list[str]:
    return [secrets.token_hex(4) for _ in range(count)]


def pair() -> tuple[type, type]:
    """The same record made by guard.records and by collections.namedtuple."""
    return record('Rec', FIELDS, defaults=((),)), namedtuple('Rec', FIELDS, defaults=((),))


def test_construction_fields_and_defaults_as_namedtuple() -> None:
    ours, theirs = pair()
    given = values(4)
    assert ours(*given) == theirs(*given) == tuple(given)
    assert ours(*given[:3]) == theirs(*given[:3]) == (*given[:3], ())
    assert ours(given[0], oid=given[2], mode=given[1]) == theirs(given[0], oid=given[2], mode=given[1])
    rec = ours(*given)
    assert [getattr(rec, f) for f in FIELDS] == given
    assert ours._fields == theirs._fields == tuple(FIELDS)
    assert repr(rec) == repr(theirs(*given))
    assert rec._replace(oid='x', parents=('p',)) == theirs(*given)._replace(oid='x', parents=('p',))
    assert type(rec._replace(oid='x')) is ours
    with pytest.raises(AttributeError):
        rec.path = 'elsewhere'  # type: ignore[misc]


@pytest.mark.parametrize('call', [
    lambda cls: cls('only-path'),  # a field without default missing
    lambda cls: cls(*values(5)),  # too many
    lambda cls: cls(*values(3), colour='red'),  # no such field
    lambda cls: cls(*values(3), path='twice'),  # given twice
])
def test_wrong_fields_are_type_errors_as_with_namedtuple(call: object) -> None:
    ours, theirs = pair()
    for cls in (ours, theirs):
        with pytest.raises(TypeError):
            call(cls)  # type: ignore[operator]


def test_replacing_an_unknown_field_is_a_value_error_as_with_namedtuple() -> None:
    for cls in pair():
        with pytest.raises(ValueError):
            cls(*values(4))._replace(colour='red')


def test_guard_records_survive_pickle_and_copy() -> None:
    """Worker pools pickle findings and entries back to the parent."""
    entry = Entry(*values(3), parents=tuple(values(2)))
    finding = Finding(*values(10))
    for item in (entry, finding):
        for clone in (pickle.loads(pickle.dumps(item)), copy.copy(item), copy.deepcopy(item)):
            assert clone == item and type(clone) is type(item)
    assert finding.entries == () and finding.path == finding[3]
