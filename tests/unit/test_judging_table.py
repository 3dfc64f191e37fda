"""The judge on 200+ real-looking subjects and senders (tests/data/judging_cases.tsv): verdict, the
unit named in the subject, and every reason code. See tests/data/judging_cases.md for the policy."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mailbot.core.mail import parse_mail
from mailbot.core.units import Registry
from mailbot.pipeline import judge
from mailbot.rules import Policy

TABLE = Path(__file__).resolve().parents[1] / "data" / "judging_cases.tsv"


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = _rows()


def _raw(row: dict[str, str]) -> bytes:
    sender = f'"{row["display_name"]}" <{row["sender"]}>' if row["display_name"] else f"<{row['sender']}>"
    return (
        f"From: {sender}\r\nTo: pgdbinhdai@bentre.edu.vn\r\nSubject: {row['subject']}\r\n"
        "Date: Mon, 02 Nov 2026 08:30:00 +0700\r\nMessage-ID: <t@bentre.edu.vn>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nKính gửi Phòng GD&ĐT.\r\n"
    ).encode("utf-8")


def _outcome(row: dict[str, str], registry: Registry, policy: Policy) -> tuple[str, str, set[str]]:
    verdict, parts = judge(parse_mail(_raw(row)), registry, policy)
    unit = parts.units[0].unit_id if len(parts.units) == 1 and not parts.other_units else ""
    return verdict.action.value, unit, {r.code for r in verdict.reasons}


def test_the_table_is_big_and_covers_every_verdict():
    assert len(ROWS) >= 200
    assert {r["expected_verdict"] for r in ROWS} == {"accept", "reject", "hold", "ignore"}
    assert len({r["id"] for r in ROWS}) == len(ROWS), "ids are unique"


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_case(row, registry, policy):
    verdict, unit, codes = _outcome(row, registry, policy)
    expected_codes = {c for c in row["expected_reasons"].split(",") if c}
    assert (verdict, unit, codes) == (row["expected_verdict"], row["expected_unit"], expected_codes), row["note"]
