"""Thư cần xem lại: quarantined and held messages, and those rejected because of the units list;
staff judge one again (after fixing the units list) with a plain POST button."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from mailbot.service.accounts import Role
from mailbot.service.replies import describe_reasons
from mailbot.service.reprocess import ReprocessError, reprocess
from mailbot.labels import STATUS_VI
from mailbot.web.auth import audit, mailbot, requires
from mailbot.web.export import xlsx_response

bp = Blueprint("quarantine", __name__)

LIMIT = 200  # newest first; the rest stays in the staff log
# rejections that a change to the units list can turn around
REGISTRY_CODES = {"sender-unknown", "subject-unit-unknown", "sender-not-reporting", "subject-unit-mismatch"}
STATUSES = {"accepted", "rejected", "held", "ignored", "quarantined"}
FAILURES = {
    "notfound": "Không tìm thấy thư này.",
    "accepted": "Thư đã được tiếp nhận; không cần xử lý lại.",
    "raw": "Không đọc được tệp thư gốc; hãy báo quản trị viên.",
    "other": "Không xử lý lại được thư này.",
}


def reason_lines(reasons: list[dict[str, Any]], error: str | None = None) -> list[str]:
    """Each reason in Vietnamese (templates/reasons.toml), and the error when no reason already says it."""
    lines = [reason["text"] for reason in describe_reasons(reasons)]
    if error and not any(error in line for line in lines):
        lines.append(error)
    return lines


def _item(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "received": row.internal_date or row.recorded_at,
        "from_address": row.from_address,
        "from_name": row.from_name,
        "subject": row.subject,
        "status": row.status,
        "reasons": reason_lines(row.reasons, row.error),
        "error": row.error,
        "unit_id": row.unit_id,
    }


def _lists() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(quarantined and held, rejected because of the units list), newest first."""
    with mailbot().db.transaction() as reg:
        review = [_item(r) for r in reg.review_queue(["quarantined", "held"], LIMIT)]
        rejected = [
            _item(r)
            for r in reg.review_queue(["rejected"], LIMIT)
            if any(reason.get("code") in REGISTRY_CODES for reason in r.reasons or [])
        ]
    return review, rejected


@bp.route("/quarantine.xlsx")
def export() -> ResponseReturnValue:
    review, rejected = _lists()
    rows = [
        [item["id"], item["received"], item["from_address"] or "", item["subject"], STATUS_VI.get(item["status"], item["status"]),
         "; ".join(item["reasons"])]
        for item in review + rejected
    ]
    return xlsx_response(
        "thu-can-xem-lai.xlsx", "Thư cần xem lại",
        ["Số", "Nhận lúc", "Người gửi", "Tiêu đề", "Trạng thái", "Lý do"], rows,
    )


@bp.route("/quarantine")
def index() -> ResponseReturnValue:
    review, rejected = _lists()
    notice = None
    done = request.args.get("done", type=int)
    if done is not None:
        status = request.args.get("status", "")
        notice = {
            "id": done,
            "status": status if status in STATUSES else None,
            "queued": request.args.get("queued", 0, type=int),
            "failure": FAILURES.get(request.args.get("failed", ""), None) if request.args.get("failed") else None,
        }
    return render_template("quarantine_index.html", review=review, rejected=rejected, notice=notice, limit=LIMIT)


@bp.route("/quarantine/<int:message_id>/reprocess", methods=["POST"])
@requires(Role.STAFF)
def reprocess_message(message_id: int) -> ResponseReturnValue:
    app = mailbot()
    try:
        outcome = reprocess(app.poll_context(), message_id)
    except ReprocessError as exc:
        audit("reprocess-refused", str(message_id), {"error": str(exc)})
        if exc.code == "notfound":
            abort(404)
        return redirect(url_for("quarantine.index", done=message_id, failed=exc.code))
    audit(
        "reprocess",
        str(message_id),
        {"before": outcome.before, "status": outcome.status, "replies": outcome.replies_queued, "error": outcome.error},
    )
    return redirect(
        url_for("quarantine.index", done=message_id, status=outcome.status, queued=outcome.replies_queued)
    )
