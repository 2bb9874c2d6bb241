"""How a provider-token rule is declared: one call per token format, so the tables read as data."""

from __future__ import annotations

from guard.rules import media
from guard.rules.base import Rule
from guard.rules.secrets import filters

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    from guard.rules.base import Filter
    from guard.rules.secrets.checksums import CrcFake
    from guard.rules.secrets.checksums import PypiFake
    from guard.rules.secrets.fakes import Fake

FIX_ROTATE = (
    'Revoke and rotate it now (it stays in git history), then load it from the environment or a secret manager.'
)
# A token is not glued to more token characters on either side.
_BEFORE = r'(?<![A-Za-z0-9_])'
_AFTER = r'(?![A-Za-z0-9_])'


def token_rule(
    rule_id: str,
    name: str,
    core: str,
    keywords: tuple[str, ...],
    bad: tuple[str | Fake | CrcFake | PypiFake, ...],
    good: tuple[str | Fake | CrcFake | PypiFake, ...],
    *,
    entropy: float = 0.0,
    extra: tuple[Filter, ...] = (),
    bounded: bool = True,
    flags: int = 0,
    keyword_tail: int = 0,
    severity: str = 'error',
    why: str = '',
) -> Rule:
    """A rule for one provider's token format. `core` matches the token; it becomes the `value` group."""
    pattern = f'{_BEFORE}(?P<value>{core}){_AFTER}' if bounded else core
    return Rule(
        id=rule_id,
        category='secret',
        severity=severity,
        why=why or f'{name}: anyone who reads it can act as its owner until it is revoked.',
        fix=FIX_ROTATE,
        pattern=pattern,
        keywords=keywords,
        keyword_tail=keyword_tail,
        flags=flags,
        entropy=entropy,
        filters=(filters.token_noise, media.in_image_data, *extra),
        examples_bad=bad,
        examples_good=good,
    )
