"""What every rule sees (a Case and the Policy) and what it must look like (the Rule protocol)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mailbot.core.mail import ParsedMail
from mailbot.core.subject import SubjectParts
from mailbot.core.legacy import Repair
from mailbot.core.units import Registry, Unit
from mailbot.core.verdict import Action, Reason


@dataclass(frozen=True)
class Policy:
    allowed_domain: str  # e.g. "bentre.edu.vn"
    own_addresses: frozenset[str]  # the office mailbox and the From of our replies
    unit_mismatch: Action = Action.REJECT  # the subject names another unit
    two_units: Action = Action.HOLD  # the subject names two units
    allowed_attachments: frozenset[str] = frozenset({"word", "excel", "archive"})
    require_attachment: bool = False
    max_message_bytes: int = 25 * 1024 * 1024
    authserv_id: str | None = None  # the office's receiving server, as it names itself in Authentication-Results


@dataclass(frozen=True)
class Case:
    mail: ParsedMail
    sender_unit: Unit | None  # the registered unit of the single From address
    subject: SubjectParts  # parsed from the repaired subject when a legacy encoding was repaired
    registry: Registry
    subject_repair: Repair | None = None  # what the legacy-encoding repair found, if anything


class Rule(Protocol):
    id: str  # stable kebab-case name of the rule
    description: str  # one Vietnamese line for staff (`mailbot rules list`)
    codes: tuple[str, ...]  # the reason codes it can give; each has a sentence in templates/reasons.toml

    def check(self, case: Case, policy: Policy) -> Reason | None: ...
