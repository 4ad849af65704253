"""The client generators, installed once by the registries' own clients and reused: ``npm ci`` from
the committed ``package-lock.json`` into ``tests/clients/typescript/node_modules``, and ``pip`` into
``tests/clients/python/.venv`` from the pinned ``requirements.txt`` (an environment of its own: the
generator pins typer and httpx below jikimi's). A file lock makes pytest-xdist workers, and two runs
in one tree, wait for the one installing; a stamp holding the hash of what was installed skips a
finished install, and a changed lock file installs again. Nothing is downloaded but packages."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TYPESCRIPT = HERE / "typescript"
PYTHON = HERE / "python"
INSTALL_SECONDS = 600
STAMP = ".jikimi-installed"


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def _digest(*files: Path) -> str:
    return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=INSTALL_SECONDS)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def node_or_skip() -> tuple[str, str]:
    """``node`` and ``npm``; without them the TypeScript flow is skipped, except in CI (``CI`` set),
    where it fails."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if in_ci():
            pytest.fail(
                "CI needs Node.js and npm for the TypeScript client flow (apt-get install nodejs npm)"
            )
        pytest.skip("node and npm are not installed: the TypeScript client flow needs them")
    return node, npm


def npm_packages(npm: str, folder: Path = TYPESCRIPT) -> Path:
    """``folder/node_modules`` (``tests/clients/typescript`` unless told another folder) as its
    ``package-lock.json`` pins it."""
    modules = folder / "node_modules"
    wanted = _digest(folder / "package.json", folder / "package-lock.json")
    with _locked(folder / ".install.lock"):
        stamp = modules / STAMP
        if not (stamp.exists() and stamp.read_text() == wanted):
            _run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=folder)
            stamp.write_text(wanted)
    return modules


def python_generator() -> Path:
    """The ``bin`` folder of ``tests/clients/python/.venv``, with openapi-python-client in it."""
    venv = PYTHON / ".venv"
    wanted = _digest(PYTHON / "requirements.txt") + sys.version
    with _locked(PYTHON / ".install.lock"):
        stamp = venv / STAMP
        if not (stamp.exists() and stamp.read_text() == wanted):
            shutil.rmtree(venv, ignore_errors=True)
            _run([sys.executable, "-m", "venv", str(venv)], cwd=PYTHON)
            pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "install"]
            _run([*pip, "--quiet", "-r", str(PYTHON / "requirements.txt")], cwd=PYTHON)
            stamp.write_text(wanted)
    return venv / "bin"
