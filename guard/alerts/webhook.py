"""The webhook sink: an HTTP POST of the alert as JSON, with a deadline and bounded retries.

alerts.webhook-timeout bounds the whole delivery, retries included, so a webhook that hangs holds
up a check run by that long and no longer. Only connection errors, 5xx and 429 are retried (with
doubling back-off); any other 4xx means the request itself is wrong and would fail again.
The URL may hold a token (Slack, Discord): it is shown as scheme://host/... only.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from guard import __version__
from guard.alerts.model import Alert
from guard.alerts.model import Delivery
from guard.errors import ConfigError
from guard.scan.redaction import scrub

NAME = 'webhook'
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class _Attempt:
    ok: bool
    detail: str
    retry: bool = False
    timed_out: bool = False


class WebhookSink:
    name = NAME

    def __init__(self, url: str, *, timeout: float, retries: int, backoff: float) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            raise ConfigError('alerts.webhook: must be an http:// or https:// URL with a host')
        if timeout <= 0:
            raise ConfigError('alerts.webhook-timeout: must be more than 0 seconds')
        self._url = url
        self.shown = f'{parts.scheme}://{parts.netloc.rpartition("@")[2]}/...'
        self._timeout = timeout
        self._retries = retries
        self._backoff = backoff

    def deliver(self, alert: Alert) -> Delivery:
        body = json.dumps(alert.as_dict()).encode()
        started = time.monotonic()
        deadline = started + self._timeout
        attempt, attempts = _Attempt(False, 'not sent'), 0
        while attempts <= self._retries:
            attempts += 1
            attempt = self._post(body, deadline - time.monotonic())
            pause = self._backoff * 2 ** (attempts - 1)
            if attempt.ok or not attempt.retry or time.monotonic() + pause >= deadline:
                break
            time.sleep(pause)
        seconds = time.monotonic() - started
        return Delivery(
            NAME,
            attempt.ok,
            f'POST {self.shown}: {self._hide_url(attempt.detail)}',
            attempts,
            seconds,
            attempt.timed_out,
        )

    def _hide_url(self, detail: str) -> str:
        """An error may quote the URL, whose path or query often is the token (Slack, Discord): show
        `shown` for it and `...` for any part of it, then scrub what is left."""
        parts = urllib.parse.urlsplit(self._url)
        userinfo = parts.netloc.rpartition('@')[0]
        for secret, shown in ((self._url, self.shown), (parts.path, '/...'), (parts.query, '...'), (userinfo, '...')):
            if len(secret) > 1:
                detail = detail.replace(secret, shown)
        return scrub(detail)

    def _post(self, body: bytes, remaining: float) -> _Attempt:
        if remaining <= 0:
            return _Attempt(False, f'no time left within {self._timeout:g} s', timed_out=True)
        request = urllib.request.Request(
            self._url,
            data=body,
            method='POST',
            headers={'Content-Type': 'application/json', 'User-Agent': f'guard/{__version__}'},
        )
        try:
            with urllib.request.urlopen(request, timeout=remaining) as response:
                return _Attempt(True, f'HTTP {response.status}')
        except urllib.error.HTTPError as e:
            return _Attempt(False, f'HTTP {e.code} {e.reason}', retry=e.code in _RETRY_STATUS)
        except TimeoutError:
            return _Attempt(False, f'no answer within {self._timeout:g} s', timed_out=True)
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                return _Attempt(False, f'no answer within {self._timeout:g} s', timed_out=True)
            return _Attempt(False, str(getattr(e.reason, 'strerror', None) or e.reason), retry=True)
        except (OSError, ValueError, http.client.HTTPException) as e:
            return _Attempt(False, f'{type(e).__name__}: {e}'.rstrip(': '), retry=True)
