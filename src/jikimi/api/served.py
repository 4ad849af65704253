"""The app one worker of ``jikimi serve --workers N`` runs (``worker_app``, a uvicorn factory).

uvicorn starts each worker as a fresh process that imports ``jikimi.api.served:worker_app`` and
calls it; the parent passes what to serve through the environment it was started with
(``jikimi.settings``: ``JIKIMI_DB_URL``, ``JIKIMI_POLICY``, ``JIKIMI_KEY_FILE`` or
``JIKIMI_MASTER_KEY``, ``JIKIMI_ALLOW_BLOCKING_LINT``), never on a command line. Each worker opens
its own jikimi — its own connection pool and its own access-log chain — and closes it when uvicorn
shuts it down. The parent has migrated the schema, linted the policy and printed the banner once
(``open_jikimi(first=False)`` here); ``--deliver`` runs in the parent only, so each message is
claimed by one process."""

from __future__ import annotations

import os

from fastapi import FastAPI

from jikimi.api.app import create_app
from jikimi.bootstrap import open_jikimi
from jikimi.settings import DEFAULT_SERVE_THREADS, SERVE_THREADS_ENV, Settings


def worker_app() -> FastAPI:
    settings = Settings.from_env()
    jikimi = open_jikimi(settings, migrate=False, first=False)
    threads = int(os.environ.get(SERVE_THREADS_ENV) or DEFAULT_SERVE_THREADS)
    return create_app(jikimi, max_body_bytes=settings.max_body_bytes, owns_jikimi=True, threads=threads)
