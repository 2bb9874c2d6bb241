"""Secret rules: credentials in code and config. Every value they match is redacted in output.

Order matters: where two secret hits overlap the earlier rule wins, so key material and provider
formats come first, then insecure environment defaults (whose advice beats "rotate it"), the URL and
connection-string rules, the generic name-plus-random-literal rule, and last a service's stock
password in a deploy file (a note).

The modules are named here, in that order, not imported: a scan plans with guard/rules/catalog.py and
imports a module when one of its rules' keywords occurs (guard.rules).
"""

from __future__ import annotations

MODULES = (
    'guard.rules.secrets.keys',
    'guard.rules.secrets.cloud',
    'guard.rules.secrets.devtools',
    'guard.rules.secrets.services',
    'guard.rules.secrets.defaults',
    'guard.rules.secrets.urls',
    'guard.rules.secrets.conninfo',
    'guard.rules.secrets.commands',
    'guard.rules.secrets.calls',
    'guard.rules.secrets.protocols',
    'guard.rules.secrets.generic',
    'guard.rules.secrets.stock',
)
