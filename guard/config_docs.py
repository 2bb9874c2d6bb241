"""`python -m guard.config_docs > docs/config-reference.md`: the configuration reference, generated
from guard.schema so the docs cannot drift from what validation accepts (a test compares the
committed file with this output)."""

from __future__ import annotations

import sys

from guard import schema

TITLE = '# Configuration reference'
INTRO = (
    'Generated from `guard/schema.py` by `python -m guard.config_docs > docs/config-reference.md`; '
    'do not edit by hand. Every key can also be set through its `GUARD_*` variable '
    '(lists comma-separated, tables as `NAME=COUNT,...`). See [configuration](configuration.md) '
    'for the layers and [trust](trust.md) for what the trust column means.'
)
TYPES = {
    'str': 'string',
    'int': 'whole number ≥ 0',
    'float': 'number ≥ 0',
    'bool': 'true/false',
    'list': 'list of strings',
    'counts': 'table of whole numbers',
}
HEADINGS = {
    '': 'Top level: `guard scan` and the hooks',
    'purge': '`[purge]`',
    'clean': '`[clean]`',
    'health': '`[health]`',
    'alerts': '`[alerts]`',
    'audit': '`[audit]`',
    'watch': '`[watch]`',
}
TRUST_TEXT = {
    schema.SAFE: 'Applies from any layer, an untrusted project file included.',
    schema.RUNS_CODE: 'Any value other than empty/false needs trust in a project file: it runs code.',
    schema.NETWORK: 'Any non-empty value needs trust in a project file: it makes guard connect somewhere.',
    schema.OUTSIDE_ROOT: 'Needs trust in a project file when the path is absolute, starts with `~`, or leads '
    'out of the root (`..`, a symlink).',
    schema.OWN_STATE: "Any value needs trust in a project file: nothing in the tree may become guard's own state.",
}


def render() -> str:
    lines = [TITLE, '', INTRO, '', '## Trust classes', '', '| class | meaning |', '|---|---|']
    lines += [f'| {name} | {TRUST_TEXT[name]} |' for name in schema.TRUST_CLASSES]
    for section in ('', *schema.SECTIONS):
        lines += [
            '',
            f'## {HEADINGS[section]}',
            '',
            '| key | type | default | trust | variable | description |',
            '|---|---|---|---|---|---|',
        ]
        for key in schema.BY_SECTION[section].values():
            lines.append(
                f'| `{key.name}` | {_type(key)} | {_default(key.default)} | {key.trust} | '
                f'`{key.env_var}` | {_cell(key.doc)} |'
            )
    return '\n'.join(lines) + '\n'


def _type(key: schema.Key) -> str:
    text = TYPES[key.kind]
    if key.choices:
        text = ' \\| '.join(f'`{c}`' for c in key.choices)
    if key.gitignore:
        text += ' (gitignore patterns, checked at load)'
    return text


def _default(value: object) -> str:
    if isinstance(value, bool):
        return f'`{str(value).lower()}`'
    if isinstance(value, (tuple, list)):
        return '`[' + ', '.join(f'"{v}"' for v in value) + ']`' if value else '`[]`'
    if isinstance(value, dict):
        return '`{}`'
    if isinstance(value, str):
        return f'`"{value}"`'
    return f'`{value}`'


def _cell(text: str) -> str:
    return text.replace('|', '\\|')


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
