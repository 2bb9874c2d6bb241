"""The one table of config keys: every key has every column, and everything that used to keep its own
table (Config's fields, the section classes, validation, trust, the reference docs) agrees with it."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from guard import config
from guard import config_docs
from guard import schema
from guard import settings
from guard import trust
from guard.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
ANNOTATION = {
    'str': 'str',
    'int': 'int',
    'float': 'float',
    'bool': 'bool',
    'list': 'tuple[str, ...]',
    'counts': 'Mapping[str, int]',
}
PYTHON_TYPE = {'str': str, 'int': int, 'float': float, 'bool': bool, 'list': tuple, 'counts': dict}

# Every key's trust class, written out: a key added to the schema without a deliberate class here fails
# (issue 16: trust follows what a setting could do, and no key is added unclassified).
TRUST = {
    'exclude': schema.SAFE,
    'disable': schema.SAFE,
    'fail-on': schema.SAFE,
    'max-file-size': schema.SAFE,
    'baseline': schema.OUTSIDE_ROOT,
    'allow-ips': schema.SAFE,
    'test-paths': schema.SAFE,
    'hook-scope': schema.SAFE,
    'jobs': schema.SAFE,
    'state-dir': schema.OWN_STATE,
    'purge.protected': schema.SAFE,
    'purge.ephemeral': schema.SAFE,
    'purge.active-logs': schema.SAFE,
    'purge.keep-rotated': schema.SAFE,
    'purge.before': schema.RUNS_CODE,
    'purge.after': schema.RUNS_CODE,
    'purge.full': schema.RUNS_CODE,
    'purge.command-timeout': schema.SAFE,
    'purge.lock-timeout': schema.SAFE,
    'clean.quarantine-dir': schema.OUTSIDE_ROOT,
    'clean.keep-days': schema.SAFE,
    'clean.max-quarantine-mb': schema.SAFE,
    'health.checks': schema.SAFE,
    'health.db-url': schema.NETWORK,
    'health.db-url-env': schema.NETWORK,
    'health.env-file': schema.OUTSIDE_ROOT,
    'health.tables': schema.SAFE,
    'health.min-rows': schema.SAFE,
    'health.row-count': schema.SAFE,
    'health.estimate-tables': schema.SAFE,
    'health.connect-timeout': schema.SAFE,
    'health.statement-timeout': schema.SAFE,
    'health.min-free-disk-mb': schema.SAFE,
    'health.warn-free-disk-mb': schema.SAFE,
    'health.log-paths': schema.OUTSIDE_ROOT,
    'health.max-log-mb': schema.SAFE,
    'health.warn-log-mb': schema.SAFE,
    'alerts.journal': schema.SAFE,
    'alerts.webhook': schema.NETWORK,
    'alerts.webhook-timeout': schema.SAFE,
    'alerts.webhook-retries': schema.SAFE,
    'alerts.webhook-backoff': schema.SAFE,
    'alerts.command': schema.RUNS_CODE,
    'alerts.command-timeout': schema.SAFE,
    'alerts.repeat-after': schema.SAFE,
    'alerts.failures-before-alert': schema.SAFE,
    'alerts.recovery': schema.SAFE,
    'audit.url': schema.NETWORK,
    'watch.on-pollution': schema.SAFE,
    'watch.on-log-limit': schema.SAFE,
    'watch.on-low-disk': schema.SAFE,
    'watch.max-log-file-mb': schema.SAFE,
    'watch.max-log-growth-mb-per-min': schema.SAFE,
    'watch.health-interval': schema.SAFE,
    'watch.sweep-interval': schema.SAFE,
    'watch.cooldown': schema.SAFE,
    'watch.disk-interval': schema.SAFE,
    'watch.venv-quiet': schema.SAFE,
    'watch.recover-after': schema.SAFE,
    'watch.restore-hold': schema.SAFE,
    'watch.debounce': schema.SAFE,
    'watch.max-wait': schema.SAFE,
    'watch.run-commands': schema.RUNS_CODE,
    'watch.metrics-file': schema.OUTSIDE_ROOT,
    'watch.max-pending': schema.SAFE,
}


@pytest.mark.parametrize('key', schema.KEYS, ids=lambda k: k.name)
def test_every_key_has_every_column(key: schema.Key) -> None:
    assert key.kind in schema.KINDS
    assert key.trust in schema.TRUST_CLASSES
    assert key.doc.strip() and key.doc.endswith('.') and '\n' not in key.doc
    assert isinstance(key.default, PYTHON_TYPE[key.kind]) and not (key.kind == 'int' and isinstance(key.default, bool))
    assert not key.choices or (key.kind == 'str' and key.default in key.choices)
    assert not key.gitignore or key.kind == 'list'
    assert key.section in ('', *schema.SECTIONS)
    assert key.name == key.name.lower() and '_' not in key.name


def test_every_key_has_its_trust_class_and_no_key_is_unclassified() -> None:
    assert {key.name: key.trust for key in schema.KEYS} == TRUST
    assert trust.NEEDS_TRUST == {name: cls for name, cls in TRUST.items() if cls != schema.SAFE}


def test_config_and_sections_declare_exactly_the_schema_keys() -> None:
    """Config's annotations and the section dataclasses name the schema's fields, with the schema's kind
    and default: the type checker's view cannot drift from what validation builds."""
    top = {name: text for name, text in config.Config.__annotations__.items() if name not in schema.SECTIONS}
    assert top == {k.field: ANNOTATION[k.kind] for k in schema.BY_SECTION[''].values()}
    assert [n for n in config.Config.__annotations__ if n in schema.SECTIONS] == list(schema.SECTIONS)
    for field_name in top:
        assert getattr(config.Config, field_name) == schema.BY_SECTION[''][field_name].default
    assert tuple(settings.SECTIONS) == schema.SECTIONS
    for section, cls in settings.SECTIONS.items():
        fields = {f.name: f for f in dataclasses.fields(cls)}
        keys = schema.BY_SECTION[section]
        assert list(fields) == list(keys), section
        for name, key in keys.items():
            assert fields[name].type == ANNOTATION[key.kind], key.name
            assert getattr(cls(), name) == key.default, key.name


def test_the_committed_reference_is_generated_from_the_schema() -> None:
    committed = (REPO / 'docs' / 'config-reference.md').read_text(encoding='utf-8')
    assert committed == config_docs.render(), 'run: python -m guard.config_docs > docs/config-reference.md'
    proc = subprocess.run([sys.executable, '-m', 'guard.config_docs'], capture_output=True, text=True, check=True)
    assert proc.stdout == committed
    for key in schema.KEYS:
        assert f'| `{key.name}` |' in committed


def _valid(key: schema.Key) -> st.SearchStrategy[Any]:
    text = st.text(alphabet='abcdefghijklmnopqrstuvwxyz0123456789/._-', max_size=12)
    if key.choices:
        return st.sampled_from(key.choices)
    return {
        'str': text,
        'int': st.integers(min_value=0, max_value=10**12),
        'float': st.floats(min_value=0, max_value=1e9, allow_nan=False) | st.integers(0, 10**6),
        'bool': st.booleans(),
        'list': st.lists(text.filter(lambda t: '[' not in t and '\\' not in t), max_size=4),
        'counts': st.dictionaries(st.text('abcdefgh', min_size=1, max_size=6), st.integers(0, 10**6), max_size=3),
    }[key.kind]


def _wrong(key: schema.Key) -> st.SearchStrategy[Any]:
    others = {
        'str': st.integers() | st.booleans() | st.lists(st.integers(), min_size=1),
        'int': st.text(max_size=5) | st.booleans() | st.floats(allow_nan=False) | st.integers(max_value=-1),
        'float': st.text(max_size=5) | st.booleans() | st.floats(max_value=-0.001, allow_nan=False),
        'bool': st.text(max_size=5) | st.integers() | st.lists(st.booleans()),
        'list': st.integers() | st.booleans() | st.lists(st.integers(), min_size=1),
        'counts': st.integers()
        | st.text(max_size=5)
        | st.dictionaries(st.text(min_size=1, max_size=3), st.integers(max_value=-1), min_size=1),
    }
    strategy = others[key.kind]
    if key.kind == 'str':
        strategy = strategy | st.text(max_size=8).map(lambda t: t + '\x00')
    if key.kind == 'list':
        strategy = strategy | st.lists(st.text(max_size=8), max_size=2).map(lambda t: [*t, 'a\x00b'])
    if key.choices:
        strategy = strategy | st.text(max_size=8).filter(lambda t: t not in key.choices)
    return strategy


def _layer(key: schema.Key, value: Any) -> dict[str, Any]:
    last = key.name.rpartition('.')[2]
    return {key.section: {last: value}} if key.section else {last: value}


@hsettings(max_examples=300, deadline=None)
@given(st.sampled_from(schema.KEYS).flatmap(lambda k: st.tuples(st.just(k), _valid(k))))
def test_a_valid_value_of_every_key_validates_to_its_kind(case: tuple[schema.Key, Any]) -> None:
    key, value = case
    built = config._built(config._validate_fields('', _layer(key, value), 'f.toml', prefix=''))
    got = getattr(built[key.section], key.field) if key.section else built[key.field]
    assert isinstance(got, Mapping if key.kind == 'counts' else PYTHON_TYPE[key.kind])
    if key.kind == 'float':
        assert math.isclose(got, value)
    elif key.kind == 'list':
        assert got == tuple(value)
    elif key.kind == 'counts':
        assert dict(got) == value
    else:
        assert got == value


@hsettings(max_examples=300, deadline=None)
@given(st.sampled_from(schema.KEYS).flatmap(lambda k: st.tuples(st.just(k), _wrong(k))))
def test_a_wrong_value_of_every_key_is_one_error_naming_file_and_key(case: tuple[schema.Key, Any]) -> None:
    key, value = case
    with pytest.raises(ConfigError) as info:
        config._validate_fields('', _layer(key, value), 'f.toml', prefix='')
    message = str(info.value)
    assert message.startswith((f'f.toml: {key.name} must be ', f'f.toml: {key.name} must not ')) and '\n' not in message


@pytest.mark.parametrize('key', schema.KEYS, ids=lambda k: k.name)
def test_every_key_has_a_variable_that_sets_it(key: schema.Key, tmp_path: Path) -> None:
    value = {
        'str': key.choices[-1] if key.choices else 'x',
        'int': '1',
        'float': '2.5',
        'bool': 'true',
        'list': 'a/,b/',
        'counts': 't=3',
    }[key.kind]
    cfg = config.load(tmp_path, environ={key.env_var: value})
    got = getattr(getattr(cfg, key.section), key.field) if key.section else getattr(cfg, key.field)
    expected = {'int': 1, 'float': 2.5, 'bool': True, 'list': ('a/', 'b/'), 'counts': {'t': 3}}.get(key.kind, value)
    assert (dict(got) if key.kind == 'counts' else got) == expected
