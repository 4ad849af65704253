"""Adapters that run Presidio and ko-pii on one text and return (type, start, end) triples.

Both are optional: each ``load_*`` returns ``None`` with the reason when the package is
missing. They are configured as well as they can be offline:

* **Presidio**: its five Korean recognizers (RRN, FRN, BRN, driver's licence, passport),
  the phone recognizer restricted to the KR region, credit card, e-mail and IP, all for
  language ``ko``. NER needs a spaCy model, which cannot be downloaded here, so the NLP
  engine is a blank multilingual spaCy pipeline whose lemmas are the lower-cased tokens
  (Presidio's context words then match by substring, as they would with a lemmatizer).
  Recognizers that map to none of our types are not loaded, which only makes it faster.
  The score threshold is chosen per run as the one that gives Presidio its best F1.
* **ko-pii**: ``detect_all`` with its defaults (every detector; normalisation on).
"""

from __future__ import annotations

from collections.abc import Callable

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


def load_presidio() -> tuple[Detector | None, str]:
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
    except ImportError as exc:
        return (
            None,
            f"presidio-analyzer not installed ({exc.name}); pip install -r bench/pii/requirements.txt",
        )

    # The e-mail recognizer checks TLDs with tldextract, which would try to download the
    # public-suffix list; use the snapshot bundled with tldextract instead.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())

    class BlankSpacyEngine(SpacyNlpEngine):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "ko", "model_name": "blank:xx"}])

        def load(self) -> None:
            self.nlp = {"ko": spacy.blank("xx")}

        def process_text(self, text: str, language: str):  # type: ignore[no-untyped-def]
            artifacts = super().process_text(text, language)
            artifacts.lemmas = [t.text.lower() for t in artifacts.tokens]
            return artifacts

    engine = BlankSpacyEngine()
    engine.load()
    registry = RecognizerRegistry(supported_languages=["ko"])
    for recognizer in (
        KrRrnRecognizer(supported_language="ko"),
        KrFrnRecognizer(supported_language="ko"),
        KrBrnRecognizer(supported_language="ko"),
        KrDriverLicenseRecognizer(supported_language="ko"),
        KrPassportRecognizer(supported_language="ko"),
        PhoneRecognizer(supported_language="ko", supported_regions=["KR"]),
        CreditCardRecognizer(supported_language="ko"),
        EmailRecognizer(supported_language="ko"),
        IpRecognizer(supported_language="ko"),
    ):
        registry.add_recognizer(recognizer)
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["ko"])

    def detect(text: str) -> Spans:
        return [
            (PRESIDIO_TYPES[r.entity_type], r.start, r.end, r.score)
            for r in analyzer.analyze(text, language="ko", score_threshold=0.0)
            if r.entity_type in PRESIDIO_TYPES
        ]

    return detect, "presidio-analyzer (KR recognizers, KR phone region, blank spaCy)"


def load_kopii() -> tuple[Detector | None, str]:
    try:
        from ko_pii import detect_all
    except ImportError:
        return None, "ko-pii not installed; pip install -r bench/pii/requirements.txt"

    def detect(text: str) -> Spans:
        return [
            (KOPII_TYPES[r.label], r.start, r.end, float(r.confidence))
            for r in detect_all(text)
            if r.label in KOPII_TYPES
        ]

    return detect, "ko-pii detect_all (defaults)"
