"""jikimi (지킴이): a Korean privacy policy (개인정보 처리방침) written once as a file,
published and kept exactly as written.

``open_jikimi(Settings.from_env(), policy_path=…)`` gives the ``Jikimi`` façade with every service
(``jikimi.vault``, ``jikimi.lifecycle``, ``jikimi.rights``, ``jikimi.sharing``, ``jikimi.handlers``,
``jikimi.audit``); ``load_policy`` reads a policy file on its own. The façade's readers return
``LogPage`` (``jikimi.audit.about_subject`` and the other access-log readers), ``SeparatedHolding``
(``jikimi.separated``), ``KeyState`` and ``IndexKeyState`` (``jikimi.key_state``,
``jikimi.index_key_state``). The public API is small and pinned by ``tests/test_public_api.py``.
"""

from typing import TYPE_CHECKING, Any

from jikimi.errors import (
    Denied,
    Duplicate,
    InvalidInput,
    JikimiError,
    NotFound,
    PolicyError,
    PolicyLoadError,
    PolicyProblem,
    StateConflict,
)
from jikimi.policy.load import load_policy
from jikimi.policy.model import Policy
from jikimi.settings import Settings

if TYPE_CHECKING:
    from jikimi.audit.log import LogPage
    from jikimi.bootstrap import Jikimi, open_jikimi
    from jikimi.store.holdings import SeparatedHolding
    from jikimi.store.keys import IndexKeyState, KeyState

__all__ = [
    "Denied",
    "Duplicate",
    "IndexKeyState",
    "InvalidInput",
    "Jikimi",
    "JikimiError",
    "KeyState",
    "LogPage",
    "NotFound",
    "Policy",
    "PolicyError",
    "PolicyLoadError",
    "PolicyProblem",
    "SeparatedHolding",
    "Settings",
    "StateConflict",
    "load_policy",
    "open_jikimi",
]
__version__ = "0.1.0"

_LAZY = {
    "IndexKeyState": "jikimi.store.keys",
    "Jikimi": "jikimi.bootstrap",
    "KeyState": "jikimi.store.keys",
    "LogPage": "jikimi.audit.log",
    "SeparatedHolding": "jikimi.store.holdings",
    "open_jikimi": "jikimi.bootstrap",
}


def __getattr__(name: str) -> Any:
    """``Jikimi``, ``open_jikimi`` and the readers' types load the engine's modules (SQLAlchemy and
    the rest) on first use, so that ``import jikimi.pii`` or ``jikimi.policy`` alone pulls in no
    database or web framework."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'jikimi' has no attribute {name!r}")
