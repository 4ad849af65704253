"""The versions of the policy jikimi knows, and publishing the next one (the console's policy pages).

* **in force**: the policy the server enforces (``JIKIMI_POLICY``, ``--policy``);
* **earlier**: the versions its ``history`` lists, with their dates (their text is not kept here:
  each entry may name the ``url`` of its published document);
* **announced**: the versions told to members through ``PolicyChanges.announce`` (their postings);
* **drafts**: the next versions the officer has written, as policy files in the ``versions/`` folder
  beside the policy file in force (``examples/policies/versions/`` for the example policies): the
  officer drafts a new version as a file next to the one in force, compares it here, and publishes
  it. Drafts are named by their file name only; nothing outside that folder is read.

Publishing a draft is ``PolicyChanges.announce(in force, draft, effective=…)``: the notice posted
and queued for every member, its days decided by the diff (material → ``material_lead_days``, else
``lead_days``). A draft whose lint has enforcement-blocking errors is refused: jikimi would not run
it. The server goes on enforcing the version in force; on the effective date the operator points
``JIKIMI_POLICY`` at the new file and restarts (docs/console.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.errors import InvalidInput, NotFound, PolicyLoadError
from jikimi.handlers import Handler
from jikimi.notices.changes import KIND, POSTED_AFTER, Announcement, PolicyChanges
from jikimi.periods import kst_day
from jikimi.policy.diff import PolicyDiff, diff_policies
from jikimi.policy.lint import RULES, Finding, lint
from jikimi.policy.load import load_policy_source
from jikimi.policy.model import Policy
from jikimi.store import postings as posting_rows

IN_FORCE = "current"
"""How the policy in force is named where a draft's file name could stand (``compare``)."""
DRAFTS_FOLDER = "versions"
"""The folder, beside the policy file in force, that holds the drafts of its next versions."""
MAX_DRAFTS = 50
BLOCKING = frozenset(r.id for r in RULES if r.blocks)

Status = Literal["in_force", "earlier", "announced", "draft"]


@dataclass(frozen=True)
class Draft:
    """A policy file in the drafts folder: loaded, or the problems that keep it from loading."""

    name: str
    policy: Policy | None
    problems: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def version(self) -> str | None:
        return self.policy.version_key if self.policy is not None else None

    @property
    def effective(self) -> date | None:
        found = self.policy.effective if self.policy is not None else None
        return found if isinstance(found, date) else None

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def blocking(self) -> tuple[str, ...]:
        """The enforcement-blocking rules it breaks (jikimi would not run it)."""
        return tuple(sorted({f.rule for f in self.findings if f.rule in BLOCKING}))


@dataclass(frozen=True)
class KnownVersion:
    """One version of the policy, as the console lists them (newest effective date first)."""

    version: str
    effective: date | None
    status: Status
    note: str | None = None
    url: str | None = None
    announced_at: datetime | None = None
    """When its change notice was first posted (announced versions)."""
    draft: str | None = None
    """Its file name in the drafts folder (drafts, and announced versions whose file is there)."""


class PolicyVersions:
    """The policy in force, its earlier and announced versions, its drafts; compare and publish."""

    def __init__(self, core: Core, changes: PolicyChanges, *, policy_file: Path | None = None) -> None:
        self.core = core
        self.changes = changes
        self.policy_file = policy_file
        self._loaded: dict[Path, tuple[tuple[int, int], Draft]] = {}

    @property
    def in_force(self) -> Policy:
        return self.core.policy

    @property
    def folder(self) -> Path | None:
        """The drafts folder (``versions/`` beside the policy file in force), or ``None`` when jikimi
        was not started from a file."""
        return self.policy_file.parent / DRAFTS_FOLDER if self.policy_file is not None else None

    # -- reading --

    def lint_in_force(self) -> list[Finding]:
        """The lint findings of the policy in force, located in its file while the file holds it."""
        policy = self.core.policy
        if self.policy_file is not None and self.policy_file.is_file():
            found = self._cached(self.policy_file)
            if found.policy == policy:
                return list(found.findings)
        return lint(policy)

    def drafts(self) -> list[Draft]:
        """Every ``*.yaml`` / ``*.yml`` file of the drafts folder (by name), loaded and linted."""
        folder = self.folder
        if folder is None or not folder.is_dir():
            return []
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))
        return [self._cached(p) for p in files[:MAX_DRAFTS]]

    def draft(self, name: str) -> Draft:
        """The draft of that file name (``NotFound`` for a name the folder does not list)."""
        for found in self.drafts():
            if found.name == name:
                return found
        raise NotFound(f"처리방침 초안 '{name[:80]}'이(가) 없습니다", f"no policy draft named '{name[:80]}'")

    def known(self) -> list[KnownVersion]:
        """Every version jikimi knows, newest effective date first: in force, earlier, announced, drafts."""
        policy = self.core.policy
        effective = policy.effective if isinstance(policy.effective, date) else None
        found: dict[str, KnownVersion] = {
            policy.version_key: KnownVersion(policy.version_key, effective, "in_force")
        }
        for entry in policy.history:
            found.setdefault(
                entry.version, KnownVersion(entry.version, entry.effective, "earlier", entry.note, entry.url)
            )
        drafts = {d.version: d for d in self.drafts() if d.version is not None}
        with self.core.reading() as conn:
            postings = posting_rows.of_kind(conn, KIND)
        for row in postings:
            version = str(row.ref)
            if version in found:
                continue
            until = as_utc(row.until_at)
            found[version] = KnownVersion(
                version,
                kst_day(until - POSTED_AFTER) if until is not None else None,
                "announced",
                announced_at=as_utc(row.posted_at),
                draft=drafts[version].name if version in drafts else None,
            )
        for version, d in drafts.items():
            found.setdefault(version, KnownVersion(version, d.effective, "draft", draft=d.name))
        return sorted(found.values(), key=lambda v: (v.effective or date.min, v.version), reverse=True)

    # -- comparing and publishing --

    def policy_named(self, name: str) -> Policy:
        """The policy in force (``IN_FORCE``) or a draft that loads, by its file name."""
        if name == IN_FORCE:
            return self.core.policy
        found = self.draft(name)
        if found.policy is None:
            raise InvalidInput(
                "draft",
                f"'{found.name}'을(를) 읽을 수 없습니다: {'; '.join(found.problems[:3])}",
                f"'{found.name}' does not load: {'; '.join(found.problems[:3])}",
            )
        return found.policy

    def compare(self, old: str, new: str) -> PolicyDiff:
        """Every change from ``old`` to ``new`` (each ``IN_FORCE`` or a draft's name), classified."""
        return diff_policies(self.policy_named(old), self.policy_named(new))

    def preview(self, name: str, *, effective: date | None = None) -> Announcement:
        """What publishing the draft now would do (nothing is queued or posted; refused like it)."""
        return self.changes.preview(self.core.policy, self._publishable(name), effective=effective)

    def publish(
        self, name: str, *, effective: date | None = None, actor: Handler | str, source: str = "local"
    ) -> Announcement:
        """Announce the draft as the next version: ``PolicyChanges.announce(in force, draft, …)``."""
        return self.changes.announce(
            self.core.policy, self._publishable(name), effective=effective, actor=actor, source=source
        )

    def _publishable(self, name: str) -> Policy:
        found = self.draft(name)
        policy = self.policy_named(name)
        if found.blocking:
            rules = ", ".join(found.blocking)
            raise InvalidInput(
                "draft",
                f"집행을 막는 검사 오류가 있어 게시할 수 없습니다: {rules}",
                f"has lint errors that block enforcement, so it cannot be published: {rules}",
            )
        return policy

    def _cached(self, path: Path) -> Draft:
        """The draft of ``path``, loaded again only when the file changed (its size or time)."""
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        found = self._loaded.get(path)
        if found is not None and found[0] == stamp:
            return found[1]
        draft = self._load(path)
        self._loaded[path] = (stamp, draft)
        return draft

    @staticmethod
    def _load(path: Path) -> Draft:
        try:
            source = load_policy_source(path)
        except PolicyLoadError as exc:
            problems = tuple(f"{path.name}:{p.line or '-'}: {p.key or '-'}: {p.reason}" for p in exc.problems)
            return Draft(path.name, None, problems[:20])
        return Draft(
            path.name, source.policy, findings=tuple(lint(source.policy, file=path.name, line_of=source.line))
        )
