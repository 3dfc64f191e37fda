"""Verdicts: every rule gives a Reason or nothing; the pipeline decides once from all reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    IGNORE = "ignore"  # no reply at all: automatic mail, our own mail, no usable sender


class Status(StrEnum):
    """What the register shows for a message."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"


STATUS_OF = {Action.ACCEPT: Status.ACCEPTED, Action.REJECT: Status.REJECTED, Action.IGNORE: Status.IGNORED}


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


def decide(reasons: tuple[Reason, ...]) -> Action:
    """Ignore beats reject beats accept: robot mail is never answered, whatever else is wrong."""
    actions = {r.action for r in reasons}
    if Action.IGNORE in actions:
        return Action.IGNORE
    if Action.REJECT in actions:
        return Action.REJECT
    return Action.ACCEPT
