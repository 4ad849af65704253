"""A Python client generated from the live OpenAPI document by openapi-python-client does the whole
integration flow against a real ``jikimi serve``: the generated package ``jikimi_client`` is
type-checked with ``flow.py`` (mypy strict) and imported by it, in the generator's own environment
— sign-up twice with one Idempotency-Key, a read for a purpose, the refusals and their reasons, the
withdrawal, and the signed ``subject.withdrawn`` event at the program's own receiver
(docs/integration.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .flows import CHECKS, run_flow
from .server import Served
from .tools import PYTHON, python_generator

pytestmark = [pytest.mark.db, pytest.mark.slow]  # a SQLite file behind a real server

USED = (
    "api/handlers/log_in.py",
    "api/subjects/collect_subject.py",
    "api/subjects/read_subject.py",
    "api/lifecycle/withdraw_subject.py",
    "api/events/list_events.py",
)
"""The generated modules flow.py calls (the generator leaves out an operation it cannot parse)."""


def _generate(tools: Path, document: Path, into: Path) -> Path:
    """The package ``jikimi_client`` generated from the document into ``into``."""
    package = into / "jikimi_client"
    command = [str(tools / "openapi-python-client"), "generate", "--path", str(document), "--meta", "none"]
    command += ["--config", str(PYTHON / "generator.yaml"), "--output-path", str(package)]
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff hooks
    done = subprocess.run(command, cwd=into, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"openapi-python-client failed:\n{done.stdout}\n{done.stderr}"
    for module in USED:
        assert (package / module).exists(), f"{module} not generated:\n{done.stdout}"
    return package


def _type_check(generated: Path, cache: Path) -> None:
    """mypy --strict on flow.py, against the generated package's annotations."""
    command = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental"]
    command += ["--cache-dir", str(cache), "--python-version", "3.11", str(PYTHON / "flow.py")]
    env = {**os.environ, "MYPYPATH": str(generated)}
    done = subprocess.run(command, cwd=generated, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"mypy on flow.py:\n{done.stdout}\n{done.stderr}"


def test_the_generated_python_client_signs_up_reads_withdraws_and_verifies_the_event(
    served: Served, openapi_document: Path, tmp_path: Path
) -> None:
    tools = python_generator()
    generated = tmp_path / "generated"
    generated.mkdir()
    _generate(tools, openapi_document, generated)
    _type_check(generated, tmp_path / "mypy")

    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(generated), **served.client_env()}
    result = run_flow([str(tools / "python"), str(PYTHON / "flow.py")], env=env, cwd=generated)

    assert result.answer, f"no answer from flow.py:\n{result.output}\n--- jikimi serve:\n{served.output()}"
    failed = sorted(name for name, held in result.answer.get("checks", {}).items() if not held)
    missing = sorted(CHECKS - set(result.answer.get("checks", {})))
    assert result.answer["ok"] and not failed and not missing, (
        f"failed {failed}, not reached {missing}: {result.answer}\n--- jikimi serve:\n{served.output()}"
    )
    assert result.returncode == 0
    print(f"python flow: {result.seconds:.1f} s, {result.answer}")
