"""(being written)"""

from __future__ import annotations

from flask import Blueprint, render_template_string

bp = Blueprint("quarantine", __name__)


@bp.route("/quarantine")
def index() -> str:
    return render_template_string("{% extends \"base.html\" %}")
