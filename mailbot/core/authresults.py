"""Authentication-Results (RFC 8601): what the office's OWN receiving server found about DKIM, SPF
and DMARC. Headers added by anyone else, further down the message, are ignored: a sender can write
whatever it likes there."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_RESULT = re.compile(r"\b(dkim|spf|dmarc)\s*=\s*([a-z]+)([^;]*)", re.IGNORECASE)
_PROPERTY = re.compile(r"\b(header\.d|header\.i|header\.from|smtp\.mailfrom)\s*=\s*\"?([^\s;\"]+)", re.IGNORECASE)
_COMMENT = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Verification:
    method: str  # dkim | spf | dmarc
    result: str  # pass | fail | none | neutral | …
    domain: str  # header.d / header.from / smtp.mailfrom domain, lower case ("" when absent)


def trusted_results(headers: Sequence[str], authserv_id: str) -> list[Verification] | None:
    """The results of the FIRST (topmost) Authentication-Results header whose authserv-id is ours;
    None when our server added none."""
    for header in headers:
        text = _COMMENT.sub(" ", header).strip()
        server = text.split(";", 1)[0].split()[0].lower() if text.split(";", 1)[0].split() else ""
        if server != authserv_id.lower():
            continue
        found = []
        for method, result, rest in _RESULT.findall(text.split(";", 1)[1] if ";" in text else ""):
            prop = _PROPERTY.search(rest)
            domain = prop.group(2).rpartition("@")[2].lower() if prop else ""
            found.append(Verification(method.lower(), result.lower(), domain))
        return found
    return None


def aligned(domain: str, from_domain: str) -> bool:
    """Relaxed DMARC alignment: the same organisational domain (exact or a subdomain of it)."""
    domain, from_domain = domain.lower().rstrip("."), from_domain.lower().rstrip(".")
    return bool(domain) and (from_domain == domain or from_domain.endswith("." + domain) or domain.endswith("." + from_domain))


def authenticated(results: Sequence[Verification], from_domain: str) -> bool:
    """DMARC pass, or a DKIM pass whose signing domain is aligned with the From domain."""
    return any(v.method == "dmarc" and v.result == "pass" for v in results) or any(
        v.method == "dkim" and v.result == "pass" and aligned(v.domain, from_domain) for v in results
    )
