"""subject-encoding: legacy font text (TCVN3, VNI) and mojibake repaired with confidence are judged like any
subject; doubtful repairs are held for a person; lost letters ("B?o c?o", U+FFFD, raw Telex/VIQR) are refused."""

from __future__ import annotations

import unicodedata

import pytest

from mailbot.core.verdict import Action, Reason
from mailbot.pipeline import judge
from mailbot.rules.subject_encoding import SubjectEncoding

RULE = SubjectEncoding()
NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
THCS = "thcsthoilai.binhdai@bentre.edu.vn"
THCS_TT = "thcsthitran.binhdai@bentre.edu.vn"


def test_id_and_codes() -> None:
    assert RULE.id == "subject-encoding"
    assert RULE.codes == ("subject-unreadable", "subject-legacy-encoding")


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        pytest.param(THCS, "THCS Thới Lai - Báo cáo tháng 10", id="unicode"),
        pytest.param(THCS, NFD("THCS Thới Lai - Báo cáo tháng 10"), id="nfd"),
        pytest.param(THCS, "THCS THỚI LAI - BÁO CÁO THÁNG 10", id="capitals"),
        pytest.param(THCS, "THCS Thoi Lai - Bao cao thang 10", id="no-diacritics"),
        pytest.param(THCS, "THCS Thới Lai - Hỏi về thời hạn nộp báo cáo tháng 10?", id="N094-real-question"),
        pytest.param(THCS, "", id="empty"),
        pytest.param(THCS, "Báo cáo tháng 10", id="no-unit-is-subject-format-business"),
        # clean repairs that name a unit: judged like any subject
        pytest.param(THCS, "THCS Thá»›i Lai - BÃ¡o cÃ¡o thÃ¡ng 10", id="mojibake"),
        pytest.param("thcslonghoa.binhdai@bentre.edu.vn", "THCS Long HÃ²a - BÃ¡o cÃ¡o thÃ¡ng 3", id="N118-mojibake"),
        pytest.param(THCS_TT, "THCS Th\u00de tr\u00can - B\u00b8o c\u00b8o th\u00b8ng 10", id="N122-tcvn3"),
        pytest.param("mgdaihoaloc.binhdai@bentre.edu.vn", "MG \u00a7\u00b9i H\u00dfa L\u00e9c - B\u00b8o c\u00b8o th\u00b8ng 10",
                     id="N123-tcvn3-d-stroke"),
        pytest.param("ththanhphuoc.binhdai@bentre.edu.vn", "TH Th\u00b9nh Ph\u00adíc - B\u00b8o c\u00b8o th\u00b8ng 11",
                     id="N124-tcvn3-soft-hyphen"),
        pytest.param(THCS_TT, "THCS Thò traán - Baùo caùo thaùng 10", id="S184-vni"),
        pytest.param(THCS, "THCS THÔÙI LAI - BAÙO CAÙO THAÙNG 10", id="N120-vni-capitals"),
        pytest.param(THCS_TT, "THCS Th\u0303 tr\u00can - B\u00b8o c\u00b8o th\u00b8ng 11", id="N126-tcvn3-through-cp1258"),
        pytest.param(THCS, "THCS Thới Lai - Baùo caùo thaùng 11", id="N128-unicode-unit-vni-content"),
        # a clean repair naming another unit is not held: subject-unit speaks (N227)
        pytest.param(THCS, "TH Thôùi Lai - Baùo caùo thaùng 10", id="N227-repaired-other-unit"),
    ],
)
def test_readable_or_confidently_repaired(make_mail, make_case, policy, sender, subject) -> None:
    assert RULE.check(make_case(make_mail(from_=sender, subject=subject)), policy) is None


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param("B?o c?o th?ng 10", id="N232"),
        pytest.param("THCS Th?i Lai - B?o c?o th?ng 10", id="N233-unit-lost"),
        pytest.param("THCS Thới Lai - B?o c?o th?ng 10", id="N236-content-lost"),
        pytest.param("THCS Thới Lai - ?ại hội", id="question-mark-at-the-start-of-a-word"),
        pytest.param("THCS Th\ufffdi Lai - B\ufffdo c\ufffdo th\ufffdng 9", id="S191-replacement-character"),
        pytest.param("THCS Thowis Lai - Baos caos thangs 5", id="S206-telex"),
        pytest.param("MG Thanhj Trij - Baos caos thangs 10", id="N238-telex"),
        pytest.param("THCS Tho+'i Lai - Ba'o ca'o tha'ng 5", id="S207-viqr"),
    ],
)
def test_lost_letters_are_unreadable(make_mail, make_case, policy, subject) -> None:
    mail = make_mail(from_=THCS, subject=subject)
    assert RULE.check(make_case(mail), policy) == Reason("subject-unreadable", Action.REJECT, {"subject": mail.subject})


@pytest.mark.parametrize(
    ("sender", "subject", "encoding", "guess"),
    [
        pytest.param(THCS_TT, "B\u00b8o c\u00b8o th\u00b8ng 10", "TCVN3 (ABC)", "Báo cáo tháng 10",
                     id="N251-tcvn3-without-unit"),
        pytest.param("thanhphuoc.th@gmail.com", "B\u00b8o c\u00b8o th\u00b8ng 12", "TCVN3 (ABC)", "Báo cáo tháng 12",
                     id="N250-gmail"),
        pytest.param("thphuvang.binhdai@bentre.edu.vn", "Tr\u00ad\u00eang M\u00c9u gi\u00b8o Ph\u00f3 Vang - B\u00b8o c\u00b8o th\u00b8ng 10",
                     "TCVN3 (ABC)", "Trường Mẫu giáo Phú Vang - Báo cáo tháng 10", id="N252-not-a-registered-unit"),
        pytest.param(THCS, "Cuïm tröôøng Thôùi Lai - Baùo caùo thaùng 10", "VNI", "Cụm trường Thới Lai - Báo cáo tháng 10",
                     id="N253-vni-cluster"),
        pytest.param(THCS, "BÃ¡o cÃ¡o thÃ¡ng 10", "UTF-8 bị đọc sai bảng mã", "Báo cáo tháng 10",
                     id="mojibake-without-unit"),
    ],
)
def test_unconfirmed_repair_is_held_with_the_best_reading(make_mail, make_case, policy, sender, subject, encoding, guess) -> None:
    assert RULE.check(make_case(make_mail(from_=sender, subject=subject)), policy) == Reason(
        "subject-legacy-encoding", Action.HOLD, {"encoding": encoding, "guess": guess}
    )


def test_two_layers_are_held(make_mail, make_case, policy) -> None:
    # N248: TCVN3 text, then UTF-8 read as cp1252 on top; two repairs in a row are not certain enough
    subject = "MG \u00c2\u00a7\u00c2\u00b9i H\u00c3\u0178a L\u00c3\u00a9c - B\u00c2\u00b8o c\u00c2\u00b8o th\u00c2\u00b8ng 10"
    reason = RULE.check(make_case(make_mail(from_="mgdaihoaloc.binhdai@bentre.edu.vn", subject=subject)), policy)
    assert reason is not None and (reason.code, reason.action) == ("subject-legacy-encoding", Action.HOLD)


@pytest.mark.parametrize(
    ("sender", "subject", "action", "codes"),
    [
        # nothing reliable can be said about lost letters: no subject-format / -unit-unknown on top (N232, N233)
        (THCS, "B?o c?o th?ng 10", Action.REJECT, ["subject-unreadable"]),
        (THCS, "THCS Th?i Lai - B?o c?o th?ng 10", Action.REJECT, ["subject-unreadable"]),
        ("thcslocthuan@gmail.com", "THCS Lộc Thuận - B?o c?o th?ng 10", Action.REJECT, ["sender-domain", "subject-unreadable"]),
        (THCS_TT, "B\u00b8o c\u00b8o th\u00b8ng 10", Action.HOLD, ["subject-legacy-encoding"]),  # N251: not subject-format
        ("thanhphuoc.th@gmail.com", "B\u00b8o c\u00b8o th\u00b8ng 12", Action.HOLD, ["sender-domain", "subject-legacy-encoding"]),
        (THCS_TT, "THCS Th\u00de tr\u00can - B\u00b8o c\u00b8o th\u00b8ng 10", Action.ACCEPT, []),  # N122
        (THCS, "TH Thôùi Lai - Baùo caùo thaùng 10", Action.REJECT, ["subject-unit-mismatch"]),  # N227
    ],
)
def test_judge(make_mail, registry, policy, sender, subject, action, codes) -> None:
    verdict, _ = judge(make_mail(from_=sender, subject=subject), registry, policy)
    assert [r.code for r in verdict.reasons] == codes
    assert verdict.action is action


def test_full_stop_separators_without_diacritics_are_readable(make_mail, registry, policy) -> None:
    # docs/rules.md: "." is a separator and subjects may come without diacritics; this is no VIQR
    verdict, _ = judge(make_mail(from_=THCS, subject="THCS Thoi Lai.Bao cao.Thang 10"), registry, policy)
    assert verdict.action is Action.ACCEPT, [r.code for r in verdict.reasons]
