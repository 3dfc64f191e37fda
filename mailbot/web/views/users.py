"""Accounts (admins only): list, add, change role, lock/unlock, reset a password; and the audit log.

Every change is audited. An admin cannot lower their own role or lock themself, so the office never
loses its last admin by a slip of the mouse. After a change the page redirects (the browser's reload
button repeats nothing) with a fixed message code; a refused change re-shows the page with its reason.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from mailbot.adapters.staff_db import StaffStore
from mailbot.service.accounts import ROLE_VI, AccountError, Role, add_user, change_role, set_active, set_password
from mailbot.web.auth import audit, mailbot, requires
from mailbot.web.export import xlsx_response

bp = Blueprint("users", __name__)

AUDIT_PAGE = 50

# What a line of the audit log means, for the people reading it.
ACTION_VI = {
    "login": "Đăng nhập",
    "login-failed": "Đăng nhập sai",
    "logout": "Đăng xuất",
    "forbidden": "Mở trang không đủ quyền",
    "csrf-refused": "Biểu mẫu bị từ chối (thiếu mã CSRF)",
    "export": "Xuất Excel",
    "download": "Tải tệp",
    "reprocess": "Xử lý lại thư",
    "reprocess-refused": "Xử lý lại thư không được",
    "unit-edit": "Thêm / sửa đơn vị",
    "unit-import-preview": "Xem trước tệp đơn vị",
    "unit-import-refused": "Tệp đơn vị bị từ chối",
    "unit-import": "Nhập danh sách đơn vị",
    "user-added": "Tạo tài khoản",
    "role-changed": "Đổi vai trò",
    "user-locked": "Khoá tài khoản",
    "user-unlocked": "Mở khoá tài khoản",
    "password-reset": "Đặt lại mật khẩu",
}

DETAIL_VI = {
    "role": "vai trò", "from": "từ", "to": "thành", "by": "qua", "needed": "cần quyền", "rows": "số dòng", "title": "bảng",
    "file": "tệp", "position": "vị trí", "filename": "tên tệp", "size": "dung lượng", "reply": "thư trả lời", "kind": "loại",
    "before": "trước", "status": "kết quả", "replies": "số thư trả lời", "error": "lỗi", "new": "mới", "changes": "thay đổi",
    "added": "thêm", "changed": "sửa",
}
FILE_VI = {"raw": "thư gốc (.eml)", "attachment": "tệp đính kèm", "reply": "thư trả lời (.eml)"}

DONE_VI = {
    "added": "Đã tạo tài khoản {who}.",
    "role": "Đã đổi vai trò của {who}.",
    "locked": "Đã khoá tài khoản {who}; mọi phiên đăng nhập của tài khoản này đã đóng.",
    "unlocked": "Đã mở khoá tài khoản {who}.",
    "password": "Đã đặt lại mật khẩu cho {who}; các phiên đăng nhập cũ của tài khoản này đã đóng.",
}


def _details_vi(details: dict[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        if key in ("role", "from", "to", "needed") and isinstance(value, str) and value in Role._value2member_map_:
            value = ROLE_VI[Role(value)]
        elif key == "by" and value == "cli":
            value = "dòng lệnh"
        elif key == "file":
            value = FILE_VI.get(value, value)
        elif isinstance(value, bool):
            value = "có" if value else "không"
        parts.append(f"{DETAIL_VI.get(key, key)}: {value}")
    return "; ".join(parts)


def _page(error: str | None = None, form: dict[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    app = mailbot()
    with app.db.transaction() as reg:
        rows = StaffStore(reg.session).users()
        users = [
            {
                "username": u.username, "display_name": u.display_name, "role": u.role, "active": u.active,
                "locked_until": u.locked_until if u.locked_until is not None and u.locked_until > app.clock() else None,
                "last_login_at": u.last_login_at,
            }
            for u in rows
        ]
    done = DONE_VI.get(request.args.get("done", ""))
    who = request.args.get("who", "")
    notice = done.format(who=who) if done and any(u["username"] == who for u in users) else None
    body = render_template(
        "users_index.html", users=users, roles=[(r.value, ROLE_VI[r]) for r in Role], error=error, notice=notice,
        form=form or {}, me=g.user.username,
    )
    return body, status


def _done(code: str, who: str) -> ResponseReturnValue:
    return redirect(url_for("users.index", done=code, who=who))


@bp.route("/users")
@requires(Role.ADMIN)
def index() -> ResponseReturnValue:
    return _page()


@bp.route("/users/add", methods=["POST"])
@requires(Role.ADMIN)
def add() -> ResponseReturnValue:
    app = mailbot()
    username = request.form.get("username", "").strip().lower()[:64]
    name = request.form.get("display_name", "").strip()[:200]
    role = request.form.get("role", "")
    password, again = request.form.get("password", ""), request.form.get("password2", "")
    form = {"username": username, "display_name": name, "role": role}
    if password != again:
        return _page("Hai lần nhập mật khẩu không khớp nhau.", form, 400)
    try:
        with app.db.transaction() as reg:
            add_user(StaffStore(reg.session), username, password, role, app.clock(), display_name=name)
    except AccountError as exc:
        return _page(str(exc), form, 400)
    audit("user-added", username, {"role": role})
    return _done("added", username)


@bp.route("/users/<username>/role", methods=["POST"])
@requires(Role.ADMIN)
def role(username: str) -> ResponseReturnValue:
    app = mailbot()
    try:
        with app.db.transaction() as reg:
            old, new = change_role(StaffStore(reg.session), g.user.username, username, request.form.get("role", ""))
    except AccountError as exc:
        return _page(str(exc), status=400)
    if old != new:
        audit("role-changed", username, {"from": old, "to": new})
    return _done("role", username)


@bp.route("/users/<username>/active", methods=["POST"])
@requires(Role.ADMIN)
def active(username: str) -> ResponseReturnValue:
    app = mailbot()
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):
        abort(400)
    try:
        with app.db.transaction() as reg:
            set_active(StaffStore(reg.session), g.user.username, username, wanted == "1")
    except AccountError as exc:
        return _page(str(exc), status=400)
    audit("user-unlocked" if wanted == "1" else "user-locked", username)
    return _done("unlocked" if wanted == "1" else "locked", username)


@bp.route("/users/<username>/password", methods=["POST"])
@requires(Role.ADMIN)
def password(username: str) -> ResponseReturnValue:
    app = mailbot()
    new, again = request.form.get("password", ""), request.form.get("password2", "")
    if new != again:
        return _page("Hai lần nhập mật khẩu không khớp nhau.", status=400)
    try:
        with app.db.transaction() as reg:
            set_password(StaffStore(reg.session), username, new)
    except AccountError as exc:
        return _page(str(exc), status=400)
    audit("password-reset", username)
    return _done("password", username)


AUDIT_EXPORT = 10_000


@bp.route("/users/audit.xlsx")
@requires(Role.ADMIN)
def audit_export() -> ResponseReturnValue:
    """The newest AUDIT_EXPORT lines of the audit log."""
    with mailbot().db.transaction() as reg:
        entries = StaffStore(reg.session).audit_entries(limit=AUDIT_EXPORT)
    rows = [
        [e.at, e.username or "", ACTION_VI.get(e.action, e.action), e.target, _details_vi(e.details), e.remote_addr or ""]
        for e in entries
    ]
    return xlsx_response(
        "nhat-ky-thao-tac.xlsx", "Nhật ký thao tác",
        ["Thời điểm", "Người thực hiện", "Thao tác", "Đối tượng", "Chi tiết", "Địa chỉ IP"], rows,
    )


@bp.route("/users/audit")
@requires(Role.ADMIN)
def audit_log() -> ResponseReturnValue:
    app = mailbot()
    before, after = request.args.get("before", type=int), request.args.get("after", type=int)
    with app.db.transaction() as reg:
        store = StaffStore(reg.session)
        if after is not None:  # the newer page: everything up to AUDIT_PAGE entries above `after`
            entries = store.audit_entries_after(after, limit=AUDIT_PAGE + 1)
            newer, entries = len(entries) > AUDIT_PAGE, entries[-AUDIT_PAGE:]
            older = bool(entries)
        else:
            entries = store.audit_entries(limit=AUDIT_PAGE + 1, before_id=before)
            older, entries = len(entries) > AUDIT_PAGE, entries[:AUDIT_PAGE]
            newer = before is not None
    lines = [
        {
            "id": e.id, "at": e.at, "username": e.username, "action": ACTION_VI.get(e.action, e.action),
            "code": e.action, "target": e.target, "details": _details_vi(e.details), "ip": e.remote_addr,
        }
        for e in entries
    ]
    next_url = url_for("users.audit_log", before=entries[-1].id) if older and entries else None
    prev_url = (url_for("users.audit_log", after=entries[0].id) if entries else url_for("users.audit_log")) if newer else None
    return render_template("users_audit.html", lines=lines, next_url=next_url, prev_url=prev_url)
