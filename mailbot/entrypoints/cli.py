"""The `mailbot` command (Typer). Messages for staff are in Vietnamese; options and ids in English."""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Optional
from zoneinfo import ZoneInfo

import typer

from mailbot.adapters.staff_db import StaffStore
from mailbot.adapters.units_file import read_units_file
from mailbot.bootstrap import App, bootstrap
from mailbot.labels import STATUS_VI
from mailbot.service.accounts import ROLE_VI, AccountError, Role, add_user, set_password
from mailbot.errors import MailbotError
from mailbot.settings import Settings, load_settings

app = typer.Typer(
    help="mailbot — hộp thư nhận báo cáo của Phòng GD&ĐT Bình Đại.", no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False
)
db_app = typer.Typer(help="Cơ sở dữ liệu (sổ theo dõi).", no_args_is_help=True)
units_app = typer.Typer(help="Danh sách đơn vị.", no_args_is_help=True)
rules_app = typer.Typer(help="Các quy tắc kiểm tra thư.", no_args_is_help=True)
users_app = typer.Typer(help="Tài khoản cán bộ dùng trang web.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(units_app, name="units")
app.add_typer(rules_app, name="rules")
app.add_typer(users_app, name="users")

ConfigOption = Annotated[
    Optional[Path], typer.Option("--config", help="Tệp cấu hình TOML (mặc định config/mailbot.toml nếu có).")
]


class _State:
    config: Path | None = None


_state = _State()


@app.callback()
def _main(
    config: ConfigOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Ghi nhật ký chi tiết ra stderr.")] = False,
) -> None:
    _state.config = config
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _settings() -> Settings:
    return load_settings(_state.config)


def _app() -> App:
    return bootstrap(_settings())


def _ready_app() -> App:
    """An app whose database schema is current (a fresh install works without `db upgrade`)."""
    application = _app()
    application.db.upgrade()
    return application


def _say(text: str) -> None:
    typer.echo(text)


@app.command("check-config")
def check_config() -> None:
    """In cấu hình đang dùng (mật khẩu được che)."""
    settings = _settings()
    _say(json.dumps(settings.masked(), ensure_ascii=False, indent=2))
    _say("Cấu hình hợp lệ.")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Tạo hoặc nâng cấp cấu trúc cơ sở dữ liệu."""
    _app().db.upgrade()
    _say("Cơ sở dữ liệu đã ở phiên bản mới nhất.")


@app.command("poll")
def poll(once: Annotated[bool, typer.Option("--once", help="Đọc hộp thư một lần rồi dừng.")] = False) -> None:
    """Đọc hộp thư một lần: ghi sổ thư mới, gửi thư trả lời đang chờ."""
    if not once:
        raise typer.BadParameter("dùng `mailbot poll --once`; để chạy liên tục, dùng `mailbot run`")
    application = _app()
    application.prepare()
    with application.lock:
        report = application.poll()
        reminded = application.remind()
        delivery = application.deliver()
    _say(
        f"Đã đọc {report.fetched} thư, ghi sổ {report.recorded} thư mới"
        f" ({_status_summary(report.by_status)}), bỏ qua {report.skipped} thư đã có trong sổ."
    )
    if reminded is not None:
        _say(f"Nhắc hạn: {reminded.reminders} thư nhắc, {reminded.overdue} thông báo quá hạn, {reminded.digests} thư tổng hợp.")
    _say(f"Thư trả lời: đã gửi {delivery.sent}, chờ gửi lại {delivery.retried}, thất bại {delivery.failed}.")


@app.command("run")
def run(
    web: Annotated[bool, typer.Option("--web", help="Mở cả trang web cho cán bộ trong cùng tiến trình.")] = False,
) -> None:
    """Chạy liên tục: đọc hộp thư theo chu kỳ (MAILBOT_POLL_INTERVAL giây) và gửi thư trả lời."""
    from mailbot.entrypoints.daemon import run_daemon

    logging.getLogger().setLevel(logging.INFO)
    application = _app()
    if web:
        from mailbot.web.app import make_server

        server = make_server(application)  # a port in use stops the start here, with a clear message
        threading.Thread(target=server.run, name="web", daemon=True).start()
        _say(f"Trang web cho cán bộ: http://{application.settings.web.host}:{application.settings.web.port}/")
    run_daemon(application)


@app.command("serve")
def serve(
    host: Annotated[Optional[str], typer.Option("--host", help="Địa chỉ lắng nghe (mặc định web.host).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Cổng (mặc định web.port).")] = None,
) -> None:
    """Mở trang web cho cán bộ: sổ theo dõi, hạn nộp, tổng kết năm, đơn vị."""
    from mailbot.web.app import serve as serve_pages

    logging.getLogger().setLevel(logging.INFO)
    application = _ready_app()
    web = application.settings.web
    with application.db.transaction() as reg:
        if StaffStore(reg.session).count_users() == 0:
            _say("Chưa có tài khoản nào: tạo tài khoản quản trị bằng `mailbot users add TÊN --role admin`.")
    _say(f"Trang web cho cán bộ: http://{host or web.host}:{port or web.port}/ (Ctrl+C để dừng)")
    serve_pages(application, host, port)


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option("--role", help="admin, staff hoặc viewer.")] = "viewer",
    name: Annotated[str, typer.Option("--name", help="Họ tên hiển thị.")] = "",
    password: Annotated[
        Optional[str], typer.Option("--password", help="Mật khẩu (cho kịch bản); bỏ trống để nhập từ bàn phím.")
    ] = None,
) -> None:
    """Tạo tài khoản cho cán bộ (mật khẩu được băm Argon2id, không lưu nguyên văn)."""
    if password is None:
        password = _ask_password()
    application = _ready_app()
    with application.db.transaction() as reg:
        store = StaffStore(reg.session)
        add_user(store, username, password, role, application.clock(), display_name=name)
        store.audit(application.clock(), None, "user-added", username, {"role": role, "by": "cli"})
    _say(f"Đã tạo tài khoản {username} ({ROLE_VI[Role(role)]}).")


@users_app.command("passwd")
def users_passwd(
    username: str,
    password: Annotated[Optional[str], typer.Option("--password", help="Mật khẩu mới (cho kịch bản).")] = None,
) -> None:
    """Đặt lại mật khẩu (mọi phiên đăng nhập của tài khoản bị đóng, khoá được mở)."""
    password = password if password is not None else _ask_password()
    application = _ready_app()
    with application.db.transaction() as reg:
        store = StaffStore(reg.session)
        set_password(store, username, password)
        store.audit(application.clock(), None, "password-reset", username, {"by": "cli"})
    _say(f"Đã đặt lại mật khẩu cho {username}.")


@users_app.command("list")
def users_list() -> None:
    """Liệt kê tài khoản."""
    application = _ready_app()
    with application.db.transaction() as reg:
        for user in StaffStore(reg.session).users():
            state = "đang dùng" if user.active else "đã khoá"
            _say(f"{user.username:<20} {ROLE_VI[Role(user.role)]:<12} {state:<10} {user.display_name}")


def _ask_password() -> str:
    first = typer.prompt("Mật khẩu", hide_input=True)
    if typer.prompt("Nhập lại mật khẩu", hide_input=True) != first:
        raise AccountError("Hai lần nhập mật khẩu không khớp.")
    return first


def _status_summary(by_status: dict[str, int]) -> str:
    return ", ".join(f"{STATUS_VI.get(k, k)}: {v}" for k, v in sorted(by_status.items())) or "không có"


def _parse_day(value: str | None, tz: str) -> datetime | None:
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=ZoneInfo(tz))
        except ValueError:
            continue
    raise typer.BadParameter(f"ngày {value!r} không hợp lệ; dùng dạng 2026-11-26 hoặc 26/11/2026")


@app.command("log")
def show_log(
    since: Annotated[Optional[str], typer.Option(help="Từ ngày (2026-11-01 hoặc 01/11/2026).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Đến hết ngày.")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Mã đơn vị, ví dụ THCS-thoilai.")] = None,
    status: Annotated[Optional[str], typer.Option(help="accepted | rejected | ignored | quarantined")] = None,
    limit: Annotated[int, typer.Option(help="Số thư tối đa.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Mỗi thư một dòng JSON.")] = False,
) -> None:
    """Xem sổ theo dõi thư đến, mới nhất trước."""
    application = _ready_app()
    tz = application.settings.timezone
    start = _parse_day(since, tz)
    end = _parse_day(until, tz)
    if end is not None:
        from datetime import timedelta

        end = end + timedelta(days=1)
    if status is not None and status not in STATUS_VI:
        raise typer.BadParameter(f"trạng thái {status!r} không có; chọn một trong: {', '.join(STATUS_VI)}")
    with application.db.transaction() as reg:
        entries = reg.log(since=start, until=end, unit_id=unit, status=status, limit=limit)
    for e in entries:
        if as_json:
            _say(json.dumps(_entry_json(e), ensure_ascii=False))
        else:
            when = e.internal_date.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M") if e.internal_date else "?"
            reasons = ", ".join(r["code"] for r in e.reasons) or "-"
            reply = f"{e.reply_kind}:{e.reply_status}" if e.reply_kind else (e.reply_status or "-")
            _say(f"{e.id:>6}  {when}  {STATUS_VI.get(e.status, e.status):<14} {e.unit_id or '-':<18} "
                 f"{e.from_address or '-':<40} {e.subject[:60]}  [{reasons}] [{reply}]")
    if not as_json:
        _say(f"({len(entries)} thư)")


def _entry_json(e: Any) -> dict[str, Any]:
    return {
        "id": e.id,
        "message_id": e.message_id_header,
        "received": e.internal_date.isoformat() if e.internal_date else None,
        "date": e.date_header.isoformat() if e.date_header else None,
        "recorded": e.recorded_at.isoformat(),
        "from": e.from_address,
        "subject": e.subject,
        "verdict": e.status,
        "reasons": e.reasons,
        "unit": e.unit_id,
        "error": e.error,
        "attachments": e.attachments,
        "report": {"id": e.report_id, "period": e.period, "revision": e.revision},
        "reply": {"kind": e.reply_kind, "state": e.reply_status, "reference": e.reply_reference, "attempts": e.reply_attempts},
    }


@units_app.command("import")
def units_import(file: Path) -> None:
    """Nhập (hoặc cập nhật) danh sách đơn vị từ tệp CSV UTF-8 hoặc XLSX."""
    units = read_units_file(file)
    application = _ready_app()
    with application.db.transaction() as reg:
        added, updated = reg.upsert_units(units, application.clock())
    _say(f"Đã nhập {len(units)} đơn vị từ {file.name}: thêm mới {added}, cập nhật {updated}.")


@units_app.command("list")
def units_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Liệt kê các đơn vị đã đăng ký."""
    application = _ready_app()
    with application.db.transaction() as reg:
        units = reg.units()
    for u in units:
        if as_json:
            _say(json.dumps({"unit_id": u.unit_id, "name": u.name, "subject_name": u.subject_name, "kind": u.kind,
                             "aliases": list(u.aliases), "addresses": list(u.addresses), "reports": u.reports},
                            ensure_ascii=False))
        else:
            flag = "" if u.reports else "  (không gửi báo cáo cho Phòng)"
            _say(f"{u.unit_id:<20} {u.subject_name:<28} {', '.join(u.addresses)}{flag}")
    if not as_json:
        _say(f"({len(units)} đơn vị)")


@app.command("missing")
def show_missing(
    report: Annotated[Optional[str], typer.Option(help="Mã loại báo cáo: monthly, q1, six_month, …")] = None,
    period: Annotated[Optional[str], typer.Option(help="Kỳ báo cáo: 2026-10, 2027-Q1, 2026-2027, …")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Mỗi dòng một JSON.")] = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="Xuất ra tệp Excel.")] = None,
) -> None:
    """Các đơn vị chưa gửi báo cáo: còn bao nhiêu ngày, hoặc đã quá hạn bao lâu."""
    from mailbot.service.deadlines import missing

    if period is not None and report is None:
        raise typer.BadParameter("--period cần đi kèm --report")
    application = _ready_app()
    calendar = application.calendar()
    now = application.clock()
    try:
        with application.db.transaction() as reg:
            rows = missing(reg, calendar, reg.units(), now, report, period)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    tz = application.settings.timezone
    if as_json:
        for r in rows:
            _say(json.dumps({"unit": r.unit_id, "unit_name": r.unit_name, "report": r.report_id, "period": r.period,
                             "deadline": r.deadline.isoformat() if r.deadline else None, "overdue": r.overdue,
                             "status": r.due_text}, ensure_ascii=False))
    else:
        for r in rows:
            when = r.deadline.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y") if r.deadline else "-"
            _say(f"{r.unit_id:<20} {r.report_name + ', ' + r.period_label:<40} hạn {when}  {r.due_text}")
        _say(f"({len(rows)} lượt báo cáo chưa nộp)")
    if xlsx is not None:
        from mailbot.adapters.xlsx import write_table

        write_table(
            xlsx,
            f"Danh sách đơn vị chưa nộp báo cáo (lập ngày {now.astimezone(ZoneInfo(tz)).strftime('%d/%m/%Y')})",
            ["STT", "Mã đơn vị", "Tên đơn vị", "Loại báo cáo", "Kỳ báo cáo", "Hạn nộp", "Tình trạng"],
            [[i, r.unit_id, r.unit_name, r.report_name, r.period_label,
              r.deadline.astimezone(ZoneInfo(tz)).date() if r.deadline else "", r.due_text] for i, r in enumerate(rows, 1)],
            tz,
            sheet="Chưa nộp",
        )
        _say(f"Đã xuất {xlsx}")


@app.command("timeliness")
def show_timeliness(
    school_year: Annotated[str, typer.Option("--school-year", help="Năm học, ví dụ 2026-2027.")],
    as_json: Annotated[bool, typer.Option("--json", help="Mỗi dòng một JSON.")] = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="Xuất ra tệp Excel.")] = None,
) -> None:
    """Đánh giá việc gửi báo cáo của từng đơn vị trong năm học: đúng hạn, trễ hạn, chưa nộp."""
    import re

    from mailbot.service.deadlines import timeliness

    if not re.fullmatch(r"(\d{4})-(\d{4})", school_year) or int(school_year[5:]) != int(school_year[:4]) + 1:
        raise typer.BadParameter(f"năm học {school_year!r} không hợp lệ; ví dụ 2026-2027")
    application = _ready_app()
    calendar = application.calendar()
    with application.db.transaction() as reg:
        rows = timeliness(reg, calendar, reg.units(), school_year, application.clock())
    for r in rows if as_json else ():
        _say(json.dumps({"unit": r.unit_id, "unit_name": r.unit_name, "on_time": r.on_time, "late": r.late,
                         "missing": r.missing, "total": r.total, "rate": r.rate}, ensure_ascii=False))
    if not as_json:
        _say(f"{'Đơn vị':<20} {'Đúng hạn':>8} {'Trễ hạn':>8} {'Chưa nộp':>8} {'Tỉ lệ':>7}")
        for r in rows:
            rate = f"{r.rate:.0%}" if r.rate is not None else "-"
            _say(f"{r.unit_id:<20} {r.on_time:>8} {r.late:>8} {r.missing:>8} {rate:>7}")
    if xlsx is not None:
        from mailbot.adapters.xlsx import write_table

        write_table(
            xlsx,
            f"Tổng hợp việc thực hiện chế độ báo cáo năm học {school_year}",
            ["STT", "Mã đơn vị", "Tên đơn vị", "Đúng hạn", "Trễ hạn", "Chưa nộp", "Tổng số", "Tỉ lệ đúng hạn (%)"],
            [[i, r.unit_id, r.unit_name, r.on_time, r.late, r.missing, r.total,
              round(r.rate * 100, 1) if r.rate is not None else ""] for i, r in enumerate(rows, 1)],
            application.settings.timezone,
            sheet="Năm học " + school_year,
        )
        _say(f"Đã xuất {xlsx}")


@rules_app.command("list")
def rules_list() -> None:
    """Liệt kê chuỗi quy tắc theo đúng thứ tự chạy."""
    from mailbot.rules import ALL_RULES

    for index, rule in enumerate(ALL_RULES, 1):
        _say(f"{index}. {rule.id}: {rule.description}")
        _say(f"   mã lý do: {', '.join(rule.codes)}")


@app.command("demo")
def demo(workdir: Annotated[Path, typer.Option(help="Thư mục làm việc của bản chạy thử.")] = Path("var/demo")) -> None:
    """Chạy thử toàn bộ quy trình trên hộp thư mẫu (SQLite, thư mục cục bộ, không cần máy chủ)."""
    from mailbot.entrypoints.demo import run_demo

    run_demo(workdir, _say)


def _config_first(argv: list[str]) -> list[str]:
    """Accept --config anywhere (`mailbot check-config --config F`), as the global option it is."""
    rest, moved, i = [], [], 0
    while i < len(argv):
        if argv[i] == "--config" and i + 1 < len(argv):
            moved += argv[i : i + 2]
            i += 2
        elif argv[i].startswith("--config="):
            moved.append(argv[i])
            i += 1
        else:
            rest.append(argv[i])
            i += 1
    return moved + rest


def main() -> None:
    try:
        app(args=_config_first(sys.argv[1:]), prog_name="mailbot")
    except MailbotError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        sys.exit(2)
