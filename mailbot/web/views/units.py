"""(being written)"""

from __future__ import annotations

from flask import Blueprint, render_template_string

bp = Blueprint("units", __name__)


@bp.route("/units")
def index() -> str:
    return render_template_string("{% extends \"base.html\" %}")
