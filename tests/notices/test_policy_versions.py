"""The versions of the policy jikimi knows, and publishing the next one: the officer drafts it as a
file in the ``versions/`` folder beside the policy in force, compares it, and publishes it with its
scheduled notice (PIPA 30②: material changes 30 days ahead, others 7)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from jikimi.clock import FixedClock
from jikimi.errors import Denied, InvalidInput, NotFound
from jikimi.handlers import Handler
from jikimi.notices.policy_versions import IN_FORCE, PolicyVersions
from jikimi.store.notice_tables import postings

from .people import REFERENCE, data_of, jikimi_on, policy_of, yaml_text


def officer_phone_draft(folder: Path, version: str, effective: date) -> str:
    data = data_of(REFERENCE)
    data["version"], data["effective"] = version, effective
    data.pop("announced", None)
    data["officers"][0]["phone"] = "02-6213-4879"
    (folder / f"reference-{version}.yaml").write_text(yaml_text(data), encoding="utf-8")
    return f"reference-{version}.yaml"


@pytest.fixture
def versions(engine: Engine, clock: FixedClock, tmp_path: Path) -> PolicyVersions:
    """jikimi enforcing the reference policy from ``tmp/policy.yaml``, with ``tmp/versions/`` for drafts."""
    shutil.copy(REFERENCE, tmp_path / "policy.yaml")
    (tmp_path / "versions").mkdir()
    jikimi = jikimi_on(engine, clock, policy_of(REFERENCE))
    return PolicyVersions(jikimi.core, jikimi.policy_changes, policy_file=tmp_path / "policy.yaml")


def officer(versions: PolicyVersions) -> Handler:
    handlers = versions.core.handlers
    handlers.define_role("privacy_admin", purposes=[], actions=["admin"])
    handler, _ = handlers.create("officer-han", "correct horse battery", role="privacy_admin")
    return handler


def test_the_versions_known_are_the_one_in_force_its_history_and_the_drafts(versions: PolicyVersions) -> None:
    assert versions.folder is not None
    name = officer_phone_draft(versions.folder, "2026-03-16", date(2026, 3, 16))
    (versions.folder / "broken.yaml").write_text("version: [unclosed\n", encoding="utf-8")
    (versions.folder / "notes.txt").write_text("not a policy", encoding="utf-8")
    known = [(v.version, v.effective, v.status, v.draft) for v in versions.known()]
    assert known == [
        ("2026-03-16", date(2026, 3, 16), "draft", name),
        ("2026-03-02", date(2026, 3, 2), "in_force", None),
        ("2025-06-02", date(2025, 6, 2), "earlier", None),
    ]
    broken = versions.draft("broken.yaml")
    assert broken.policy is None and broken.problems and broken.problems[0].startswith("broken.yaml:")
    with pytest.raises(NotFound):
        versions.draft("../policy.yaml")  # only the folder's own files, by name
    with pytest.raises(InvalidInput):
        versions.compare(IN_FORCE, "broken.yaml")


def test_the_lint_of_the_policy_in_force_points_into_its_file(versions: PolicyVersions) -> None:
    findings = versions.lint_in_force()
    assert all(f.file == "policy.yaml" for f in findings)
    assert all(f.line is not None for f in findings if f.path)


def test_a_minor_draft_is_compared_and_published_with_seven_days_notice(
    versions: PolicyVersions, clock: FixedClock
) -> None:
    assert versions.folder is not None
    name = officer_phone_draft(versions.folder, "2026-03-09", date(2026, 3, 9))
    diff = versions.compare(IN_FORCE, name)
    assert (diff.material, diff.notice_days, diff.earliest_effective(date(2026, 3, 2))) == (
        False,
        7,
        date(2026, 3, 9),
    )
    assert [c.section for c in diff.changes if c.section != "version"] and not any(
        c.material for c in diff.changes
    )
    preview = versions.preview(name)
    assert preview.dry_run and preview.effective == date(2026, 3, 9)
    with pytest.raises(Denied):
        versions.publish(name, actor=_no_admin(versions))
    done = versions.publish(name, actor=officer(versions))
    assert (done.new_version, done.effective, done.notice_days) == ("2026-03-09", date(2026, 3, 9), 7)
    assert [p["ref"] for p in posted_of(versions)] == ["2026-03-09"]
    statuses = {v.version: v.status for v in versions.known()}
    assert statuses["2026-03-09"] == "announced"


def test_an_effective_date_too_soon_names_the_earliest_lawful_one(versions: PolicyVersions) -> None:
    assert versions.folder is not None
    name = officer_phone_draft(versions.folder, "2026-03-05", date(2026, 3, 5))
    with pytest.raises(InvalidInput, match="2026-03-09"):
        versions.publish(name, actor=officer(versions))


def test_a_draft_jikimi_would_not_run_is_not_published(versions: PolicyVersions) -> None:
    assert versions.folder is not None
    data = data_of(REFERENCE)
    data["version"], data["effective"] = "2026-04-10", date(2026, 4, 10)
    data["items"].append({"id": "rrn", "label": "주민등록번호", "format": "rrn"})
    data["contexts"][0]["optional"] = [*data["contexts"][0].get("optional", []), "rrn"]
    data["purposes"][0]["items"] = [*data["purposes"][0]["items"], "rrn"]
    (versions.folder / "with-rrn.yaml").write_text(yaml_text(data), encoding="utf-8")
    assert "rrn-without-basis" in versions.draft("with-rrn.yaml").blocking
    with pytest.raises(InvalidInput, match="rrn-without-basis"):
        versions.publish("with-rrn.yaml", actor=officer(versions))


def _no_admin(versions: PolicyVersions) -> Handler:
    handlers = versions.core.handlers
    handlers.define_role("cs", purposes=["membership"], actions=["read"])
    handler, _ = handlers.create("cs-park", "correct horse battery", role="cs")
    return handler


def posted_of(versions: PolicyVersions) -> list[dict[str, object]]:
    with versions.core.engine.connect() as conn:
        return [
            dict(r._mapping) for r in conn.execute(select(postings).where(postings.c.kind == "policy_change"))
        ]
