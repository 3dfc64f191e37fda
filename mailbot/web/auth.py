"""Sign-in, sign-out, the session guard, roles, CSRF and the audit trail of the staff pages.

Every page and file needs a signed-in session except the sign-in page and the style sheet. Every POST
carries the session's CSRF token (the sign-in form a double-submit cookie). The session cookie holds a
random token; the database keeps its SHA-256, so a stolen database copy opens no session.
"""

from __future__ import annotations

import functools
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from mailbot.adapters.staff_db import StaffStore
from mailbot.bootstrap import App
from mailbot.service.accounts import AccountError, LockoutPolicy, Role, sign_in, token_digest

SESSION_COOKIE = "mailbot_session"
LOGIN_CSRF_COOKIE = "mailbot_login_csrf"
PUBLIC_ENDPOINTS = {"auth.login", "static"}
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def mailbot() -> App:
    return current_app.extensions["mailbot"]


def requires(role: Role) -> Callable[[F], F]:
    """A view for this role and above; a lower role gets 403 (and the attempt is audited)."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = g.get("user")
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if not user.role.allows(role):
                audit("forbidden", request.path, {"needed": role.value})
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return wrap


def audit(action: str, target: str = "", details: dict[str, Any] | None = None, username: str | None = None) -> None:
    """One line of the audit log, in its own transaction (kept even when the action then fails)."""
    app = mailbot()
    user = g.get("user")
    with app.db.transaction() as reg:
        StaffStore(reg.session).audit(
            app.clock(), username or (user.username if user else None), action, target, details, request.remote_addr
        )


class CurrentUser:
    def __init__(self, user_id: int, username: str, display_name: str, role: Role, csrf_token: str, token_sha: str):
        self.id, self.username, self.display_name, self.role = user_id, username, display_name, role
        self.csrf_token, self.token_sha = csrf_token, token_sha

    def can(self, role: str) -> bool:
        return self.role.allows(Role(role))


def load_user() -> ResponseReturnValue | None:
    """before_request: find the session; refuse what needs one; check CSRF on every POST."""
    g.user = None
    if request.path == "/favicon.ico":
        abort(404)  # browsers ask by themselves; never send that to the sign-in page
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        app = mailbot()
        with app.db.transaction() as reg:
            found = StaffStore(reg.session).live_session(token_digest(token), app.clock())
            if found is not None:
                session, user = found
                g.user = CurrentUser(user.id, user.username, user.display_name, Role(user.role), session.csrf_token, session.token_sha256)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if g.user is None:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path))
        abort(401)
    if request.method == "POST" and not _same(request.form.get("csrf_token"), g.user.csrf_token):
        audit("csrf-refused", request.path)
        abort(400, description="Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã CSRF). Hãy tải lại trang rồi thử lại.")
    return None


def _same(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())  # type: ignore[union-attr]


def _secure_cookie() -> bool:
    mode = mailbot().settings.web.cookie_secure
    return mode == "always" or (mode == "auto" and request.is_secure)


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never //host or a scheme): no open redirect after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("log.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("log.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    app = mailbot()
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "")[:64]
        if not _same(request.form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE, "")):
            error = "Biểu mẫu đã hết hạn; hãy nhập lại."
        else:
            web = app.settings.web
            policy = LockoutPolicy(web.max_failed_logins, timedelta(minutes=web.lockout_minutes))
            signed = None
            with app.db.transaction() as reg:  # committed either way: a failure counts towards the lock
                try:
                    signed = sign_in(
                        StaffStore(reg.session), username, request.form.get("password", ""), app.clock(), policy,
                        timedelta(hours=web.session_hours),
                    )
                except AccountError as exc:
                    error = str(exc)
            if signed is None:
                audit("login-failed", username.strip().lower(), username="")
            else:
                audit("login", signed.username, username=signed.username)
                response = redirect(_safe_next(request.args.get("next")))
                response.set_cookie(
                    SESSION_COOKIE, signed.token, max_age=int(web.session_hours * 3600), httponly=True, samesite="Lax",
                    secure=_secure_cookie(), path="/",
                )
                response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
                return response
    # Keep the browser's sign-in token: its own requests (the favicon, a second tab) load this page too,
    # and a new token would spoil the form already on screen.
    csrf = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not _TOKEN.fullmatch(csrf):
        csrf = secrets.token_urlsafe(32)
    body = render_template("login.html", csrf_token=csrf, error=error, username=username)
    response = current_app.make_response((body, 200 if error is None else 401))
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="Strict", secure=_secure_cookie(), path="/login")
    return response


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    app = mailbot()
    with app.db.transaction() as reg:
        StaffStore(reg.session).end_session(g.user.token_sha)
    audit("logout", g.user.username)
    response = redirect(url_for("auth.login"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
