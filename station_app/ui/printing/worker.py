"""Background work with progress and cancel: a callable runs on a worker thread, its result or error
comes back to the GUI thread through signals (the worker never touches a widget).

``fn(progress, cancelled)`` gets two callables: ``progress(done, total)`` and ``cancelled() -> bool``;
a job that notices it was cancelled stops by raising :class:`JobCancelled` (a StationError).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from ...errors import StationError
from ...i18n import _
from ..common import show_error
from ..qt import QApplication, QEventLoop, QMessageBox, QObject, QProgressDialog, Qt, QThread, QWidget, Signal, Slot

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
JobFn = Callable[[Progress, Cancelled], Any]


class JobCancelled(StationError):
    """Raised by a job that stopped because the user cancelled it."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("已取消。"))


class _JobThread(QThread):
    """Runs the callable once; keeps the outcome for the GUI thread to read after the thread ended."""

    progressed = Signal(int, int)

    def __init__(self, fn: JobFn, stop: threading.Event) -> None:
        super().__init__()
        self.fn = fn
        self.stop = stop
        self.ok = False
        self.result: Any = None
        self.message = ""
        self.was_cancelled = False

    def run(self) -> None:
        try:
            self.result = self.fn(self.progressed.emit, self.stop.is_set)
            self.ok = True
        except JobCancelled as exc:
            self.message, self.was_cancelled = exc.message, True
        except StationError as exc:
            self.message = exc.message
        except Exception as exc:
            # The text may quote personal data: log where, not what.
            log.error("unexpected %s in a background job:\n%s", type(exc).__name__,
                      "".join(traceback.format_tb(exc.__traceback__)))
            self.message = _("发生了意外错误，操作没有完成。详细信息已写入日志文件。")


class BackgroundJob(QObject):
    """One callable run on its own thread. ``succeeded``/``failed`` come after the thread has ended
    (quit and waited), then ``finished``; a job keeps itself alive while its thread runs."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()

    _running: set[BackgroundJob] = set()

    def __init__(self, fn: JobFn, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stop = threading.Event()
        self._thread = _JobThread(fn, self._stop)
        self._thread.progressed.connect(self._on_progress)
        self._thread.finished.connect(self._on_finished)
        self._started = False
        self._done = False
        self._cancelled_by_job = False
        self.result: Any = None
        self.error: str | None = None

    # --- control ---------------------------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            raise RuntimeError("a BackgroundJob runs once")
        self._started = True
        BackgroundJob._running.add(self)
        self._thread.start()

    @Slot()
    def cancel(self) -> None:
        """Ask the job to stop; it sees ``cancelled()`` turn True and stops when it next looks."""
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        """The user asked to cancel, or the job stopped with JobCancelled."""
        return self._stop.is_set() or self._cancelled_by_job

    @property
    def running(self) -> bool:
        return self._started and not self._done

    @property
    def done(self) -> bool:
        return self._done

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the thread has ended and the outcome has been delivered (for shutdown and tests)."""
        if not self._started:
            return True
        if not self._thread.wait(timeout_ms):
            return False
        QApplication.sendPostedEvents(self)  # deliver the queued progress and the end now
        if not self._done:
            self._on_finished()
        return True

    # --- back on the GUI thread --------------------------------------------------------------------
    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if not self._done:
            self.progressed.emit(done, total)

    @Slot()
    def _on_finished(self) -> None:
        if self._done:
            return
        self._thread.wait()
        self._done = True
        BackgroundJob._running.discard(self)
        thread = self._thread
        if thread.ok:
            self.result = thread.result
            self.succeeded.emit(thread.result)
        else:
            self.error = thread.message
            self._cancelled_by_job = thread.was_cancelled
            self.failed.emit(thread.message)
        self.finished.emit()

    @classmethod
    def stop_all(cls, timeout_ms: int = 30_000) -> None:
        """Cancel every running job and wait for its thread (application shutdown)."""
        for job in list(cls._running):
            job.cancel()
            job.wait(timeout_ms)


class _ProgressDialog(QProgressDialog):
    """A progress dialog whose 取消 (button, Esc, close box) asks the job to stop but stays up until it has."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(title, _("取消"), 0, 0, parent)
        self.canceled.disconnect(self.cancel)  # the built-in cancel() would hide the dialog at once
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setMinimumWidth(360)
        self.closing = False

    def reject(self) -> None:
        self.canceled.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.closing:
            event.accept()
            return
        event.ignore()
        self.canceled.emit()


def run_with_progress(parent: QWidget | None, title: str, fn: JobFn) -> Any | None:
    """Run ``fn(progress, cancelled)`` off the GUI thread behind a modal progress dialog with 取消.

    Returns what ``fn`` returned, or None: a failure is shown (``show_error``), a cancelled job says 已取消.
    """
    job = BackgroundJob(fn)
    dialog = _ProgressDialog(title, parent)
    loop = QEventLoop()

    def on_cancel() -> None:
        job.cancel()
        dialog.setLabelText(_("正在取消……"))

    def on_progress(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total > 0 else 0)

    dialog.canceled.connect(on_cancel)
    job.progressed.connect(on_progress)
    job.finished.connect(loop.quit)
    job.start()
    dialog.show()
    if not job.done:
        loop.exec()
    dialog.closing = True
    dialog.hide()
    dialog.deleteLater()
    job.deleteLater()
    if job.error is None:
        return job.result
    if job.cancelled:
        QMessageBox.information(parent, title, _("已取消。"))
    else:
        show_error(parent, job.error)
    return None
