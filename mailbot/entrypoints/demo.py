"""`mailbot demo`: the whole pipeline on a bundled sample mailbox, SQLite and local folders, no servers."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

from mailbot.bootstrap import bootstrap
from mailbot.labels import REPLY_VI, STATUS_VI
from mailbot.settings import ImapSettings, Settings, SmtpSettings

REPO = Path(__file__).resolve().parents[2]
UNITS_EXAMPLE = REPO / "config" / "units.example.csv"


def run_demo(workdir: Path, say: Callable[[str], None]) -> None:
    workdir = workdir.resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    mailbox = workdir / "mailbox"
    mailbox.mkdir(parents=True)
    samples = sorted(p for p in resources.files("mailbot").joinpath("demo/mailbox").iterdir() if p.name.endswith(".eml"))
    start = datetime(2026, 11, 3, 7, 30, tzinfo=timezone.utc)
    for index, sample in enumerate(samples):
        target = mailbox / sample.name
        target.write_bytes(sample.read_bytes())
        stamp = (start + timedelta(hours=3 * index)).timestamp()  # arrival times, in name order
        os.utime(target, (stamp, stamp))

    settings = Settings(
        database_url=f"sqlite:///{workdir / 'mailbot.db'}",
        data_dir=workdir / "data",
        units_file=UNITS_EXAMPLE,
        answer_since=datetime(2000, 1, 1, tzinfo=timezone.utc),  # answer everything in the sample
        imap=ImapSettings(mode="folder", path=mailbox),
        smtp=SmtpSettings(mode="folder", path=workdir / "replies"),
    )
    app = bootstrap(settings)
    app.prepare()
    report = app.poll()
    delivery = app.deliver()

    say(f"Hộp thư mẫu: {len(samples)} thư trong {mailbox}")
    say(f"Đã ghi sổ {report.recorded} thư; đã gửi {delivery.sent} thư trả lời vào {settings.smtp.path}\n")
    with app.db.transaction() as reg:
        entries = list(reversed(reg.log()))
    for e in entries:
        reasons = ", ".join(r["code"] for r in e.reasons) or "—"
        reply = REPLY_VI.get(e.reply_kind or "", "không trả lời")
        say(f"  {STATUS_VI.get(e.status, e.status):<14} {(e.from_address or '—')[:38]:<38} {e.subject[:52]}")
        say(f"  {'':<14} lý do: {reasons}; trả lời: {reply}")
    replies = sorted(settings.smtp.path.glob("*.eml"))
    for label, kind in (("Mẫu thư biên nhận", "[Đã nhận]"), ("Mẫu thư từ chối", "[Chưa hợp lệ]")):
        for path in replies:
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if str(msg["Subject"]).startswith(kind):
                say(f"\n--- {label}: {path.name} ---")
                say(f"Gửi đến: {msg['To']}\nTiêu đề: {msg['Subject']}\n")
                say(msg.get_content().rstrip())
                break
    say(f"\nSổ theo dõi: MAILBOT_DATABASE_URL=sqlite:///{workdir / 'mailbot.db'} mailbot log")
    say(
        f"Trang web cho cán bộ: export MAILBOT_DATABASE_URL=sqlite:///{workdir / 'mailbot.db'} "
        f"MAILBOT_DATA_DIR={workdir / 'data'}; mailbot users add vanthu --role admin; mailbot serve"
    )
