"""The judging rules, one module each; ALL_RULES is the visible order of the chain."""

from mailbot.rules.automatic_mail import AutomaticMail
from mailbot.rules.base import Case, Policy, Rule
from mailbot.rules.own_mail import OwnMail
from mailbot.rules.sender_domain import SenderDomain
from mailbot.rules.sender_present import SenderPresent
from mailbot.rules.sender_registered import SenderRegistered
from mailbot.rules.subject_format import SubjectFormat
from mailbot.rules.subject_unit import SubjectUnit

ALL_RULES: tuple[Rule, ...] = (
    AutomaticMail(),
    OwnMail(),
    SenderPresent(),
    SenderDomain(),
    SenderRegistered(),
    SubjectFormat(),
    SubjectUnit(),
)

__all__ = ["ALL_RULES", "Case", "Policy", "Rule"]
