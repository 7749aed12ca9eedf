"""Small pieces every screen uses: the session context, error display, confirmations."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from ..db import Database
from ..errors import StationError
from ..i18n import _
from ..services.auth import Actor
from .qt import QDialog, QDialogButtonBox, QLabel, QMessageBox, QSplitter, Qt, QTabWidget, QVBoxLayout, QWidget

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class AppContext:
    """What every screen needs: the database and who is signed in."""

    db: Database
    actor: Actor
    station_name: str = ""


def show_error(parent: QWidget | None, message: str, title: str | None = None) -> None:
    QMessageBox.warning(parent, title or _("无法完成"), message)


def run_service(parent: QWidget | None, ctx: AppContext, fn: Callable[[Session], T], *, write: bool = True) -> T | None:
    """Run one user action as one unit of work; a refused action shows its message and changes nothing."""
    try:
        with ctx.db.session(write=write) as session:
            return fn(session)
    except StationError as exc:
        show_error(parent, exc.message)
        return None
    except Exception as exc:
        # The exception text may quote personal data (SQL parameters): log where, not what.
        log.error("unexpected %s in a user action:\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
        show_error(parent, _("发生了意外错误，操作没有保存。详细信息已写入日志文件。"))
        return None


def confirm(parent: QWidget | None, question: str, title: str | None = None) -> bool:
    answer = QMessageBox.question(parent, title or _("请确认"), question)
    return answer == QMessageBox.StandardButton.Yes


ERROR_STYLE = "color: #b00020;"


def error_label() -> QLabel:
    """The red line under a form where a refused input says why."""
    label = QLabel(wordWrap=True)
    label.setStyleSheet(ERROR_STYLE)
    return label


def dialog_buttons(dialog: QDialog, ok_text: str, cancel_text: str | None = None) -> QDialogButtonBox:
    """OK / Cancel wired to the dialog's accept / reject, with Chinese captions."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text or _("取消"))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class PagedTab(QWidget):
    """A main-window tab made of sub-pages; each page (with a ``refresh()``) reads fresh data when shown,
    so a change made on one page shows on the others."""

    def __init__(self, ctx: AppContext, pages: list[tuple[QWidget, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pages = QTabWidget()
        for page, title in pages:
            self.pages.addTab(page, title)
        self.pages.currentChanged.connect(lambda _index: self.pages.currentWidget().refresh())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    def refresh(self) -> None:
        self.pages.currentWidget().refresh()

    def show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        page.refresh()


def list_over_detail(table: QWidget, detail: QWidget, stretch: tuple[int, int] = (3, 2)) -> QSplitter:
    """A page's list above the selected row's detail, the user moving the line between them."""
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.addWidget(table)
    splitter.addWidget(detail)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    return splitter
