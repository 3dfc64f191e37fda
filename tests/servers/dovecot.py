"""Throwaway standalone Dovecot IMAP server on loopback, for tests that need a real IMAP peer."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import grp
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from .ports import free_port

__all__ = ["Dovecot", "DovecotError", "ensure_dovecot_installed"]

IMAP_BINARY = Path("/usr/lib/dovecot/imap")
# Dovecot refuses uid 0 for mail access; any unused numeric uid works, it need not exist.
ROOT_MAIL_UID = ROOT_MAIL_GID = 5000
APPEND_BATCH = 100
# UIDVALIDITY values reserved per account, so every folder of every account gets a distinct one.
UIDVALIDITY_STRIDE = 1000
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) ([0-9:,]+)\]", re.IGNORECASE)
# strong references: an instance dropped without stop() is still stopped at interpreter exit
_running: set[Dovecot] = set()


class DovecotError(RuntimeError):
    """Dovecot could not be installed, started or reached."""


def ensure_dovecot_installed() -> None:
    """Install dovecot-imapd when missing (root only) without starting the system Dovecot."""
    if shutil.which("dovecot") and os.access(IMAP_BINARY, os.X_OK):
        return
    if os.geteuid() != 0:
        raise DovecotError("dovecot-imapd is missing and we are not root: apt-get install dovecot-imapd")
    # The package's postinst would start a system Dovecot on 0.0.0.0:143; policy-rc.d exit 101 forbids it.
    policy = Path("/usr/sbin/policy-rc.d")
    own_policy = not os.path.lexists(policy)
    if own_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "dovecot-imapd"]
    try:
        if subprocess.run(install, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, check=True)
            subprocess.run(install, env=env, capture_output=True, check=True)
    except subprocess.CalledProcessError as exc:
        raise DovecotError(f"installing dovecot-imapd failed: {exc.stderr.decode(errors='replace')}") from exc
    finally:
        if own_policy:
            policy.unlink(missing_ok=True)
    if Path("/run/dovecot/master.pid").exists():
        subprocess.run(["doveadm", "-c", "/etc/dovecot/dovecot.conf", "stop"], capture_output=True)


def _check_version() -> None:
    # Dovecot 2.4 renamed most settings (mail_location, disable_plaintext_auth, ...); this config is 2.3's.
    out = subprocess.run(["dovecot", "--version"], capture_output=True, text=True).stdout
    match = re.match(r"(\d+)\.(\d+)", out)
    if match is None or (int(match[1]), int(match[2])) != (2, 3):
        raise DovecotError(f"this fixture writes a Dovecot 2.3 config; found version {out.strip()!r}")


def _parse_uid_set(text: bytes) -> list[int]:
    uids: list[int] = []
    for part in text.split(b","):
        lo, _, hi = part.partition(b":")
        uids.extend(range(int(lo), int(hi or lo) + 1))
    return uids


def _appended_uids(response: bytes) -> list[int]:
    match = _APPENDUID.search(response)
    return _parse_uid_set(match.group(2)) if match else []


def _multiappend(imap: IMAPClient, folder: str, raws: list[bytes]) -> list[int]:
    # IMAPClient.multiappend returns (typ, data) and does not raise on NO.
    typ, data = imap.multiappend(folder, raws)
    if typ != "OK":
        raise IMAPClientError(f"MULTIAPPEND to {folder!r} failed: {typ} {data!r}")
    return _appended_uids(data[0])


def _alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (we cannot reap Dovecot's children)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _children(pid: int) -> dict[int, str]:
    """Direct children of ``pid`` as {pid: comm}."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found[int(entry.name)] = comm
    return found


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait_gone(pids: Iterable[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    pending = set(pids)
    while pending:
        pending = {p for p in pending if _alive(p)}
        if not pending:
            break
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def _check_traversable(path: Path) -> None:
    bad = [f"{p} ({oct(p.stat().st_mode & 0o777)})" for p in path.parents if not p.stat().st_mode & 0o001]
    if bad:
        raise DovecotError(
            f"ancestors of {path} are not world-traversable: {', '.join(bad)}; Dovecot's auth and mail "
            "processes run as other uids and could not reach it (chmod o+x, or use a dir under /tmp)"
        )


class Dovecot:
    """A private Dovecot on 127.0.0.1 whose config, state, log and Maildirs live under ``dir``.

    Users live in one passwd-file per user (``dir/users.d/<user>``) because Dovecot re-reads a
    shared passwd-file at most once per second, which would make every new account wait.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        port: int | None = None,
        directory: str | os.PathLike[str] | None = None,
        *,
        auth_failure_delay: str = "0 secs",
        start_timeout: float = 20.0,
    ) -> None:
        self._fixed_port = port is not None
        self.port: int = port if port is not None else 0
        self._own_dir = directory is None
        self.dir: Path = Path(directory).resolve() if directory is not None else Path()
        self.auth_failure_delay = auth_failure_delay
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._probe: tuple[str, str] | None = None
        self._last_uidvalidity = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def log_path(self) -> Path:
        return self.dir / "dovecot.log"

    def start(self) -> Dovecot:
        """Start Dovecot and return once a real LOGIN + SELECT INBOX succeeds."""
        if self.running:
            return self
        self._terminate()  # reap a master that died on its own
        ensure_dovecot_installed()
        _check_version()
        if self._own_dir and not self.dir.parts:
            self.dir = Path(tempfile.mkdtemp(prefix="mailbot-dovecot-")).resolve()
        self._prepare_dir()
        if self._probe is None:
            self._probe = self._add_user("probe")
        for attempt in range(5):
            if not self.port:
                self.port = free_port(self.host)
            self._write_config()
            try:
                self._launch()
            except _PortInUse:
                if self._fixed_port or attempt == 4:
                    raise DovecotError(f"port {self.port} on {self.host} is already in use") from None
                self.port = 0
                continue
            break
        _running.add(self)
        return self

    def stop(self) -> None:
        """Stop the server; also delete ``dir`` when this object created it."""
        self._terminate()
        _running.discard(self)
        if self._own_dir and self.dir.parts:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = Path()
            self._probe = None
            if not self._fixed_port:
                self.port = 0

    def restart(self) -> None:
        """Stop and start again on the same port and dir; mail, UIDs and UIDVALIDITY survive."""
        self._terminate()
        fixed, self._fixed_port = self._fixed_port, True
        try:
            self.start()
        finally:
            self._fixed_port = fixed

    def kill_connections(self) -> int:
        """Terminate every logged-in IMAP session (clients see BYE / a dropped socket); return the count."""
        if self._proc is None:
            return 0
        sessions = [pid for pid, comm in _children(self._proc.pid).items() if comm == "imap"]
        for pid in sessions:
            _signal(pid, signal.SIGTERM)
        _wait_gone(sessions, 5.0)
        return len(sessions)

    # -- accounts and mail -------------------------------------------------------------------

    def new_account(self, prefix: str = "pgd") -> tuple[str, str]:
        """Create a user with an empty mailbox and a random password; return (user, password)."""
        if not self.running:
            raise DovecotError("Dovecot is not running")
        user, password = self._add_user(prefix)
        self._verify_login(user, password, timeout=5.0)
        return user, password

    def client(self, user: str, password: str, timeout: float = 30.0) -> IMAPClient:
        """A logged-in IMAPClient (plain TCP); the caller logs out."""
        imap = IMAPClient(self.host, port=self.port, ssl=False, timeout=timeout)
        try:
            imap.login(user, password)
        except BaseException:
            imap.shutdown()
            raise
        return imap

    def append(
        self,
        user: str,
        password: str,
        raw: bytes,
        folder: str = "INBOX",
        flags: Sequence[str | bytes] = (),
        msg_time: dt.datetime | None = None,
    ) -> int | None:
        """APPEND one message (creating ``folder`` if needed); return its UID from APPENDUID, else None."""
        imap = self.client(user, password)
        try:
            self._ensure_folder(imap, folder)
            uids = _appended_uids(imap.append(folder, raw, flags=flags, msg_time=msg_time))
        finally:
            imap.logout()
        return uids[0] if uids else None

    def append_many(
        self, user: str, password: str, raws: Iterable[bytes], folder: str = "INBOX"
    ) -> list[int]:
        """MULTIAPPEND messages in batches; return the UIDs Dovecot assigned (in order)."""
        imap = self.client(user, password)
        uids: list[int] = []
        try:
            self._ensure_folder(imap, folder)
            batch: list[bytes] = []
            for raw in raws:
                batch.append(raw)
                if len(batch) == APPEND_BATCH:
                    uids += _multiappend(imap, folder, batch)
                    batch = []
            if batch:
                uids += _multiappend(imap, folder, batch)
        finally:
            imap.logout()
        return uids

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _ensure_folder(imap: IMAPClient, folder: str) -> None:
        if folder.upper() != "INBOX" and not imap.folder_exists(folder):
            imap.create_folder(folder)

    def _identities(self) -> tuple[int, int, str, str, str]:
        """(mail uid, mail gid, login user, internal user, internal group)."""
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid()).pw_name
            return os.geteuid(), os.getegid(), me, me, grp.getgrgid(os.getegid()).gr_name

        def existing(name: str) -> str:
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                return "nobody"

        internal = existing("dovecot")
        group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name
        return ROOT_MAIL_UID, ROOT_MAIL_GID, existing("dovenull"), internal, group

    def _prepare_dir(self) -> None:
        mail_uid, mail_gid, _, _, group = self._identities()
        for sub in ("run", "state", "mail", "users.d"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        # mkdtemp gives 0700; the login, auth and mail processes run as other uids and must traverse it.
        for sub in (".", "state", "mail"):
            (self.dir / sub).chmod(0o755)
        (self.dir / "users.d").chmod(0o750)
        if os.geteuid() == 0:
            _check_traversable(self.dir)
            os.chown(self.dir / "mail", mail_uid, mail_gid)
            shutil.chown(self.dir / "users.d", group=group)

    def _add_user(self, prefix: str) -> tuple[str, str]:
        mail_uid, mail_gid, _, _, group = self._identities()
        user = f"{prefix}{secrets.token_hex(5)}"
        password = secrets.token_urlsafe(12)
        line = f"{user}:{{PLAIN}}{password}:{mail_uid}:{mail_gid}::{self.dir / 'mail' / user}::\n"
        target = self.dir / "users.d" / user
        tmp = target.with_name(f".{user}.tmp")
        tmp.write_text(line)
        # read by the auth process, which runs as the internal user, not root
        tmp.chmod(0o640)
        if os.geteuid() == 0:
            shutil.chown(tmp, group=group)
        os.replace(tmp, target)
        self._seed_uidvalidity(user)
        return user, password

    def _seed_uidvalidity(self, user: str) -> None:
        """Make the user's mailboxes start at a UIDVALIDITY no other account of this server uses.

        Dovecot takes a new mailbox's UIDVALIDITY from the current second, so accounts created in
        the same second would share it; it does honour the Maildir's ``dovecot-uidvalidity`` file.
        """
        mail_uid, mail_gid, *_ = self._identities()
        value = max(int(time.time()), self._last_uidvalidity + UIDVALIDITY_STRIDE)
        self._last_uidvalidity = value
        home = self.dir / "mail" / user
        maildir = home / "Maildir"
        for path in (home, maildir, maildir / "cur", maildir / "new", maildir / "tmp"):
            path.mkdir(mode=0o700)
        # Dovecot renames dovecot-uidvalidity.<N> to .<N+1> and uses N+1 for the next mailbox.
        stamp = f"{value - 1:08x}"
        (maildir / "dovecot-uidvalidity").write_text(stamp)
        (maildir / f"dovecot-uidvalidity.{stamp}").touch(0o444)
        if os.geteuid() == 0:
            for root, dirs, files in os.walk(home):
                for name in (root, *(os.path.join(root, n) for n in dirs + files)):
                    os.chown(name, mail_uid, mail_gid)

    def _write_config(self) -> None:
        mail_uid, _, login_user, internal_user, internal_group = self._identities()
        users = self.dir / "users.d" / "%u"
        conf = f"""\
# Generated by tests/servers/dovecot.py: standalone, nothing from /etc/dovecot is read.
instance_name = mailbot-test-{self.dir.name}
base_dir = {self.dir / "run"}
state_dir = {self.dir / "state"}
protocols = imap
listen = {self.host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = {self.auth_failure_delay}
log_path = {self.log_path}
info_log_path = {self.log_path}
log_timestamp = "%Y-%m-%d %H:%M:%S "
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = {mail_uid}
last_valid_uid = 0
first_valid_gid = 1
default_process_limit = 1000
default_client_limit = 4000

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {users}
}}

mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}

# inotify may be missing in containers; the polling fallback defaults to 30 s.
mailbox_idle_check_interval = 1 secs
protocol imap {{
  mail_max_userip_connections = 500
}}

service imap-login {{
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  # one long-lived login process instead of a fork per connection
  service_count = 0
  process_min_avail = 1
}}

# One failed LOGIN from 127.0.0.1 would delay the next logins by 2-15 s (auth penalty);
# login_trusted_networks does not exempt clients in 2.3.19, so hide anvil's penalty socket.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""
        if os.geteuid() != 0:
            conf += """
# running unprivileged: chroot() is impossible
service imap-login {
  chroot =
}
service imap-urlauth-login {
  chroot =
}
service anvil {
  chroot =
}
"""
        tmp = self.dir / "dovecot.conf.tmp"
        tmp.write_text(conf)
        os.replace(tmp, self.dir / "dovecot.conf")

    def _launch(self) -> None:
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            # -F keeps the master our child; its stdio must not inherit a caller's pipes.
            self._proc = subprocess.Popen(
                ["dovecot", "-F", "-c", str(self.dir / "dovecot.conf")],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.start_timeout
        assert self._probe is not None
        last_error: BaseException | None = None
        login_failures = 0
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = self._log_tail(log_offset)
                self._proc = None
                if "Address already in use" in tail:
                    raise _PortInUse
                raise DovecotError(f"dovecot exited during startup:\n{tail}")
            try:
                imap = self.client(*self._probe, timeout=5.0)
            except (OSError, IMAPClientError) as exc:
                last_error = exc
                if isinstance(exc, LoginError):
                    login_failures += 1
                    if login_failures == 5:
                        break  # the port answers but auth is broken (permissions): retrying will not help
                time.sleep(0.05)
                continue
            try:
                imap.select_folder("INBOX")
                return
            finally:
                imap.logout()
        tail = self._log_tail(log_offset)
        self._terminate()
        raise DovecotError(
            f"dovecot on {self.host}:{self.port} never accepted LOGIN + SELECT ({last_error!r}):\n{tail}"
        )

    def _verify_login(self, user: str, password: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.client(user, password, timeout=5.0).logout()
                return
            except (OSError, IMAPClientError) as exc:
                if time.monotonic() >= deadline:
                    tail = self._log_tail(0)
                    raise DovecotError(f"LOGIN as new user {user} failed: {exc!r}\n{tail}") from exc
                time.sleep(0.05)

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        children = _children(proc.pid)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            children.update(_children(proc.pid))
            # The master lingers ~1 s for its log process after every other child has exited; end it now.
            if _wait_gone([pid for pid, comm in children.items() if comm != "log"], 10.0):
                for pid in [pid for pid, comm in children.items() if comm == "log"]:
                    _signal(pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        # The children (login, auth, imap) hold the listener; restart() needs the port free.
        if not _wait_gone(children, 10.0):
            for pid in children:
                _signal(pid, signal.SIGKILL)
            _wait_gone(children, 5.0)

    def _log_tail(self, offset: int, lines: int = 20) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(offset)
                text = log.read().decode(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class _PortInUse(Exception):
    pass


@atexit.register
def _stop_all() -> None:
    for server in list(_running):
        server.stop()
