"""A TypeScript client generated from the live OpenAPI document does the whole integration flow
against a real ``jikimi serve``: openapi-typescript turns ``/openapi.json`` into types, ``tsc``
type-checks ``flow.ts`` against them (strict), and Node runs it with openapi-fetch — sign-up twice
with one Idempotency-Key, a read for a purpose, the refusals and their reasons, the withdrawal, and
the signed ``subject.withdrawn`` event at the program's own receiver (docs/integration.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .flows import CHECKS, run_flow
from .server import Served
from .tools import TYPESCRIPT, node_or_skip, npm_packages

pytestmark = [pytest.mark.db, pytest.mark.slow]  # a SQLite file behind a real server


def _build(modules: Path, document: Path, build: Path, node: str) -> None:
    """``build/``: flow.ts and its settings, schema.d.ts generated from the document, compiled."""
    build.mkdir()
    for name in ("flow.ts", "tsconfig.json", "package.json"):
        shutil.copy(TYPESCRIPT / name, build / name)
    (build / "node_modules").symlink_to(modules, target_is_directory=True)
    generate = [node, str(modules / "openapi-typescript" / "bin" / "cli.js"), str(document)]
    # --default-non-nullable=false: a request field with a default stays optional to send
    generate += ["-o", str(build / "schema.d.ts"), "--default-non-nullable=false"]
    for command in (generate, [node, str(modules / "typescript" / "bin" / "tsc"), "-p", str(build)]):
        done = subprocess.run(command, cwd=build, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{command[1]} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture
def node_and_modules() -> tuple[str, Path]:
    """``node`` and the installed npm packages, before any server is started."""
    node, npm = node_or_skip()
    return node, npm_packages(npm)


def test_the_generated_typescript_client_signs_up_reads_withdraws_and_verifies_the_event(
    node_and_modules: tuple[str, Path], served: Served, openapi_document: Path, tmp_path: Path
) -> None:
    node, modules = node_and_modules
    build = tmp_path / "typescript"
    _build(modules, openapi_document, build, node)

    env = {"PATH": os.environ.get("PATH", ""), **served.client_env()}
    result = run_flow([node, str(build / "out" / "flow.js")], env=env, cwd=build)

    assert result.answer, f"no answer from flow.js:\n{result.output}\n--- jikimi serve:\n{served.output()}"
    failed = sorted(name for name, held in result.answer.get("checks", {}).items() if not held)
    missing = sorted(CHECKS - set(result.answer.get("checks", {})))
    assert result.answer["ok"] and not failed and not missing, (
        f"failed {failed}, not reached {missing}: {result.answer}\n--- jikimi serve:\n{served.output()}"
    )
    assert result.returncode == 0
    print(f"typescript flow: {result.seconds:.1f} s, {result.answer}")
