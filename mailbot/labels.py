"""Vietnamese labels staff read in the CLI and on the staff pages."""

STATUS_VI = {
    "accepted": "đã tiếp nhận",
    "rejected": "từ chối",
    "held": "chờ văn thư xem",
    "ignored": "không trả lời",
    "quarantined": "cách ly",
}
REPLY_VI = {"receipt": "biên nhận", "rejection": "thư từ chối"}
