"""A second, unprivileged user for the tests that need one (we run as root): created with useradd once."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess

import pytest

NAME = 'gct-alice'


def uid() -> int:
    """The user's uid, creating it if needed; skips the test when we are not root or cannot."""
    if os.geteuid() != 0:
        pytest.skip('needs root: the case is one user acting on what another owns')
    try:
        return pwd.getpwnam(NAME).pw_uid
    except KeyError:
        pass
    if not shutil.which('useradd'):
        pytest.skip('no useradd on this machine')
    subprocess.run(['useradd', '-M', '-s', '/usr/sbin/nologin', NAME], check=True)
    return pwd.getpwnam(NAME).pw_uid
