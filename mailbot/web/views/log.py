"""(being written)"""

from __future__ import annotations

from flask import Blueprint, render_template_string

bp = Blueprint("log", __name__)


@bp.route("/")
def index() -> str:
    return render_template_string("{% extends \"base.html\" %}")
