"""Every Python example in README.md and docs/*.md runs, so that no example shows a call that does not
exist, an argument it does not take or a name it never defined.

The ```python blocks of one file run in order in one namespace, as a reader would paste them into
one session, in a fresh working directory that looks like a checkout where the reader has just run
``jikimi keys init`` and exported ``JIKIMI_KEY_FILE=var/master.key`` (README: "From Python"):
``examples/`` is there, ``var/master.key`` exists and nothing else does, so every database an
example opens is a new SQLite file under ``var/``. A block
that is not meant to run is not marked ``python`` (it is ``text``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from jikimi import crypto
from jikimi.bootstrap import Jikimi
from jikimi.cli import run

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([\w+-]*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
NOT_PYTHON_NAMES = {"py", "python3", "pycon", "Python"}


def python_blocks(doc: Path) -> list[str]:
    """The doc's ```python blocks, in order."""
    return [body for lang, body in FENCE.findall(doc.read_text(encoding="utf-8")) if lang == "python"]


def _case(doc: Path) -> Any:
    opens_a_database = any("open_jikimi" in block for block in python_blocks(doc))
    return pytest.param(
        doc, id=str(doc.relative_to(ROOT)), marks=[pytest.mark.db] if opens_a_database else []
    )


WITH_EXAMPLES = [doc for doc in DOCS if python_blocks(doc)]


@pytest.fixture
def reader_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory as the README leaves a reader in: the examples and a master key."""
    for name in ("JIKIMI_DB_URL", "JIKIMI_MASTER_KEY", "JIKIMI_KEY_FILE", "JIKIMI_POLICY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    assert run(["keys", "init"]) == 0  # what the README asks the reader to run first …
    monkeypatch.setenv("JIKIMI_KEY_FILE", "var/master.key")  # … and to export: no key file is read unnamed
    # Light Argon2id parameters keep the examples fast (each sign-up and handler hashes a password);
    # the real parameters are tested in tests/test_crypto.py.
    monkeypatch.setattr(
        crypto, "PasswordHasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    return tmp_path


def test_the_readme_and_the_service_docs_have_python_examples() -> None:
    names = {doc.name for doc in WITH_EXAMPLES}
    assert {"README.md", "lifecycle.md", "rights.md", "sharing.md", "pii.md"} <= names


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: str(d.relative_to(ROOT)))
def test_python_is_marked_python_and_shows_no_placeholders(doc: Path) -> None:
    """A Python block under another name would escape the run below; ``{...}`` is not an example."""
    fences = FENCE.findall(doc.read_text(encoding="utf-8"))
    assert not [lang for lang, _ in fences if lang in NOT_PYTHON_NAMES], f"{doc.name}: use ```python"
    for block in python_blocks(doc):
        assert "{...}" not in block and "(...)" not in block, f"{doc.name}: a placeholder in\n{block}"


@pytest.mark.parametrize("doc", [_case(doc) for doc in WITH_EXAMPLES])
def test_every_python_example_runs(doc: Path, reader_checkout: Path) -> None:
    namespace: dict[str, Any] = {"__name__": f"doc_example_{doc.stem}"}
    try:
        for number, block in enumerate(python_blocks(doc), 1):
            where = f"{doc.relative_to(ROOT)}, python block {number}"
            exec(compile(block, where, "exec"), namespace)
    finally:
        for value in namespace.values():
            if isinstance(value, Jikimi):
                value.close()
