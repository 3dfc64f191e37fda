"""Verdicts: every rule gives a Reason or nothing; the pipeline decides once from all reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    HOLD = "hold"  # a person decides (ambiguous or suspicious): recorded, no reply yet
    IGNORE = "ignore"  # no reply at all: automatic mail, our own mail, no usable sender


class Status(StrEnum):
    """What the register shows for a message."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    HELD = "held"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"


STATUS_OF = {
    Action.ACCEPT: Status.ACCEPTED,
    Action.REJECT: Status.REJECTED,
    Action.HOLD: Status.HELD,
    Action.IGNORE: Status.IGNORED,
}


@dataclass(frozen=True)
class Reason:
    code: str  # stable kebab-case id; its Vietnamese sentence lives in templates/reasons.toml
    action: Action
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    action: Action
    reasons: tuple[Reason, ...]
    unit_id: str | None  # the sender's unit when known

    @property
    def status(self) -> Status:
        return STATUS_OF[self.action]


_PRECEDENCE = (Action.IGNORE, Action.HOLD, Action.REJECT)


def decide(reasons: tuple[Reason, ...]) -> Action:
    """Ignore beats hold beats reject beats accept: robot mail is never answered, and when a person
    must look, no automatic rejection goes out before they do."""
    actions = {r.action for r in reasons}
    return next((a for a in _PRECEDENCE if a in actions), Action.ACCEPT)
