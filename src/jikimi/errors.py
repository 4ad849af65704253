"""jikimi's error tree. Every error jikimi raises on purpose is one of these.

    JikimiError                      code "jikimi"          — root; never raised bare
    ├── PolicyError                  code "policy"          — a policy file cannot be used
    │   ├── PolicyLoadError          code "policy.load"     — YAML, schema or reference problems,
    │   │                                                     each with file, line and key
    │   ├── PolicyBlocked            code "policy.blocked"  — lint errors that block enforcement
    │   │                                                     (each rule id and key), no override
    │   └── PolicyImportError        code "policy.import"   — a policy text to import cannot be read
    │                                                         (binary, empty, too large, unknown encoding)
    ├── StatuteError                 code "statute.unknown" — a retention rule names no known preset
    ├── KeyRingError                 code "keys"            — master key wrong or unusable
    │   └── MasterKeyMissing         code "keys.missing"    — no master key configured at all
    ├── VaultError                   code "vault"           — the vault refused an operation
    │   ├── InvalidInput             code "vault.invalid"   — a field is missing, undeclared or malformed
    │   │   └── UnlawfulCollection   code "vault.unlawful"  — the policy gives the item no lawful ground
    │   ├── Duplicate                code "vault.duplicate" — the same person is already a subject
    │   ├── NotFound                 code "vault.not_found" — no such subject, record or handler
    │   │   └── Expired              code "vault.expired"   — it was there, and is no longer valid
    │   │                                                     (a link to an access package)
    │   ├── StateConflict            code "vault.state"     — the subject's state forbids the operation
    │   └── Denied                   code "vault.denied"    — the gate refused a read (``reason`` says why)
    ├── AuthError                    code "auth"            — unknown handler, wrong password or token
    │   └── AccountLocked            code "auth.locked"     — locked after repeated failed logins
    │       └── TooManyAttempts      code "auth.rate_limited" — too many failures from one address
    ├── PiiError                     code "pii"             — free-text detection and masking
    │   └── InputTooLarge            code "pii.too_large"   — text over the configured size limit
    ├── IdempotencyError             code "idempotency"     — a call repeated with an ``Idempotency-Key``
    │   │                                                     cannot be answered
    │   ├── InvalidIdempotencyKey    code "idempotency.invalid_key" — not 1–255 printable ASCII characters
    │   ├── KeyReused                code "idempotency.key_reused"  — the key was used for another call
    │   │                                                     (another body, operation or subject)
    │   └── CallInProgress           code "idempotency.in_progress" — the first call with the key is
    │                                                         still running (``retry_after`` seconds)
    └── UsageError                   code "usage"           — a caller passed something meaningless

Each error carries a stable ``code`` and a message in Korean and English (``message_ko``,
``message_en``; ``str(error)`` shows both). Errors never carry personal data: messages name
files, keys, item ids and rule ids, never values. HTTP statuses and exit codes are chosen by
the adapters (``cli``, ``api``), never here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class JikimiError(Exception):
    """Root of every error jikimi raises on purpose."""

    code: str = "jikimi"

    def __init__(self, message_ko: str, message_en: str) -> None:
        super().__init__(f"{message_ko} ({message_en})")
        self.message_ko = message_ko
        self.message_en = message_en


class PolicyError(JikimiError):
    """A policy file cannot be used."""

    code = "policy"


@dataclass(frozen=True)
class PolicyProblem:
    """One problem in a policy file, located as precisely as the YAML allows."""

    file: str
    line: int | None
    key: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.key}: {self.reason}" if self.key else f"{where}: {self.reason}"


class PolicyLoadError(PolicyError):
    """The policy file is not valid YAML, does not fit the schema, or refers to unknown ids.

    ``problems`` lists every problem found, each as ``file:line: key: reason``.
    """

    code = "policy.load"

    def __init__(self, problems: list[PolicyProblem]) -> None:
        self.problems = tuple(problems)
        first = str(problems[0]) if problems else "?"
        more = f" (+{len(problems) - 1})" if len(problems) > 1 else ""
        super().__init__(
            f"처리방침 파일을 읽을 수 없습니다: {first}{more}",
            f"cannot load the policy file: {first}{more}",
        )


class PolicyBlocked(PolicyError):
    """The policy's lint found errors under which jikimi would process data unlawfully (the rules
    marked ``blocks``, docs/lint-rules.md), and the operator did not override them.

    ``blocking`` lists each as ``(rule id, key)``: ``("rrn-without-basis", "items[1]")``;
    ``file`` is the policy file, when known.
    """

    code = "policy.blocked"

    def __init__(self, blocking: Sequence[tuple[str, str]], *, file: str | None = None) -> None:
        self.blocking = tuple(blocking)
        self.file = file
        listed = ", ".join(f"{rule} ({key or '-'})" for rule, key in self.blocking)
        where = f"{file}: " if file else ""
        super().__init__(
            f"{where}처리방침에 집행을 막는 검사 오류가 있어 시작하지 않습니다: {listed}. "
            "처리방침을 고치거나, 그대로 시작하려면 명시적으로 허용하십시오 (JIKIMI_ALLOW_BLOCKING_LINT=1, "
            "jikimi serve --allow-blocking-lint, Settings(allow_blocking_lint=True))",
            f"{where}the policy has lint errors that block enforcement: {listed}; fix the policy "
            "(`jikimi policy lint` shows each), or override explicitly (JIKIMI_ALLOW_BLOCKING_LINT=1, "
            "jikimi serve --allow-blocking-lint, Settings(allow_blocking_lint=True))",
        )


class PolicyImportError(PolicyError):
    """The text given to ``jikimi policy import`` cannot be read as a policy text: it is binary, empty,
    larger than the limit, or in an encoding that is neither UTF-8 nor CP949/EUC-KR. ``file`` names it."""

    code = "policy.import"

    def __init__(self, file: str, message_ko: str, message_en: str) -> None:
        super().__init__(f"{file}: {message_ko}", f"{file}: {message_en}")
        self.file = file


class StatuteError(JikimiError):
    """A retention rule or lookup names a statute preset that does not exist."""

    code = "statute.unknown"


class KeyRingError(JikimiError):
    """A master key is missing, malformed, or does not open what it should."""

    code = "keys"


class MasterKeyMissing(KeyRingError):
    """No master key is configured: neither ``JIKIMI_MASTER_KEY`` nor a key file (``JIKIMI_KEY_FILE``,
    ``--key-file``, ``Settings(key_file=…)``). jikimi never guesses a key file."""

    code = "keys.missing"

    def __init__(self) -> None:
        super().__init__(
            "마스터 키가 설정되지 않았습니다. `jikimi keys init --key-file var/master.key`로 "
            "키 파일을 만들고 JIKIMI_KEY_FILE=var/master.key로 지정하거나, "
            "JIKIMI_MASTER_KEY에 base64 키를 넣으십시오. 데모는 `make run`이 키를 만들어 줍니다",
            "no master key is configured: create a key file with `jikimi keys init --key-file "
            "var/master.key` and set JIKIMI_KEY_FILE=var/master.key (or Settings(key_file=…)), or put a "
            "base64 key in JIKIMI_MASTER_KEY; for the demo, `make run` creates one",
        )


class VaultError(JikimiError):
    """The vault refused an operation."""

    code = "vault"


class InvalidInput(VaultError):
    """Input does not fit the policy: a required item is missing, an item is undeclared, a value is
    malformed. ``field`` names the offending field (an item id, never its value)."""

    code = "vault.invalid"

    def __init__(self, field: str, reason_ko: str, reason_en: str) -> None:
        super().__init__(f"{field}: {reason_ko}", f"{field}: {reason_en}")
        self.field = field
        self.reason_ko = reason_ko
        self.reason_en = reason_en


class UnlawfulCollection(InvalidInput):
    """The item may not be collected: the policy gives it no lawful ground (주민등록번호 without a
    specific law, a unique identifier or sensitive data without separate consent or legal basis).
    ``rule`` is the lint rule that reports the same gap; ``article`` the provision."""

    code = "vault.unlawful"

    def __init__(self, field: str, rule: str, article: str, reason_ko: str, reason_en: str) -> None:
        super().__init__(field, f"{reason_ko} ({article}, {rule})", f"{reason_en} ({article}, {rule})")
        self.rule = rule
        self.article = article


class Duplicate(VaultError):
    """A look-up item (login id, email, mobile, CI) already belongs to another subject."""

    code = "vault.duplicate"

    def __init__(self, field: str) -> None:
        super().__init__(f"{field}: 이미 가입된 정보입니다", f"{field}: already registered")
        self.field = field


class NotFound(VaultError):
    """No such subject, record or handler."""

    code = "vault.not_found"


class Expired(NotFound):
    """What was asked for existed and is no longer valid: a link past its time or its uses."""

    code = "vault.expired"


class StateConflict(VaultError):
    """The subject's state forbids the operation (e.g. guardian consent for an adult)."""

    code = "vault.state"


class Denied(VaultError):
    """The gate refused access. ``reason`` is a stable machine-readable code such as
    ``consent_withdrawn``; see ``jikimi.gate.REASONS``."""

    code = "vault.denied"

    def __init__(self, reason: str, message_ko: str, message_en: str) -> None:
        super().__init__(message_ko, message_en)
        self.reason = reason


class AuthError(JikimiError):
    """Unknown handler, wrong password, or invalid token."""

    code = "auth"


class AccountLocked(AuthError):
    """The handler account is locked after repeated failed logins (안전성 확보조치 기준)."""

    code = "auth.locked"


class TooManyAttempts(AccountLocked):
    """Too many failed logins from one source address: every login from it is refused for a while
    (``retry_after`` seconds), whatever the account."""

    code = "auth.rate_limited"

    def __init__(self, message_ko: str, message_en: str, *, retry_after: int) -> None:
        super().__init__(message_ko, message_en)
        self.retry_after = max(1, retry_after)


class PiiError(JikimiError):
    """Free-text personal-data detection or masking failed."""

    code = "pii"


class InputTooLarge(PiiError):
    """The text is larger than the configured limit; split it or raise the limit."""

    code = "pii.too_large"


class IdempotencyError(JikimiError):
    """A state-changing call repeated with an ``Idempotency-Key`` cannot be answered. The key itself is
    never in the message: clients sometimes make keys of e-mail addresses."""

    code = "idempotency"


class InvalidIdempotencyKey(IdempotencyError):
    """The ``Idempotency-Key`` header is empty, longer than 255 characters, given twice, or holds a
    character that is not printable ASCII."""

    code = "idempotency.invalid_key"
    field = "Idempotency-Key"


class KeyReused(IdempotencyError):
    """The key was already used by the same handler for another call: another body, another
    operation, or the same operation on another subject. A new call needs a new key."""

    code = "idempotency.key_reused"
    field = "Idempotency-Key"


class CallInProgress(IdempotencyError):
    """The first call with the key is still running; ask again after ``retry_after`` seconds."""

    code = "idempotency.in_progress"

    def __init__(self, message_ko: str, message_en: str, *, retry_after: int) -> None:
        super().__init__(message_ko, message_en)
        self.retry_after = max(1, retry_after)


class UsageError(JikimiError):
    """A caller passed arguments that make no sense (unknown context, bad option...)."""

    code = "usage"
