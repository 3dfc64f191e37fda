"""Judge one parsed mail: repair the subject if a legacy encoding broke it, run every rule,
collect every reason, decide once."""

from __future__ import annotations

from collections.abc import Sequence

from mailbot.core.legacy import repair_text
from mailbot.core.mail import ParsedMail
from mailbot.core.subject import SubjectParts, parse_subject
from mailbot.core.units import Registry
from mailbot.core.verdict import Reason, Verdict, decide
from mailbot.rules import ALL_RULES, Case, Policy, Rule

_REPAIRABLE = ("mojibake", "tcvn3", "vni")


def judge(
    mail: ParsedMail, registry: Registry, policy: Policy, rules: Sequence[Rule] = ALL_RULES
) -> tuple[Verdict, SubjectParts]:
    sender = mail.sender
    unit = registry.by_address(sender.address) if sender else None
    repair = repair_text(mail.raw_subject or mail.subject)
    subject = repair.text if repair.kind in _REPAIRABLE else mail.subject
    case = Case(mail, unit, parse_subject(subject, registry), registry, repair)
    reasons: tuple[Reason, ...] = tuple(r for rule in rules if (r := rule.check(case, policy)) is not None)
    return Verdict(decide(reasons), reasons, unit.unit_id if unit else None), case.subject
