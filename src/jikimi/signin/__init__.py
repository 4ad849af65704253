"""Signing in to the faces people open in a browser: the console's sessions and second factor
(``sessions``, ``totp``) and the privacy center's passes (``privacy``)."""

from jikimi.signin.sessions import ConsoleSession, PrivacySession, Sessions

__all__ = ["ConsoleSession", "PrivacySession", "Sessions"]
