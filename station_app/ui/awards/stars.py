"""The star-level pages of the 星级与嘉许 tab: 星级总览, 新达星级 (confirming) and 待复核 (reviews)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ...i18n import _
from ...services import certificates as certs
from ...services import stars as svc
from ...services.auth import Permission
from ...services.hours import MAX_LEVEL, STAR_THRESHOLD_HOURS, hours_text, level_name
from ..common import AppContext, confirm, run_service
from ..demand.projects import ReasonDialog, date_edit
from ..qt import (
    QAbstractItemView,
    QColor,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from ..roster.import_dialog import export_excel
from ..rows_model import CENTER, Column, RowsModel, RowsTable

if TYPE_CHECKING:
    from ..printing.centre import CertificatePreviewDialog

GOLD = QColor("#b8860b")
OK_STYLE = "color: #2e7d32;"
NOTE_STYLE = "color: #555;"
USER = Qt.ItemDataRole.UserRole


def no_permission(ctx: AppContext, permission: Permission) -> str:
    return _("当前账号（{role}）没有“{p}”的权限，只能查看。").format(role=ctx.actor.role.label, p=permission.value)


def lock_buttons(ctx: AppContext, permission: Permission, *widgets: QWidget) -> bool:
    """Disable the widgets with a tooltip saying why, unless the user may; returns whether they may."""
    allowed = ctx.actor.can(permission)
    if not allowed:
        for widget in widgets:
            widget.setEnabled(False)
            widget.setToolTip(no_permission(ctx, permission))
    return allowed


def note_label(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setStyleSheet(NOTE_STYLE)
    return label


def status_label() -> QLabel:
    label = QLabel(wordWrap=True)
    label.setStyleSheet(OK_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def print_star_certificates(parent: QWidget, ctx: AppContext, award_ids: list[int],
                            title: str) -> CertificatePreviewDialog | None:
    """Star certificates of these awards in a preview window to print or save (see ``printing.centre``)."""
    from ..printing.centre import print_certificates  # the print centre imports this module

    return print_certificates(parent, ctx, lambda s, key: certs.star_certificates(s, ctx.actor, key, award_ids), title)


RULE_TEXT = _("星级按累计志愿服务时长自动计算（更正后的时长，培训不计入，兑换不扣减）：{t} 小时依次为一至五星级。").format(
    t=" / ".join(str(h) for h in STAR_THRESHOLD_HOURS)
)


# --- 星级总览 --------------------------------------------------------------------------------------
class OverviewPage(QWidget):
    """Every registered volunteer's hours and level, most hours first; searchable, page by page."""

    SEARCH_DELAY_MS = 300
    COLUMNS = (
        Column(_("姓名"), lambda r: r.name),
        Column(_("志愿者编号"), lambda r: r.volunteer_no),
        Column(_("累计服务时长（小时）"), lambda r: r.hours, align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
        Column(_("星级"), lambda r: "★" * r.level if r.level else "—", align=CENTER,
               foreground=lambda r: GOLD if r.level else None, tooltip=lambda r: level_name(r.level)),
        Column(_("已认定"), lambda r: r.confirmed_text,
               foreground=lambda r: QColor("#b00020") if r.newly_eligible else None,
               tooltip=lambda r: _("已达{lv}，尚未认定").format(lv=level_name(r.level)) if r.newly_eligible else None),
        Column(_("距下一星级"), lambda r: r.to_next_text),
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.offset = 0
        self.total = 0
        self.summary = QLabel(wordWrap=True)
        self.summary.setStyleSheet("font-size: 14px; padding: 4px;")
        self.search = QLineEdit(placeholderText=_("搜索姓名、拼音首字母或志愿者编号"), clearButtonEnabled=True)
        self.level_filter = QComboBox()
        self.level_filter.addItem(_("全部星级"), None)
        for level in range(MAX_LEVEL + 1):
            self.level_filter.addItem(level_name(level), level)
        self.model: RowsModel[svc.StarRow] = RowsModel(self.COLUMNS, id_of=lambda r: r.volunteer_id)
        self.table = RowsTable(self.model)
        self.count_label = QLabel()
        self.prev_button = QPushButton(_("上一页"))
        self.next_button = QPushButton(_("下一页"))
        self.prev_button.clicked.connect(lambda: self.turn(-1))
        self.next_button.clicked.connect(lambda: self.turn(1))
        self.print_button = QPushButton(_("打印星级证书…"))
        self.print_button.clicked.connect(lambda: self.print_certificate())
        self.may_print = lock_buttons(ctx, Permission.PRINT_CERTIFICATES, self.print_button)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_print_button())
        self.export_button = QPushButton(_("导出Excel…"))
        self.export_button.setToolTip(_("导出全部星级认定和嘉许（两个工作表）"))
        self.export_button.clicked.connect(lambda: export_excel(self, self.ctx, "awards"))

        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.level_filter)
        filters.addStretch(1)
        filters.addWidget(self.print_button)
        filters.addWidget(self.export_button)
        pager = QHBoxLayout()
        pager.addWidget(self.count_label)
        pager.addStretch(1)
        pager.addWidget(self.prev_button)
        pager.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(note_label(RULE_TEXT))
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(pager)

        self._timer = QTimer(self, singleShot=True, interval=self.SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._timer.start)
        self.search.returnPressed.connect(self.apply_filter)
        self.level_filter.currentIndexChanged.connect(self.apply_filter)
        self.refresh()

    def apply_filter(self) -> None:
        self.offset = 0
        self.refresh()

    def turn(self, step: int) -> None:
        self.offset = max(0, self.offset + step * svc.PAGE_SIZE)
        self.refresh()

    def refresh(self) -> None:
        with self.ctx.db.session(write=False) as session:
            overview = svc.star_overview(session, self.ctx.actor, search=self.search.text(),
                                         level=self.level_filter.currentData(), offset=self.offset)
            distribution = svc.level_distribution(session, self.ctx.actor)
        self.total = overview.total
        self.model.set_rows(overview.rows)
        for col, width in enumerate((110, 130, 150, 110, 130)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(len(self.COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.summary.setText(self.summary_text(distribution))
        shown_to = self.offset + len(overview.rows)
        self.count_label.setText(
            _("共 {n} 名已注册志愿者，显示第 {a}–{b} 名").format(n=self.total, a=self.offset + 1, b=shown_to)
            if overview.rows else _("没有符合条件的志愿者。")
        )
        self.prev_button.setEnabled(self.offset > 0)
        self.next_button.setEnabled(shown_to < self.total)
        self._update_print_button()  # a reset clears the selection without a signal

    @staticmethod
    def summary_text(distribution: dict[int, int]) -> str:
        stars = "　".join(
            _("{s} {lv} <b>{n}</b> 人").format(s="★" * lv, lv=level_name(lv).removesuffix(_("志愿者")), n=distribution[lv])
            for lv in range(MAX_LEVEL, 0, -1)
        )
        return _("星级分布：{stars}　未达星级 <b>{none}</b> 人").format(stars=stars, none=distribution[0])

    def shown(self) -> list[svc.StarRow]:
        return list(self.model.rows)

    def selected(self) -> svc.StarRow | None:
        numbers = self.table.selected_row_numbers()
        return self.model.row(numbers[0]) if numbers else None

    def _update_print_button(self) -> None:
        if not self.may_print:
            return
        row = self.selected()
        self.print_button.setEnabled(row is not None)
        self.print_button.setToolTip(
            _("请先在列表中选择一名志愿者。") if row is None
            else _("打印{n}的星级证书（已认定的最高星级）。").format(n=row.name) if row.confirmed_level
            else _("{n}还没有认定的星级，不能打印星级证书。").format(n=row.name))

    def print_certificate(self) -> CertificatePreviewDialog | None:
        """The selected volunteer's certificate of their highest confirmed level, to print or save."""
        row = self.selected()
        if row is None:
            return None
        from ..printing.centre import print_certificates  # the print centre imports this module

        actor, volunteer_id = self.ctx.actor, row.volunteer_id
        return print_certificates(
            self, self.ctx, lambda s, key: [certs.star_certificate_for(s, actor, key, volunteer_id)],
            _("星级证书 · {n}").format(n=row.name))


# --- 新达星级 --------------------------------------------------------------------------------------
class EligiblePage(QWidget):
    """Volunteers whose hours reached a level not yet confirmed: tick them and confirm (认定)."""

    HEADERS = (_("姓名"), _("志愿者编号"), _("累计服务时长（小时）"), _("可认定星级"), _("已认定"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[svc.StarRow] = []
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemChanged.connect(lambda _item: self._update_buttons())
        self.on = date_edit(date.today())
        self.on.setMaximumDate(self.on.date())
        self.confirm_button = QPushButton(_("认定所选"))
        self.confirm_all_button = QPushButton(_("全部认定"))
        self.confirm_button.clicked.connect(lambda: self.confirm_ids(self.checked_ids()))
        self.confirm_all_button.clicked.connect(lambda: self.confirm_ids([r.volunteer_id for r in self.rows]))
        self.can_confirm = lock_buttons(ctx, Permission.CONFIRM_AWARDS, self.confirm_button, self.confirm_all_button,
                                        self.on)
        self.may_print = ctx.actor.can(Permission.PRINT_CERTIFICATES)
        self.just_confirmed: list[int] = []  # award ids of the last confirmation, offered for printing
        self.printed: CertificatePreviewDialog | None = None
        self.print_button = QPushButton()
        self.print_button.clicked.connect(lambda: self.print_confirmed())
        self.print_button.setVisible(False)
        self.count_label = QLabel()
        self.status = status_label()
        actions = QHBoxLayout()
        actions.addWidget(self.count_label)
        actions.addStretch(1)
        actions.addWidget(QLabel(_("认定日期")))
        actions.addWidget(self.on)
        actions.addWidget(self.confirm_button)
        actions.addWidget(self.confirm_all_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note_label(_("累计服务时长已达到更高星级、尚未认定的已注册志愿者。认定后发给星级证书编号；"
                                      "一次跨过两个星级的，直接认定所达的最高星级。有待复核认定的志愿者，复核后才出现在这里。")))
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        result = QHBoxLayout()
        result.addWidget(self.status, 1)
        result.addWidget(self.print_button)
        layout.addLayout(result)
        self.refresh()

    def refresh(self) -> None:
        with self.ctx.db.session(write=False) as session:
            self.rows = svc.newly_eligible(session, self.ctx.actor)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rows))
        for n, r in enumerate(self.rows):
            values = (r.name, r.volunteer_no, r.hours, f"{'★' * r.level}  {level_name(r.level)}", r.confirmed_text)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setData(USER, r.volunteer_id)
                    if self.can_confirm:
                        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                        item.setCheckState(Qt.CheckState.Unchecked)
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col == 3:
                    item.setForeground(GOLD)
                self.table.setItem(n, col, item)
        self.table.blockSignals(False)
        for col, width in enumerate((130, 130, 150, 200)):
            self.table.setColumnWidth(col, width)
        self.count_label.setText(_("新达星级待认定 {n} 人").format(n=len(self.rows)) if self.rows
                                 else _("目前没有新达星级、待认定的志愿者。"))
        self._update_buttons()

    def checked_ids(self) -> list[int]:
        return [
            self.table.item(n, 0).data(USER) for n in range(self.table.rowCount())
            if self.table.item(n, 0).checkState() == Qt.CheckState.Checked
        ]

    def check(self, name: str) -> bool:
        for n, r in enumerate(self.rows):
            if r.name == name:
                self.table.item(n, 0).setCheckState(Qt.CheckState.Checked)
                return True
        return False

    def _update_buttons(self) -> None:
        if self.can_confirm:
            self.confirm_button.setEnabled(bool(self.checked_ids()))
            self.confirm_all_button.setEnabled(bool(self.rows))

    def confirm_ids(self, ids: list[int]) -> None:
        if not ids:
            return
        on = self.on.date().toPython()
        chosen = [r for r in self.rows if r.volunteer_id in ids]
        names = "、".join(f"{r.name}（{level_name(r.level)}）" for r in chosen)
        if not confirm(self, _("认定 {n} 人的星级：{names}？\n认定日期 {d}。认定记入台账，不能删除。").format(
                n=len(chosen), names=names, d=on.isoformat())):
            return
        awards = run_service(self, self.ctx, lambda s: svc.confirm_all(s, self.ctx.actor, ids, on))
        if awards:
            self.status.setText(_("已认定 {n} 人，证书编号：").format(n=len(awards)) + "；".join(
                f"{a.name} {a.level_text} {a.certificate_no}" for a in awards))
        self.refresh()
        if awards:
            self.offer_printing(awards)

    def offer_printing(self, awards: list[svc.AwardRow]) -> None:
        """Offer, beside the confirmation's message, to print the certificates just confirmed.

        A button, not a question box: the page stays usable, and certificates are often printed
        later, for a ceremony (from here, 星级总览 or 证书打印).
        """
        self.just_confirmed = [a.id for a in awards]
        self.print_button.setText(_("打印这 {n} 人的星级证书…").format(n=len(awards)))
        self.print_button.setToolTip(_("已认定 {n} 人。现在打印他们的星级证书（打印或另存为 PDF 后记为已发放）。").format(
            n=len(awards)))
        self.print_button.setVisible(self.may_print and bool(awards))

    def print_confirmed(self) -> CertificatePreviewDialog | None:
        if not self.just_confirmed:
            return None
        self.printed = print_star_certificates(
            self, self.ctx, list(self.just_confirmed), _("星级证书 · {n} 份").format(n=len(self.just_confirmed)))
        return self.printed


# --- 待复核 ---------------------------------------------------------------------------------------
class ReviewPage(QWidget):
    """Awards a correction took below their level: keep (保留) or revoke (撤销) each, with a note."""

    HEADERS = (_("姓名"), _("志愿者编号"), _("证书编号"), _("认定星级"), _("认定日期"), _("认定时时长"),
               _("现累计时长"), _("现可达星级"), _("标记原因"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[svc.AwardRow] = []
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.keep_button = QPushButton(_("保留认定…"))
        self.revoke_button = QPushButton(_("撤销认定…"))
        self.keep_button.clicked.connect(lambda: self.review(True))
        self.revoke_button.clicked.connect(lambda: self.review(False))
        self.can_review = lock_buttons(ctx, Permission.CONFIRM_AWARDS, self.keep_button, self.revoke_button)
        self.count_label = QLabel()
        self.status = status_label()
        actions = QHBoxLayout()
        actions.addWidget(self.count_label)
        actions.addStretch(1)
        actions.addWidget(self.keep_button)
        actions.addWidget(self.revoke_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note_label(_("更正后累计时长低于已认定星级的认定，在这里复核：保留（如另有未录入的服务）或撤销。"
                                      "认定不会被删除，复核结果和说明记入操作日志。")))
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        with self.ctx.db.session(write=False) as session:
            self.rows = svc.flagged_awards(session, self.ctx.actor)
        self.table.setRowCount(len(self.rows))
        for n, a in enumerate(self.rows):
            values = (a.name, a.volunteer_no, a.certificate_no, a.level_text, a.confirmed_on.isoformat(),
                      hours_text(a.minutes_at_award), hours_text(a.minutes_now), level_name(a.level_now), a.review_note)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setData(USER, a.id)
                self.table.setItem(n, col, item)
        for col, width in enumerate((90, 120, 170, 120, 100, 100, 100, 110)):
            self.table.setColumnWidth(col, width)
        self.count_label.setText(_("待复核的星级认定 {n} 条").format(n=len(self.rows)) if self.rows
                                 else _("没有待复核的星级认定。"))
        self._update_buttons()

    def selected(self) -> svc.AwardRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        if self.can_review:
            chosen = self.selected() is not None
            self.keep_button.setEnabled(chosen)
            self.revoke_button.setEnabled(chosen)

    def review(self, keep: bool) -> None:
        award = self.selected()
        if award is None:
            return
        what = _("保留") if keep else _("撤销")
        note = ReasonDialog.ask(self, _("{w}星级认定").format(w=what), _("{w} {n} 的{lv}（证书 {c}）。请写明理由：").format(
            w=what, n=award.name, lv=award.level_text, c=award.certificate_no))
        if note is None:
            return
        done = run_service(self, self.ctx, lambda s: svc.review_award(s, self.ctx.actor, award.id, keep, note) or True)
        if done:
            self.status.setText(_("已{w}：{n} {lv}（证书 {c}）").format(w=what, n=award.name, lv=award.level_text,
                                                                   c=award.certificate_no))
        self.refresh()
