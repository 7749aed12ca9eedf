"""活动列表 page of the 活动排班 tab: filter the station's activities, schedule new ones (single,
recurring, festival), move them along (开始 / 完成 / 取消), assign volunteers, print the roster."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path

from ...i18n import _
from ...reports.activity_roster import activity_roster, roster_file_name
from ...services import activities as svc
from ...services import assignments as assign_svc
from ...services import catalogue as cat_svc
from ...services import projects as project_svc
from ...services.auth import Permission, Role
from ..common import AppContext, confirm, list_over_detail, run_service, show_error
from ..demand.projects import ReasonDialog, fill_row, read_only_table
from ..qt import (
    QCheckBox,
    QColor,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ..rows_model import CENTER, Column, RowsModel, RowsTable, select_ids
from .activity_dialog import ActivityDialog
from .festival_dialog import FestivalDialog
from .series_dialog import SeriesDialog

STATUS_COLOURS = {
    svc.ActivityStatus.IN_PROGRESS: QColor("#1565c0"),
    svc.ActivityStatus.DONE: QColor("#2e7d32"),
    svc.ActivityStatus.CANCELLED: QColor("#9e9e9e"),
}
SHORT_COLOUR = QColor("#b26a00")


def _staffing(r: svc.ActivityRow) -> str:
    return f"{r.assigned}/{r.needed}"


def _title(r: svc.ActivityRow) -> str:
    marks = (_("［周期］") if r.series_id else "") + (_("［节日］") if r.festival else "")
    return marks + r.title


ACTIVITY_COLUMNS: tuple[Column[svc.ActivityRow], ...] = (
    Column(_("时间"), lambda r: r.when),
    Column(_("活动名称"), _title, tooltip=lambda r: r.project_name and _("所属项目：") + r.project_name),
    Column(_("类别"), lambda r: r.category_label),
    Column(_("地点"), lambda r: r.place),
    Column(_("已排/需要"), _staffing, align=CENTER,
           foreground=lambda r: SHORT_COLOUR if r.assigned < r.needed and r.status in svc.EDITABLE else None),
    Column(_("负责社工"), lambda r: r.lead_social_worker),
    Column(_("合作"), lambda r: r.partner),
    Column(_("状态"), lambda r: r.status_label, align=CENTER, foreground=lambda r: STATUS_COLOURS.get(r.status)),
)

PERIODS = (
    ("upcoming", _("今天及以后")),
    ("week", _("本周")),
    ("month", _("本月")),
    ("next_month", _("下月")),
    ("past", _("已过去的")),
    ("all", _("全部")),
)


def period_range(key: str, today: date) -> tuple[date | None, date | None]:
    """The days (first, last; None = open) a period filter shows."""
    if key == "upcoming":
        return today, None
    if key == "week":
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=6)
    if key in ("month", "next_month"):
        first = today.replace(day=1)
        if key == "next_month":
            first = (first + timedelta(days=32)).replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return first, last
    if key == "past":
        return None, today - timedelta(days=1)
    return None, None


class CancelDialog(ReasonDialog):
    """取消活动: the reason, and for a recurring activity whether later occurrences go too."""

    def __init__(self, title: str, prompt: str, series: bool, parent: QWidget | None = None) -> None:
        super().__init__(title, prompt, parent)
        self.whole_series = QCheckBox(_("同时取消这个周期活动以后各次（仍在计划中的）"))
        self.whole_series.setVisible(series)
        self.layout().insertWidget(2, self.whole_series)

    @classmethod
    def ask_cancel(cls, parent: QWidget | None, title: str, series: bool) -> tuple[str, bool] | None:
        """(reason, also later occurrences) or None if the user changed their mind. Tests patch this."""
        dialog = cls(_("取消活动"), _("取消活动“{t}”：请填写原因。排好的志愿者会一并取消，对接的需求退回“待对接”。")
                     .format(t=title), series, parent)
        if not dialog.exec():
            return None
        return dialog.reason.toPlainText(), dialog.whole_series.isChecked()


class RosterPathDialog:
    """Where to save the roster PDF; a classmethod tests patch."""

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(parent, _("保存排班签到表"), suggested, _("PDF 文件 (*.pdf)"))
        if not path:
            return None
        return path if path.lower().endswith(".pdf") else path + ".pdf"


class DetailDialog(QDialog):
    """A read-only look at something on the calendar (a finished activity, a training session)."""

    def __init__(self, title: str, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.text = QLabel(html, wordWrap=True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)

    @classmethod
    def show_html(cls, parent: QWidget | None, title: str, html: str) -> None:
        """Tests patch this."""
        cls(title, html, parent).exec()


def detail_html(d: svc.ActivityDetail) -> str:
    """The activity in a few lines, for the page's detail area and the calendar."""
    when = d.when
    item = " · ".join(p for p in (d.category_label, d.service_item) if p)
    lines = [
        f"<b style='font-size:14px'>{escape(d.title)}</b>　{escape(item)} · <b>{d.status_label}</b>"
        + (f"（{escape(d.status_reason)}）" if d.status_reason else ""),
        _("时间：{w}　地点：{p}").format(w=escape(when), p=escape(d.place)),
        _("负责社工：{l}　合作：{p}").format(l=escape(d.lead_social_worker) or _("未填"), p=escape(d.partner) or _("无")),
        _("志愿者：已排 {a} / 需要 {n} 人　上岗要求：{t}　技能：{s}").format(
            a=d.assigned, n=d.volunteers_needed, t=d.required_training_label or _("无"),
            s=escape("、".join(d.skills)) or _("不限")),
    ]
    served = [name for _id, name in d.recipients]
    if served:
        shown = "、".join(served[:8]) + (_(" 等 {n} 人").format(n=len(served)) if len(served) > 8 else "")
        lines.append(_("服务对象：") + escape(shown))
    if d.needs:
        lines.append(_("对接需求：") + escape("；".join(f"{n.recipient_name} — {n.what}（{n.status.label}）"
                                                    for n in d.needs)))
    if d.project_name:
        lines.append(_("所属项目：") + escape(d.project_name))
    if d.series_rule:
        lines.append(_("周期：") + escape(d.series_rule) + (_("（这一次单独改过）") if d.series_detached else ""))
    if d.festival_name:
        lines.append(_("我们的节日：{f} · {g}").format(f=d.festival_name, g=escape(d.key_group)))
    if d.description:
        lines.append(_("说明：") + escape(d.description))
    return "<br/>".join(lines)


class ActivitiesPage(QWidget):
    SHIFT_HEADERS = (_("班次"), _("时间"), _("名额"), _("已排"), _("志愿者"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or date.today()
        self.can_edit = ctx.actor.can(Permission.EDIT_SCHEDULE)
        self.detail: svc.ActivityDetail | None = None

        # --- filters -------------------------------------------------------------------------------
        self.period = QComboBox()
        for key, label in PERIODS:
            self.period.addItem(label, key)
        self.status_filter = QComboBox()
        self.status_filter.addItem(_("全部状态"), None)
        for s in svc.ActivityStatus:
            self.status_filter.addItem(s.label, s.value)
        self.category_filter = QComboBox()
        self.category_filter.addItem(_("全部类别"), None)
        for c in cat_svc.Category:
            self.category_filter.addItem(c.label, c.value)
        self.project_filter = QComboBox()
        self.search = QLineEdit(placeholderText=_("搜索：活动名称、地点、社工、合作单位"))
        self.search.setClearButtonEnabled(True)
        filters = QHBoxLayout()
        for widget in (self.period, self.status_filter, self.category_filter, self.project_filter):
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)

        # --- actions -------------------------------------------------------------------------------
        self.add_button = QPushButton(_("新建活动"))
        self.series_button = QPushButton(_("新建周期活动"))
        self.festival_button = QPushButton(_("我们的节日…"))
        self.edit_button = QPushButton(_("修改"))
        self.assign_button = QPushButton(_("排班"))
        self.start_button = QPushButton(_("开始"))
        self.done_button = QPushButton(_("完成"))
        self.cancel_button = QPushButton(_("取消活动"))
        self.delete_button = QPushButton(_("删除"))
        self.reopen_button = QPushButton(_("撤销完成"))
        self.print_button = QPushButton(_("打印排班签到表"))
        self.festival_button.setToolTip(_("按“我们的节日”模板，一步为一类重点对象建好节日慰问活动"))
        self.reopen_button.setToolTip(_("站长/管理员：把误点“完成”的活动改回进行中（需填写原因）"))
        self.reopen_button.setVisible(ctx.actor.role is Role.ADMIN)
        for button in (self.add_button, self.series_button, self.festival_button):
            button.setEnabled(self.can_edit)
        self.add_button.clicked.connect(lambda: self.add_activity())
        self.series_button.clicked.connect(self.add_series)
        self.festival_button.clicked.connect(self.add_festival)
        self.edit_button.clicked.connect(self.edit_activity)
        self.assign_button.clicked.connect(self.assign)
        self.start_button.clicked.connect(lambda: self.move(svc.ActivityStatus.IN_PROGRESS))
        self.done_button.clicked.connect(lambda: self.move(svc.ActivityStatus.DONE))
        self.cancel_button.clicked.connect(self.cancel_activity)
        self.delete_button.clicked.connect(self.delete_activity)
        self.reopen_button.clicked.connect(self.reopen)
        self.print_button.clicked.connect(self.print_roster)
        actions = QHBoxLayout()
        for button in (self.add_button, self.series_button, self.festival_button):
            actions.addWidget(button)
        actions.addSpacing(16)
        for button in (self.edit_button, self.assign_button, self.start_button, self.done_button,
                       self.cancel_button, self.delete_button, self.reopen_button, self.print_button):
            actions.addWidget(button)
        actions.addStretch(1)

        # --- list and detail -----------------------------------------------------------------------
        self.model: RowsModel[svc.ActivityRow] = RowsModel(ACTIVITY_COLUMNS)
        self.table = RowsTable(self.model)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        self.table.doubleClicked.connect(lambda _i: self.edit_button.isEnabled() and self.edit_activity())
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #555;")
        self.summary = QLabel(wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.shifts_table = read_only_table(self.SHIFT_HEADERS)
        self.status = QLabel()
        self.status.setStyleSheet("color: #2e7d32;")
        detail = QWidget()
        detail_layout = QHBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.summary, 1)
        detail_layout.addWidget(self.shifts_table, 1)
        splitter = list_over_detail(self.table, detail)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.count_label)
        layout.addLayout(bottom)

        self._load_projects()
        for combo in (self.period, self.status_filter, self.category_filter, self.project_filter):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.refresh()

    # --- data -------------------------------------------------------------------------------------
    def _load_projects(self) -> None:
        with self.ctx.db.session(write=False) as session:
            projects = project_svc.list_projects(session, self.ctx.actor)
        self.project_filter.clear()
        self.project_filter.addItem(_("全部项目"), None)
        for p in projects:
            self.project_filter.addItem(p.name, p.id)

    def filter(self) -> svc.ActivityFilter:
        start, end = period_range(self.period.currentData(), self.today)
        return svc.ActivityFilter(
            start=start, end=end, status=self.status_filter.currentData(), category=self.category_filter.currentData(),
            project_id=self.project_filter.currentData(), text=self.search.text(),
        )

    def refresh(self) -> None:
        keep = self.selected_id()
        with self.ctx.db.session(write=False) as session:
            rows = svc.list_activities(session, self.ctx.actor, self.filter())
        if self.period.currentData() == "past":
            rows.reverse()  # the most recent first
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        open_ = sum(1 for r in rows if r.status in svc.EDITABLE)
        short = sum(1 for r in rows if r.status in svc.EDITABLE and r.assigned < r.needed)
        self.count_label.setText(_("共 {n} 个活动，其中 {o} 个未结束，{s} 个还缺人").format(n=len(rows), o=open_, s=short))
        if not (keep is not None and self.select_activity(keep)) and rows:
            select_ids(self.table, [rows[0].id])
        self._selection_changed()

    def rows(self) -> list[svc.ActivityRow]:
        return self.model.rows

    def selected_id(self) -> int | None:
        numbers = self.table.selected_row_numbers()
        row = self.model.row(numbers[0]) if numbers else None
        return row.id if row is not None else None

    def selected_row(self) -> svc.ActivityRow | None:
        numbers = self.table.selected_row_numbers()
        return self.model.row(numbers[0]) if numbers else None

    def select_activity(self, activity_id: int) -> bool:
        if self.model.row_of(activity_id) is None:
            return False
        select_ids(self.table, [activity_id])
        return True

    def show_activity(self, activity_id: int) -> None:
        """Select the activity, widening the filters when they hide it."""
        if self.select_activity(activity_id):
            return
        for combo in (self.status_filter, self.category_filter, self.project_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.period.setCurrentIndex(self.period.findData("all"))
        self.refresh()
        self.select_activity(activity_id)

    def _selection_changed(self) -> None:
        row = self.selected_row()
        editable = row is not None and row.status in svc.EDITABLE
        started = row is not None and row.starts_at <= datetime.now()
        self.edit_button.setEnabled(self.can_edit and editable)
        self.assign_button.setEnabled(self.can_edit and editable)
        self.start_button.setEnabled(self.can_edit and row is not None and row.status == svc.ActivityStatus.PLANNED
                                     and started)
        self.done_button.setEnabled(self.can_edit and editable and started)
        self.cancel_button.setEnabled(self.can_edit and editable)
        self.delete_button.setEnabled(self.can_edit and row is not None and row.status in (
            svc.ActivityStatus.PLANNED, svc.ActivityStatus.CANCELLED))
        self.reopen_button.setEnabled(row is not None and row.status == svc.ActivityStatus.DONE)
        self.print_button.setEnabled(row is not None and row.status != svc.ActivityStatus.CANCELLED)
        self.shifts_table.setRowCount(0)
        if row is None:
            self.detail = None
            self.summary.setText(_("这里还没有活动。点“新建活动”安排一次，或用“我们的节日…”一步建好节日慰问。"))
            return
        with self.ctx.db.session(write=False) as session:
            self.detail = svc.get_activity(session, self.ctx.actor, row.id)
            people = self._people(session, row.id)
        self.summary.setText(detail_html(self.detail))
        self.shifts_table.setRowCount(len(self.detail.shifts))
        for n, s in enumerate(self.detail.shifts):
            fill_row(self.shifts_table, n, (s.display_label, s.time_range, str(s.capacity), str(s.assigned),
                                            "、".join(people.get(s.id, []))), s.id)
        for column in range(len(self.SHIFT_HEADERS) - 1):  # the names' column takes the rest of the width
            self.shifts_table.resizeColumnToContents(column)

    def _people(self, session, activity_id: int) -> dict[int, list[str]]:  # noqa: ANN001 - a Session
        """Names on each shift (带队 marked)."""
        out: dict[int, list[str]] = {}
        for a in assign_svc.activity_assignments(session, self.ctx.actor, activity_id):
            out.setdefault(a.shift_id, []).append(a.name + (_("（带队）") if a.role == "lead" else ""))
        return out

    # --- actions ----------------------------------------------------------------------------------
    def _after_save(self, activity_id: int | None) -> None:
        self._load_projects()
        self.refresh()
        if activity_id is not None:
            self.show_activity(activity_id)

    def add_activity(self, day: date | None = None) -> int | None:
        activity_id = ActivityDialog.ask(self.ctx, None, self, day=day)
        if activity_id is not None:
            self._after_save(activity_id)
            self.status.setText(_("已新建活动。"))
        return activity_id

    def add_series(self) -> None:
        ids = SeriesDialog.ask(self.ctx, self)
        if ids:
            self._after_save(ids[0])
            self.status.setText(_("已新建周期活动，共 {n} 次。").format(n=len(ids)))

    def add_festival(self) -> None:
        activity_id = FestivalDialog.ask(self.ctx, self, today=self.today)
        if activity_id is not None:
            self._after_save(activity_id)
            self.status.setText(_("已按节日模板建好慰问活动，可以排班了。"))

    def edit_activity(self, activity_id: int | None = None) -> None:
        activity_id = activity_id or self.selected_id()
        if activity_id is None:
            return
        if ActivityDialog.ask(self.ctx, activity_id, self) is not None:
            self._after_save(activity_id)

    def assign(self) -> None:
        activity_id = self.selected_id()
        if activity_id is None:
            return
        from .assign_dialog import AssignDialog

        AssignDialog(self.ctx, activity_id, self).exec()
        self.refresh()

    def move(self, status: svc.ActivityStatus) -> None:
        row = self.selected_row()
        if row is None:
            return
        run_service(self, self.ctx, lambda s: svc.set_status(s, self.ctx.actor, row.id, status))
        self.refresh()

    def cancel_activity(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        answer = CancelDialog.ask_cancel(self, row.title, row.series_id is not None)
        if answer is None:
            return
        reason, whole_series = answer
        if whole_series:
            done = run_service(self, self.ctx, lambda s: svc.cancel_series_from(s, self.ctx.actor, row.id, reason))
            if done:
                self.status.setText(_("已取消这次及以后共 {n} 次活动。").format(n=done))
        else:
            run_service(self, self.ctx, lambda s: svc.set_status(s, self.ctx.actor, row.id, "cancelled", reason))
        self.refresh()

    def delete_activity(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if not confirm(self, _("删除活动“{t}”（{w}）？删除后无法恢复。").format(t=row.title, w=row.when)):
            return
        if run_service(self, self.ctx, lambda s: svc.delete_activity(s, self.ctx.actor, row.id) or True):
            self.status.setText(_("已删除活动“{t}”。").format(t=row.title))
        self.refresh()

    def reopen(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        reason = ReasonDialog.ask(self, _("撤销完成"), _("把“{t}”改回进行中：请填写原因（会记入操作日志）。").format(t=row.title))
        if reason is None:
            return
        run_service(self, self.ctx, lambda s: svc.set_status(s, self.ctx.actor, row.id, "in_progress", reason))
        self.refresh()

    def print_roster(self) -> Path | None:
        """Write the roster with its sign-in sheet as a PDF where the user chooses."""
        row = self.selected_row()
        if row is None:
            return None
        data = run_service(self, self.ctx, lambda s: svc.roster_data(s, self.ctx.actor, row.id), write=False)
        if data is None:
            return None
        path = RosterPathDialog.ask(self, str(Path.home() / roster_file_name(data)))
        if path is None:
            return None
        try:
            written = activity_roster(data, path)
        except OSError as exc:
            show_error(self, _("排班签到表无法保存到“{p}”：{e}").format(p=path, e=exc.strerror or exc))
            return None
        self.status.setText(_("排班签到表已保存：{p}（A4，可直接打印）").format(p=written))
        return written

