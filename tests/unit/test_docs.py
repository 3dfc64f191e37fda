"""The documentation keeps up with the code: every rule has a heading in docs/rules.md."""

from __future__ import annotations

import re
from pathlib import Path

from mailbot.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_has_a_heading_in_docs():
    headings = set(re.findall(r"^## (\S+)\s*$", (ROOT / "docs" / "rules.md").read_text(encoding="utf-8"), re.M))
    missing = [rule.id for rule in ALL_RULES if rule.id not in headings]
    assert not missing, f"docs/rules.md lacks a heading for: {missing}"
    stale = headings - {rule.id for rule in ALL_RULES}
    assert not stale, f"docs/rules.md describes rules that do not exist: {stale}"


def test_every_rule_code_is_mentioned_in_docs():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        for code in rule.codes:
            assert f"`{code}`" in text, code
