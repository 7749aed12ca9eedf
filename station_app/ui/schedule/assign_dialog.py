"""排班 dialog of the 活动排班 tab: an activity's shifts, who is on each, and suggested volunteers.

Opened from the activity list's 排班 button: ``AssignDialog(ctx, activity_id, self).exec()``;
``dialog.changed`` says whether anything was assigned or cancelled (refresh the list's counts).
Every assignment goes through ``services.assignments``, which owns the rules: a hard refusal
shows in the red line and saves nothing; soft warnings open ``OverrideDialog`` asking for a
reason, which is saved with the assignment.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ...errors import StationError
from ...i18n import _
from ...services import assignments as svc
from ...services import volunteers as vol_svc
from ...services.auth import Permission
from ...services.suggestions import Suggestion, suggest_volunteers
from ..common import AppContext, dialog_buttons, error_label
from ..demand.projects import USER, ReasonDialog, fill_row, read_only_table
from ..demand.recruitment import ApplyDialog
from ..qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    Qt,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

HINT_STYLE = "color: #555;"
DONE_STYLE = "color: #2e7d32;"


class OverrideDialog(QDialog):
    """Lists the soft warnings of an assignment and asks why it should go ahead anyway."""

    def __init__(self, problems: Sequence[svc.Problem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("需要说明理由"))
        self.setMinimumWidth(480)
        intro = QLabel(_("安排前请确认以下提醒："))
        self.warnings = QLabel("<br/>".join("• " + escape(p.message) for p in problems), wordWrap=True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.warnings.setStyleSheet("color: #8a5a00;")
        self.reason = QPlainTextEdit(placeholderText=_("如：本人电话确认这个时间可以来"))
        self.reason.setMaximumHeight(80)
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.warnings)
        layout.addWidget(QLabel(_("仍然安排的理由（会和排班一起保存）：")))
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("仍然安排")))

    def accept(self) -> None:
        if not self.reason.toPlainText().strip():
            self.error.setText(_("请填写理由；不想安排请点“取消”。"))
            return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, problems: Sequence[svc.Problem]) -> str | None:
        """The reason typed, or None if cancelled. Tests patch this."""
        dialog = cls(problems, parent)
        return dialog.reason.toPlainText().strip() if dialog.exec() else None


class VolunteerPickDialog(ApplyDialog):
    """按姓名/编号查找: the recruitment page's volunteer search, picking any volunteer.

    Volunteers of every status are listed: assigning one who is not 已注册 is refused with the reason.
    """

    MAY_APPLY = set(vol_svc.STATUS_LABELS.values())

    def __init__(self, ctx: AppContext, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(ctx, 0, title, parent)
        self.setWindowTitle(_("查找志愿者：{t}").format(t=title) if title else _("查找志愿者"))
        self.note.hide()
        for i in range(self.layout().count()):
            form = self.layout().itemAt(i).layout()
            if isinstance(form, QFormLayout) and form.labelForField(self.note) is not None:
                form.labelForField(self.note).hide()
        buttons = self.findChild(QDialogButtonBox)
        if buttons is not None:
            buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("安排"))

    def run_search(self) -> None:
        super().run_search()
        if self.results.count() == 0:
            self.hint.setText(_("没有找到这位志愿者，请换个写法试试（姓名、拼音首字母、电话、编号）。"))

    def accept(self) -> None:
        item = self.results.currentItem()
        if item is None:
            self.error.setText(_("请先在列表中选择一位志愿者。"))
            return
        self.saved_id = item.data(USER)
        QDialog.accept(self)

    @classmethod
    def ask(cls, ctx: AppContext, title: str = "", parent: QWidget | None = None) -> int | None:  # type: ignore[override]
        dialog = cls(ctx, title, parent)
        return dialog.saved_id if dialog.exec() else None


def _stretch(table: QTableWidget, column: int) -> None:
    table.resizeColumnsToContents()
    table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


class AssignDialog(QDialog):
    SHIFT_HEADERS = (_("班次"), _("时间"), _("已排/名额"), _("带队"))
    ASSIGNED_HEADERS = (_("姓名"), _("编号"), _("电话"), _("角色"), _("提醒与理由"))
    SUGGESTION_HEADERS = (_("名次"), _("姓名"), _("编号"), _("推荐理由"), _("提醒"), _("骨干/带队"))

    def __init__(self, ctx: AppContext, activity_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.activity_id = activity_id
        self.can_edit = ctx.actor.can(Permission.EDIT_SCHEDULE)
        self.overview: svc.ActivityOverview | None = None
        self.assigned: list[svc.AssignmentRow] = []
        self.suggestions: list[Suggestion] = []
        self.changed = False  # True once anything was assigned or cancelled: the caller refreshes its list
        self.setWindowTitle(_("排班"))
        self.resize(1180, 720)

        self.header = QLabel(wordWrap=True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.shifts = read_only_table(self.SHIFT_HEADERS)
        self.shifts.itemSelectionChanged.connect(self.refresh_shift)
        shift_header = self.shifts.horizontalHeader()
        shift_header.setStretchLastSection(False)
        shift_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            shift_header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.assigned_table = read_only_table(self.ASSIGNED_HEADERS)
        self.assigned_table.itemSelectionChanged.connect(self._update_buttons)
        self.suggestion_table = read_only_table(self.SUGGESTION_HEADERS)
        self.suggestion_table.setWordWrap(True)
        self.suggestion_table.itemSelectionChanged.connect(self._update_buttons)
        # The reasons are the point of the list: they wrap onto more lines rather than being cut off.
        header = self.suggestion_table.horizontalHeader()
        header.setStretchLastSection(False)
        for col in (0, 1, 2, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(lambda *_args: self.suggestion_table.resizeRowsToContents())
        self.assigned_table.setWordWrap(True)
        self.shift_hint = QLabel(wordWrap=True)
        self.shift_hint.setStyleSheet(HINT_STYLE)

        self.cancel_button = QPushButton(_("取消排班…"))
        self.assign_button = QPushButton(_("安排"))
        self.lead_button = QPushButton(_("安排为带队"))
        self.find_button = QPushButton(_("按姓名/编号查找…"))
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.assign_button.clicked.connect(lambda: self.assign_selected("member"))
        self.lead_button.clicked.connect(lambda: self.assign_selected("lead"))
        self.find_button.clicked.connect(self.find_volunteer)
        if not self.can_edit:
            for button in (self.cancel_button, self.assign_button, self.lead_button, self.find_button):
                button.setToolTip(_("当前账号只能查看，不能排班。"))

        self.error = error_label()
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.status.setStyleSheet(DONE_STYLE)

        shifts_box = QGroupBox(_("班次"))
        QVBoxLayout(shifts_box).addWidget(self.shifts)
        assigned_box = QGroupBox(_("已安排"))
        assigned_layout = QVBoxLayout(assigned_box)
        assigned_layout.addWidget(self.assigned_table)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        assigned_layout.addLayout(row)
        suggest_box = QGroupBox(_("推荐志愿者（按适合程度排序，理由见每行）"))
        suggest_layout = QVBoxLayout(suggest_box)
        suggest_layout.addWidget(self.shift_hint)
        suggest_layout.addWidget(self.suggestion_table, 1)
        row = QHBoxLayout()
        row.addWidget(self.find_button)
        row.addStretch(1)
        row.addWidget(self.assign_button)
        row.addWidget(self.lead_button)
        suggest_layout.addLayout(row)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(assigned_box)
        right.addWidget(suggest_box)
        right.setStretchFactor(0, 2)  # room for two or three people whose warnings and reasons wrap
        right.setStretchFactor(1, 3)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(shifts_box)
        body.addWidget(right)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 4)
        body.setSizes([340, 840])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(body, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.refresh()

    # --- data -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the activity and its shifts, keeping the selected shift."""
        keep = self.current_shift_id()
        with self.ctx.db.session(write=False) as session:
            self.overview = svc.shift_overview(session, self.ctx.actor, self.activity_id)
        o = self.overview
        self.setWindowTitle(_("排班：{t}").format(t=o.title))
        self.header.setText(self._header_html(o))
        self.shifts.blockSignals(True)
        self.shifts.setRowCount(len(o.shifts))
        for n, s in enumerate(o.shifts):
            count = f"{s.assigned} / {s.capacity}" + (_("（满）") if s.is_full else "")
            fill_row(self.shifts, n, (s.label or _("（全程）"), self._shift_time(o, s), count,
                                      s.lead_name or "—"), s.id)
        ids = [s.id for s in o.shifts]
        row = ids.index(keep) if keep in ids else (0 if ids else -1)
        if row >= 0:
            self.shifts.selectRow(row)
        self.shifts.blockSignals(False)
        self.refresh_shift()

    @staticmethod
    def _shift_time(o: svc.ActivityOverview, s: svc.ShiftOverview) -> str:
        """Just the hours when the shift is on the activity's (first) day, else the full time."""
        if s.starts_at.date() == s.ends_at.date() == o.starts_at.date():
            return f"{s.starts_at:%H:%M}–{s.ends_at:%H:%M}"
        return svc.span_text(s.starts_at, s.ends_at)

    @staticmethod
    def _header_html(o: svc.ActivityOverview) -> str:
        none = _("无")
        first = (f"<b style='font-size:15px'>{escape(o.title)}</b>　{svc.span_text(o.starts_at, o.ends_at)}"
                 f"　{escape(o.place)}　<span style='color:#555'>[{o.status_label}]</span>")
        second = _("需要培训：{t}　需要技能：{k}　带队社工：{w}").format(
            t=escape(o.required_training_label) or none, k=escape("、".join(o.skills)) or none,
            w=escape(o.lead_social_worker) or none,
        )
        return f"{first}<br/>{second}"

    def current_shift_id(self) -> int | None:
        model = self.shifts.selectionModel()
        rows = model.selectedRows() if model else []
        return self.shifts.item(rows[0].row(), 0).data(USER) if rows else None

    def current_shift(self) -> svc.ShiftOverview | None:
        sid = self.current_shift_id()
        return next((s for s in self.overview.shifts if s.id == sid), None) if self.overview else None

    def refresh_shift(self) -> None:
        """Who is on the selected shift, and who is suggested for it."""
        shift = self.current_shift()
        self.assigned, self.suggestions = [], []
        if shift is not None:
            with self.ctx.db.session(write=False) as session:
                self.assigned = svc.shift_assignments(session, self.ctx.actor, shift.id)
                self.suggestions = suggest_volunteers(session, self.ctx.actor, shift.id)
        self.assigned_table.setRowCount(len(self.assigned))
        for n, a in enumerate(self.assigned):
            notes = a.warnings.replace("\n", "") + (_("理由：") + a.override_reason if a.override_reason else "")
            role = a.role_label + (_("（骨干）") if a.is_backbone else "")
            fill_row(self.assigned_table, n, (a.name, a.volunteer_no, a.phone, role, notes), a.id)
            self.assigned_table.item(n, 4).setToolTip(notes)
        _stretch(self.assigned_table, 4)
        self.assigned_table.resizeRowsToContents()
        self.suggestion_table.setRowCount(len(self.suggestions))
        for n, s in enumerate(self.suggestions):
            reasons, warnings = "；".join(s.reasons), "".join(s.warnings)  # each warning ends with 。
            tag = _("骨干·建议带队") if s.as_lead else (_("骨干") if s.is_backbone else "")
            fill_row(self.suggestion_table, n, (str(s.rank), s.name, s.volunteer_no, reasons, warnings, tag),
                     s.volunteer_id)
            self.suggestion_table.item(n, 3).setToolTip(reasons)
            self.suggestion_table.item(n, 4).setToolTip(warnings)
            if s.warnings:
                self.suggestion_table.item(n, 4).setForeground(Qt.GlobalColor.darkRed)
        self.suggestion_table.setColumnWidth(4, 230)
        self.suggestion_table.resizeRowsToContents()
        self.shift_hint.setText(self._shift_hint(shift))
        self._update_buttons()

    def _shift_hint(self, shift: svc.ShiftOverview | None) -> str:
        o = self.overview
        if o is None or shift is None:
            return _("这个活动还没有班次。")
        if o.is_closed:
            return _("活动{s}，不能再排班。").format(s=o.status_label)
        if shift.is_past:
            return _("这个班次已经结束，不能再排班。")
        if shift.is_full:
            return _("班次已满（{n}/{c} 人）。要换人，请先取消一位的排班。").format(n=shift.assigned, c=shift.capacity)
        if not self.suggestions:
            return _("没有可推荐的志愿者（已排在同一时间、或缺少要求的培训的志愿者不会推荐）。可用“按姓名/编号查找”。")
        return _("还可安排 {n} 人。已排在同一时间、或缺少要求的培训的志愿者不在推荐之列。").format(
            n=shift.capacity - shift.assigned)

    def selected_suggestion(self) -> Suggestion | None:
        model = self.suggestion_table.selectionModel()
        rows = model.selectedRows() if model else []
        return self.suggestions[rows[0].row()] if rows and rows[0].row() < len(self.suggestions) else None

    def selected_assignment(self) -> svc.AssignmentRow | None:
        model = self.assigned_table.selectionModel()
        rows = model.selectedRows() if model else []
        return self.assigned[rows[0].row()] if rows and rows[0].row() < len(self.assigned) else None

    def _update_buttons(self) -> None:
        shift = self.current_shift()
        open_shift = (self.can_edit and shift is not None and self.overview is not None
                      and not self.overview.is_closed and not shift.is_past)
        picked = self.selected_suggestion() is not None
        self.assign_button.setEnabled(open_shift and picked)
        self.lead_button.setEnabled(open_shift and picked)
        self.find_button.setEnabled(open_shift)
        self.cancel_button.setEnabled(
            self.can_edit and self.selected_assignment() is not None
            and self.overview is not None and self.overview.status != "done"
        )

    # --- actions --------------------------------------------------------------------------------
    def assign_selected(self, role: str) -> bool:
        s = self.selected_suggestion()
        if s is None:
            self.error.setText(_("请先在推荐列表中选择一位志愿者。"))
            return False
        return self.assign(s.volunteer_id, role)

    def assign(self, volunteer_id: int, role: str = "member") -> bool:
        """Assign through the service; a refusal shows in the red line, warnings ask for a reason."""
        shift_id = self.current_shift_id()
        if shift_id is None:
            return False
        self.error.clear()
        self.status.clear()
        reason = ""
        for _attempt in range(2):
            try:
                with self.ctx.db.session() as session:
                    svc.assign_volunteer(session, self.ctx.actor, shift_id, volunteer_id, role=role,
                                         override_reason=reason)
            except svc.OverrideRequired as exc:
                if reason:  # new warnings since the reason was typed: show them, save nothing
                    self.error.setText(exc.message)
                    return False
                answer = OverrideDialog.ask(self, exc.problems)
                if answer is None:
                    self.status.setText(_("没有安排。"))
                    return False
                reason = answer
                continue
            except StationError as exc:  # AssignmentRefused names every hard problem
                self.error.setText(exc.message)
                return False
            break
        self.changed = True
        self.refresh()
        name = next((a.name for a in self.assigned if a.volunteer_id == volunteer_id), "")
        role_text = svc.ROLES[role]
        self.status.setText(_("已安排 {name}（{r}）。").format(name=name, r=role_text))
        return True

    def find_volunteer(self) -> None:
        title = self.overview.title if self.overview else ""
        volunteer_id = VolunteerPickDialog.ask(self.ctx, title, self)
        if volunteer_id is not None:
            self.assign(volunteer_id, "member")

    def cancel_selected(self) -> None:
        a = self.selected_assignment()
        if a is None:
            return
        reason = ReasonDialog.ask(
            self, _("取消排班"), _("取消 {name} 在“{s}”的排班，请填写原因（如：临时有事）：").format(
                name=a.name, s=a.shift_label)
        )
        if reason is None:
            return
        self.error.clear()
        try:
            with self.ctx.db.session() as session:
                svc.cancel_assignment(session, self.ctx.actor, a.id, reason)
        except StationError as exc:
            self.error.setText(exc.message)
            return
        self.changed = True
        self.refresh()
        self.status.setText(_("已取消 {name} 的排班。").format(name=a.name))
