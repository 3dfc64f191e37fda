"""Staff-page fixtures: a register filled by the real pipeline from the bundled sample mailbox (folder
inbox, folder outbox), on SQLite and PostgreSQL, with one account per role and signed-in test clients."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mailbot.adapters.staff_db import StaffStore
from mailbot.bootstrap import App, bootstrap
from mailbot.service.accounts import add_user
from mailbot.settings import ImapSettings, Settings, SmtpSettings
from mailbot.web.app import create_web_app
from tests.conftest import new_database

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "mailbot" / "demo" / "mailbox"
UNITS = ROOT / "config" / "units.example.csv"
PASSWORDS = {"admin": "quan-tri-2026!", "staff": "chuyen-vien-2026!", "viewer": "chi-xem-2026!"}
ARRIVALS = datetime(2026, 11, 3, 7, 30, tzinfo=timezone.utc)  # the samples arrive 3 hours apart from here
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Staff:
    """The mailbot App, the Flask app, and where its mailbox and outbox live."""

    mailbot: App
    web: Flask
    mailbox: Path
    outbox: Path

    def client(self) -> FlaskClient:
        return self.web.test_client()

    def sign_in(self, role: str) -> "SignedClient":
        client = self.web.test_client()
        page = client.get("/login")
        token = _TOKEN.search(page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
        response = client.post("/login", data={"username": role, "password": PASSWORDS[role], "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return SignedClient(client, self.csrf_of(client))

    def csrf_of(self, client: FlaskClient) -> str:
        page = client.get("/")
        return _TOKEN.search(page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]

    def deliver_mail(self, name: str, raw: bytes, arrived: datetime | None = None) -> None:
        """Put one more message in the mailbox folder and run a poll and a delivery round."""
        target = self.mailbox / name
        target.write_bytes(raw)
        if arrived is not None:
            os.utime(target, (arrived.timestamp(), arrived.timestamp()))
        self.mailbot.poll()
        self.mailbot.deliver()


@dataclass
class SignedClient:
    client: FlaskClient
    csrf: str

    def get(self, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, **kw):  # type: ignore[no-untyped-def]
        """A form post carrying the session's CSRF token (as the pages' own forms do)."""
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kw)


def make_staff(db_url: str, workdir: Path, samples: bool = True) -> Staff:
    mailbox, outbox = workdir / "mailbox", workdir / "replies"
    mailbox.mkdir(parents=True)
    if samples:
        for index, sample in enumerate(sorted(SAMPLES.glob("*.eml"))):
            target = mailbox / sample.name
            shutil.copyfile(sample, target)
            stamp = (ARRIVALS + timedelta(hours=3 * index)).timestamp()
            os.utime(target, (stamp, stamp))
    settings = Settings(
        database_url=db_url,
        data_dir=workdir / "data",
        units_file=UNITS,
        answer_since=datetime(2000, 1, 1, tzinfo=timezone.utc),
        imap=ImapSettings(mode="folder", path=mailbox),
        smtp=SmtpSettings(mode="folder", path=outbox),
    )
    app = bootstrap(settings)
    app.prepare()
    app.poll()
    app.deliver()
    with app.db.transaction() as reg:
        store = StaffStore(reg.session)
        for role, password in PASSWORDS.items():
            add_user(store, role, password, role, app.clock(), display_name=f"Cán bộ {role}")
    web = create_web_app(app)
    web.testing = True
    return Staff(app, web, mailbox, outbox)


@pytest.fixture
def staff(db_url: str, tmp_path: Path) -> Iterator[Staff]:
    """The sample mailbox recorded by the real pipeline, on each database, with three accounts.
    Fresh for every test: use it for tests that change something (reprocess, edit units, users)."""
    built = make_staff(db_url, tmp_path)
    yield built
    built.mailbot.db.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def staff_ro(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staff]:
    """The same, built once per test module and database: only for tests that read (signing in is fine)."""
    workdir = tmp_path_factory.mktemp("staff")
    with new_database(request.param, workdir) as url:
        built = make_staff(url, workdir)
        yield built
        built.mailbot.db.dispose()
