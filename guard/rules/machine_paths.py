"""The abs-path rule: paths into one person's home directory (`/Users/alice/proj`).

They work on the author's machine only. System paths (`/usr`, `/etc`, `/var`, `/tmp`), `~` paths,
shebangs and placeholders (`/home/<user>/`, `/home/$USER/`) are fine.
"""

from __future__ import annotations

from guard.rules.base import Rule
from guard.rules.prose import DOC_PATH_WORDS
from guard.rules.prose import DOC_PATHS
from guard.rules.prose import in_comment
from guard.rules.prose import line_start

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import re

WHY = 'A path into one user\'s home directory only exists on that machine; everyone else gets "file not found".'
FIX = 'Make it relative to the project (Path(__file__).parent), use ~ / $HOME, or read it from configuration.'

_PLACEHOLDER_NAMES = frozenset(
    {
        'user',
        'username',
        'user_name',
        'yourname',
        'your_name',
        'your-name',
        'yourusername',
        'you',
        'me',
        'name',
        'someone',
        'somebody',
        'example',
        'foo',
        'bar',
        'john',
        'jane',
        'johndoe',
        'jdoe',
        'shared',
        'runner',
        'xxx',
        'myuser',
        'myname',
        'login',
        'whoami',
        'nobody',
        'guest',
        'default',
        'public',
        'all users',
        # The user of a well-known container or CI image: the same path on every machine that runs the image.
        'node',
        'vscode',
        'jovyan',
        'circleci',
        'travis',
        'gitpod',
        'codespace',
        'ubuntu',
        'ec2-user',
        'linuxbrew',
    }
)

_POSIX_HOME = r'(?<![\w.~$/-])(?P<value>/(?:Users|home)/(?P<name>[A-Za-z0-9._-]+)/[^\s"\'`<>|;,)\]}]*)'
_WINDOWS_HOME = r'(?i)(?<![\w])(?P<value>[a-z]:(?:\\\\?|/)Users(?:\\\\?|/)(?P<name>[A-Za-z0-9._ -]+?)(?:\\\\?|/)[^\s"\'`<>|;,)\]}]*)'


def _placeholder(match: re.Match[str], text: str) -> str | None:
    name = match['name'].lower()
    if name in _PLACEHOLDER_NAMES or set(name) <= {'x', '.', '_', '-'}:
        return 'placeholder user name'
    if text.startswith('#!', line_start(text, match.start())):
        return 'shebang'
    return None


RULES = (
    Rule(
        id='home-path',
        category='abs-path',
        severity='warning',
        why=WHY,
        fix=FIX,
        pattern=_POSIX_HOME,
        keywords=('/users/', '/home/'),
        filters=(_placeholder, in_comment),
        skip_paths=DOC_PATHS,
        skip_words=DOC_PATH_WORDS,
        redact=False,
        examples_bad=(
            'DATA_DIR = "/Users/alice/proj/data"',
            'model_path: /home/bob/models/v3.pkl',
            'cd /home/deploy/app && ./run.sh',
        ),
        examples_good=(
            'LOG_DIR = "/var/log/app"',
            'path = "~/proj/data"',
            'open("/tmp/x.csv")',
            'cache = "/home/<user>/.cache"',
            'see /home/user/project for an example',
            'HOME_DIR = "$HOME/proj"',
        ),
    ),
    Rule(
        id='windows-home-path',
        category='abs-path',
        severity='warning',
        why=WHY,
        fix=FIX,
        pattern=_WINDOWS_HOME,
        keywords=('\\users\\', ':/users/', '\\\\users\\\\'),
        filters=(_placeholder, in_comment),
        skip_paths=DOC_PATHS,
        skip_words=DOC_PATH_WORDS,
        redact=False,
        examples_bad=(
            r'path = "C:\Users\alice\proj\data.csv"',
            r'"C:\\Users\\carol\\AppData\\Local\\app"',
            'root = "D:/Users/dave/work"',
        ),
        examples_good=(
            r'path = "C:\Users\<name>\proj"',
            r'"%USERPROFILE%\proj"',
            r'C:\Program Files\App',
        ),
    ),
)
