"""Judge one parsed mail: run every rule, collect every reason, decide once."""

from __future__ import annotations

from collections.abc import Sequence

from mailbot.core.mail import ParsedMail
from mailbot.core.subject import SubjectParts, parse_subject
from mailbot.core.units import Registry
from mailbot.core.verdict import Reason, Verdict, decide
from mailbot.rules import ALL_RULES, Case, Policy, Rule


def judge(
    mail: ParsedMail, registry: Registry, policy: Policy, rules: Sequence[Rule] = ALL_RULES
) -> tuple[Verdict, SubjectParts]:
    sender = mail.sender
    unit = registry.by_address(sender.address) if sender else None
    case = Case(mail=mail, sender_unit=unit, subject=parse_subject(mail.subject, registry))
    reasons: tuple[Reason, ...] = tuple(r for rule in rules if (r := rule.check(case, policy)) is not None)
    return Verdict(decide(reasons), reasons, unit.unit_id if unit else None), case.subject
