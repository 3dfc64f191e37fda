"""Vietnamese labels staff read in the CLI (and later the web pages)."""

STATUS_VI = {
    "accepted": "đã tiếp nhận",
    "rejected": "từ chối",
    "ignored": "không trả lời",
    "quarantined": "cách ly",
}
REPLY_VI = {"receipt": "biên nhận", "rejection": "thư từ chối"}
