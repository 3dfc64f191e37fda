"""Every reason code a rule can give has its Vietnamese sentence in templates/reasons.toml, and explain() fills it."""

from __future__ import annotations

import re
import string
import tomllib
import unicodedata
from pathlib import Path

import pytest

import mailbot.rules
from mailbot.rules import ALL_RULES
from mailbot.service.replies import explain, reason_texts

RULES_DIR = Path(mailbot.rules.__file__).parent
REASONS_TOML = RULES_DIR.parent / "templates" / "reasons.toml"

_ANY_REASON = re.compile(r"\bReason\(")
_LITERAL_REASON = re.compile(r"\bReason\(\s*\"([^\"]+)\"")
_SELF_ID_REASON = re.compile(r"\bReason\(\s*self\.id\b")
_CLASS_ID = re.compile(r"^\s+id\s*=\s*\"([^\"]+)\"", re.MULTILINE)


def codes_in_rules() -> dict[str, str]:
    """code -> the rule module that gives it, read from the source so a new rule cannot be forgotten."""
    found: dict[str, str] = {}
    for path in sorted(RULES_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        literal = _LITERAL_REASON.findall(source)
        self_id = _SELF_ID_REASON.findall(source)
        # every Reason(...) must be one the regexes understand, or codes would slip past this test
        assert len(_ANY_REASON.findall(source)) == len(literal) + len(self_id), f"{path.name}: unreadable Reason(...)"
        codes = list(literal)
        if self_id:
            (rule_id,) = _CLASS_ID.findall(source)
            codes.append(rule_id)
        for code in codes:
            found[code] = path.name
    return found


CODES = codes_in_rules()


@pytest.fixture(scope="module")
def toml() -> dict[str, dict[str, str]]:
    return tomllib.loads(REASONS_TOML.read_text(encoding="utf-8"))


def test_the_scan_finds_the_codes_we_know() -> None:
    # every code docs/rules.md names, and nothing else
    assert set(CODES) == {
        "automatic-mail", "own-mail", "reply-to-receipt", "sender-missing", "sender-lookalike", "sender-domain",
        "sender-unknown", "sender-not-reporting", "sender-name-lookalike", "sender-display-name", "message-too-large",
        "subject-unreadable", "subject-legacy-encoding", "subject-missing", "subject-format", "subject-no-content",
        "subject-unit-unknown", "subject-unit-mismatch", "subject-two-units", "attachment-missing",
        "attachment-disguised", "attachment-type", "sender-unverified",
    }
    # a rule id that is not its own code is never itself a reason
    for rule_id in ("sender-registered", "sender-authenticated", "sender-present", "display-name", "message-size", "subject-encoding",
                    "subject-unit", "attachments"):
        assert rule_id not in CODES, rule_id


def test_declared_codes_match_the_source() -> None:
    """Rule.codes (used by `mailbot rules list` and the docs) lists exactly the codes the rules return."""
    declared = {code for rule in ALL_RULES for code in rule.codes}
    assert declared == set(CODES)


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_rule_code_has_text_and_fix(toml: dict[str, dict[str, str]], code: str) -> None:
    assert code in toml, f"{code} (from mailbot/rules/{CODES[code]}) is missing in templates/reasons.toml"
    entry = toml[code]
    assert isinstance(entry.get("text"), str) and entry["text"].strip()
    assert isinstance(entry.get("fix"), str) and entry["fix"].strip()


def test_reason_texts_reads_the_same_file(toml: dict[str, dict[str, str]]) -> None:
    assert reason_texts() == toml


def test_every_sentence_is_nfc_and_well_formed(toml: dict[str, dict[str, str]]) -> None:
    for code, entry in toml.items():
        for key in ("text", "fix"):
            value = entry[key]
            assert unicodedata.is_normalized("NFC", value), f"{code}.{key} is not NFC"
            assert "\n" not in value and value == value.strip(), f"{code}.{key} has stray whitespace"
            # placeholders are plain names, so str.format_map can fill them
            for _, name, spec, conversion in string.Formatter().parse(value):
                assert name is None or (name.isidentifier() and not spec and not conversion), f"{code}.{key}: {{{name}}}"


@pytest.mark.parametrize(
    ("code", "details", "text"),
    [
        ("automatic-mail", {"signal": "Auto-Submitted: auto-replied"},
         "Thư được gửi tự động (Auto-Submitted: auto-replied)."),
        ("sender-missing", {"count": "2"}, "Thư không có đúng một địa chỉ người gửi (tìm thấy 2 địa chỉ)."),
        ("sender-domain", {"address": "colan@gmail.com", "domain": "bentre.edu.vn"},
         "Thư được gửi từ địa chỉ colan@gmail.com, không phải địa chỉ thư chính thức của đơn vị "
         "(có phần mở rộng @bentre.edu.vn)."),
        ("sender-unknown", {"address": "nguyenvanan@bentre.edu.vn"},
         "Địa chỉ nguyenvanan@bentre.edu.vn chưa được đăng ký là địa chỉ thư của một đơn vị trực thuộc Phòng."),
        ("sender-not-reporting", {"unit": "Trường THPT Lê Hoàng Chiếu"},
         "Trường THPT Lê Hoàng Chiếu không thuộc danh sách đơn vị gửi báo cáo cho Phòng Giáo dục và Đào tạo."),
        ("subject-format", {"subject": "Báo cáo tháng 10"},
         'Tiêu đề "Báo cáo tháng 10" chưa ghi rõ tên đơn vị theo mẫu "Tên đơn vị - nội dung gửi".'),
        ("subject-unit-unknown", {"unit_text": "Trường ABC"}, 'Không nhận ra tên đơn vị "Trường ABC" trong tiêu đề.'),
        ("subject-unit-mismatch", {"named": "TH Thới Lai", "unit": "THCS Thới Lai"},
         'Tiêu đề ghi tên "TH Thới Lai" nhưng thư được gửi từ hộp thư của THCS Thới Lai.'),
        ("subject-missing", {}, "Thư không có tiêu đề."),
        ("sender-lookalike", {"address": "thphulong.binhdai@bentr\u0435.edu.vn", "resembles": "thphulong.binhdai@bentre.edu.vn"},
         "Địa chỉ gửi thphulong.binhdai@bentr\u0435.edu.vn có ký tự giả dạng chữ Latin "
         "(giống địa chỉ thphulong.binhdai@bentre.edu.vn)."),
        ("sender-display-name", {"name": "Trường THCS Thới Lai", "unit": "THCS Thới Lai", "address": "x@gmail.com"},
         'Tên hiển thị "Trường THCS Thới Lai" ghi là THCS Thới Lai nhưng địa chỉ gửi x@gmail.com '
         "không phải địa chỉ thư của đơn vị này."),
        ("message-too-large", {"size": "31,5", "limit": "25,0"},
         "Thư có dung lượng 31,5 MB, vượt quá giới hạn 25,0 MB của hộp thư nhận báo cáo."),
        ("subject-two-units", {"unit": "THCS Thới Lai", "others": "TH Thới Lai"},
         "Tiêu đề ghi tên THCS Thới Lai và cả TH Thới Lai."),
        ("attachment-type", {"filename": "Báo cáo.txt", "allowed": "Excel, Word"},
         'Tệp "Báo cáo.txt" không đúng định dạng quy định (chỉ nhận Excel, Word).'),
    ],
)
def test_explain_fills_placeholders(code: str, details: dict[str, str], text: str) -> None:
    explained = explain(code, details)
    assert explained["text"] == text
    assert explained["fix"] == reason_texts()[code]["fix"].format_map(details)  # new fixes name {unit}, {limit}
    assert "{" not in explained["text"] + explained["fix"]


def test_explain_marks_a_missing_detail_instead_of_failing() -> None:
    assert explain("sender-missing", {})["text"] == "Thư không có đúng một địa chỉ người gửi (tìm thấy … địa chỉ)."


def test_explain_does_not_format_the_details_themselves() -> None:
    # a subject full of braces is data, not a template
    explained = explain("subject-format", {"subject": "{unit} {0} {__class__}"})
    assert explained["text"].startswith('Tiêu đề "{unit} {0} {__class__}" chưa ghi rõ')


def test_explain_unknown_code_fails_loudly() -> None:
    with pytest.raises(KeyError):
        explain("no-such-code", {})
