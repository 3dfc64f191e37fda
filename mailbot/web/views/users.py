"""(being written)"""

from __future__ import annotations

from flask import Blueprint, render_template_string

from mailbot.service.accounts import Role
from mailbot.web.auth import requires

bp = Blueprint("users", __name__)


@bp.route("/users")
@requires(Role.ADMIN)
def index() -> str:
    return render_template_string("{% extends \"base.html\" %}")
