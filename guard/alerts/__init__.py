"""Alerts: tell someone when a health check changes state, through the journal, a webhook or a
command, and record every alert in the audit store. The daemon calls `dispatch` after each check.
"""

from __future__ import annotations

from guard.alerts.dispatch import Sink
from guard.alerts.dispatch import build_sinks
from guard.alerts.dispatch import dispatch
from guard.alerts.model import Alert
from guard.alerts.model import AlertResult
from guard.alerts.model import Delivery

__all__ = ['Alert', 'AlertResult', 'Delivery', 'Sink', 'build_sinks', 'dispatch']
