"""Settings: MAILBOT_* environment variables over an optional TOML file; secrets only from the environment."""

from __future__ import annotations

import contextvars
import difflib
import os
import tomllib
from collections.abc import Mapping
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from mailbot.core.text import first_non_ascii
from mailbot.errors import ConfigError

DEFAULT_CONFIG = Path("config/mailbot.toml")
_SECRET_KEYS = {"password"}
_toml_data: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("toml_data", default=None)

Security = Literal["ssl", "starttls", "none"]


def _ascii_address(value: str, info: ValidationInfo) -> str:
    """Refuse look-alike letters: the office's own letter prints its mailbox with Cyrillic д, а, й."""
    bad = first_non_ascii(value)
    if bad is not None:
        index, ch = bad
        name = unicodedata.name(ch, "UNKNOWN")
        raise ValueError(
            f"{info.field_name} = {value!r}: ký tự thứ {index + 1} '{ch}' (U+{ord(ch):04X} {name}) không phải "
            "chữ ASCII; địa chỉ thư phải gõ bằng chữ Latin không dấu"
        )
    return value.strip().lower()


def _login_name(value: str, info: ValidationInfo) -> str:
    """A login that is an address obeys the address rule; a plain account name is kept as written."""
    return _ascii_address(value, info) if "@" in value else value


AsciiAddress = Annotated[str, AfterValidator(_ascii_address)]
LoginName = Annotated[str, AfterValidator(_login_name)]


class ImapSettings(BaseModel):
    model_config = {"extra": "forbid"}

    mode: Literal["imap", "folder"] = "imap"  # "folder": read .eml files from `path` (demo, offline)
    host: str = "localhost"
    port: int = 993
    security: Security = "ssl"
    username: LoginName = ""
    password: SecretStr = SecretStr("")
    folder: str = "INBOX"
    done_keyword: str = "$MailbotDone"
    path: Path = Path("var/mailbox")
    timeout: float = 60.0


class SmtpSettings(BaseModel):
    model_config = {"extra": "forbid"}

    mode: Literal["smtp", "folder"] = "smtp"  # "folder": write replies as .eml files into `path`
    host: str = "localhost"
    port: int = 465
    security: Security = "ssl"
    username: LoginName = ""
    password: SecretStr = SecretStr("")
    from_address: AsciiAddress = "pgdbinhdai@bentre.edu.vn"
    path: Path = Path("var/replies")
    timeout: float = 60.0
    max_attempts: int = Field(8, ge=1)
    retry_base_seconds: float = Field(60.0, gt=0)


class RulesSettings(BaseModel):
    """Tuning of the judging rules (docs/rules.md)."""

    model_config = {"extra": "forbid"}

    disabled: list[str] = []  # rule ids, as `mailbot rules list` prints them
    unit_mismatch: Literal["reject", "hold"] = "reject"  # the subject names another unit
    two_units: Literal["hold", "reject"] = "hold"  # the subject names two units
    allowed_attachments: list[Literal["word", "excel", "archive", "pdf"]] = ["word", "excel", "archive"]
    require_attachment: bool = False  # a report without any file is refused
    max_message_mb: float = Field(25.0, gt=0)
    # Trust only the Authentication-Results header added by the office's own receiving server (its
    # authserv-id, e.g. "mail.bentre.edu.vn"); with it set, school mail needs DMARC pass or an aligned
    # DKIM pass, or it is held for staff and not answered. Unset: the check is off.
    authserv_id: str | None = None
    max_replies_per_sender_per_hour: int = Field(10, ge=1)  # loop guard against autoresponders
    max_replies_per_hour: int = Field(300, ge=1)
    # Wall-clock limit for parsing + judging one message, run in a helper process that is killed when
    # the limit passes (the message is quarantined, the ones behind it go on). 0: in-process, no limit.
    max_seconds_per_message: float = Field(30.0, ge=0)

    @field_validator("disabled")
    @classmethod
    def _known_rules(cls, value: list[str]) -> list[str]:
        from mailbot.rules import ALL_RULES

        known = {rule.id for rule in ALL_RULES}
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"không có quy tắc {', '.join(unknown)}; các quy tắc: {', '.join(sorted(known))}")
        return value


class RemindersSettings(BaseModel):
    """Opt-in reminders to units that still owe a report, and a daily digest to staff."""

    model_config = {"extra": "forbid"}

    enabled: bool = False
    days_before: int = Field(3, ge=1, le=30)  # one reminder this many days before a deadline
    overdue_notice: bool = True  # one notice after the deadline has passed
    digest_hour: int = Field(7, ge=0, le=23)  # local hour after which the day's digest goes to staff


class WebSettings(BaseModel):
    """The staff pages (`mailbot serve`, `mailbot run --web`)."""

    model_config = {"extra": "forbid"}

    host: str = "127.0.0.1"  # the office network address to listen on, e.g. 0.0.0.0
    port: int = Field(8080, ge=1, le=65535)
    session_hours: float = Field(8.0, gt=0)  # a signed-in browser stays signed in this long
    max_failed_logins: int = Field(5, ge=1)  # then the account is locked for lockout_minutes
    lockout_minutes: int = Field(15, ge=1)
    # "auto": Secure cookies when the page came over HTTPS; "always" behind a TLS proxy
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    page_size: int = Field(50, ge=10, le=500)
    threads: int = Field(4, ge=1, le=32)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAILBOT_", env_nested_delimiter="__", extra="forbid")

    database_url: str = "sqlite:///var/mailbot.db"
    data_dir: Path = Path("var/data")
    units_file: Path | None = None  # imported at start-up when the register has no units yet
    office_name: str = "Phòng Giáo dục và Đào tạo huyện Bình Đại"
    office_address: AsciiAddress = "pgdbinhdai@bentre.edu.vn"
    allowed_domain: AsciiAddress = "bentre.edu.vn"
    poll_interval: int = Field(60, ge=1)
    batch_size: int = Field(50, ge=1, le=1000)
    # Mail that arrived before the first start is recorded but not answered ("start from now");
    # with answer_since set, mail with INTERNALDATE from that moment on is answered instead.
    answer_since: datetime | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    imap: ImapSettings = ImapSettings()
    smtp: SmtpSettings = SmtpSettings()
    rules: RulesSettings = RulesSettings()
    reports_file: Path | None = None  # the report calendar; None: the bundled config/reports.toml
    staff_address: AsciiAddress | None = None  # urgent reports are forwarded here; digests go here
    reminders: RemindersSettings = RemindersSettings()
    web: WebSettings = WebSettings()

    @field_validator("answer_since")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("answer_since cần có múi giờ, ví dụ 2026-12-01T00:00:00+07:00")
        return v

    @model_validator(mode="after")
    def _timezone_exists(self) -> "Settings":
        from zoneinfo import ZoneInfo

        ZoneInfo(self.timezone)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlSource(settings_cls)

    def masked(self) -> dict[str, Any]:
        """The effective settings with every secret replaced by stars (for check-config and logs)."""
        data = self.model_dump(mode="json")
        for section in ("imap", "smtp"):
            if data[section].get("password"):
                data[section]["password"] = "********"
        data["database_url"] = _mask_url(self.database_url)
        return data

    @property
    def own_addresses(self) -> frozenset[str]:
        return frozenset({self.office_address, self.smtp.from_address})


class _TomlSource(PydanticBaseSettingsSource):
    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return (_toml_data.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_toml_data.get() or {})


def _mask_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "********"


def _find_secrets(data: dict[str, Any], prefix: str = "") -> list[str]:
    found = []
    for key, value in data.items():
        if isinstance(value, dict):
            found += _find_secrets(value, f"{prefix}{key}.")
        elif key in _SECRET_KEYS:
            found.append(prefix + key)
    return found


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Read the TOML file (explicit, or config/mailbot.toml when present) and the environment."""
    path = config if config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"Không tìm thấy tệp cấu hình {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Tệp cấu hình {path} sai cú pháp TOML: {exc}") from exc
        secrets = _find_secrets(data)
        if secrets:
            raise ConfigError(
                f"Tệp cấu hình {path} chứa mật khẩu ({', '.join(secrets)}); mật khẩu chỉ được đặt qua biến môi "
                "trường, ví dụ MAILBOT_IMAP__PASSWORD"
            )
    _refuse_unknown_env(os.environ)
    token = _toml_data.set(data)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from exc
    finally:
        _toml_data.reset(token)


# MAILBOT_* variables that are not settings: the crash- and slow-judging test hooks and the test
# suite's own knobs.
NOT_SETTINGS = {"MAILBOT_CRASH_AT", "MAILBOT_SLOW_JUDGE", "MAILBOT_TEST_PG_URL", "MAILBOT_REQUIRE_SERVERS"}


def known_env_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        section = field.annotation if isinstance(field.annotation, type) else None
        if section is not None and issubclass(section, BaseModel):
            names |= {f"MAILBOT_{name}__{sub}".upper() for sub in section.model_fields}
        else:
            names.add(f"MAILBOT_{name}".upper())
    return names


def _refuse_unknown_env(environ: Mapping[str, str]) -> None:
    """A mistyped variable (MAILBOT_IMAP_HOST for MAILBOT_IMAP__HOST) would be silently ignored."""
    known = known_env_names() | NOT_SETTINGS
    unknown = sorted(k for k in environ if k.upper().startswith("MAILBOT_") and k.upper() not in known)
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key.upper(), sorted(known), n=1)
            hints.append(f"{key} (có phải {close[0]}?)" if close else key)
        raise ConfigError("Biến môi trường không có trong cấu hình: " + ", ".join(hints))


def _explain(exc: ValidationError) -> str:
    lines = ["Cấu hình không hợp lệ:"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        lines.append(f"  - {where}: {message}")
    return "\n".join(lines)
