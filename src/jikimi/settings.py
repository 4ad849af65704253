"""Settings, read from the environment in one place and passed down explicitly.

``JIKIMI_DB_URL``      database (default ``sqlite:///var/jikimi.db``; PostgreSQL: ``postgresql://…``)
``JIKIMI_MASTER_KEY``  base64 master key(s), current first, comma-separated (overrides the key file)
``JIKIMI_KEY_FILE``    key file written by ``jikimi keys init`` (default ``var/master.key``)
``JIKIMI_POLICY``      the policy file the server enforces
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from jikimi.crypto import KeyRing

DEFAULT_URL = "sqlite:///var/jikimi.db"
DEFAULT_KEY_FILE = Path("var/master.key")


@dataclass(frozen=True)
class Settings:
    db_url: str = DEFAULT_URL
    key_file: Path = DEFAULT_KEY_FILE
    master_key: str | None = None
    policy_path: Path | None = None
    max_body_bytes: int = 1_000_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        settings = cls(
            db_url=env.get("JIKIMI_DB_URL", DEFAULT_URL),
            key_file=Path(env.get("JIKIMI_KEY_FILE", str(DEFAULT_KEY_FILE))),
            master_key=env.get("JIKIMI_MASTER_KEY") or None,
            policy_path=Path(env["JIKIMI_POLICY"]) if env.get("JIKIMI_POLICY") else None,
        )
        given = {key: value for key, value in overrides.items() if value is not None}
        return replace(settings, **given)  # type: ignore[arg-type]

    def key_ring(self) -> KeyRing:
        if self.master_key:
            return KeyRing.from_env_value(self.master_key)
        return KeyRing.from_file(self.key_file)
