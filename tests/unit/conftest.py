"""Shared unit-test fixtures: the example units registry, the office policy, and mail/case builders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from mailbot.adapters.units_file import read_units_file
from mailbot.core.legacy import repair_text
from mailbot.core.mail import ParsedMail, parse_mail
from mailbot.core.subject import parse_subject
from mailbot.core.units import Registry, Unit
from mailbot.rules import Case, Policy

ROOT = Path(__file__).resolve().parents[2]
UNITS_CSV = ROOT / "config" / "units.example.csv"
OFFICE = "pgdbinhdai@bentre.edu.vn"


@pytest.fixture(scope="session")
def units() -> dict[str, Unit]:
    """Every row of config/units.example.csv, by unit_id (the reader only reads the file)."""
    return {u.unit_id: u for u in read_units_file(UNITS_CSV)}


@pytest.fixture(scope="session")
def registry(units: dict[str, Unit]) -> Registry:
    return Registry(units.values())


@pytest.fixture(scope="session")
def policy() -> Policy:
    return Policy(allowed_domain="bentre.edu.vn", own_addresses=frozenset({OFFICE}))


MailFactory = Callable[..., ParsedMail]


def raw_mail(
    from_: str | None = "thcsthoilai.binhdai@bentre.edu.vn",
    subject: str | None = "THCS Thới Lai - Báo cáo tháng 10",
    headers: Sequence[tuple[str, str]] = (),
    content_type: str = "text/plain; charset=utf-8",
    body: str = "Kính gửi Phòng GD&ĐT.\r\n",
) -> bytes:
    """A small message as raw bytes; header values go out as 8-bit UTF-8, as many clients send them."""
    lines = [("To", OFFICE), ("Date", "Tue, 14 Oct 2025 08:30:00 +0700"), ("Message-ID", "<m1@bentre.edu.vn>")]
    if from_ is not None:
        lines.insert(0, ("From", from_))
    if subject is not None:
        lines.append(("Subject", subject))
    lines += [*headers, ("MIME-Version", "1.0"), ("Content-Type", content_type)]
    head = "".join(f"{name}: {value}\r\n" for name, value in lines)
    return (head + "\r\n" + body).encode("utf-8")


@pytest.fixture
def make_raw() -> Callable[..., bytes]:
    """make_raw(from_=..., subject=..., headers=[(name, value)], content_type=..., body=...) -> bytes."""
    return raw_mail


@pytest.fixture
def make_mail() -> MailFactory:
    """make_mail(from_=..., subject=..., headers=[(name, value)], content_type=...) -> ParsedMail."""

    def build(**kwargs: object) -> ParsedMail:
        return parse_mail(raw_mail(**kwargs))  # type: ignore[arg-type]

    return build


@pytest.fixture
def make_case(registry: Registry) -> Callable[[ParsedMail], Case]:
    """The Case the pipeline would build for this mail, against the example registry."""

    def build(mail: ParsedMail) -> Case:
        sender = mail.sender
        unit = registry.by_address(sender.address) if sender else None
        repair = repair_text(mail.raw_subject or mail.subject)
        subject = repair.text if repair.kind in ("mojibake", "tcvn3", "vni") else mail.subject
        return Case(mail, unit, parse_subject(subject, registry), registry, repair)

    return build
