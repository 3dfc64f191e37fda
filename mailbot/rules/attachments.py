"""attachments: Word or Excel files, possibly compressed, judged by their content, not their name."""

from __future__ import annotations

from mailbot.core.attachments import list_archive, sniff
from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy

_FAMILY_VI = {"word": "Word", "excel": "Excel", "archive": "tệp nén (zip, rar, 7z)", "pdf": "PDF"}
_INLINE_TYPES = ("image/",)  # logos and signatures pasted in the body are not reports


class Attachments:
    id = "attachments"
    codes = ("attachment-missing", "attachment-disguised", "attachment-type")
    description = "Tệp gửi kèm phải là Word hoặc Excel (có thể nén), kiểm tra theo nội dung tệp."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        files = [a for a in case.mail.attachments if a.data]
        kinds = [(a, sniff(a.data, a.filename)) for a in files]
        for attachment, kind in kinds:
            if kind.family == "executable":  # whatever it claims to be, an image included
                return Reason("attachment-disguised", Action.REJECT, {"filename": attachment.filename})
        # logos and signatures pasted in the body are not reports
        reports = [(a, k) for a, k in kinds if not (a.content_type.startswith(_INLINE_TYPES) and k.family == "other")]
        if not reports:
            return Reason("attachment-missing", Action.REJECT) if policy.require_attachment else None
        allowed = ", ".join(_FAMILY_VI[f] for f in sorted(policy.allowed_attachments))
        for attachment, kind in reports:
            if kind.family not in policy.allowed_attachments:
                return Reason("attachment-type", Action.REJECT, {"filename": attachment.filename, "allowed": allowed})
            if kind.family == "archive":
                listing = list_archive(attachment.data)
                if listing is not None and any(m.family == "executable" for m in listing.members):
                    return Reason("attachment-disguised", Action.REJECT, {"filename": attachment.filename})
        return None
