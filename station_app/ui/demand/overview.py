"""总览 page of the 需求菜单 tab: what a station head checks every Monday."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ...i18n import _
from ...services import overview as svc
from ...services.needs import UNMET
from ..common import AppContext
from ..qt import (
    QAbstractItemView,
    QFont,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

ROW_HEIGHT = 24
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


def format_day(day: date) -> str:
    return _("{y}年{m}月{d}日（星期{w}）").format(y=day.year, m=day.month, d=day.day, w=WEEKDAYS[day.weekday()])


def format_share(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


class BigNumber(QFrame):
    """A figure to read across the room, with what it means under it."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("bigNumber")
        self.setStyleSheet("#bigNumber { background: #f6f8fb; border: 1px solid #d5dbe3; border-radius: 6px; }")
        self.title = QLabel(title)
        self.value = QLabel("0")
        font = QFont(self.value.font())
        font.setPointSize(22)
        font.setBold(True)
        self.value.setFont(font)
        self.note = QLabel(wordWrap=True)
        self.note.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.note)

    def set(self, value: str, note: str, alert: bool = False) -> None:
        self.value.setText(value)
        self.value.setStyleSheet("color: #b00020;" if alert else "color: #1f3b63;")
        self.note.setText(note)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    return table


# Rows of the overdue-visits table; a large station sees the most overdue ones first.
OVERDUE_SHOWN = 100


def _cell(value: object, *, number: bool = False, bold: bool = False, data: int | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(str(value))
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


class OverviewPage(QWidget):
    """Big numbers, unmet needs by key group × category, the needs waiting longest, overdue visits.

    Double-clicking a need or a household emits ``need_activated`` / ``recipient_activated`` with its id,
    for the tab to open it on its own page.
    """

    need_activated = Signal(int)
    recipient_activated = Signal(int)

    NEED_HEADERS = [_("服务对象"), _("需求"), _("类别"), _("紧急程度"), _("状态"), _("提出日期"), _("已等待")]
    VISIT_HEADERS = [_("服务对象"), _("重点对象类别"), _("走访周期"), _("上次走访"), _("应走访日期"), _("逾期")]

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.overview: svc.Overview | None = None

        self.date_label = QLabel()
        self.refresh_button = QPushButton(_("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        self.unmet = BigNumber(_("未满足需求"))
        self.matched = BigNumber(_("已对接比例"))
        self.overdue = BigNumber(_("逾期未走访"))
        self.status_line = QLabel()

        self.groups_table = _table([])
        self.groups_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.groups_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.groups_table.verticalHeader().setVisible(True)
        groups_note = QLabel(
            _("一位服务对象属于多个重点对象类别时，在每个类别下都计入；最后一行“合计”每条需求只计一次。")
        )
        groups_note.setWordWrap(True)
        groups_note.setStyleSheet("color: #555;")

        self.needs_table = _table(self.NEED_HEADERS)
        self.visits_table = _table(self.VISIT_HEADERS)
        for table, widths in ((self.needs_table, (80, 130, 70, 64, 60, 90, 60)),
                              (self.visits_table, (80, 130, 80, 90, 90, 60))):
            table.horizontalHeader().setStretchLastSection(True)
            for col, width in enumerate(widths):
                table.setColumnWidth(col, width)
        self.needs_table.doubleClicked.connect(lambda i: self._activate(self.needs_table, i.row(), self.need_activated))
        self.visits_table.doubleClicked.connect(
            lambda i: self._activate(self.visits_table, i.row(), self.recipient_activated))

        top = QHBoxLayout()
        top.addWidget(self.date_label)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        numbers = QHBoxLayout()
        for box in (self.unmet, self.matched, self.overdue):
            numbers.addWidget(box, 1)

        groups_box = QGroupBox(_("未满足需求：重点对象类别 × 服务类别"))
        groups_layout = QVBoxLayout(groups_box)
        groups_layout.addWidget(self.groups_table)
        groups_layout.addWidget(groups_note)
        self.needs_box = QGroupBox(_("等待最久的需求"))
        QVBoxLayout(self.needs_box).addWidget(self.needs_table)
        self.visits_box = QGroupBox(_("逾期未走访"))
        QVBoxLayout(self.visits_box).addWidget(self.visits_table)
        lists = QSplitter()
        lists.addWidget(self.needs_box)
        lists.addWidget(self.visits_box)
        lists.setMinimumHeight(8 * ROW_HEIGHT)

        # The whole page scrolls on a small screen; the key group table always shows every row.
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(numbers)
        body.addWidget(self.status_line)
        body.addWidget(groups_box)
        body.addWidget(lists, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        self.refresh()

    def refresh(self) -> None:
        today = self.today()
        with self.ctx.db.session(write=False) as session:
            self.overview = svc.station_overview(session, self.ctx.actor, today)
        self._show(self.overview)

    def _show(self, ov: svc.Overview) -> None:
        self.date_label.setText(_("统计日期：{d}").format(d=format_day(ov.today)))
        counts = ov.status_counts
        unmet_states = [s for s in counts if s in UNMET]
        self.unmet.set(
            str(ov.unmet_total),
            "  ".join(f"{s.label} {counts[s]}" for s in unmet_states),
            alert=ov.unmet_total > 0,
        )
        self.matched.set(
            format_share(ov.matched_share),
            _("已对接或已完成 {m} 条 ÷ 除已关闭外的全部需求 {n} 条").format(m=ov.matched_count, n=ov.not_closed_count),
        )
        self.overdue.set(
            _("{n} 户").format(n=len(ov.overdue_visits)),
            _("按各重点对象类别的走访周期，从上次走访（从未走访的从登记日）算起"),
            alert=bool(ov.overdue_visits),
        )
        self.status_line.setText(
            _("各状态需求数：") + "　".join(f"{s.label} {n}" for s, n in counts.items())
        )
        self._fill_groups(ov)
        self._fill_needs(ov)
        self._fill_visits(ov)

    def _fill_groups(self, ov: svc.Overview) -> None:
        table = self.groups_table
        headers = [c.label for c in ov.columns] + [_("合计")]
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(ov.unmet_by_group))
        table.setVerticalHeaderLabels([row.label for row in ov.unmet_by_group])
        for r, row in enumerate(ov.unmet_by_group):
            values = [row.counts[c.code] for c in ov.columns] + [row.total]
            for col, n in enumerate(values):
                cell = _cell(n if n else "", number=True, bold=row.is_total or col == len(values) - 1)
                table.setItem(r, col, cell)
        header = table.horizontalHeader().sizeHint().height()
        table.setFixedHeight(header + ROW_HEIGHT * len(ov.unmet_by_group) + 2 * table.frameWidth() + 2)

    def _fill_needs(self, ov: svc.Overview) -> None:
        table = self.needs_table
        self.needs_box.setTitle(_("等待最久的需求（前 {n} 条未满足）").format(n=svc.LONGEST_OPEN_LIMIT))
        table.setRowCount(len(ov.longest_open))
        for r, need in enumerate(ov.longest_open):
            values = (need.recipient_name, need.what, need.category_label, need.urgency_label, need.status.label,
                      need.raised_on.isoformat(), _("{n} 天").format(n=need.days_open))
            for col, value in enumerate(values):
                cell = _cell(value, number=col >= 3, data=need.need_id if col == 0 else None)
                if col == 3 and need.urgency == "urgent":
                    cell.setForeground(Qt.GlobalColor.red)
                table.setItem(r, col, cell)

    def _fill_visits(self, ov: svc.Overview) -> None:
        table = self.visits_table
        total = len(ov.overdue_visits)
        shown = ov.overdue_visits[:OVERDUE_SHOWN]
        if total > len(shown):
            # The full list is the recipients page's "只看逾期未走访"; here the most urgent ones.
            title = _("逾期未走访（共 {n} 户，这里列出逾期最久的 {k} 户；完整名单见“服务对象与走访”页）").format(
                n=total, k=len(shown))
        else:
            title = _("逾期未走访（{n} 户，逾期最久的在前）").format(n=total)
        self.visits_box.setTitle(title)
        table.setRowCount(len(shown))
        for r, visit in enumerate(shown):
            values = (
                visit.name, "、".join(visit.key_groups), _("每 {n} 天").format(n=visit.interval_days),
                visit.last_visit.isoformat() if visit.last_visit else _("从未走访"), visit.due_on.isoformat(),
                _("{n} 天").format(n=visit.days_overdue),
            )
            for col, value in enumerate(values):
                table.setItem(r, col, _cell(value, number=col >= 2, data=visit.recipient_id if col == 0 else None))

    @staticmethod
    def _activate(table: QTableWidget, row: int, signal) -> None:  # noqa: ANN001 - a bound Signal
        item = table.item(row, 0)
        if item is not None:
            signal.emit(item.data(Qt.ItemDataRole.UserRole))
