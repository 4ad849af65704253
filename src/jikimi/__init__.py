"""jikimi (지킴이): a Korean privacy policy (개인정보 처리방침) written once as a file,
published and kept exactly as written.

The public API is small and pinned by ``tests/test_public_api.py``.
"""

from jikimi.errors import (
    JikimiError,
    PolicyError,
    PolicyLoadError,
    PolicyProblem,
)
from jikimi.policy.load import load_policy
from jikimi.policy.model import Policy

__all__ = [
    "JikimiError",
    "Policy",
    "PolicyError",
    "PolicyLoadError",
    "PolicyProblem",
    "load_policy",
]
__version__ = "0.1.0"
