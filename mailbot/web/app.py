"""The staff web application: one Flask app over the same settings and register as the daemon.

Flask because everything below it is synchronous (SQLAlchemy sessions, one transaction per use) and
its pages are Jinja2 like our replies; waitress serves it (pure Python, also on a Windows office PC).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, render_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from mailbot.bootstrap import App
from mailbot.errors import ConfigError
from mailbot.web import auth
from mailbot.web.format import install_filters

# No script runs on these pages; styles come from our own file only.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def create_web_app(mailbot: App) -> Flask:
    from mailbot.web.views import board, log, quarantine, units, users

    web = Flask(__name__)
    web.extensions["mailbot"] = mailbot
    web.config.update(MAX_CONTENT_LENGTH=20 * 1024 * 1024)  # a units file upload at most
    install_filters(web.jinja_env, mailbot.settings.timezone)
    web.jinja_env.globals["office_name"] = mailbot.settings.office_name
    web.jinja_env.globals["csrf_field"] = _csrf_field
    web.before_request(auth.load_user)
    web.after_request(_headers)
    web.register_error_handler(HTTPException, _error_page)
    for blueprint in (auth.bp, log.bp, board.bp, quarantine.bp, units.bp, users.bp):
        web.register_blueprint(blueprint)
    return web


def _csrf_field() -> Markup:
    user = g.get("user")
    token = user.csrf_token if user is not None else ""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


def _headers(response: Any) -> Any:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if g.get("user") is not None:
        response.headers["Cache-Control"] = "no-store"  # a shared office PC's back button shows nothing
    return response


ERRORS_VI = {
    400: "Yêu cầu không hợp lệ",
    401: "Cần đăng nhập",
    403: "Không đủ quyền",
    404: "Không tìm thấy",
    405: "Thao tác không được phép",
    413: "Tệp quá lớn",
}


def _error_page(exc: HTTPException) -> ResponseReturnValue:
    code = exc.code or 500
    title = ERRORS_VI.get(code, "Lỗi")
    detail = exc.description if code == 400 and exc.description and not exc.description.startswith("The ") else None
    return render_template("error.html", code=code, title=title, detail=detail), code


def make_server(mailbot: App, host: str | None = None, port: int | None = None) -> Any:
    """The waitress server, already listening: a port in use fails here, before anything else starts."""
    from waitress.server import create_server

    settings = mailbot.settings.web
    try:
        return create_server(
            create_web_app(mailbot), host=host or settings.host, port=port or settings.port, threads=settings.threads,
            ident="mailbot",
        )
    except OSError as exc:
        raise ConfigError(
            f"không mở được trang web tại {host or settings.host}:{port or settings.port}: {exc.strerror or exc}"
        ) from exc


def serve(mailbot: App, host: str | None = None, port: int | None = None) -> None:
    """Serve the pages with waitress until the process stops."""
    make_server(mailbot, host, port).run()
