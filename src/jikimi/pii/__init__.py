"""Find and mask personal data in Korean free text.

    >>> from jikimi.pii import mask, scan
    >>> [f.type.value for f in scan("연락처 010-1234-5678로 주세요")]
    ['phone']
    >>> mask("연락처 010-1234-5678로 주세요")
    '연락처 010-****-5678로 주세요'

:func:`scan` returns :class:`Finding` values (type, offsets into the text as given,
confidence, and the checks that passed); :func:`mask` rewrites the text with an
:class:`Operator`; :class:`MaskingRule` and :func:`masking_rules_from_mapping` carry a
policy's per-context choices; :class:`PiiLogFilter` masks log records. See docs/pii.md.
"""

from jikimi.pii._facade import mask, scan
from jikimi.pii._logfilter import PiiLogFilter
from jikimi.pii._model import Finding, PiiType
from jikimi.pii._operators import Operator, reveal
from jikimi.pii._rules import MaskingRule, masking_rules_from_mapping
from jikimi.pii._scanner import DEFAULT_MAX_CHARS, Scanner

__all__ = [
    "DEFAULT_MAX_CHARS",
    "Finding",
    "MaskingRule",
    "Operator",
    "PiiLogFilter",
    "PiiType",
    "Scanner",
    "mask",
    "masking_rules_from_mapping",
    "reveal",
    "scan",
]
