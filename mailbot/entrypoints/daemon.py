"""`mailbot run`: an APScheduler loop — poll, then deliver — one cycle at a time, stopped cleanly by signals."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from mailbot.bootstrap import App
from mailbot.errors import AlreadyRunning, MailboxError

log = logging.getLogger(__name__)
_MAX_PAUSE = timedelta(minutes=15)
ALERT_AFTER_FAILURES = 3


class Cycle:
    """One poll + delivery; after failures it pauses with exponential backoff instead of hammering."""

    def __init__(self, app: App, stop: threading.Event):
        self.app = app
        self.stop = stop
        self.failures = 0
        self.paused_until: datetime | None = None

    def __call__(self) -> None:
        now = datetime.now(timezone.utc)
        if self.paused_until is not None and now < self.paused_until:
            return
        try:
            with self.app.lock:
                report = self.app.poll(should_stop=self.stop.is_set)
                if report.fetched:
                    log.info("poll: %s", report)
                reminded = self.app.remind()
                if reminded and (reminded.reminders or reminded.overdue or reminded.digests):
                    log.info("reminders: %s", reminded)
                delivery = self.app.deliver()
                if delivery.sent or delivery.retried or delivery.failed:
                    log.info("delivery: %s", delivery)
        except AlreadyRunning as exc:
            log.info("skipping this cycle: %s", exc)
            return
        except MailboxError as exc:
            self._back_off(f"mailbox unavailable: {exc}")
            self._alert_if_persistent(exc)
            return
        except Exception as exc:  # database away, disk full, a bug: log it, keep the daemon alive
            log.exception("cycle failed")
            self._back_off(f"{type(exc).__name__}: {exc}")
            return
        self.failures, self.paused_until = 0, None

    def _alert_if_persistent(self, exc: Exception) -> None:
        """After several failed polls in a row, tell staff once per outage (a wrong password does not heal)."""
        if self.failures != ALERT_AFTER_FAILURES:
            return
        day = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H")
        text = (
            f"mailbot không đọc được hộp thư sau {self.failures} lần thử liên tiếp.\n\nLỗi: {exc}\n\n"
            "Thư của các trường vẫn nằm an toàn trong hộp thư và sẽ được xử lý ngay khi kết nối trở lại. "
            "Đề nghị kiểm tra mật khẩu (MAILBOT_IMAP__PASSWORD) và máy chủ thư."
        )
        try:
            self.app.alert_staff(f"imap-down:{day}", "Không đọc được hộp thư nhận báo cáo", text)
            self.app.deliver()
        except Exception:  # the alert is a courtesy; the loop must go on
            log.exception("could not alert staff")

    def _back_off(self, why: str) -> None:
        self.failures += 1
        pause = min(timedelta(seconds=self.app.settings.poll_interval * 2 ** (self.failures - 1)), _MAX_PAUSE)
        self.paused_until = datetime.now(timezone.utc) + pause
        log.warning("%s; failure %d, next try in %ss", why, self.failures, int(pause.total_seconds()))


def run_daemon(app: App, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    app.prepare()
    scheduler = BackgroundScheduler(timezone=app.settings.timezone)
    scheduler.add_job(
        Cycle(app, stop),
        "interval",
        seconds=app.settings.poll_interval,
        id="cycle",
        max_instances=1,  # never two polls at once
        coalesce=True,
        next_run_time=datetime.now(timezone.utc),
    )

    def _stop(signum: int, _frame: object) -> None:
        log.info("received %s, finishing the current cycle", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    scheduler.start()
    log.info("mailbot running: poll every %ss", app.settings.poll_interval)
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        app.db.dispose()
        log.info("mailbot stopped")
