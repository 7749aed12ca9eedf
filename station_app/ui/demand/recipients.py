"""服务对象与走访 page of the 需求菜单 tab: the register of households, their visits and needs."""

from __future__ import annotations

from datetime import date
from html import escape

from ...errors import StationError, ValidationError
from ...i18n import _
from ...services import catalogue
from ...services import needs as needs_svc
from ...services import recipients as svc
from ...services.auth import Permission
from ..common import AppContext, dialog_buttons, error_label, run_service, show_error
from ..qt import (
    QCheckBox,
    QColor,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from ..rows_model import CENTER, Column, RowsModel, RowsTable, select_ids
from .visit_dialog import VisitDialog

OVERDUE_BACKGROUND = QColor("#fde2e1")
OVERDUE_FOREGROUND = QColor("#b00020")
INACTIVE_FOREGROUND = QColor("#888888")


# --- the form --------------------------------------------------------------------------------
class RecipientDialog(QDialog):
    """Register a recipient or edit one; key groups are check boxes. The service owns every rule."""

    def __init__(self, ctx: AppContext, recipient_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.recipient_id = recipient_id
        self.saved_id: int | None = None
        self._version = 0
        self.setWindowTitle(_("修改服务对象资料") if recipient_id else _("新增服务对象"))
        self.setMinimumWidth(600)

        self.name = QLineEdit()
        self.gender = QComboBox()
        self.gender.addItem(_("（请选择）"), "")
        for g in svc.GENDERS:
            self.gender.addItem(g, g)
        self.birth_date = QLineEdit(placeholderText=_("如 1942-03-08"))
        self.building = QLineEdit(placeholderText=_("楼栋"))
        self.unit = QLineEdit(placeholderText=_("单元"))
        self.room = QLineEdit(placeholderText=_("房号"))
        self.phone = QLineEdit(placeholderText=_("手机 13812345678 或座机 0760-88123456"))
        self.guardian_name = QLineEdit(placeholderText=_("姓名"))
        self.guardian_relation = QLineEdit(placeholderText=_("关系，如 儿子、祖母、社工"))
        self.guardian_phone = QLineEdit(placeholderText=_("电话"))
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(70)
        self.error = error_label()

        detail = None
        with ctx.db.session() as session:
            groups = catalogue.list_key_groups(session, ctx.actor, include_retired=True)
            if recipient_id is not None:
                # Editing needs the full phones and address: opening the form is an audited reveal.
                detail = svc.get_recipient(session, ctx.actor, recipient_id, reveal=True)
        current = set(detail.key_group_ids) if detail else set()

        self.key_group_boxes: dict[int, QCheckBox] = {}
        groups_box = QGroupBox(_("重点对象类别（可多选）"))
        grid = QGridLayout(groups_box)
        shown = [g for g in groups if g.active or g.id in current]
        for n, group in enumerate(shown):
            label = group.name + ("" if group.active else _("（已停用）"))
            box = QCheckBox(label)
            if group.visit_interval_days:
                box.setToolTip(_("每 {n} 天至少走访一次").format(n=group.visit_interval_days))
            self.key_group_boxes[group.id] = box
            grid.addWidget(box, n // 4, n % 4)
        if not shown:
            grid.addWidget(QLabel(_("还没有重点对象类别，请站长在“服务菜单”页添加。")), 0, 0)

        person = QGroupBox(_("基本信息"))
        form = QFormLayout(person)
        form.addRow(_("姓名 *"), self.name)
        row = QHBoxLayout()
        row.addWidget(self.gender)
        row.addWidget(QLabel(_("出生日期 *")))
        row.addWidget(self.birth_date, 1)
        form.addRow(_("性别 *"), row)
        home = QHBoxLayout()
        for widget in (self.building, self.unit, self.room):
            home.addWidget(widget)
        form.addRow(_("住址"), home)
        form.addRow(_("本人电话"), self.phone)
        guardian = QHBoxLayout()
        guardian.addWidget(self.guardian_name)
        guardian.addWidget(self.guardian_relation)
        guardian.addWidget(self.guardian_phone)
        form.addRow(_("监护人/联系人"), guardian)
        hint = QLabel(_("本人电话和监护人/联系人电话至少填一个。"))
        hint.setStyleSheet("color: #555;")
        form.addRow("", hint)
        form.addRow(_("备注"), self.notes)

        buttons = dialog_buttons(self, _("保存"))
        layout = QVBoxLayout(self)
        layout.addWidget(person)
        layout.addWidget(groups_box)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.fields = {
            "name": self.name, "gender": self.gender, "birth_date": self.birth_date, "phone": self.phone,
            "guardian_name": self.guardian_name, "guardian_relation": self.guardian_relation,
            "guardian_phone": self.guardian_phone, "building": self.building, "unit": self.unit, "room": self.room,
            "notes": self.notes,
        }
        if detail is not None:
            self._fill(detail)

    @classmethod
    def ask(cls, ctx: AppContext, recipient_id: int | None = None, parent: QWidget | None = None) -> int | None:
        """Open the form; the saved recipient's id, or None if cancelled."""
        dialog = cls(ctx, recipient_id, parent)
        try:
            return dialog.saved_id if dialog.exec() else None
        finally:
            dialog.deleteLater()

    def _fill(self, d: svc.RecipientDetail) -> None:
        self._version = d.version
        self.name.setText(d.name)
        self.gender.setCurrentIndex(max(0, self.gender.findData(d.gender)))
        self.birth_date.setText(d.birth_date.isoformat())
        self.building.setText(d.building)
        self.unit.setText(d.unit)
        self.room.setText(d.room)
        self.phone.setText(d.phone)
        self.guardian_name.setText(d.guardian_name)
        self.guardian_relation.setText(d.guardian_relation)
        self.guardian_phone.setText(d.guardian_phone)
        self.notes.setPlainText(d.notes)
        for group_id, box in self.key_group_boxes.items():
            box.setChecked(group_id in d.key_group_ids)

    def check_key_groups(self, names: list[str]) -> None:
        """Tick exactly the key groups with these names (for tests and scripted use)."""
        for box in self.key_group_boxes.values():
            box.setChecked(box.text() in names)

    def input(self) -> svc.RecipientInput:
        return svc.RecipientInput(
            name=self.name.text(),
            gender=self.gender.currentData() or "",
            birth_date=self.birth_date.text(),
            building=self.building.text(),
            unit=self.unit.text(),
            room=self.room.text(),
            phone=self.phone.text(),
            guardian_name=self.guardian_name.text(),
            guardian_relation=self.guardian_relation.text(),
            guardian_phone=self.guardian_phone.text(),
            key_group_ids=[gid for gid, box in self.key_group_boxes.items() if box.isChecked()],
            notes=self.notes.toPlainText(),
        )

    def accept(self) -> None:
        self.error.clear()
        data = self.input()
        try:
            with self.ctx.db.session() as session:
                if self.recipient_id is None:
                    self.saved_id = svc.create_recipient(session, self.ctx.actor, data)
                else:
                    svc.update_recipient(session, self.ctx.actor, self.recipient_id, data,
                                         expected_version=self._version)
                    self.saved_id = self.recipient_id
        except ValidationError as exc:
            self.error.setText(exc.message)
            widget = self.fields.get(exc.field or "")
            if widget is not None:
                widget.setFocus()
            return
        except StationError as exc:
            show_error(self, exc.message)
            return
        super().accept()


# --- the detail panel ----------------------------------------------------------------------------
def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def detail_html(d: svc.RecipientDetail, visits: list[svc.VisitRow], needs: list[needs_svc.NeedRow]) -> str:
    address = " ".join(p for p in (d.building, d.unit, d.room) if p)
    if address and not d.revealed:
        address = _("***（已隐藏）")
    guardian = " ".join(
        p for p in (d.guardian_name, f"（{d.guardian_relation}）" if d.guardian_relation else "", d.guardian_phone) if p
    )
    if d.visit_interval_days is None:
        rule = _("所属类别没有定期走访要求")
    else:
        rule = _("每 {n} 天，下次应在 {due} 前").format(n=d.visit_interval_days, due=_d(d.next_due))
    status = _("在册") if d.active else _("已停用（{r}）").format(r=d.inactive_reason)
    rows = [
        (_("状态"), status),
        (_("性别 / 年龄"), f"{d.gender} / {d.age}" + _("岁")),
        (_("出生日期"), d.birth_date.isoformat()),
        (_("重点对象"), "、".join(d.key_group_names) or _("无")),
        (_("住址"), address or _("未填写")),
        (_("本人电话"), d.phone or _("未填写")),
        (_("监护人/联系人"), guardian or _("未填写")),
        (_("走访周期"), rule if d.active else ""),
        (_("登记日期"), d.registered_on.isoformat()),
        (_("备注"), d.notes),
    ]
    body = "".join(
        f"<tr><td style='color:#555;padding-right:12px;white-space:nowrap'>{escape(k)}</td><td>{escape(str(v))}</td></tr>"
        for k, v in rows
    )
    masked = "" if d.revealed else f"<p style='color:#888'>{escape(_('电话和住址已部分隐藏。'))}</p>"
    parts = [f"<h2>{escape(d.name)}</h2><table>{body}</table>{masked}"]
    parts.append(f"<h3>{escape(_('走访记录'))}（{len(visits)}）</h3>")
    if visits:
        items = "".join(
            "<li><b>{d}</b> {how} · {kind} {who}{needs}<br/>{findings}</li>".format(
                d=v.visited_on.isoformat(), how=escape(v.method_label), kind=escape(v.visitor_kind_label),
                who=escape(v.visitor_name),
                needs=escape(_("，发现需求 {n} 项").format(n=v.need_count)) if v.need_count else "",
                findings=escape(v.findings),
            )
            for v in visits
        )
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append(f"<p style='color:#888'>{escape(_('还没有走访记录。'))}</p>")
    parts.append(f"<h3>{escape(_('需求'))}（{len(needs)}）</h3>")
    if needs:
        items = "".join(
            "<li>{what}{cat} — <b>{status}</b> · {urgency} · {raised}{project}</li>".format(
                what=escape(n.what), cat=escape(f"（{n.category_label}）") if n.category_label else "",
                status=escape(n.status.label), urgency=escape(n.urgency_label), raised=n.raised_on.isoformat(),
                project=escape(_(" · 项目：{p}").format(p=n.project_name)) if n.project_name else "",
            )
            for n in needs
        )
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append(f"<p style='color:#888'>{escape(_('还没有登记需求。'))}</p>")
    return "".join(parts)


# --- the page --------------------------------------------------------------------------------------
def _next_visit(r: svc.RecipientRow) -> str:
    if r.overdue:
        return _("{d}（逾期 {k} 天）").format(d=_d(r.next_due), k=r.days_overdue)
    if not r.active:
        return _("已停用：{r}").format(r=r.inactive_reason)
    return _d(r.next_due) or _("—")


def _background(r: svc.RecipientRow) -> QColor | None:
    return OVERDUE_BACKGROUND if r.overdue else None


def _foreground(r: svc.RecipientRow) -> QColor | None:
    return INACTIVE_FOREGROUND if not r.active and not r.overdue else None


def _due_foreground(r: svc.RecipientRow) -> QColor | None:
    return OVERDUE_FOREGROUND if r.overdue else _foreground(r)


def _column(header: str, text, align=None, foreground=_foreground) -> Column[svc.RecipientRow]:  # noqa: ANN001
    """Every cell of an overdue household on pink; a deactivated one in grey."""
    return Column(header, text, align=align, foreground=foreground, background=_background)


#: The register's columns, computed per cell when shown (20,000 households on a big station).
RECIPIENT_COLUMNS: tuple[Column[svc.RecipientRow], ...] = (
    _column(_("姓名"), lambda r: r.name),
    _column(_("性别"), lambda r: r.gender, align=CENTER),
    _column(_("年龄"), lambda r: str(r.age), align=CENTER),
    _column(_("重点对象"), lambda r: "、".join(r.key_groups)),
    _column(_("联系方式"), lambda r: r.contact),
    _column(_("上次走访"), lambda r: _d(r.last_visit) or _("未走访")),
    _column(_("下次走访"), _next_visit, foreground=_due_foreground),
)


class RecipientsPage(QWidget):
    HEADERS = tuple(c.header for c in RECIPIENT_COLUMNS)
    SEARCH_DELAY_MS = 150

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        actor = ctx.actor
        self.rows: list[svc.RecipientRow] = []
        self.can_edit = actor.can(Permission.EDIT_DEMAND)

        self.search = QLineEdit(placeholderText=_("搜索：姓名、拼音首字母（如 hlh）、监护人姓名、电话"))
        self.search.setClearButtonEnabled(True)
        self.group_filter = QComboBox()
        self.include_inactive = QCheckBox(_("含已停用"))
        self.overdue_only = QCheckBox(_("只看逾期未走访"))

        self.add_button = QPushButton(_("新增服务对象"))
        self.edit_button = QPushButton(_("修改"))
        self.visit_button = QPushButton(_("记录走访"))
        self.status_button = QPushButton(_("停用"))
        self.reveal_button = QPushButton(_("查看完整信息"))
        self.reveal_button.setToolTip(_("查看完整电话和住址会记入审计日志"))
        self.reveal_button.setVisible(actor.can(Permission.REVEAL_PERSONAL))
        self.add_button.setEnabled(self.can_edit)

        self.model: RowsModel[svc.RecipientRow] = RowsModel(RECIPIENT_COLUMNS, parent=self)
        self.table = RowsTable(self.model)
        self._refreshing = False  # selection signals while the list is replaced are not the user's
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((80, 40, 40, 140, 210, 90)):
            self.table.setColumnWidth(col, width)
        self.detail = QTextBrowser()
        self.count_label = QLabel()

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.group_filter)
        filters.addWidget(self.include_inactive)
        filters.addWidget(self.overdue_only)
        actions = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.visit_button, self.status_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.reveal_button)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([800, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.count_label)

        self._search_timer = QTimer(self, singleShot=True, interval=self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self.apply_filter)
        self.group_filter.currentIndexChanged.connect(self.apply_filter)
        self.include_inactive.toggled.connect(self.apply_filter)
        self.overdue_only.toggled.connect(self.apply_filter)
        self.table.selectionModel().selectionChanged.connect(self._user_selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.add_button.clicked.connect(self.add_recipient)
        self.edit_button.clicked.connect(self.edit_selected)
        self.visit_button.clicked.connect(self.record_visit)
        self.status_button.clicked.connect(self.toggle_active)
        self.reveal_button.clicked.connect(lambda: self.show_detail(self.selected_id(), reveal=True))

        self._fill_groups()
        self.apply_filter()

    # --- data --------------------------------------------------------------------------------
    def _fill_groups(self) -> None:
        current = self.group_filter.currentData()
        with self.ctx.db.session(write=False) as session:
            groups = catalogue.list_key_groups(session, self.ctx.actor)
        self.group_filter.blockSignals(True)
        self.group_filter.clear()
        self.group_filter.addItem(_("全部重点对象"), None)
        for group in groups:
            self.group_filter.addItem(group.name, group.id)
        self.group_filter.setCurrentIndex(max(0, self.group_filter.findData(current)))
        self.group_filter.blockSignals(False)

    def refresh(self) -> None:
        """Re-read after data changed elsewhere (keeps filters and selection)."""
        self._fill_groups()
        self.apply_filter()

    def apply_filter(self) -> None:
        self._search_timer.stop()
        selected = self.selected_id()
        today = date.today()
        text, group = self.search.text(), self.group_filter.currentData()
        with self.ctx.db.session(write=False) as session:
            rows = svc.list_recipients(
                session, self.ctx.actor, text, group, self.include_inactive.isChecked(), today=today,
            )
            if text.strip() or group is not None:  # the list is a part: count the whole station apart
                overdue_total = len(svc.overdue_visits(session, self.ctx.actor, today))
            else:  # the list holds every household: its rows already say who is overdue
                overdue_total = sum(1 for r in rows if r.days_overdue > 0)
        if self.overdue_only.isChecked():
            # Most overdue first, as on the overview.
            rows = sorted((r for r in rows if r.days_overdue > 0), key=lambda r: (-r.days_overdue, r.name, r.id))
        self.rows = rows
        self._fill_table()
        text = _("显示 {n} 位服务对象").format(n=len(rows))
        if overdue_total:
            text += _("；全站 {k} 位逾期未走访").format(k=overdue_total)
        self.count_label.setText(text)
        if selected is None or not self.select_recipient(selected):
            self._selection_changed()

    def _fill_table(self) -> None:
        scrolled = self.table.verticalScrollBar().value()
        self._refreshing = True
        try:
            self.model.set_rows(self.rows)
        finally:
            self._refreshing = False
        self.table.verticalScrollBar().setValue(scrolled)  # stay where the user was looking

    # --- selection ---------------------------------------------------------------------------
    def selected_id(self) -> int | None:
        row = self.selected_row()
        return row.id if row is not None else None

    def selected_row(self) -> svc.RecipientRow | None:
        rows = self.table.selected_row_numbers()
        return self.model.row(rows[0]) if rows else None

    def select_recipient(self, recipient_id: int) -> bool:
        """Select and show this household if the filters show it (its detail re-read); False if they hide it."""
        if self.model.row_of(recipient_id) is None:
            return False
        self._refreshing = True  # one detail load below, not one per selection signal
        try:
            select_ids(self.table, [recipient_id])
        finally:
            self._refreshing = False
        self._selection_changed()
        return True

    def _user_selection_changed(self) -> None:
        if not self._refreshing:
            self._selection_changed()

    def _selection_changed(self) -> None:
        row = self.selected_row()
        selected = row is not None
        self.edit_button.setEnabled(selected and self.can_edit)
        self.visit_button.setEnabled(selected and self.can_edit and row.active)
        self.status_button.setEnabled(selected and self.can_edit)
        self.status_button.setText(_("恢复") if selected and not row.active else _("停用"))
        self.reveal_button.setEnabled(selected)
        if row is None:
            self.detail.setHtml(f"<p style='color:#888'>{escape(_('在左侧选择一位服务对象，查看走访记录和需求。'))}</p>")
        else:
            self.show_detail(row.id)

    def show_detail(self, recipient_id: int | None, *, reveal: bool = False) -> None:
        if recipient_id is None:
            return
        actor = self.ctx.actor

        def load(session):  # noqa: ANN001, ANN202
            return (
                svc.get_recipient(session, actor, recipient_id, reveal=reveal),
                svc.list_visits(session, actor, recipient_id),
                needs_svc.list_needs(session, actor, needs_svc.NeedFilter(recipient_id=recipient_id)),
            )

        loaded = run_service(self, self.ctx, load, write=reveal)
        if loaded is None:
            self.detail.clear()
            return
        self.detail.setHtml(detail_html(*loaded))

    # --- actions ------------------------------------------------------------------------------
    def add_recipient(self) -> None:
        saved = RecipientDialog.ask(self.ctx, parent=self)
        if saved is not None:
            self._after_change(saved)

    def edit_selected(self) -> None:
        recipient_id = self.selected_id()
        if recipient_id is None or not self.can_edit:
            return
        if RecipientDialog.ask(self.ctx, recipient_id, parent=self) is not None:
            self._after_change(recipient_id)

    def record_visit(self) -> None:
        row = self.selected_row()
        if row is None or not self.can_edit:
            return
        if VisitDialog.ask(self.ctx, row.id, row.name, parent=self) is not None:
            self._after_change(row.id)

    def toggle_active(self) -> None:
        row = self.selected_row()
        if row is None or not self.can_edit:
            return
        if row.active:
            prompt = _("停用“{name}”的原因（如：已搬离小区、已去世）。记录和需求都会保留：").format(name=row.name)
            open_needs = self._open_need_count(row.id)
            if open_needs:
                prompt += "\n" + _("注意：还有 {n} 项需求未完成，停用后请在“需求”页逐项处理。").format(n=open_needs)
        else:
            prompt = _("恢复“{name}”的原因：").format(name=row.name)
        reason = self.ask_reason(_("停用服务对象") if row.active else _("恢复服务对象"), prompt)
        if reason is None:
            return
        done = run_service(
            self, self.ctx, lambda s: svc.set_recipient_active(s, self.ctx.actor, row.id, not row.active, reason) or True
        )
        if done:
            self.include_inactive.setChecked(self.include_inactive.isChecked() or row.active)
            self._after_change(row.id)

    def _open_need_count(self, recipient_id: int) -> int:
        with self.ctx.db.session(write=False) as session:
            needs = needs_svc.list_needs(session, self.ctx.actor, needs_svc.NeedFilter(recipient_id=recipient_id))
        return sum(1 for n in needs if n.status in needs_svc.UNMET or n.status == needs_svc.NeedStatus.MATCHED)

    def ask_reason(self, title: str, prompt: str) -> str | None:
        """Ask for a reason; None if cancelled. Tests replace this."""
        text, ok = QInputDialog.getMultiLineText(self, title, prompt)
        return text if ok else None

    def _after_change(self, recipient_id: int) -> None:
        self._fill_groups()
        self.apply_filter()
        if not self.select_recipient(recipient_id):
            # Hidden by the filters: clear them so the user sees what was just saved.
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.group_filter.blockSignals(True)
            self.group_filter.setCurrentIndex(0)
            self.group_filter.blockSignals(False)
            self.overdue_only.blockSignals(True)
            self.overdue_only.setChecked(False)
            self.overdue_only.blockSignals(False)
            self.apply_filter()
            self.select_recipient(recipient_id)
