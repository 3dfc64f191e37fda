"""mailbot.settings.load_settings: MAILBOT_* environment over an optional TOML file; secrets only from the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mailbot.errors import ConfigError
from mailbot.settings import load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No MAILBOT_* variable from the caller's shell, and no real config/mailbot.toml in reach."""
    for name in list(os.environ):
        if name.startswith("MAILBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write_toml(tmp_path: Path, text: str, name: str = "mailbot.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    settings = load_settings()
    assert settings.office_address == "pgdbinhdai@bentre.edu.vn"
    assert settings.allowed_domain == "bentre.edu.vn"
    assert settings.poll_interval == 60
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert (settings.imap.host, settings.imap.port, settings.imap.security) == ("localhost", 993, "ssl")
    assert settings.own_addresses == frozenset({"pgdbinhdai@bentre.edu.vn"})


def test_environment_flat_and_nested(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_IMAP__HOST", "mail.bentre.edu.vn")
    monkeypatch.setenv("MAILBOT_IMAP__PORT", "143")
    monkeypatch.setenv("MAILBOT_SMTP__SECURITY", "starttls")
    monkeypatch.setenv("MAILBOT_POLL_INTERVAL", "15")
    settings = load_settings()
    assert (settings.imap.host, settings.imap.port) == ("mail.bentre.edu.vn", 143)
    assert settings.imap.security == "ssl"  # untouched nested fields keep their defaults
    assert settings.smtp.security == "starttls"
    assert settings.poll_interval == 15


TOML = """\
poll_interval = 30
batch_size = 7
office_name = "Phòng GD&ĐT Bình Đại"

[imap]
host = "toml.bentre.edu.vn"
port = 143
security = "starttls"
username = "pgdbinhdai@bentre.edu.vn"

[smtp]
host = "smtp.bentre.edu.vn"
from_address = "BaoCao-NoReply@BenTre.edu.vn"
"""


def test_toml_file(tmp_path: Path) -> None:
    settings = load_settings(write_toml(tmp_path, TOML))
    assert (settings.poll_interval, settings.batch_size) == (30, 7)
    assert settings.office_name == "Phòng GD&ĐT Bình Đại"
    assert (settings.imap.host, settings.imap.port, settings.imap.security) == ("toml.bentre.edu.vn", 143, "starttls")
    assert settings.smtp.host == "smtp.bentre.edu.vn"
    assert settings.smtp.from_address == "baocao-noreply@bentre.edu.vn"  # addresses are lower-cased
    assert settings.own_addresses == frozenset({"pgdbinhdai@bentre.edu.vn", "baocao-noreply@bentre.edu.vn"})


def test_environment_overrides_toml_key_by_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_IMAP__HOST", "env.bentre.edu.vn")
    monkeypatch.setenv("MAILBOT_POLL_INTERVAL", "5")
    settings = load_settings(write_toml(tmp_path, TOML))
    assert settings.imap.host == "env.bentre.edu.vn"
    assert settings.poll_interval == 5
    # the rest of the file still counts, including the other keys of the same table
    assert (settings.imap.port, settings.imap.security, settings.batch_size) == (143, "starttls", 7)


def test_default_config_file_is_read_from_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    write_toml(tmp_path / "config", "poll_interval = 42\n")
    assert load_settings().poll_interval == 42


def test_overrides_win_over_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_POLL_INTERVAL", "5")
    assert load_settings(write_toml(tmp_path, TOML), poll_interval=9).poll_interval == 9


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ('[imap]\nhost = "h"\npassword = "s3cr3t"\n', "imap.password"),
        ('[smtp]\npassword = "s3cr3t"\n', "smtp.password"),
        ('[imap]\npassword = ""\n[smtp]\npassword = "x"\n', "imap.password, smtp.password"),
    ],
)
def test_password_in_toml_is_refused(tmp_path: Path, text: str, keys: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write_toml(tmp_path, text))
    message = str(caught.value)
    assert f"({keys})" in message
    assert "MAILBOT_IMAP__PASSWORD" in message
    assert "s3cr3t" not in message


@pytest.mark.parametrize(
    ("key", "env"),
    [
        ("office_address", "MAILBOT_OFFICE_ADDRESS"),
        ("smtp.from_address", "MAILBOT_SMTP__FROM_ADDRESS"),
        ("imap.username", "MAILBOT_IMAP__USERNAME"),
    ],
)
def test_cyrillic_office_address_is_refused(monkeypatch: pytest.MonkeyPatch, key: str, env: str) -> None:
    monkeypatch.setenv(env, "pgdbinhдай@bentre.edu.vn")  # as printed in the 2022 letter
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert key in message
    assert "U+0434" in message
    assert "CYRILLIC SMALL LETTER DE" in message


def test_cyrillic_office_address_in_toml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"office_address.*U\+0434"):
        load_settings(write_toml(tmp_path, 'office_address = "pgdbinhдай@bentre.edu.vn"\n'))


def test_look_alike_allowed_domain_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_ALLOWED_DOMAIN", "bentr\u0435.edu.vn")
    with pytest.raises(ConfigError, match=r"allowed_domain.*U\+0435"):
        load_settings()


@pytest.mark.parametrize(
    ("env", "value", "where"),
    [
        ("MAILBOT_POLL_INTERVAL", "0", "poll_interval"),
        ("MAILBOT_BATCH_SIZE", "5000", "batch_size"),
        ("MAILBOT_IMAP__SECURITY", "tls", "imap.security"),
        ("MAILBOT_ANSWER_SINCE", "2026-12-01T00:00:00", "answer_since"),
    ],
)
def test_invalid_values_are_config_errors(monkeypatch: pytest.MonkeyPatch, env: str, value: str, where: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=where):
        load_settings()


def test_unknown_key_in_toml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="imap.hots"):
        load_settings(write_toml(tmp_path, '[imap]\nhots = "typo"\n'))


def test_missing_or_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Không tìm thấy"):
        load_settings(tmp_path / "nowhere.toml")
    with pytest.raises(ConfigError, match="TOML"):
        load_settings(write_toml(tmp_path, "poll_interval = = 3\n"))


def test_passwords_come_from_the_environment_and_are_masked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MAILBOT_IMAP__PASSWORD", "imap-S3cr3t!")
    monkeypatch.setenv("MAILBOT_SMTP__PASSWORD", "smtp-S3cr3t!")
    monkeypatch.setenv("MAILBOT_DATABASE_URL", "postgresql+psycopg://mailbot:db-S3cr3t!@db.local/mailbot")
    settings = load_settings(write_toml(tmp_path, TOML))
    assert settings.imap.password.get_secret_value() == "imap-S3cr3t!"
    assert settings.smtp.password.get_secret_value() == "smtp-S3cr3t!"
    masked = settings.masked()
    dumped = json.dumps(masked, ensure_ascii=False)
    for secret in ("imap-S3cr3t!", "smtp-S3cr3t!", "db-S3cr3t!", "S3cr3t"):
        assert secret not in dumped
    assert masked["imap"]["password"] == "********"
    assert masked["smtp"]["password"] == "********"
    assert masked["database_url"] == "postgresql+psycopg://mailbot:***@db.local/mailbot"
    assert masked["imap"]["host"] == "toml.bentre.edu.vn"  # the rest stays readable
    assert "imap-S3cr3t!" not in repr(settings) and "smtp-S3cr3t!" not in repr(settings)


def test_masked_leaves_an_empty_password_empty() -> None:
    masked = load_settings().masked()
    assert masked["imap"]["password"] == "" and masked["smtp"]["password"] == ""


def test_a_mistyped_variable_is_refused_with_a_suggestion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_IMAP_HOST", "mail.example")  # one underscore instead of two
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "MAILBOT_IMAP_HOST (có phải MAILBOT_IMAP__HOST?)" in str(caught.value)


def test_every_setting_and_test_knob_is_a_known_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from mailbot.settings import NOT_SETTINGS, known_env_names

    assert {"MAILBOT_DATABASE_URL", "MAILBOT_POLL_INTERVAL", "MAILBOT_IMAP__PASSWORD", "MAILBOT_SMTP__FROM_ADDRESS"} <= known_env_names()
    for name in NOT_SETTINGS:
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("mailbot_imap__host", "lower-case works too")
    assert load_settings().imap.host == "lower-case works too"
