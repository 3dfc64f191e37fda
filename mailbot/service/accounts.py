"""Staff accounts: roles, Argon2id password hashes, sign-in with lock-out, sessions."""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mailbot.adapters.staff_db import StaffStore
from mailbot.errors import MailbotError

_HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10


class Role(enum.StrEnum):
    VIEWER = "viewer"  # reads
    STAFF = "staff"  # also reprocesses messages and edits units
    ADMIN = "admin"  # also manages users

    @property
    def rank(self) -> int:
        return [Role.VIEWER, Role.STAFF, Role.ADMIN].index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


ROLE_VI = {Role.VIEWER: "Xem", Role.STAFF: "Chuyên viên", Role.ADMIN: "Quản trị"}


class AccountError(MailbotError):
    """A Vietnamese message for the person at the keyboard."""


@dataclass(frozen=True)
class LockoutPolicy:
    max_failed: int = 5
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    username: str
    role: Role
    token: str  # goes to the cookie; the database keeps only its SHA-256
    csrf_token: str


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    return _HASHER.hash(password)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(store: StaffStore, username: str, password: str, role: str, now: datetime, display_name: str = "") -> int:
    if not USERNAME.match(username):
        raise AccountError(
            "Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số và . _ - (2–64 ký tự), ví dụ: vanthu hoặc nguyen.van.a."
        )
    try:
        role_value = Role(role)
    except ValueError:
        raise AccountError(f"Vai trò {role!r} không có; chọn admin, staff hoặc viewer.") from None
    if store.user_named(username) is not None:
        raise AccountError(f"Tên đăng nhập {username} đã có.")
    return store.add_user(username, display_name, role_value.value, hash_password(password), now).id


def set_password(store: StaffStore, username: str, password: str) -> None:
    user = store.user_named(username)
    if user is None:
        raise AccountError(f"Không có tài khoản {username}.")
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    store.end_sessions_of(user.id)


def sign_in(
    store: StaffStore, username: str, password: str, now: datetime, policy: LockoutPolicy, session_length: timedelta
) -> SignedIn:
    """A session for the right name and password; AccountError otherwise (the same words for a wrong
    name and a wrong password). After `max_failed` failures in a row the account is locked for a while."""
    user = store.user_named(username.strip().lower())
    if user is None or not user.active:
        try:
            _HASHER.verify(_DUMMY_HASH, password or "-")
        except VerificationError:
            pass
        raise AccountError("Sai tên đăng nhập hoặc mật khẩu.")
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise AccountError(f"Tài khoản tạm khoá vì nhập sai mật khẩu nhiều lần; thử lại sau {minutes} phút.")
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= policy.max_failed:
            user.locked_until, user.failed_logins = now + policy.lockout, 0
            raise AccountError(
                f"Tài khoản tạm khoá {int(policy.lockout.total_seconds() // 60)} phút vì nhập sai mật khẩu nhiều lần."
            ) from None
        raise AccountError("Sai tên đăng nhập hoặc mật khẩu.") from None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    store.drop_expired_sessions(now)
    store.add_session(token_digest(token), user.id, csrf, now, now + session_length)
    return SignedIn(user.id, user.username, Role(user.role), token, csrf)


# --- account management from the staff pages (an admin acting on another account) ---------------
def _named(store: StaffStore, username: str):  # type: ignore[no-untyped-def]
    user = store.user_named(username)
    if user is None:
        raise AccountError(f"Không có tài khoản {username}.")
    return user


def change_role(store: StaffStore, actor: str, username: str, role: str) -> tuple[str, str]:
    """Give `username` another role; returns (old, new). An admin cannot lower their own role
    (the office would risk having no admin left)."""
    try:
        new = Role(role)
    except ValueError:
        raise AccountError(f"Vai trò {role!r} không có; chọn admin, staff hoặc viewer.") from None
    user = _named(store, username)
    old = Role(user.role)
    if username == actor and not new.allows(old):
        raise AccountError("Bạn không thể tự hạ vai trò của chính mình; nhờ một quản trị viên khác làm việc này.")
    user.role = new.value  # read on every request: it applies from the user's next page
    return old.value, new.value


def set_active(store: StaffStore, actor: str, username: str, active: bool) -> None:
    """Lock (active=False: every session of the account ends) or unlock an account (unlocking also
    clears a temporary lock-out after wrong passwords). An admin cannot lock themself."""
    user = _named(store, username)
    if not active and username == actor:
        raise AccountError("Bạn không thể tự khoá tài khoản của chính mình.")
    user.active = active
    if active:
        user.failed_logins, user.locked_until = 0, None
    else:
        store.end_sessions_of(user.id)
