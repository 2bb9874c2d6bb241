"""Small immutable records: tuples with named fields, as `collections.namedtuple` makes them.

Every commit hook defines ~14 of them; namedtuple writes and compiles each class's source (~50 µs
a class, ~0.4 M instructions), this builds the same class from functions defined once. What guard
uses of namedtuple is kept: positional or keyword construction with defaults, named read-only
fields, `_replace`, `_fields`, equality and order as tuples, the repr, pickling (worker pools).
"""
from __future__ import annotations

from operator import itemgetter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import os
    from collections.abc import Sequence
    from typing import Any
    from typing import TypeAlias

    # A path as the scan engine takes it: a str (the commit hook's, which never imports pathlib) or a Path.
    StrPath: TypeAlias = 'str | os.PathLike[str]'


def record(name: str, fields: Sequence[str], *, defaults: Sequence[Any] = ()) -> type:
    """A tuple class called `name` whose items are `fields`; the last `len(defaults)` may be left out."""
    fields = tuple(fields)
    namespace: dict[str, Any] = {field: property(itemgetter(i), doc=f'Field {i}: {field}')
                                 for i, field in enumerate(fields)}
    namespace.update(__slots__=(), _fields=fields, _defaults=tuple(defaults), __new__=_new, _replace=_replace,
                     __repr__=_repr, __getnewargs__=_getnewargs)
    return type(name, (tuple,), namespace)


def _new(cls: type, *args: Any, **named: Any) -> Any:
    missing = len(cls._fields) - len(args)  # type: ignore[attr-defined]
    if missing or named:
        defaults = cls._defaults  # type: ignore[attr-defined]
        args = args + defaults if missing == len(defaults) and not named else _complete(cls, args, named)
    return tuple.__new__(cls, args)


def _complete(cls: type, args: tuple[Any, ...], named: dict[str, Any]) -> tuple[Any, ...]:
    fields, defaults = cls._fields, cls._defaults  # type: ignore[attr-defined]
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
    values = [changes.pop(field, value) for field, value in zip(self._fields, self)]
    if changes:
        raise ValueError(f'{type(self).__name__} has no fields {", ".join(sorted(changes))}')
    return tuple.__new__(type(self), values)


def _repr(self: Any) -> str:
    return type(self).__name__ + '(' + ', '.join(f'{f}={v!r}' for f, v in zip(self._fields, self)) + ')'


def _getnewargs(self: Any) -> tuple[Any, ...]:
    return tuple(self)
