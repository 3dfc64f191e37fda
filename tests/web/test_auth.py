"""Sign-in, sessions, roles, CSRF and the audit log of the staff pages (in-process, both databases)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mailbot.adapters.db_tables import AuditRow, StaffSessionRow, StaffUserRow
from tests.web.conftest import PASSWORDS, Staff

PAGES = ["/", "/board", "/months", "/year", "/quarantine", "/units", "/users"]


def _audit(staff: Staff) -> list[tuple[str | None, str, str]]:
    with staff.mailbot.db.transaction() as reg:
        return [(r.username, r.action, r.target) for r in reg.session.scalars(select(AuditRow).order_by(AuditRow.id))]


def _login_token(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_without_sign_in(staff: Staff, path: str) -> None:
    response = staff.client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_post_without_a_session_is_refused(staff: Staff) -> None:
    assert staff.client().post("/logout").status_code == 401


def test_sign_in_sets_a_hardened_cookie_and_stores_only_a_digest(staff: Staff) -> None:
    client = staff.client()
    token = _login_token(client)
    response = client.post("/login", data={"username": "viewer", "password": PASSWORDS["viewer"], "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("mailbot_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    with staff.mailbot.db.transaction() as reg:
        stored = [s.token_sha256 for s in reg.session.scalars(select(StaffSessionRow))]
    assert stored and value not in stored and all(len(s) == 64 for s in stored)
    assert client.get("/").status_code == 200
    assert ("viewer", "login", "viewer") in _audit(staff)


def test_wrong_password_and_unknown_name_say_the_same(staff: Staff) -> None:
    client = staff.client()
    wrong = client.post("/login", data={"username": "viewer", "password": "sai-mat-khau-123", "csrf_token": _login_token(client)})
    unknown = client.post("/login", data={"username": "ai-do", "password": "sai-mat-khau-123", "csrf_token": _login_token(client)})
    assert wrong.status_code == unknown.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in wrong.get_data(as_text=True)
    assert "Sai tên đăng nhập hoặc mật khẩu." in unknown.get_data(as_text=True)
    assert [a for _, a, _ in _audit(staff)].count("login-failed") == 2


def test_sign_in_form_without_its_csrf_cookie_is_refused(staff: Staff) -> None:
    client = staff.client()
    response = client.post("/login", data={"username": "viewer", "password": PASSWORDS["viewer"], "csrf_token": "forged"})
    assert response.status_code == 401
    assert "mailbot_session=" not in " ".join(response.headers.getlist("Set-Cookie"))


def test_lock_out_after_repeated_failures_even_with_the_right_password(staff: Staff) -> None:
    client = staff.client()
    for _ in range(staff.mailbot.settings.web.max_failed_logins):
        client.post("/login", data={"username": "staff", "password": "khong-dung-123", "csrf_token": _login_token(client)})
    right = client.post("/login", data={"username": "staff", "password": PASSWORDS["staff"], "csrf_token": _login_token(client)})
    assert right.status_code == 401
    assert "tạm khoá" in right.get_data(as_text=True)
    with staff.mailbot.db.transaction() as reg:
        user = reg.session.scalar(select(StaffUserRow).where(StaffUserRow.username == "staff"))
        assert user is not None and user.locked_until is not None


def test_sign_out_ends_the_session_on_the_server(staff: Staff) -> None:
    signed = staff.sign_in("staff")
    cookie = signed.client.get_cookie("mailbot_session")
    assert cookie is not None
    assert signed.post("/logout").status_code == 302
    other = staff.client()
    other.set_cookie("mailbot_session", cookie.value)  # the old cookie, replayed
    assert other.get("/").status_code == 302


def test_a_form_without_the_csrf_token_is_refused(staff: Staff) -> None:
    signed = staff.sign_in("admin")
    response = signed.client.post("/logout", data={})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert signed.get("/").status_code == 200  # still signed in
    assert ("admin", "csrf-refused", "/logout") in _audit(staff)


def test_next_never_leaves_the_site(staff: Staff) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client = staff.client()
        token = _login_token(client)
        response = client.post(
            "/login?next=" + target, data={"username": "viewer", "password": PASSWORDS["viewer"], "csrf_token": token}
        )
        assert response.headers["Location"] == "/"


def test_security_headers_on_every_page(staff: Staff) -> None:
    signed = staff.sign_in("viewer")
    response = signed.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none': no script at all
    assert response.headers["Cache-Control"] == "no-store"


def test_only_admins_see_the_accounts_page(staff: Staff) -> None:
    assert staff.sign_in("admin").get("/users").status_code == 200
    for role in ("staff", "viewer"):
        assert staff.sign_in(role).get("/users").status_code == 403


def test_cookies_are_secure_over_https_and_when_told(staff_ro: Staff) -> None:
    def session_cookie(base_url: str) -> str:
        client = staff_ro.client()
        page = client.get("/login", base_url=base_url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/login", base_url=base_url, data={"username": "viewer", "password": PASSWORDS["viewer"], "csrf_token": token}
        )
        return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("mailbot_session="))

    web = staff_ro.mailbot.settings.web
    assert "Secure" in session_cookie("https://pgd.local")
    assert "Secure" not in session_cookie("http://pgd.local")  # "auto": plain HTTP on the office network
    original = web.cookie_secure
    web.cookie_secure = "always"  # behind a TLS proxy that talks HTTP to us
    try:
        assert "Secure" in session_cookie("http://pgd.local")
    finally:
        web.cookie_secure = original
