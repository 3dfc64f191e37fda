"""Every route of the staff app, from its URL map (a new route is covered without editing this file):
nothing without sign-in, no change by a viewer, no account page for anyone but an admin."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from tests.web.conftest import Staff

# Values for the URL parameters the routes use; an unknown parameter fails the test so it is added here.
ARGUMENTS = {
    "id": 1,
    "message_id": 1,
    "position": 0,
    "reply_id": 1,
    "unit_id": "THCS-thoilai",
    "user_id": 1,
    "username": "viewer",
    "token": "0" * 32,
}
OPEN_TO_ALL = {"static", "auth.login"}
ANY_SIGNED_IN_MAY_POST = {"auth.logout"}


def _rules(staff: Staff) -> list[Rule]:
    return [r for r in staff.web.url_map.iter_rules() if r.endpoint not in OPEN_TO_ALL]


def _url(rule: Rule) -> str:
    unknown = set(rule.arguments) - set(ARGUMENTS)
    assert not unknown, f"{rule.rule}: add a test value for {unknown}"
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", str(ARGUMENTS[name]))
        for converter in ("int", "string", "path"):
            path = path.replace(f"<{converter}:{name}>", str(ARGUMENTS[name]))
    return path


def test_the_map_has_the_pages_the_issue_asks_for(staff_ro: Staff) -> None:
    endpoints = {r.endpoint for r in _rules(staff_ro)}
    for needed in ("log.index", "board.deadlines", "board.months", "board.year", "quarantine.index", "units.index", "users.index"):
        assert needed in endpoints


def test_nothing_without_sign_in(staff_ro: Staff) -> None:
    client = staff_ro.client()
    for rule in _rules(staff_ro):
        url = _url(rule)
        if "GET" in rule.methods:
            response = client.get(url)
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
        if "POST" in rule.methods:
            assert client.post(url, data={}).status_code == 401, url


def test_a_viewer_changes_nothing(staff_ro: Staff) -> None:
    viewer = staff_ro.sign_in("viewer")
    posts = [r for r in _rules(staff_ro) if "POST" in r.methods and r.endpoint not in ANY_SIGNED_IN_MAY_POST]
    assert posts, "the app has forms"
    for rule in posts:
        assert viewer.post(_url(rule), data={"name": "x", "address": "x@bentre.edu.vn"}).status_code == 403, rule.rule
        if "GET" in rule.methods:  # the form itself
            assert viewer.get(_url(rule)).status_code == 403, rule.rule


@pytest.mark.parametrize("role", ["viewer", "staff"])
def test_account_pages_are_for_admins_only(staff_ro: Staff, role: str) -> None:
    client = staff_ro.sign_in(role)
    for rule in _rules(staff_ro):
        if not rule.endpoint.startswith("users."):
            continue
        url = _url(rule)
        if "GET" in rule.methods:
            assert client.get(url).status_code == 403, url
        if "POST" in rule.methods:
            assert client.post(url, data={"role": "admin", "password": "x" * 12}).status_code == 403, url
