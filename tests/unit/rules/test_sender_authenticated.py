"""sender-authenticated: only our own server's Authentication-Results count; a forged From is held."""

from __future__ import annotations

import dataclasses

import pytest

from mailbot.core.verdict import Action
from mailbot.rules.sender_authenticated import SenderAuthenticated

OURS = "mail.bentre.edu.vn"
THCS = "thcsthoilai.binhdai@bentre.edu.vn"


def check(make_mail, make_case, policy, results: list[str], sender: str = THCS, authserv: str | None = OURS):
    headers = [("Authentication-Results", r) for r in results]
    mail = make_mail(from_=sender, headers=headers)
    return SenderAuthenticated().check(make_case(mail), dataclasses.replace(policy, authserv_id=authserv))


@pytest.mark.parametrize(
    "results",
    [
        [f"{OURS}; dmarc=pass (p=none) header.from=bentre.edu.vn"],
        [f"{OURS}; dkim=pass header.d=bentre.edu.vn; spf=fail smtp.mailfrom=x@bentre.edu.vn; dmarc=none"],
        [f"{OURS.upper()}; dkim=pass header.d=mail.bentre.edu.vn"],  # relaxed alignment, case-insensitive id
        # ours is the topmost; a lower one written by the sender does not count either way
        [f"{OURS}; dmarc=pass header.from=bentre.edu.vn", f"{OURS}; dmarc=fail header.from=bentre.edu.vn"],
    ],
)
def test_verified_school_mail_passes(make_mail, make_case, policy, results) -> None:
    assert check(make_mail, make_case, policy, results) is None


@pytest.mark.parametrize(
    "results",
    [
        [],  # our server added nothing
        [f"{OURS}; dmarc=fail header.from=bentre.edu.vn; dkim=none"],
        [f"{OURS}; dkim=pass header.d=gmail.com; dmarc=fail header.from=bentre.edu.vn"],  # unaligned signature
        ["mx.evil.example; dmarc=pass header.from=bentre.edu.vn"],  # someone else's header
        [f"{OURS}.evil.example; dmarc=pass header.from=bentre.edu.vn"],  # look-alike authserv-id
    ],
)
def test_unverified_school_mail_is_held(make_mail, make_case, policy, results) -> None:
    reason = check(make_mail, make_case, policy, results)
    assert reason is not None and reason.code == "sender-unverified" and reason.action is Action.HOLD
    assert reason.details["address"] == THCS


def test_switched_off_without_an_authserv_id(make_mail, make_case, policy) -> None:
    assert check(make_mail, make_case, policy, [], authserv=None) is None


def test_foreign_addresses_are_left_to_the_domain_rule(make_mail, make_case, policy) -> None:
    assert check(make_mail, make_case, policy, [], sender="someone@gmail.com") is None
