"""jikimi (지킴이): a Korean privacy policy (개인정보 처리방침) written once as a file,
published and kept exactly as written.

``open_jikimi(Settings.from_env(), policy_path=…)`` gives the ``Jikimi`` façade with every service
(``jikimi.vault``, ``jikimi.lifecycle``, ``jikimi.rights``, ``jikimi.sharing``, ``jikimi.handlers``,
``jikimi.audit``); ``load_policy`` reads a policy file on its own. The public API is small and
pinned by ``tests/test_public_api.py``.
"""

from jikimi.bootstrap import Jikimi, open_jikimi
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

__all__ = [
    "Denied",
    "Duplicate",
    "InvalidInput",
    "Jikimi",
    "JikimiError",
    "NotFound",
    "Policy",
    "PolicyError",
    "PolicyLoadError",
    "PolicyProblem",
    "Settings",
    "StateConflict",
    "load_policy",
    "open_jikimi",
]
__version__ = "0.1.0"
