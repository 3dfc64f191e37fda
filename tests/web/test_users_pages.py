"""The accounts pages (/users, /users/audit): admins only, every change audited, CSRF on every form,
an admin cannot lock or demote themself (in-process, both databases)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mailbot.adapters.db_tables import AuditRow, StaffSessionRow, StaffUserRow
from tests.web.conftest import PASSWORDS, Staff

POSTS = [
    ("/users/add", {"username": "vanthu", "display_name": "Văn thư", "role": "viewer", "password": "mat-khau-moi-1", "password2": "mat-khau-moi-1"}),
    ("/users/viewer/role", {"role": "admin"}),
    ("/users/viewer/active", {"active": "0"}),
    ("/users/viewer/password", {"password": "mat-khau-moi-1", "password2": "mat-khau-moi-1"}),
]


def _audit(staff: Staff) -> list[tuple[str | None, str, str, dict]]:
    with staff.mailbot.db.transaction() as reg:
        return [
            (r.username, r.action, r.target, dict(r.details or {}))
            for r in reg.session.scalars(select(AuditRow).order_by(AuditRow.id))
        ]


def _user(staff: Staff, username: str) -> StaffUserRow | None:
    with staff.mailbot.db.transaction() as reg:
        row = reg.session.scalar(select(StaffUserRow).where(StaffUserRow.username == username))
        if row is not None:
            reg.session.expunge(row)
        return row


def _sessions_of(staff: Staff, username: str) -> int:
    with staff.mailbot.db.transaction() as reg:
        user = reg.session.scalar(select(StaffUserRow).where(StaffUserRow.username == username))
        return len(list(reg.session.scalars(select(StaffSessionRow).where(StaffSessionRow.user_id == user.id))))


def _can_sign_in(staff: Staff, username: str, password: str) -> bool:
    client = staff.client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}).status_code == 302


# --- who may open them ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["staff", "viewer"])
@pytest.mark.parametrize("path", ["/users", "/users/audit"])
def test_lower_roles_get_403_on_the_pages(staff_ro: Staff, role: str, path: str) -> None:
    response = staff_ro.sign_in(role).get(path)
    assert response.status_code == 403
    assert "Không đủ quyền" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_lower_roles_get_403_on_every_form_and_change_nothing(staff: Staff, role: str) -> None:
    signed = staff.sign_in(role)
    for url, data in POSTS:
        assert signed.post(url, data).status_code == 403, url
    assert _user(staff, "vanthu") is None
    viewer = _user(staff, "viewer")
    assert viewer is not None and viewer.role == "viewer" and viewer.active
    assert _can_sign_in(staff, "viewer", PASSWORDS["viewer"])
    refused = [(u, a, t) for u, a, t, _ in _audit(staff) if a == "forbidden"]
    assert refused.count((role, "forbidden", "/users/add")) == 1
    assert (role, "forbidden", "/users/viewer/active") in refused


def test_without_sign_in_the_forms_are_refused(staff: Staff) -> None:
    for url, data in POSTS:
        assert staff.client().post(url, data=data).status_code == 401
    assert staff.client().get("/users/audit").status_code == 302


def test_every_form_needs_the_csrf_token(staff: Staff) -> None:
    signed = staff.sign_in("admin")
    for url, data in POSTS:
        for token in (None, "forged-token"):
            form = dict(data) if token is None else {**data, "csrf_token": token}
            response = signed.client.post(url, data=form)
            assert response.status_code == 400, url
            assert "CSRF" in response.get_data(as_text=True)
        assert ("admin", "csrf-refused", url, {}) in _audit(staff)
    assert _user(staff, "vanthu") is None
    viewer = _user(staff, "viewer")
    assert viewer is not None and viewer.role == "viewer" and viewer.active
    assert _can_sign_in(staff, "viewer", PASSWORDS["viewer"])


# --- the list -------------------------------------------------------------------------------------
def test_the_list_shows_every_account_in_vietnamese(staff_ro: Staff) -> None:
    page = staff_ro.sign_in("admin").get("/users")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for username in PASSWORDS:
        assert f"Cán bộ {username}" in html
    for label in ("Quản trị", "Chuyên viên", "Xem", "Đang hoạt động", "Nhật ký thao tác"):
        assert label in html
    # the admin has just signed in: a dd/mm/yyyy HH:MM time in the "last sign-in" column
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", html)
    assert html.count('name="csrf_token"') >= 1 + 2 * len(PASSWORDS)  # every form carries the token


# --- add -------------------------------------------------------------------------------------------
def test_add_an_account_that_can_then_sign_in(staff: Staff) -> None:
    signed = staff.sign_in("admin")
    response = signed.post("/users/add", {
        "username": " VanThu ", "display_name": "Nguyễn Thị Văn Thư", "role": "staff",
        "password": "mat-khau-van-thu", "password2": "mat-khau-van-thu",
    })
    assert response.status_code == 302
    page = signed.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã tạo tài khoản vanthu." in page and "Nguyễn Thị Văn Thư" in page
    user = _user(staff, "vanthu")
    assert user is not None and user.role == "staff" and user.display_name == "Nguyễn Thị Văn Thư"
    assert "mat-khau-van-thu" not in user.password_hash
    assert ("admin", "user-added", "vanthu", {"role": "staff"}) in _audit(staff)
    assert _can_sign_in(staff, "vanthu", "mat-khau-van-thu")


REFUSED = [
    ({"username": "vanthu", "password": "mat-khau-van-thu", "password2": "mat-khau-khac-1"}, "không khớp"),
    ({"username": "vanthu", "password": "ngan", "password2": "ngan"}, "ít nhất 10 ký tự"),
    ({"username": "Văn Thư", "password": "mat-khau-van-thu", "password2": "mat-khau-van-thu"}, "chữ thường không dấu"),
    ({"username": "staff", "password": "mat-khau-van-thu", "password2": "mat-khau-van-thu"}, "đã có"),
    ({"username": "vanthu", "role": "boss", "password": "mat-khau-van-thu", "password2": "mat-khau-van-thu"}, "không có"),
]


def test_a_refused_account_shows_why_and_keeps_what_was_typed(staff: Staff) -> None:
    signed = staff.sign_in("admin")
    for data, message in REFUSED:
        response = signed.post("/users/add", {"display_name": "Trần Văn Bình", "role": "viewer", **data})
        assert response.status_code == 400, data
        html = response.get_data(as_text=True)
        assert message in html and 'class="error"' in html, (data, message)
        assert 'value="Trần Văn Bình"' in html
        assert f'value="{data["password"]}"' not in html  # passwords are never echoed back
    assert _user(staff, "vanthu") is None
    assert not [a for _, a, _, _ in _audit(staff) if a == "user-added"]


# --- role ------------------------------------------------------------------------------------------
def test_change_a_role(staff: Staff) -> None:
    signed = staff.sign_in("admin")
    assert signed.post("/users/viewer/role", {"role": "staff"}).status_code == 302
    assert _user(staff, "viewer").role == "staff"  # type: ignore[union-attr]
    assert ("admin", "role-changed", "viewer", {"from": "viewer", "to": "staff"}) in _audit(staff)
    assert staff.sign_in("viewer").get("/users").status_code == 403
    assert signed.post("/users/viewer/role", {"role": "admin"}).status_code == 302
    assert staff.sign_in("viewer").get("/users").status_code == 200


def test_an_admin_cannot_demote_themself(staff: Staff) -> None:
    signed = staff.sign_in("admin")
    response = signed.post("/users/admin/role", {"role": "viewer"})
    assert response.status_code == 400
    assert "không thể tự hạ vai trò" in response.get_data(as_text=True)
    assert _user(staff, "admin").role == "admin"  # type: ignore[union-attr]
    assert signed.get("/users").status_code == 200
    assert not [a for _, a, _, _ in _audit(staff) if a == "role-changed"]


def test_an_unknown_role_or_account_is_refused(staff: Staff) -> None:
    signed = staff.sign_in("admin")
    assert signed.post("/users/viewer/role", {"role": "boss"}).status_code == 400
    response = signed.post("/users/ai-do/role", {"role": "staff"})
    assert response.status_code == 400 and "Không có tài khoản ai-do." in response.get_data(as_text=True)


# --- lock / unlock ---------------------------------------------------------------------------------
def test_locking_ends_the_sessions_and_unlocking_lets_them_back(staff: Staff) -> None:
    victim = staff.sign_in("staff")
    assert victim.get("/").status_code == 200
    admin = staff.sign_in("admin")
    response = admin.post("/users/staff/active", {"active": "0"})
    assert response.status_code == 302
    assert "Đã khoá tài khoản staff" in admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert _sessions_of(staff, "staff") == 0
    assert victim.get("/").status_code == 302  # thrown out at once
    assert not _can_sign_in(staff, "staff", PASSWORDS["staff"])
    assert "Đã khoá" in admin.get("/users").get_data(as_text=True)

    assert admin.post("/users/staff/active", {"active": "1"}).status_code == 302
    assert _can_sign_in(staff, "staff", PASSWORDS["staff"])
    actions = [(u, a, t) for u, a, t, _ in _audit(staff)]
    assert ("admin", "user-locked", "staff") in actions and ("admin", "user-unlocked", "staff") in actions


def test_unlocking_also_clears_a_lock_out_after_wrong_passwords(staff: Staff) -> None:
    with staff.mailbot.db.transaction() as reg:
        user = reg.session.scalar(select(StaffUserRow).where(StaffUserRow.username == "viewer"))
        user.locked_until, user.failed_logins = staff.mailbot.clock() + timedelta(minutes=10), 0  # type: ignore[union-attr]
    admin = staff.sign_in("admin")
    assert "Tạm khoá đến" in admin.get("/users").get_data(as_text=True)
    assert not _can_sign_in(staff, "viewer", PASSWORDS["viewer"])
    assert admin.post("/users/viewer/active", {"active": "1"}).status_code == 302
    assert _can_sign_in(staff, "viewer", PASSWORDS["viewer"])


def test_an_admin_cannot_lock_themself(staff: Staff) -> None:
    signed = staff.sign_in("admin")
    response = signed.post("/users/admin/active", {"active": "0"})
    assert response.status_code == 400
    assert "không thể tự khoá" in response.get_data(as_text=True)
    assert _user(staff, "admin").active  # type: ignore[union-attr]
    assert signed.get("/users").status_code == 200
    assert signed.post("/users/staff/active", {"active": "maybe"}).status_code == 400


# --- password --------------------------------------------------------------------------------------
def test_reset_a_password(staff: Staff) -> None:
    victim = staff.sign_in("viewer")
    admin = staff.sign_in("admin")
    assert admin.post("/users/viewer/password", {"password": "mat-khau-moi-1", "password2": "mat-khau-khac"}).status_code == 400
    assert _can_sign_in(staff, "viewer", PASSWORDS["viewer"])
    short = admin.post("/users/viewer/password", {"password": "ngan", "password2": "ngan"})
    assert short.status_code == 400 and "ít nhất 10 ký tự" in short.get_data(as_text=True)

    assert admin.post("/users/viewer/password", {"password": "mat-khau-moi-1", "password2": "mat-khau-moi-1"}).status_code == 302
    assert victim.get("/").status_code == 302  # the old session ended
    assert not _can_sign_in(staff, "viewer", PASSWORDS["viewer"])
    assert _can_sign_in(staff, "viewer", "mat-khau-moi-1")
    resets = [(u, a, t) for u, a, t, _ in _audit(staff) if a == "password-reset"]
    assert resets == [("admin", "password-reset", "viewer")]
    assert all("mat-khau-moi-1" not in str(d) for *_, d in _audit(staff))


# --- the audit log page ---------------------------------------------------------------------------
def test_the_audit_page_lists_actions_in_vietnamese(staff: Staff) -> None:
    admin = staff.sign_in("admin")
    staff.sign_in("viewer").get("/users")  # a refused visit
    admin.post("/users/staff/role", {"role": "viewer"})
    page = admin.get("/users/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Nhật ký thao tác", "Đăng nhập", "Mở trang không đủ quyền", "Đổi vai trò", "từ: Chuyên viên; thành: Xem", "127.0.0.1"):
        assert text in html, text
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", html)


def test_the_audit_page_pages_by_id(staff: Staff) -> None:
    with staff.mailbot.db.transaction() as reg:
        from mailbot.adapters.staff_db import StaffStore

        store = StaffStore(reg.session)
        for n in range(120):
            store.audit(staff.mailbot.clock(), "admin", "export", f"tep-{n:03d}.xlsx", {"rows": n})
    admin = staff.sign_in("admin")
    first = admin.get("/users/audit").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'<td class="num">(\d+)</td>', first)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    assert "Mới hơn" not in first
    older = re.search(r'href="(/users/audit\?before=\d+)"', first).group(1)  # type: ignore[union-attr]
    second = admin.get(older).get_data(as_text=True)
    ids2 = [int(i) for i in re.findall(r'<td class="num">(\d+)</td>', second)]
    assert len(ids2) == 50 and max(ids2) == min(ids) - 1
    newer = re.search(r'href="(/users/audit\?after=\d+)"', second).group(1)  # type: ignore[union-attr]
    back = admin.get(newer).get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<td class="num">(\d+)</td>', back)] == ids
    seen, url = set(ids), older
    while url:
        html = admin.get(url).get_data(as_text=True)
        page_ids = [int(i) for i in re.findall(r'<td class="num">(\d+)</td>', html)]
        assert not seen & set(page_ids)
        seen |= set(page_ids)
        found = re.search(r'href="(/users/audit\?before=\d+)"', html)
        url = found.group(1) if found else None
    assert len(seen) == len(_audit(staff))  # every line once, none twice
