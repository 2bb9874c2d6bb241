"""Secret rules: credentials in code and config. Every value they match is redacted in output.

Order matters: where two secret hits overlap the earlier rule wins, so key material and provider
formats come first, then insecure environment defaults (whose advice beats "rotate it"), the URL and
connection-string rules, the generic name-plus-random-literal rule, and last a service's stock
password in a deploy file (a note).
"""

from __future__ import annotations

from guard.rules.base import Rule
from guard.rules.secrets import calls
from guard.rules.secrets import cloud
from guard.rules.secrets import commands
from guard.rules.secrets import conninfo
from guard.rules.secrets import defaults
from guard.rules.secrets import devtools
from guard.rules.secrets import generic
from guard.rules.secrets import keys
from guard.rules.secrets import services
from guard.rules.secrets import stock
from guard.rules.secrets import urls

RULES: tuple[Rule, ...] = (
    *keys.RULES,
    *cloud.RULES,
    *devtools.RULES,
    *services.RULES,
    *defaults.RULES,
    *urls.RULES,
    *conninfo.RULES,
    *commands.RULES,
    *calls.RULES,
    *generic.RULES,
    *stock.RULES,
)
