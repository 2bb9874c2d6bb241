"""The gaps left after issue 16's second pass, each built as the attack (docs/purge.md, docs/trust.md,
docs/health.md): real symlink swaps, a real second user (useradd), a real loopback listener."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from guard import secure_path
from guard.safety import commands
from guard.safety.fd import RootPin

NAMES = st.text(alphabet='abcdefghijklmnopqrstuvwxyz0123456789_-', min_size=1, max_size=12)


# --- gap 2: the purge's service commands start in the pinned root -------------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(root_name=NAMES, moved_name=NAMES, elsewhere_name=NAMES)
def test_a_root_swapped_between_the_check_and_the_spawn_does_not_move_the_command(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        root_name: str, moved_name: str, elsewhere_name: str) -> None:
    if len({root_name, moved_name, elsewhere_name}) < 3:
        return
    base = tmp_path_factory.mktemp('swap')
    root, moved, elsewhere = base / root_name, base / moved_name, base / elsewhere_name
    root.mkdir()
    elsewhere.mkdir()
    pin = RootPin(root)
    checked = secure_path.command_problem

    def check_then_swap(*args: object, **kwargs: object) -> str:
        # The attacker's window: after guard judged the command, before it spawns it.
        found = checked(*args, **kwargs)  # type: ignore[arg-type]
        os.rename(root, moved)
        os.symlink(elsewhere, root)
        return found

    with monkeypatch.context() as patch:  # one example's patch must not wrap the next one's
        patch.setattr(secure_path, 'command_problem', check_then_swap)
        try:
            result = commands.run('before', '/bin/pwd -P', cwd=root, timeout=10, root_fd=pin.fd)
        finally:
            pin.close()
    assert result.outcome == commands.OK, result
    assert result.detail == str(moved.resolve())
    assert result.detail != str(elsewhere.resolve())
