"""``GET /metrics``: the server in Prometheus' text format (prometheus-client), for the operator.

Counted in the server's processes (with ``--workers N``, each writes its own files under
``PROMETHEUS_MULTIPROC_DIR``, which ``jikimi serve`` makes for them, and a scrape sums them):

- ``jikimi_http_requests_total{method, route, status}`` and ``jikimi_http_request_duration_seconds``
  — by the route's template (``/v1/subjects/{subject_id}/read``), never the path a client sent;
- ``jikimi_access_log_rows_total{action, outcome}`` — every access-log row committed, so the gate's
  decisions by reason (``action="read", outcome="denied:role_not_allowed"``), logins, refusals.

Read from the database at each scrape (the one truth of every process, the sweeps and delivery
workers a timer runs included; ``store.gauges``):

- ``jikimi_outbox_messages{status}``, ``jikimi_outbox_due_messages``, ``jikimi_outbox_oldest_due_seconds``
  and the same for the service events (``jikimi_events_…``) — delivery progress and backlog;
- ``jikimi_rights_requests_open{days_left}`` — open rights requests by whole KST days to their
  deadline (``overdue``, ``0-2``, ``3-5``, ``6-9``, ``10+``);
- ``jikimi_destroyed_total{class_kind, trigger}`` and ``jikimi_last_sweep_timestamp_seconds``.

No label holds a personal value or an id: statuses, codes and route templates only, and a label
value that is not a short code is reported as ``other``. Who may scrape: a client sending
``Authorization: Bearer <JIKIMI_METRICS_TOKEN>`` when that is set; without it, a client on this
machine (loopback, and no proxy header: a request a proxy forwards is not the operator's), else 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import time
from collections import Counter as Tally
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jikimi.bootstrap import Jikimi
from jikimi.errors import NotFound
from jikimi.periods import KST
from jikimi.store.gauges import Queue

PATH = "/metrics"
TOKEN_ENV = "JIKIMI_METRICS_TOKEN"
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
_CODE = re.compile(r"^[A-Za-z0-9_.:/{}-]{1,80}$")

REQUESTS = Counter(
    "jikimi_http_requests",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "jikimi_http_request_duration_seconds",
    "Time to answer, by method and route template",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
LOG_ROWS = Counter(
    "jikimi_access_log_rows",
    "Access-log rows committed, by action and outcome (the gate's decisions)",
    ["action", "outcome"],
)


def code(value: str) -> str:
    """``value`` if it is a short code (a status, a reason, a route template), else ``other``."""
    return value if _CODE.match(value) else "other"


def count_rows(counted: Tally[tuple[str, str]]) -> None:
    """``AccessLog.observe``'s observer: the rows of one commit."""
    for (action, outcome), rows in counted.items():
        LOG_ROWS.labels(code(action), code(outcome)).inc(rows)


class MetricsMiddleware:
    """Pure ASGI: counts and times every HTTP request by the template of the route it matched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = code(str(getattr(route, "path", "unmatched"))) if route is not None else "unmatched"
            method = code(str(scope.get("method", "")))
            REQUESTS.labels(method, template, str(status)).inc()
            LATENCY.labels(method, template).observe(time.perf_counter() - started)


class DatabaseCollector(Collector):
    """The gauges read from the database at each scrape (``Jikimi.gauges``)."""

    def __init__(self, jikimi: Jikimi) -> None:
        self.jikimi = jikimi

    def collect(self) -> Iterator[Any]:
        gauges = self.jikimi.gauges()
        now = self.jikimi.core.now()
        yield from _queue("jikimi_outbox", "Notices in the outbox", gauges.outbox, now)
        yield from _queue("jikimi_events", "Service events", gauges.events, now)
        rights = GaugeMetricFamily(
            "jikimi_rights_requests_open",
            "Open rights requests by whole days left to the deadline",
            labels=["days_left"],
        )
        for bucket, count in sorted(_days_left(gauges.rights_due, now).items()):
            rights.add_metric([bucket], count)
        yield rights
        destroyed = CounterMetricFamily(
            "jikimi_destroyed",
            "Rows destroyed by the sweeps, by class and trigger (the ledger)",
            labels=["class_kind", "trigger"],
        )
        for (kind, trigger), count in sorted(gauges.destroyed.items()):
            destroyed.add_metric([code(kind), code(trigger)], count)
        yield destroyed
        last = GaugeMetricFamily(
            "jikimi_last_sweep_timestamp_seconds", "When the last sweep destroyed something"
        )
        last.add_metric([], gauges.last_sweep.timestamp() if gauges.last_sweep else 0.0)
        yield last


def _queue(name: str, what: str, queue: Queue, now: datetime) -> Iterable[Any]:
    statuses = GaugeMetricFamily(f"{name}_messages", f"{what}, by status", labels=["status"])
    for status in sorted({"pending", "delivered", "dead", *queue.by_status}):
        statuses.add_metric([code(status)], queue.by_status.get(status, 0))
    yield statuses
    yield GaugeMetricFamily(f"{name}_due_messages", f"{what} pending and due now", value=queue.due)
    late = (now - queue.oldest_due).total_seconds() if queue.oldest_due else 0.0
    yield GaugeMetricFamily(
        f"{name}_oldest_due_seconds", f"{what}: how late the oldest due one is", value=late
    )


_BUCKETS = (("0-2", 2), ("3-5", 5), ("6-9", 9))


def _days_left(deadlines: list[datetime], now: datetime) -> dict[str, int]:
    """Open requests by whole KST days from today to their deadline's day."""
    today = now.astimezone(KST).date()
    counts = {"overdue": 0, "0-2": 0, "3-5": 0, "6-9": 0, "10+": 0}
    for due in deadlines:
        if due < now:
            counts["overdue"] += 1
            continue
        days = (due.astimezone(KST).date() - today).days
        counts[next((name for name, most in _BUCKETS if days <= most), "10+")] += 1
    return counts


def allowed(request: Request) -> bool:
    """A scrape with the metrics token, or — no token set — from this machine and not via a proxy."""
    token = os.environ.get(TOKEN_ENV, "")
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    if any(name in request.headers for name in ("x-forwarded-for", "forwarded", "x-real-ip")):
        return False
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def mount_metrics(app: FastAPI, jikimi: Jikimi) -> None:
    """``GET /metrics`` and the request counting on ``app``; the gate's decisions from ``jikimi``'s log."""
    jikimi.core.access_log.observe(count_rows)
    collector = DatabaseCollector(jikimi)
    app.add_middleware(MetricsMiddleware)

    def metrics(request: Request) -> Response:
        if not allowed(request):
            raise NotFound("없는 주소입니다", "not found")
        registry = CollectorRegistry()
        if os.environ.get(MULTIPROCESS_ENV):
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # every worker's counts
        else:
            registry.register(_Forward(REGISTRY))  # this process's counts, its CPU, memory and GC
        registry.register(collector)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route(
        PATH,
        metrics,
        methods=["GET"],
        include_in_schema=False,
        summary="Prometheus 지표 (metrics)",
    )


class _Forward(Collector):
    """The process's own registry (its counters, and the process and GC collectors) in a scrape."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Any]:
        yield from self.source.collect()
