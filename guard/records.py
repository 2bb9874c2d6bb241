"""Small immutable records: `typing.NamedTuple` classes for the type checker, light tuple classes at run time.

A record is declared once, as a NamedTuple is::

    class Skipped(Record):
        path: str
        reason: str = ''

mypy reads that as the `typing.NamedTuple` it is declared as, and checks every field's type. At run
time `Record` builds the same tuple class without `typing`: every commit hook defines ~14 records, and
importing `typing` costs it ~20 M instructions (a seventh of the hook), NamedTuple's class
creation (namedtuple writes and compiles each class's source) ~0.4 M a class more. The fields are
the class's annotations, in order, and the values assigned to the last of them their defaults; what
guard uses of NamedTuple is kept: positional or keyword construction with defaults, named read-only
fields, `_replace`, `_fields`, `_field_defaults`, equality and order as tuples, the repr, pickling
(worker pools). tests/records_test.py checks each record's run-time fields against its declaration
and against NamedTuple.
"""

from __future__ import annotations

from operator import itemgetter

__all__ = ['Record', 'StrPath']

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import os
    from typing import Any
    from typing import NamedTuple as Record
    from typing import TypeAlias

    # A path as the scan engine takes it: a str (the commit hook's, which never imports pathlib) or a Path.
    StrPath: TypeAlias = 'str | os.PathLike[str]'
else:

    class _RecordType(type):
        """Makes each `class X(Record)` a tuple class whose fields are X's annotations."""

        def __new__(mcls, name, bases, namespace):
            if not bases:  # Record itself
                return super().__new__(mcls, name, bases, namespace)
            fields = tuple(namespace.get('__annotations__', {}))
            first_default = next((i for i, f in enumerate(fields) if f in namespace), len(fields))
            if any(f not in namespace for f in fields[first_default:]):
                raise TypeError(f'{name}: a field without a default follows one with a default')
            defaults = tuple(namespace.pop(f) for f in fields[first_default:])
            members = {f: property(itemgetter(i), doc=f'Field {i}: {f}') for i, f in enumerate(fields)}
            members.update(
                namespace,
                __slots__=(),
                _fields=fields,
                _defaults=defaults,
                _field_defaults=dict(zip(fields[first_default:], defaults, strict=True)),
                __new__=_new,
                _replace=_replace,
                __repr__=_repr,
                __getnewargs__=_getnewargs,
            )
            return type(name, (tuple,), members)

    class Record(metaclass=_RecordType):
        """The base of guard's records (see the module's docstring)."""


def _new(cls: Any, *args: Any, **named: Any) -> Any:
    missing = len(cls._fields) - len(args)
    if missing or named:
        defaults = cls._defaults
        args = args + defaults if missing == len(defaults) and not named else _complete(cls, args, named)
    return tuple.__new__(cls, args)


def _complete(cls: Any, args: tuple[Any, ...], named: dict[str, Any]) -> tuple[Any, ...]:
    fields, defaults = cls._fields, cls._defaults
    if len(args) > len(fields):
        raise TypeError(f'{cls.__name__} takes {len(fields)} fields, {len(args)} given')
    first_default = len(fields) - len(defaults)
    values = list(args)
    for i in range(len(args), len(fields)):
        if fields[i] in named:
            values.append(named.pop(fields[i]))
        elif i >= first_default:
            values.append(defaults[i - first_default])
        else:
            raise TypeError(f'{cls.__name__} is missing the field {fields[i]!r}')
    if named:
        raise TypeError(f'{cls.__name__} got unexpected or repeated fields: {", ".join(sorted(named))}')
    return tuple(values)


def _replace(self: Any, **changes: Any) -> Any:
    values = [changes.pop(field, value) for field, value in zip(self._fields, self, strict=True)]
    if changes:
        raise ValueError(f'{type(self).__name__} has no fields {", ".join(sorted(changes))}')
    return tuple.__new__(type(self), values)


def _repr(self: Any) -> str:
    return type(self).__name__ + '(' + ', '.join(f'{f}={v!r}' for f, v in zip(self._fields, self, strict=True)) + ')'


def _getnewargs(self: Any) -> tuple[Any, ...]:
    return tuple(self)
