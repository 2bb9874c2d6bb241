"""run_checks: which checks run, in which order, and the errors no check result could survive."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.config import Config
from guard.errors import ConfigError
from guard.health import CHECKS
from guard.health import Status
from guard.health import run_checks
from guard.settings import HealthSettings


def test_default_checks_without_database(tmp_path: Path) -> None:
    config = Config(root=tmp_path, health=HealthSettings(checks=('pollution', 'disk', 'logs')))
    report = run_checks(config)
    assert [c.name for c in report.checks] == ['disk', 'logs', 'pollution']
    assert report.root == str(tmp_path.resolve()) and report.database == ''
    assert report.healthy and report.duration > 0


def test_only_narrows_and_may_name_unconfigured_checks(tmp_path: Path) -> None:
    config = Config(root=tmp_path, health=HealthSettings(checks=('disk',)))
    assert [c.name for c in run_checks(config, tmp_path, only=['pollution']).checks] == ['pollution']


def test_database_is_a_default_check_and_needs_a_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CHECKS == ('database', 'disk', 'logs', 'pollution') == HealthSettings().checks
    with pytest.raises(ConfigError, match='^no database URL: '):
        run_checks(Config(root=tmp_path), tmp_path, environ={})


@pytest.mark.parametrize(
    ('health', 'only', 'message'),
    [
        (
            {'checks': ('disk', 'cpu')},
            None,
            "health.checks: unknown check 'cpu' (known: database, disk, logs, pollution)",
        ),
        ({}, ['db'], "--check: unknown check 'db' (known: database, disk, logs, pollution)"),
        (
            {'connect_timeout': 0.0, 'db_url': 'sqlite://'},
            ['database'],
            'health.connect-timeout must be more than 0 seconds, got 0: a health check must never wait forever',
        ),
        (
            {'tables': ('a.b.c',), 'db_url': 'sqlite://'},
            ['database'],
            'health.tables: \'a.b.c\' is not a table name (expected "table" or "schema.table")',
        ),
        (
            {'estimate_tables': ('x',), 'db_url': 'sqlite://'},
            ['database'],
            'health.estimate-tables: x not in health.tables or health.min-rows',
        ),
        (
            {'db_url': 'nosuchdialect://h/db'},
            ['database'],
            "nosuchdialect://h/db: no database driver for 'nosuchdialect' is installed "
            "(Can't load plugin: sqlalchemy.dialects:nosuchdialect)",
        ),
    ],
)
def test_config_errors(tmp_path: Path, health: dict[str, object], only: list[str] | None, message: str) -> None:
    config = Config(root=tmp_path, health=HealthSettings(**health))  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as error:
        run_checks(config, tmp_path, only=only, environ={})
    assert str(error.value) == message


def test_in_memory_sqlite_is_healthy(tmp_path: Path) -> None:
    config = Config(root=tmp_path, health=HealthSettings(checks=('database',), db_url='sqlite://'))
    (check,) = run_checks(config, tmp_path).checks
    assert check.status is Status.OK and check.value.startswith('sqlite:// (SQLite 3.')


def test_health_and_alert_settings_from_toml_and_environment(tmp_path: Path) -> None:
    from guard.config import load

    (tmp_path / 'pyproject.toml').write_text(
        '[tool.guard.health]\nchecks = ["database", "disk"]\ntables = ["assets", "archive.trades"]\n'
        'min-rows = {assets = 10, "archive.trades" = 5}\nestimate-tables = ["archive.trades"]\n'
        '[tool.guard.alerts]\njournal = false\nfailures-before-alert = 2\nrepeat-after = 600\n'
    )
    config = load(
        tmp_path,
        environ={'GUARD_ALERTS_WEBHOOK': 'https://hooks.example.test/T0KEN', 'GUARD_HEALTH_CONNECT_TIMEOUT': '1.5'},
    )
    assert config.health.checks == ('database', 'disk')
    assert dict(config.health.min_rows) == {'assets': 10, 'archive.trades': 5}
    assert config.health.estimate_tables == ('archive.trades',)
    assert config.health.connect_timeout == 1.5
    assert (config.alerts.journal, config.alerts.failures_before_alert, config.alerts.repeat_after) == (False, 2, 600.0)
    assert config.alerts.webhook == 'https://hooks.example.test/T0KEN'
