"""guard watch: the daemon that reacts to pollution, log growth and low disk as they happen.

One module per stage of the pipeline, in the order data flows through it:
events (watchdog handler -> change records) -> changes (debounced, coalesced, bounded) ->
facts (measure what the changes touched) -> policy (pure: decide) -> actions (plan -> execute
through guard.safety, guard.health, guard.alerts, guard.audit) -> metrics, status, notify.
sweep catches what events missed; service runs the loop; repo answers git questions.
"""

from __future__ import annotations
