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

__all__ = [
    "JikimiError",
    "PolicyError",
    "PolicyLoadError",
    "PolicyProblem",
]
__version__ = "0.1.0"
