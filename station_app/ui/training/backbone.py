"""骨干培养 page of the 培训 tab: the station's backbone rule and the volunteers who meet it."""

from __future__ import annotations

from ...errors import StationError
from ...i18n import _
from ...services import training as svc
from ...services.auth import Permission
from ..common import AppContext, confirm, error_label, run_service
from ..demand.projects import USER, fill_row, read_only_table
from ..qt import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)


def spin(maximum: int, suffix: str, special: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)
    return box


class BackbonePage(QWidget):
    HEADERS = (_("姓名"), _("志愿者编号"), _("联系电话"), _("培训时长"), _("参加活动"), _("最近一次培训"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.candidates: list[svc.BackboneCandidate] = []
        self.can_set_rule = ctx.actor.can(Permission.MANAGE_RULES)
        self.can_confirm = ctx.actor.can(Permission.EDIT_VOLUNTEERS)

        self.months = spin(svc.MAX_RULE_MONTHS, _(" 个月"), _("不限"))
        self.hours = spin(svc.MAX_RULE_HOURS, _(" 小时"))
        self.activities = spin(svc.MAX_RULE_ACTIVITIES, _(" 次"))
        self.save_rule_button = QPushButton(_("保存规则"))
        self.save_rule_button.clicked.connect(self.save_rule)
        self.rule_text = QLabel(wordWrap=True)
        self.rule_error = error_label()
        rule_row = QHBoxLayout()
        for label, widget in ((_("统计近"), self.months), (_("培训时长至少"), self.hours),
                              (_("参加已完成的活动至少"), self.activities)):
            rule_row.addWidget(QLabel(label))
            rule_row.addWidget(widget)
            rule_row.addSpacing(12)
        rule_row.addStretch(1)
        rule_row.addWidget(self.save_rule_button)
        rule_box = QGroupBox(_("骨干认定规则"))
        rule_layout = QVBoxLayout(rule_box)
        rule_layout.addLayout(rule_row)
        rule_layout.addWidget(self.rule_text)
        rule_layout.addWidget(self.rule_error)
        if not self.can_set_rule:
            why = _("当前账号（{role}）没有“{p}”的权限，只能查看。").format(
                role=ctx.actor.role.label, p=Permission.MANAGE_RULES.value)
            for widget in (self.months, self.hours, self.activities, self.save_rule_button):
                widget.setEnabled(False)
                widget.setToolTip(why)

        self.table = read_only_table(self.HEADERS)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.confirm_button = QPushButton(_("认定为骨干"))
        self.confirm_button.clicked.connect(self.confirm_selected)
        if not self.can_confirm:
            self.confirm_button.setToolTip(_("当前账号（{role}）没有“{p}”的权限。").format(
                role=ctx.actor.role.label, p=Permission.EDIT_VOLUNTEERS.value))
        self.count_label = QLabel()
        self.status = QLabel()
        self.status.setStyleSheet("color: #2e7d32;")
        note = QLabel(_("候选人：符合上面规则、已注册且还不是骨干的志愿者。培训时长只计入培训记录，不计入志愿服务时长；"
                        "参加活动按已完成的活动计，同一活动的多个班次算一次。"), wordWrap=True)
        note.setStyleSheet("color: #555;")
        actions = QHBoxLayout()
        actions.addWidget(self.count_label)
        actions.addStretch(1)
        actions.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(rule_box)
        layout.addWidget(note)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        with self.ctx.db.session(write=False) as session:
            rule = svc.get_backbone_rule(session, self.ctx.actor)
            self.candidates = svc.backbone_candidates(session, self.ctx.actor)
        self.months.setValue(rule.months)
        self.hours.setValue(rule.min_training_hours)
        self.activities.setValue(rule.min_activities)
        self.rule_text.setText(_("现行规则：{r}。").format(r=rule.describe()))
        self.table.setRowCount(len(self.candidates))
        for n, c in enumerate(self.candidates):
            fill_row(self.table, n, (c.name, c.volunteer_no, c.phone, c.training_text, _("{a} 次").format(a=c.activities),
                                     c.last_training.isoformat() if c.last_training else ""), c.volunteer_id)
        for col, width in enumerate((110, 140, 120, 90, 80)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(len(self.HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.count_label.setText(_("骨干候选人 {n} 名").format(n=len(self.candidates)) if self.candidates
                                 else _("目前没有符合规则的骨干候选人。"))
        self._update_buttons()

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()}) if self.table.selectionModel() else []
        return [self.table.item(r, 0).data(USER) for r in rows]

    def select_candidate(self, name: str) -> bool:
        for n, c in enumerate(self.candidates):
            if c.name == name:
                self.table.selectRow(n)
                return True
        return False

    def candidate_names(self) -> list[str]:
        return [c.name for c in self.candidates]

    def _update_buttons(self) -> None:
        self.confirm_button.setEnabled(self.can_confirm and bool(self.selected_ids()))

    def rule(self) -> svc.BackboneRule:
        return svc.BackboneRule(min_training_hours=self.hours.value(), min_activities=self.activities.value(),
                                months=self.months.value())

    def save_rule(self) -> None:
        self.rule_error.clear()
        rule = self.rule()
        try:
            with self.ctx.db.session() as session:
                svc.set_backbone_rule(session, self.ctx.actor, rule)
        except StationError as exc:
            self.rule_error.setText(exc.message)
            return
        self.status.setText(_("骨干认定规则已保存：{r}。").format(r=rule.describe()))
        self.refresh()

    def confirm_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        names = [c.name for c in self.candidates if c.volunteer_id in ids]
        if not confirm(self, _("把 {names} 认定为骨干志愿者？认定会记入操作日志，志愿者资料中“骨干”将显示为“是”。").format(
                names="、".join(names))):
            return
        done = run_service(self, self.ctx, lambda s: svc.confirm_backbone(s, self.ctx.actor, ids) or True)
        if done:
            self.status.setText(_("已认定为骨干：{names}").format(names="、".join(names)))
        self.refresh()
