"""Week and month calendar of activities and trainings, with festivals marked (“我们的节日”).

The widget never touches the database: whoever embeds it passes a ``loader(first, last)``
that returns the ``CalendarEntry`` rows of the days shown, and listens to the signals
(``entry_activated`` to open an entry, ``day_activated`` to create something on a day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ...i18n import _
from ...services.festivals import Festival, festivals_between
from ...services.timefmt import WEEKDAYS
from ..qt import (
    QAbstractItemView,
    QButtonGroup,
    QColor,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

USER = Qt.ItemDataRole.UserRole
MIN_MONTH_ROWS = 2  # a month cell lists at least this many lines, then "+N 项" (more if it is taller)

STATUS_COLOURS = {
    "planned": "#1565c0",
    "in_progress": "#e65100",
    "done": "#2e7d32",
    "held": "#2e7d32",
    "cancelled": "#9e9e9e",
}
STATUS_TINTS = {
    "planned": "#e8f1fc",
    "in_progress": "#fff1e0",
    "done": "#e8f5e9",
    "held": "#e8f5e9",
    "cancelled": "#f2f2f2",
}
TRADITIONAL_COLOUR = "#c62828"  # 我们的节日
OBSERVANCE_COLOUR = "#00838f"  # 学雷锋日, 国际志愿者日
TODAY_BACKGROUND = "#fff4c2"
OTHER_MONTH_BACKGROUND = "#f3f3f3"
MORE = "more"  # item data of the "+N 项" line


@dataclass(frozen=True)
class CalendarEntry:
    kind: str  # "activity" or "training"
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    status_label: str
    detail: str = ""

    def days(self) -> list[date]:
        """The days the entry covers (an end at midnight belongs to the day before)."""
        first = self.starts_at.date()
        last = (self.ends_at - timedelta(microseconds=1)).date() if self.ends_at > self.starts_at else first
        return [first + timedelta(days=n) for n in range((max(last, first) - first).days + 1)]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _kind_prefix(entry: CalendarEntry) -> str:
    return _("[培训] ") if entry.kind == "training" else ""


def _tooltip(entry: CalendarEntry) -> str:
    when = f"{entry.starts_at:%Y-%m-%d %H:%M} — "
    when += f"{entry.ends_at:%H:%M}" if entry.ends_at.date() == entry.starts_at.date() else f"{entry.ends_at:%Y-%m-%d %H:%M}"
    lines = [_kind_prefix(entry) + entry.title, when, _("状态：") + entry.status_label]
    if entry.detail:
        lines.append(entry.detail)
    return "\n".join(lines)


def _entry_item(entry: CalendarEntry, text: str) -> QListWidgetItem:
    item = QListWidgetItem(text)
    item.setData(USER, (entry.kind, entry.id))
    item.setToolTip(_tooltip(entry))
    item.setForeground(QColor(STATUS_COLOURS.get(entry.status, "#212121")))
    item.setBackground(QColor(STATUS_TINTS.get(entry.status, "#f7f7f7")))
    if entry.status == "cancelled":
        font = item.font()
        font.setStrikeOut(True)
        item.setFont(font)
    return item


def _festival_label(festivals: list[Festival]) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.RichText)
    _set_festivals(label, festivals)
    return label


def _set_festivals(label: QLabel, festivals: list[Festival]) -> None:
    parts = [
        f'<span style="color:{TRADITIONAL_COLOUR if f.traditional else OBSERVANCE_COLOUR};">{f.name}</span>'
        for f in festivals
    ]
    label.setText(" ".join(parts))
    label.setToolTip("、".join(f.name for f in festivals))


class _DayList(QListWidget):
    """The entries of one day; double-clicking where there is no entry asks to create one."""

    empty_double_clicked = Signal()
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet("QListWidget { background: transparent; }")

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        if self.itemAt(event.position().toPoint()) is None:
            self.empty_double_clicked.emit()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        self.resized.emit()


class _DayCell(QFrame):
    """One day: a header (date, festivals) over the list of its entries."""

    double_clicked = Signal()

    def __init__(self, week_view: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dayCell")
        self.setFrameShape(QFrame.Shape.Box)
        self.week_view = week_view
        self.day = date.min
        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 2, 3, 2)
        layout.setSpacing(1)
        header = QHBoxLayout()
        header.setSpacing(6)
        self.number = QLabel()
        self.festivals = _festival_label([])
        header.addWidget(self.number)
        header.addWidget(self.festivals, 1)
        layout.addLayout(header)
        self.entries = _DayList(self)
        self.entries.setWordWrap(week_view)
        self.entries.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded if week_view else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.entries.setSpacing(3 if week_view else 1)
        self.entries.setMinimumHeight(self.entries.fontMetrics().height() * 2)  # six weeks fit a small screen
        self.entries.empty_double_clicked.connect(self.double_clicked)
        layout.addWidget(self.entries, 1)
        self._shown: list[CalendarEntry] = []
        self._rows = MIN_MONTH_ROWS
        self.entries.resized.connect(self._fit)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        self.double_clicked.emit()
        event.accept()

    def show_day(self, day: date, *, today: date, in_month: bool, festivals: list[Festival]) -> None:
        self.day = day
        if self.week_view:
            self.number.setText(f"{WEEKDAYS[day.weekday()]} {day.month}月{day.day}日")
        else:
            self.number.setText(str(day.day) if day.day != 1 else f"{day.month}月{day.day}日")
        bold = "font-weight: bold;" if day == today else ""
        self.number.setStyleSheet(f"color: {'#212121' if in_month else '#9e9e9e'}; {bold}")
        _set_festivals(self.festivals, festivals)
        background = TODAY_BACKGROUND if day == today else ("white" if in_month else OTHER_MONTH_BACKGROUND)
        border = "#f9a825" if day == today else "#d5dbe3"
        self.setStyleSheet(f"QFrame#dayCell {{ background: {background}; border: 1px solid {border}; }}")

    def _fit(self) -> None:
        """A month cell lists as many entries as its height allows."""
        rows = self._rows_that_fit()
        if rows != self._rows:
            self._rows = rows
            if not self.week_view and self._shown:
                self.show_entries(self._shown)

    def _rows_that_fit(self) -> int:
        row = self.entries.sizeHintForRow(0) if self.entries.count() else self.entries.fontMetrics().height() + 2
        line = row + 2 * self.entries.spacing()
        return max(MIN_MONTH_ROWS, self.entries.viewport().height() // max(line, 1))

    def show_entries(self, entries: list[CalendarEntry]) -> None:
        self._shown = list(entries)
        self.entries.clear()
        if self.week_view:
            for entry in entries:
                self.entries.addItem(_entry_item(entry, self._week_text(entry)))
            return
        rows = self._rows
        shown = entries if len(entries) <= rows else entries[: rows - 1]
        for entry in shown:
            self.entries.addItem(_entry_item(entry, self._month_text(entry)))
        hidden = entries[len(shown):]
        if hidden:
            more = QListWidgetItem(_("+{n} 项").format(n=len(hidden)))
            more.setData(USER, MORE)
            more.setForeground(QColor("#455a64"))
            more.setToolTip("\n".join(self._month_text(e) for e in hidden) + "\n" + _("（双击查看这一周）"))
            self.entries.addItem(more)

    def _month_text(self, entry: CalendarEntry) -> str:
        start = f"{entry.starts_at:%H:%M}" if entry.starts_at.date() == self.day else _("(续)")
        return f"{start} {_kind_prefix(entry)}{entry.title}"

    def _week_text(self, entry: CalendarEntry) -> str:
        start = f"{entry.starts_at:%H:%M}" if entry.starts_at.date() == self.day else _("(续)")
        end = f"{entry.ends_at:%H:%M}" if entry.ends_at.date() == self.day else "…"
        return f"{start}–{end}  {entry.status_label}\n{_kind_prefix(entry)}{entry.title}"


class CalendarView(QWidget):
    """A week or month of activities and trainings; festivals shown in each day."""

    entry_activated = Signal(str, int)  # (kind, id) of a double-clicked entry
    day_activated = Signal(object)  # date whose empty area was double-clicked
    range_changed = Signal(object, object)  # (first, last) day shown

    def __init__(
        self,
        loader: Callable[[date, date], list[CalendarEntry]],
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self._loader = loader
        self._today = today or date.today()
        self._mode = "month"
        self._anchor = self._today
        self._by_day: dict[date, list[CalendarEntry]] = {}
        self._festivals: dict[date, list[Festival]] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.prev_button = QPushButton()
        self.today_button = QPushButton(_("今天"))
        self.next_button = QPushButton()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.week_button = QPushButton(_("周"), checkable=True)
        self.month_button = QPushButton(_("月"), checkable=True)
        self._modes = QButtonGroup(self)
        self._modes.setExclusive(True)
        self._modes.addButton(self.week_button)
        self._modes.addButton(self.month_button)
        for widget in (self.prev_button, self.today_button, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.week_button)
        bar.addWidget(self.month_button)
        layout.addLayout(bar)

        self.prev_button.clicked.connect(lambda: self._step(-1))
        self.next_button.clicked.connect(lambda: self._step(1))
        self.today_button.clicked.connect(lambda: self.go_to(self._today))
        self.week_button.clicked.connect(lambda: self.set_mode("week"))
        self.month_button.clicked.connect(lambda: self.set_mode("month"))

        # Month: weekday names over 6 × 7 day cells, Monday first.
        self.month_page = QWidget()
        grid = QGridLayout(self.month_page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        for col, name in enumerate(WEEKDAYS):
            head = QLabel(name, alignment=Qt.AlignmentFlag.AlignCenter)
            head.setStyleSheet("color: #455a64; font-weight: bold;")
            grid.addWidget(head, 0, col)
            grid.setColumnStretch(col, 1)
        self.month_cells: list[_DayCell] = []
        for n in range(42):
            cell = _DayCell(week_view=False)
            grid.addWidget(cell, 1 + n // 7, n % 7)
            self._wire(cell)
            self.month_cells.append(cell)
        for row in range(1, 7):
            grid.setRowStretch(row, 1)
        layout.addWidget(self.month_page, 1)

        # Week: seven columns.
        self.week_page = QWidget()
        row = QHBoxLayout(self.week_page)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.week_cells: list[_DayCell] = []
        for _n in range(7):
            cell = _DayCell(week_view=True)
            row.addWidget(cell, 1)
            self._wire(cell)
            self.week_cells.append(cell)
        layout.addWidget(self.week_page, 1)

        self._show()

    # -- public API -------------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        if mode not in ("week", "month"):
            raise ValueError(f"unknown calendar mode {mode!r}")
        self._mode = mode
        self._show()

    def mode(self) -> str:
        return self._mode

    def go_to(self, day: date) -> None:
        self._anchor = day
        self._show()

    def refresh(self) -> None:
        """Ask the loader again for the days shown (after something was saved)."""
        first, last = self.visible_range()
        entries = self._loader(first, last) or []
        by_day: dict[date, list[CalendarEntry]] = {}
        for entry in sorted(entries, key=lambda e: (e.starts_at, e.ends_at, e.kind, e.id)):
            for day in entry.days():
                if first <= day <= last:
                    by_day.setdefault(day, []).append(entry)
        self._by_day = by_day
        for cell in self._cells():
            cell.show_entries(by_day.get(cell.day, []))

    def visible_range(self) -> tuple[date, date]:
        if self._mode == "week":
            first = _monday(self._anchor)
            return first, first + timedelta(days=6)
        first = _monday(self._anchor.replace(day=1))
        return first, first + timedelta(days=41)

    def entries_on(self, day: date) -> list[CalendarEntry]:
        """The entries shown on ``day`` (in the month view, those behind "+N 项" too), in time order."""
        return list(self._by_day.get(day, []))

    def festivals_on(self, day: date) -> list[Festival]:
        return list(self._festivals.get(day, []))

    def title_text(self) -> str:
        return self.title.text()

    # -- inside -----------------------------------------------------------------------------

    def _cells(self) -> list[_DayCell]:
        return self.week_cells if self._mode == "week" else self.month_cells

    def _wire(self, cell: _DayCell) -> None:
        cell.double_clicked.connect(lambda: self.day_activated.emit(cell.day))
        cell.entries.itemActivated.connect(lambda item: self._activated(cell, item))

    def _activated(self, cell: _DayCell, item: QListWidgetItem) -> None:
        data = item.data(USER)
        if data == MORE:
            self._mode = "week"
            self.go_to(cell.day)
        elif data:
            kind, entry_id = data
            self.entry_activated.emit(kind, int(entry_id))

    def _step(self, direction: int) -> None:
        if self._mode == "week":
            self.go_to(self._anchor + timedelta(days=7 * direction))
        else:
            month = self._anchor.year * 12 + self._anchor.month - 1 + direction
            self.go_to(date(month // 12, month % 12 + 1, 1))

    def _show(self) -> None:
        week = self._mode == "week"
        self.week_button.setChecked(week)
        self.month_button.setChecked(not week)
        self.prev_button.setText(_("◀ 上一周") if week else _("◀ 上一月"))
        self.next_button.setText(_("下一周 ▶") if week else _("下一月 ▶"))
        self.week_page.setVisible(week)
        self.month_page.setVisible(not week)
        first, last = self.visible_range()
        self.title.setText(self._title(first, last))
        festivals: dict[date, list[Festival]] = {}
        for festival in festivals_between(first, last):
            festivals.setdefault(festival.day, []).append(festival)
        self._festivals = festivals
        for n, cell in enumerate(self._cells()):
            day = first + timedelta(days=n)
            in_month = week or day.month == self._anchor.month
            cell.show_day(day, today=self._today, in_month=in_month, festivals=festivals.get(day, []))
        self.refresh()
        self.range_changed.emit(first, last)

    def _title(self, first: date, last: date) -> str:
        if self._mode == "month":
            return _("{y}年{m}月").format(y=self._anchor.year, m=self._anchor.month)
        start = _("{y}年{m}月{d}日").format(y=first.year, m=first.month, d=first.day)
        if last.year != first.year:
            end = _("{y}年{m}月{d}日").format(y=last.year, m=last.month, d=last.day)
        elif last.month != first.month:
            end = _("{m}月{d}日").format(m=last.month, d=last.day)
        else:
            end = _("{d}日").format(d=last.day)
        return f"{start} — {end}"
