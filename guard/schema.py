"""Every config key, defined once: its kind, default, allowed values, trust class, whether it is a
gitignore pattern list, and its documentation line.

Validation (guard.config), the trust rules (guard.trust), the section defaults (guard.settings) and
the configuration reference (guard.config_docs -> docs/config-reference.md) all read this table; a
test fails when a key lacks any column, or when Config and the section classes disagree with it.

Every commit hook loads a Config, so this module imports nothing: the table is plain objects built
once, a few microseconds.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from typing import Any

# Kinds of value. 'list' is a list of strings (a lone string is a list of one); 'counts' a table of
# whole numbers >= 0; 'int' and 'float' are >= 0.
KINDS = ('str', 'int', 'float', 'bool', 'list', 'counts')

# Trust classes: what a value could make guard do if a stranger's repository set it (issue 16:
# trust follows capability, not a list of keys). Only SAFE keys apply from an untrusted project file.
SAFE = 'safe'  # changes what guard reports, or what it does inside the root under the safety core
RUNS_CODE = 'runs code'  # a command, or a switch that lets one run
NETWORK = 'reaches the network'  # a URL or what picks one: any database URL, a webhook
OUTSIDE_ROOT = 'reads or writes outside the root'  # a path: needs trust only when it leads outside the root
OWN_STATE = "places guard's own state"  # the audit store, salts, locks: any value needs trust
TRUST_CLASSES = (SAFE, RUNS_CODE, NETWORK, OUTSIDE_ROOT, OWN_STATE)

SEVERITIES = ('note', 'warning', 'error')

# Config's sections, in order: each is a guard.settings class.
SECTIONS = ('purge', 'clean', 'health', 'alerts', 'audit', 'watch')


class Key:
    """One config key. `name` is dotted as written in TOML (`purge.keep-rotated`); `section` is ''
    for a top-level key and `field` the attribute name (`keep_rotated`)."""

    __slots__ = ('choices', 'default', 'doc', 'field', 'gitignore', 'kind', 'name', 'section', 'trust')

    def __init__(
        self,
        name: str,
        kind: str,
        default: Any,
        trust: str,
        doc: str,
        *,
        choices: tuple[str, ...] = (),
        gitignore: bool = False,
    ) -> None:
        self.name = name
        self.kind = kind
        self.default = default
        self.trust = trust
        self.doc = doc
        self.choices = choices
        self.gitignore = gitignore
        section, _, last = name.rpartition('.')
        self.section = section
        self.field = last.replace('-', '_')

    def __repr__(self) -> str:
        return f'Key({self.name!r}, {self.kind!r}, trust={self.trust!r})'

    @property
    def env_var(self) -> str:
        """GUARD_FAIL_ON, GUARD_PURGE_KEEP_ROTATED: the variable that sets this key."""
        return 'GUARD_' + self.name.replace('.', '_').replace('-', '_').upper()


DEFAULT_PROTECTED = (
    'models/',
    'config/',
    'src/',
    'scripts/',
    'docs/',
    '.git/',
    '.gitignore',
    '.env',
    '.env.example',
    'requirements*.txt',
    'pyproject.toml',
    'setup.py',
    'setup.cfg',
    'Pipfile',
    'Pipfile.lock',
    'poetry.lock',
    'Dockerfile',
    'Dockerfile.*',
    '*.dockerfile',
    'docker-compose*.yml',
    'docker-compose*.yaml',
    'compose*.yml',
    'compose*.yaml',
    '.guard/',
)
DEFAULT_TEST_PATHS = ('tests/', 'test/', 'test_*.py', '*_test.py', 'conftest.py', 'fixtures/', 'testdata/', 'docs/')
DEFAULT_EPHEMERAL = (
    'logs/',
    'data/redis/',
    'data/temp/',
    '**/__pycache__/',
    '.pytest_cache/',
    '.mypy_cache/',
    '.ruff_cache/',
    '.hypothesis/',
)

KEYS = (
    # -- top level: guard scan and the hooks --------------------------------------------------------------
    Key('exclude', 'list', (), SAFE, 'Paths guard scan and the hooks skip (gitignore patterns).', gitignore=True),
    Key(
        'test-paths',
        'list',
        DEFAULT_TEST_PATHS,
        SAFE,
        'Where IPs, home paths and human-chosen passwords are test or docs data: reported at `note`, below the '
        'default fail-on (gitignore patterns; `[]` turns it off).',
        gitignore=True,
    ),
    Key('disable', 'list', (), SAFE, 'Rule ids or categories (secret, env-file, ip, abs-path, venv) that never run.'),
    Key(
        'fail-on',
        'str',
        'warning',
        SAFE,
        'The lowest severity that fails a scan or blocks a commit.',
        choices=SEVERITIES,
    ),
    Key(
        'max-file-size',
        'int',
        2_000_000,
        SAFE,
        'Files larger than this many bytes are streamed in overlapping '
        'windows instead of read whole (0: always read whole).',
    ),
    Key(
        'baseline',
        'str',
        '',
        OUTSIDE_ROOT,
        'Baseline file of accepted findings (relative to the root); `guard baseline` writes it.',
    ),
    Key('allow-ips', 'list', (), SAFE, 'Networks (CIDR) that are fine to hardcode.'),
    Key(
        'hook-scope',
        'str',
        'lines',
        SAFE,
        'What the commit and pre-push hooks judge: lines (content findings '
        'on the lines a commit adds or changes; path findings for every staged path) or files (every line of '
        'every staged file).',
        choices=('lines', 'files'),
    ),
    Key(
        'jobs',
        'int',
        0,
        SAFE,
        'Worker processes for a scan (of many files, or of one large file with many matches); 0: one per CPU, '
        'never more than the CPU count.',
    ),
    Key('state-dir', 'str', '', OWN_STATE, "guard's state (audit store, salts, locks); '' = $XDG_STATE_HOME/guard."),
    # -- purge ------------------------------------------------------------------------------------------------
    Key(
        'purge.protected',
        'list',
        DEFAULT_PROTECTED,
        SAFE,
        'What a purge never touches: gitignore patterns, '
        'matching at any depth without an inner slash; everything below a protected path is protected.',
        gitignore=True,
    ),
    Key(
        'purge.ephemeral',
        'list',
        DEFAULT_EPHEMERAL,
        SAFE,
        'What a purge may clear: gitignore patterns anchored '
        'at the root unless they start with `**/`; the deepest match decides, protection winning ties.',
        gitignore=True,
    ),
    Key(
        'purge.active-logs',
        'list',
        ('*.log', '*.log.*', '*.out'),
        SAFE,
        'File names (globs) of logs that a '
        'running process holds open: truncated in place, since deleting them would free nothing.',
    ),
    Key('purge.keep-rotated', 'int', 0, SAFE, 'Old copies of a truncated log to keep (<log>.1 .. <log>.N).'),
    Key(
        'purge.before',
        'list',
        (),
        RUNS_CODE,
        'Service commands run before a purge (split like a shell, run without one, in the root).',
    ),
    Key('purge.after', 'list', (), RUNS_CODE, 'Service commands run after a purge.'),
    Key(
        'purge.full',
        'list',
        (),
        RUNS_CODE,
        'Destructive extra commands (volume removal) run after `before` only with --full.',
    ),
    Key('purge.command-timeout', 'float', 300.0, SAFE, 'Seconds each service command may take.'),
    Key(
        'purge.lock-timeout',
        'float',
        0.0,
        SAFE,
        'Seconds a second purge/clean/restore of the same root waits for the first (0: fail at once).',
    ),
    # -- clean ------------------------------------------------------------------------------------------------
    Key(
        'clean.quarantine-dir',
        'str',
        '.guard/quarantine',
        OUTSIDE_ROOT,
        'Where quarantined venv artifacts go (relative to the root, or absolute on the same filesystem).',
    ),
    # -- health -----------------------------------------------------------------------------------------------
    Key(
        'clean.keep-days',
        'int',
        0,
        SAFE,
        'guard watch deletes quarantines older than this many days (0: kept forever).',
    ),
    Key(
        'clean.max-quarantine-mb',
        'int',
        0,
        SAFE,
        'guard watch deletes the oldest quarantines while all of them take more than this many MiB (0: no cap).',
    ),
    Key(
        'health.checks',
        'list',
        ('database', 'disk', 'logs', 'pollution'),
        SAFE,
        'Which checks run: database, disk, logs, pollution.',
    ),
    Key(
        'health.db-url',
        'str',
        '',
        NETWORK,
        'The database URL (any URL connects somewhere, or creates a SQLite '
        'file); else the variable db-url-env names, else DB_URL / DATABASE_URL.',
    ),
    Key(
        'health.db-url-env',
        'str',
        '',
        NETWORK,
        'The variable holding the database URL, looked up in the environment, then in env-file.',
    ),
    Key(
        'health.env-file',
        'str',
        '.env',
        OUTSIDE_ROOT,
        'The dotenv file (relative to the root) the URL variables are read from, with no ${VAR} interpolation.',
    ),
    Key('health.tables', 'list', (), SAFE, 'Tables that must exist.'),
    Key('health.min-rows', 'counts', {}, SAFE, 'Least row count per table (`{assets = 10}`).'),
    Key(
        'health.row-count',
        'str',
        'exact',
        SAFE,
        "How rows are counted: exact (COUNT(*)) or estimate (the planner's statistics, never a full scan).",
        choices=('exact', 'estimate'),
    ),
    Key('health.estimate-tables', 'list', (), SAFE, 'Tables always counted by estimate, whatever row-count says.'),
    Key('health.connect-timeout', 'float', 3.0, SAFE, 'Seconds to connect to the database.'),
    Key('health.statement-timeout', 'float', 5.0, SAFE, 'Seconds each database statement may take.'),
    Key(
        'health.min-free-disk-mb',
        'int',
        100,
        SAFE,
        "Free MiB on the root's filesystem below which the disk check fails (0: no limit).",
    ),
    Key('health.warn-free-disk-mb', 'int', 0, SAFE, 'Free MiB below which the disk check warns (0: no limit).'),
    Key(
        'health.log-paths',
        'list',
        ('logs/',),
        OUTSIDE_ROOT,
        'Log files and folders measured (and purged by the daemon when watch.on-log-limit = "purge").',
    ),
    Key(
        'health.max-log-mb',
        'int',
        0,
        SAFE,
        'Total MiB of the log paths above which the logs check fails (0: no limit).',
    ),
    Key('health.warn-log-mb', 'int', 0, SAFE, 'Total MiB of the log paths above which it warns (0: no limit).'),
    # -- alerts -----------------------------------------------------------------------------------------------
    Key('alerts.journal', 'bool', True, SAFE, 'Send alerts to the journal (or stderr).'),
    Key(
        'alerts.webhook',
        'str',
        '',
        NETWORK,
        'An http(s) URL that receives a JSON POST per alert (set a token '
        'through GUARD_ALERTS_WEBHOOK, not a committed file).',
    ),
    Key('alerts.webhook-timeout', 'float', 5.0, SAFE, 'Seconds the whole webhook delivery may take, retries included.'),
    Key('alerts.webhook-retries', 'int', 3, SAFE, 'Retries of a failed webhook delivery.'),
    Key('alerts.webhook-backoff', 'float', 0.5, SAFE, 'Seconds before the first retry, doubled after each.'),
    Key('alerts.command', 'str', '', RUNS_CODE, 'Run through /bin/sh per alert, the alert in GUARD_* variables.'),
    Key('alerts.command-timeout', 'float', 10.0, SAFE, 'Seconds the alert command may take.'),
    Key('alerts.repeat-after', 'float', 3600.0, SAFE, 'Seconds before a still-failing check alerts again (0: never).'),
    Key('alerts.failures-before-alert', 'int', 1, SAFE, 'Consecutive failed checks before the first alert.'),
    Key('alerts.recovery', 'bool', True, SAFE, 'Alert when a failing check recovers.'),
    # -- audit ------------------------------------------------------------------------------------------------
    Key('audit.url', 'str', '', NETWORK, "SQLAlchemy URL of the audit store; '' = SQLite in state-dir."),
    # -- watch ------------------------------------------------------------------------------------------------
    Key(
        'watch.on-pollution',
        'str',
        'alert',
        SAFE,
        'What the daemon does about a venv in the root: alert, quarantine (venv entries only) or off.',
        choices=('alert', 'quarantine', 'off'),
    ),
    Key(
        'watch.on-log-limit',
        'str',
        'alert',
        SAFE,
        'What it does when the logs are over a limit: purge (the log paths only), alert or off.',
        choices=('purge', 'alert', 'off'),
    ),
    Key(
        'watch.on-low-disk',
        'str',
        'alert',
        SAFE,
        'What it does below health.min-free-disk-mb: purge (the ephemeral set) and alert, alert or off.',
        choices=('purge', 'alert', 'off'),
    ),
    Key(
        'watch.max-log-file-mb',
        'int',
        0,
        SAFE,
        'One log file above this many MiB counts as over the limit (0: no limit).',
    ),
    Key(
        'watch.max-log-growth-mb-per-min',
        'float',
        0.0,
        SAFE,
        'Logs growing faster than this count as over the limit (0: no limit).',
    ),
    Key('watch.health-interval', 'float', 60.0, SAFE, 'Seconds between health checks.'),
    Key('watch.sweep-interval', 'float', 30.0, SAFE, 'Seconds between sweeps that catch what events missed.'),
    Key(
        'watch.disk-interval',
        'float',
        2.0,
        SAFE,
        'Seconds between looks at free disk space (one statvfs): low disk is caught within this.',
    ),
    Key(
        'watch.cooldown',
        'float',
        300.0,
        SAFE,
        'Seconds after an action on a target before the daemon may act on it again.',
    ),
    Key(
        'watch.venv-quiet',
        'float',
        3.0,
        SAFE,
        'A Python environment in the root is quarantined once nothing '
        'in it changed for this many seconds: one move, all of it.',
    ),
    Key(
        'watch.recover-after',
        'float',
        60.0,
        SAFE,
        'After the daemon acted on a check, its recovery is announced only once it stayed fine this many seconds.',
    ),
    Key(
        'watch.restore-hold',
        'float',
        3600.0,
        SAFE,
        'Seconds the daemon leaves what `guard restore` put back '
        'alone (0: no hold; `guard restore --release` ends it).',
    ),
    Key('watch.debounce', 'float', 0.5, SAFE, 'Seconds a path must be quiet before it is handled.'),
    Key('watch.max-wait', 'float', 5.0, SAFE, 'Seconds after its first change by which a busy path is handled anyway.'),
    Key('watch.run-commands', 'bool', False, RUNS_CODE, "Let the daemon run purge's before/after/full commands."),
    Key(
        'watch.metrics-file',
        'str',
        '',
        OUTSIDE_ROOT,
        "A Prometheus textfile (node_exporter's textfile "
        'collector), written atomically with mode 0644; a folder (ending in /) holds guard-<instance>.prom; '
        "'' = none.",
    ),
    Key(
        'watch.max-pending',
        'int',
        10000,
        SAFE,
        'Paths remembered between debounce rounds; past it, changes collapse into "rescan this folder".',
    ),
)

BY_NAME = {key.name: key for key in KEYS}
# Section ('' for top level) -> field name -> Key.
BY_SECTION: dict[str, dict[str, Key]] = {}
for _key in KEYS:
    BY_SECTION.setdefault(_key.section, {})[_key.field] = _key
del _key


def default(name: str) -> Any:
    """The default of a dotted key: what Config and the section classes declare their fields with."""
    return BY_NAME[name].default


def section_defaults(section: str) -> dict[str, Any]:
    """Field name -> default for one section ('' = top level)."""
    return {field: key.default for field, key in BY_SECTION[section].items()}
