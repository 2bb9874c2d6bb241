"""The scrubber for text guard did not write: command output, driver errors, alert details.

guard.redact knows credential *forms* (URL passwords, `password=`, `Authorization:`, options); the
secret rules know provider *formats* (`sk_live_`, `ghp_`, `xoxb-`, AKIA, JWTs...). Text that may hold
either passes both: every raw match of every redacting content rule is masked, as the scanner's
excerpt masker hides them. Raw matches, before entropy floors and filters: a filter that judges a
value a placeholder is right often enough for a scan, but a message is not worth the risk.

Built on the rules themselves rather than on a second list of formats, so a format a new rule
learns is masked in every message too. Lives in scan/ for the keyword prefilter: only the rules
whose keywords occur in a text are compiled and run.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from guard import redact
from guard.scan.prefilter import Prefilter


@cache
def masking() -> Prefilter:
    """Every redacting rule, enabled or not: what a message hides must not depend on configuration."""
    from guard.rules.catalog import ENTRIES

    return Prefilter([entry for entry in ENTRIES if entry.redact])


def rule_spans(text: str, start: int = 0, end: int | None = None, path: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of each raw match (its `value` group when it has one) of a redacting rule in text[start:end]."""
    end = len(text) if end is None else end
    spans = []
    for rule, _ in masking().plan(text[start:end], path):
        for span_start, span_end in rule.raw_spans(text, start, end):
            if redact.unmasked(text[span_start:span_end]):  # `***` stays `***`: scrubbing twice changes nothing
                spans.append((span_start, span_end))
    return spans


def scrub(text: str) -> str:
    """`text` with every credential form (guard.redact) and every token a secret rule matches masked, again until
    nothing more is: a mask makes a line shorter, and a rule whose match is bounded in length (a sasl_passwd
    line's 200 characters) may match the shorter line where it did not match the longer one. So scrubbing
    twice changes nothing (within _MAX_PASSES passes; a pass that finds nothing unmasked ends it)."""
    for _ in range(_MAX_PASSES):
        spans = redact.scrub_spans(text) + rule_spans(text)
        if not spans:
            break
        text = redact.mask_spans(text, spans)
    return text


_MAX_PASSES = 8


def scrub_any(value: Any) -> Any:
    """guard.redact.scrub_any with this scrubber: a structure safe to store or send."""
    return redact.scrub_any(value, scrub=scrub)
