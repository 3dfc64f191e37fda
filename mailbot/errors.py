"""One error tree for mailbot; library errors are translated into it once, at the adapter edge.

    MailbotError
    ├── ConfigError                 settings unusable: refused at start-up, before the first poll
    ├── UnitsFileError              a units file row is unusable (names the row)
    ├── MailboxError                IMAP unreachable, login refused, folder missing: retried with backoff
    ├── DeliveryError               a reply could not be handed to SMTP
    │   ├── TemporaryDeliveryError  4xx, or cut mid-transaction: retried later with backoff
    │   │   └── SmtpUnavailable     cannot connect or log in: the whole outbox waits, no attempt counted
    │   └── PermanentDeliveryError  5xx: shown to staff, never retried
    └── AlreadyRunning              another daemon holds the poll lock
"""

from __future__ import annotations


class MailbotError(Exception):
    """Base of every error mailbot raises on purpose."""


class ConfigError(MailbotError):
    pass


class UnitsFileError(MailbotError):
    pass


class MailboxError(MailbotError):
    pass


class DeliveryError(MailbotError):
    pass


class TemporaryDeliveryError(DeliveryError):
    pass


class SmtpUnavailable(TemporaryDeliveryError):
    pass


class PermanentDeliveryError(DeliveryError):
    pass


class AlreadyRunning(MailbotError):
    pass
