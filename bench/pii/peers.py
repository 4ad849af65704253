"""Adapters that run Presidio and ko-pii on one text and return (type, start, end, score) spans.

Both are optional: each ``load_*`` returns a :class:`Peer` whose ``detect`` is ``None``, with the
reason, when the package is missing. They are configured as well as they can be offline:

* **Presidio**: its five Korean recognizers (RRN, FRN, BRN, driver's licence, passport),
  the phone recognizer restricted to the KR region, credit card, e-mail and IP, all for
  language ``ko``. NER needs a spaCy model; no Korean spaCy pipeline is on PyPI (the
  ``ko-core-news-sm`` name there is an empty placeholder) and nothing may be downloaded at
  run time, so the NLP engine is a blank Korean spaCy pipeline (``spacy.blank("ko")`` with
  spaCy's rule-based tokenizer in place of the default MeCab one, which needs a system
  dictionary) with one component that sets each token's lemma to its lower-cased text.
  Presidio's context enhancer reads the lemmas *and* the keywords it derives from them when
  the artifacts are built, so the lemmas must be set inside the pipeline: setting them on the
  artifacts afterwards (as an earlier version of this file did) left the keywords empty and no
  context word ever raised a score.
  Context words then match by substring (``여권번호`` contains ``여권``), as with a lemmatizer.
  The generic recognizers get Korean context words beside their English ones (see PHONE_KO).
  Without a model Presidio finds no PERSON or LOCATION: its name and address scores are zero
  by construction, not by a fault of the adapter. Recognizers that map to none of our types
  are not loaded, which only makes it faster. Results of different types that overlap are
  resolved as presidio-anonymizer does before masking (the higher score, then the longer span,
  wins), so a number read as both a phone and a licence is one finding, not one right and one
  wrong. The score threshold is chosen by evaluate.py, per run, as the one that gives Presidio
  its best micro F1 on the types it supports.
* **ko-pii**: ``detect_all`` with its defaults (every detector, normalisation on, its own
  overlap resolution across all its 33 labels); the labels that map to none of ours
  (CORP_REG, POSITION, DT_BIRTH, ...) are dropped after that resolution, so a corporate
  number it calls CORP_REG is never counted as an RRN. Its threshold is chosen like Presidio's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Spans = list[tuple[str, int, int, float]]
Detector = Callable[[str], Spans]

PRESIDIO_TYPES = {
    "KR_RRN": "rrn", "KR_FRN": "frn", "KR_PASSPORT": "passport", "KR_DRIVER_LICENSE": "driver_license",
    "KR_BRN": "brn", "PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "CREDIT_CARD": "card",
    "IP_ADDRESS": "ip",
}  # fmt: skip
KOPII_TYPES = {
    "RRN": "rrn", "FRN": "frn", "PASSPORT": "passport", "DRIVER_LICENSE": "driver_license",
    "BUSINESS_REG": "brn", "PHONE": "phone", "FAX": "phone", "EMAIL": "email", "CARD": "card",
    "ACCOUNT": "account", "MEDICAL_INSURANCE": "health_insurance", "VEHICLE": "car_plate", "IP": "ip",
    "PERSON": "name", "ADDRESS": "address",
}  # fmt: skip

# Korean context words for Presidio's generic recognizers, which ship English ones only (its
# Korean recognizers ship Korean ones): what a Korean deployment would configure. They only
# raise scores near such a word; the threshold is then tuned per run.
PHONE_KO = ["전화", "연락처", "휴대폰", "핸드폰", "휴대전화", "팩스", "전송", "tel", "fax", "hp"]
CARD_KO = ["카드", "신용카드", "체크카드", "카드번호"]
EMAIL_KO = ["이메일", "메일", "e-mail"]
IP_KO = ["아이피", "접속", "주소"]


@dataclass(frozen=True)
class Peer:
    """A loaded peer: its detector (``None`` when not installed), a note, the types it can find
    (its threshold is tuned on these) and the packages whose input memos evaluate.py clears."""

    detect: Detector | None
    note: str
    types: frozenset[str] = frozenset()
    packages: tuple[str, ...] = ()
    version: str = ""


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return ""


def resolve_overlaps(spans: Spans) -> Spans:
    """Keep, of spans that overlap, the one with the higher score, then the longer one, then the
    earlier one (what presidio-anonymizer does with conflicting results before it masks)."""
    kept: Spans = []
    for span in sorted(spans, key=lambda s: (-s[3], -(s[2] - s[1]), s[1])):
        if all(span[2] <= k[1] or span[1] >= k[2] for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s[1])


def load_presidio() -> Peer:
    try:
        import spacy
        import tldextract
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
        from presidio_analyzer.predefined_recognizers import (
            CreditCardRecognizer,
            EmailRecognizer,
            IpRecognizer,
            KrBrnRecognizer,
            KrDriverLicenseRecognizer,
            KrFrnRecognizer,
            KrPassportRecognizer,
            KrRrnRecognizer,
            PhoneRecognizer,
        )
        from spacy.language import Language
        from spacy.tokens import Doc as SpacyDoc
    except ImportError as exc:
        return Peer(
            None, f"presidio-analyzer not installed ({exc.name}); pip install -r bench/pii/requirements.txt"
        )

    # The e-mail recognizer checks TLDs with tldextract, which would try to download the
    # public-suffix list; use the snapshot bundled with tldextract instead.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())

    if "bench_lower_lemma" not in Language.factories:

        @Language.component("bench_lower_lemma")
        def lower_lemma(doc: SpacyDoc) -> SpacyDoc:
            for token in doc:
                token.lemma_ = token.lower_
            return doc

    class BlankSpacyEngine(SpacyNlpEngine):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "ko", "model_name": "blank:ko"}])

        def load(self) -> None:
            nlp = spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})
            nlp.add_pipe("bench_lower_lemma")
            self.nlp = {"ko": nlp}

    engine = BlankSpacyEngine()
    engine.load()
    registry = RecognizerRegistry(supported_languages=["ko"])
    for recognizer in (
        KrRrnRecognizer(supported_language="ko"),
        KrFrnRecognizer(supported_language="ko"),
        KrBrnRecognizer(supported_language="ko"),
        KrDriverLicenseRecognizer(supported_language="ko"),
        KrPassportRecognizer(supported_language="ko"),
        PhoneRecognizer(
            supported_language="ko", supported_regions=["KR"], context=[*PhoneRecognizer.CONTEXT, *PHONE_KO]
        ),
        CreditCardRecognizer(supported_language="ko", context=[*CreditCardRecognizer.CONTEXT, *CARD_KO]),
        EmailRecognizer(supported_language="ko", context=[*EmailRecognizer.CONTEXT, *EMAIL_KO]),
        IpRecognizer(supported_language="ko", context=[*IpRecognizer.CONTEXT, *IP_KO]),
    ):
        registry.add_recognizer(recognizer)
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["ko"])

    def detect(text: str) -> Spans:
        return resolve_overlaps(
            [
                (PRESIDIO_TYPES[r.entity_type], r.start, r.end, r.score)
                for r in analyzer.analyze(text, language="ko", score_threshold=0.0)
                if r.entity_type in PRESIDIO_TYPES
            ]
        )

    return Peer(
        detect,
        "presidio-analyzer (KR recognizers, KR phone region, blank Korean spaCy with lower-case lemmas, "
        "overlaps resolved as the anonymizer does)",
        frozenset(PRESIDIO_TYPES.values()),
        ("presidio_analyzer", "phonenumbers", "tldextract", "spacy"),
        _version("presidio-analyzer"),
    )


def load_kopii() -> Peer:
    try:
        from ko_pii import detect_all
    except ImportError:
        return Peer(None, "ko-pii not installed; pip install -r bench/pii/requirements.txt")

    def detect(text: str) -> Spans:
        return [
            (KOPII_TYPES[r.label], r.start, r.end, float(r.confidence))
            for r in detect_all(text)
            if r.label in KOPII_TYPES
        ]

    return Peer(
        detect,
        "ko-pii detect_all (defaults)",
        frozenset(KOPII_TYPES.values()),
        ("ko_pii",),
        _version("ko-pii"),
    )
