"""The judging rules, one module each; ALL_RULES is the visible order of the chain."""

from collections.abc import Iterable

from mailbot.rules.attachments import Attachments
from mailbot.rules.automatic_mail import AutomaticMail
from mailbot.rules.base import Case, Policy, Rule
from mailbot.rules.display_name import DisplayName
from mailbot.rules.message_size import MessageSize
from mailbot.rules.own_mail import OwnMail
from mailbot.rules.reply_to_receipt import ReplyToReceipt
from mailbot.rules.sender_authenticated import SenderAuthenticated
from mailbot.rules.sender_domain import SenderDomain
from mailbot.rules.sender_lookalike import SenderLookalike
from mailbot.rules.sender_present import SenderPresent
from mailbot.rules.sender_registered import SenderRegistered
from mailbot.rules.subject_encoding import SubjectEncoding
from mailbot.rules.subject_format import SubjectFormat
from mailbot.rules.subject_unit import SubjectUnit

ALL_RULES: tuple[Rule, ...] = (
    AutomaticMail(),
    OwnMail(),
    ReplyToReceipt(),
    SenderPresent(),
    SenderLookalike(),
    SenderDomain(),
    SenderRegistered(),
    SenderAuthenticated(),
    DisplayName(),
    MessageSize(),
    SubjectEncoding(),
    SubjectFormat(),
    SubjectUnit(),
    Attachments(),
)


def active_rules(disabled: Iterable[str] = ()) -> tuple[Rule, ...]:
    """The chain without the rules switched off in settings (rules.disabled)."""
    off = set(disabled)
    return tuple(rule for rule in ALL_RULES if rule.id not in off)


__all__ = ["ALL_RULES", "Case", "Policy", "Rule", "active_rules"]
