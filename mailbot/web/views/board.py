"""(being written)"""

from __future__ import annotations

from flask import Blueprint, render_template_string

bp = Blueprint("board", __name__)


@bp.route("/board")
def deadlines() -> str:
    return render_template_string("{% extends \"base.html\" %}")


@bp.route("/months")
def months() -> str:
    return render_template_string("{% extends \"base.html\" %}")


@bp.route("/year")
def year() -> str:
    return render_template_string("{% extends \"base.html\" %}")
