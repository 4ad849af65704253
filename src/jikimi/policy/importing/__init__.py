"""``jikimi policy import``: from the policy text a service already publishes to a draft jikimi policy.

Pure functions of the text (no files, no database, no framework): ``import_bytes`` decodes (UTF-8,
CP949/EUC-KR), reads text, HTML or Markdown, cuts the text into sections by its Korean heading styles
and reads each fact with rules made for Korean policy wording. Nothing is invented: what the text does
not say is left as a visible placeholder that lint reports, what it says ambiguously carries a
``review:`` note, and every value cites its source line (and column) and original words.
"""

from jikimi.policy.importing._decode import MAX_IMPORT_BYTES
from jikimi.policy.importing._found import Note, Src
from jikimi.policy.importing._importer import ImportReport, ImportResult, import_bytes, import_text

__all__ = ["MAX_IMPORT_BYTES", "ImportReport", "ImportResult", "Note", "Src", "import_bytes", "import_text"]
