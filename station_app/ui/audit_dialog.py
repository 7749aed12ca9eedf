"""The audit log (审计日志): who changed or looked at personal data, and when."""

from __future__ import annotations

from ..i18n import _
from ..services import audit
from ..services.assignments import ROLES as ASSIGNMENT_ROLES
from ..services.auth import Role
from ..services.catalogue import Category
from ..services.needs import URGENCIES
from ..services.recipients import VISIT_METHODS, VISITOR_KINDS
from ..services.teams import TEAM_KINDS
from ..services.training import ATTENDANCE_LABELS, TRAINING_KIND_LABELS
from ..services.volunteers import POLITICAL_STATUSES, Status, describe_availability
from .common import AppContext, run_service
from .qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

FIELD_LABELS = {
    "name": _("姓名"), "id_number": _("身份证号"), "phone": _("电话"), "gender": _("性别"),
    "birth_date": _("出生日期"), "political_status": _("政治面貌"), "status": _("状态"), "reason": _("原因"),
    "volunteer_no": _("编号"), "skills": _("技能"), "team_ids": _("服务队"), "role": _("角色"),
    "active": _("可登录"), "display_name": _("姓名"), "building": _("楼栋"), "unit": _("单元"), "room": _("房号"),
    "emergency_phone": _("紧急联系电话"), "emergency_contact": _("紧急联系人"), "is_backbone": _("骨干"),
    "is_owner": _("业主"), "availability": _("服务时间"), "notes": _("备注"), "kind": _("类型"),
    "org_type": _("单位类型"), "org_name": _("单位名称"), "contact_name": _("联系人"), "contact_phone": _("联系电话"),
    "description": _("简介"), "address": _("地址"), "contact_person": _("联系人"), "volunteers": _("志愿者人数"),
    "seed": _("随机种子"), "attendance": _("出勤"),
    # 需求菜单
    "findings": _("走访发现"), "free_text": _("需求内容"), "method": _("走访方式"), "visited_on": _("走访日期"),
    "visitor_kind": _("走访人身份"), "visitor_name": _("走访人"), "guardian_name": _("监护人"),
    "guardian_relation": _("与监护人关系"), "guardian_phone": _("监护人电话"), "urgency": _("紧急程度"),
    "preferred_times": _("希望服务时间"), "preferred_note": _("时间说明"), "recipient_id": _("服务对象"),
    "recipient_ids": _("服务对象"), "key_groups": _("重点对象类别"), "key_group_ids": _("重点对象类别"),
    "need_ids": _("需求"), "project_id": _("项目"), "recruitment_id": _("招募"), "category": _("服务类别"),
    "goal": _("项目目标"), "starts_on": _("开始日期"), "ends_on": _("结束日期"), "requirements": _("报名条件"),
    "min_age": _("最小年龄"), "max_age": _("最大年龄"), "service_times": _("服务时间"),
    "service_time_note": _("服务时间说明"), "slots": _("名额"), "deadline": _("报名截止"), "source": _("报名来源"),
    "note": _("备注"), "lead_social_worker": _("负责社工"), "partner_team_id": _("合作服务队"),
    "partner_org": _("合作单位"), "service_item_id": _("服务项目"), "required_training": _("所需培训"),
    # 培训与活动排班
    "topic": _("培训主题"), "trainer": _("讲师"), "place": _("地点"), "starts_at": _("开始时间"),
    "ends_at": _("结束时间"), "credit_minutes": _("培训时长（分钟）"), "credited_minutes": _("计入培训时长（分钟）"),
    "capacity": _("名额"), "enrolled_volunteer_ids": _("报名志愿者"), "title": _("标题"),
    "volunteers_needed": _("需要人数"), "shifts": _("班次"), "shift_id": _("班次"), "volunteer_id": _("志愿者"),
    "activity_id": _("活动"), "activity_ids": _("活动"), "warnings": _("提醒"), "override_reason": _("仍然安排的理由"),
    "rule": _("规则"),
}
# Stored codes shown as the words the screens use.
VALUE_LABELS: dict[str, dict] = {
    "status": {s.value: s.label for s in Status},
    "political_status": POLITICAL_STATUSES,
    "role": {**{r.value: r.label for r in Role}, **ASSIGNMENT_ROLES},
    "kind": {**TEAM_KINDS, **{k.value: label for k, label in TRAINING_KIND_LABELS.items()}},
    "required_training": {k.value: label for k, label in TRAINING_KIND_LABELS.items()},
    "category": {c.value: c.label for c in Category},
    "attendance": ATTENDANCE_LABELS,
    "urgency": URGENCIES,
    "method": VISIT_METHODS,
    "visitor_kind": VISITOR_KINDS,
}


def _value(field: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field == "availability" and isinstance(value, int):
        return describe_availability(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):  # e.g. training attendance: {"张三 SQ0101-000001": "present", …}
        return "、".join(f"{k} {_value(field, v)}" for k, v in value.items())
    return str(VALUE_LABELS.get(field, {}).get(value, value))


def describe_changes(changes: dict) -> str:
    parts = []
    for field, (old, new) in changes.items():
        label = FIELD_LABELS.get(field, field)
        parts.append(f"{label}：{_value(field, old)} → {_value(field, new)}")
    return "；".join(parts)


class AuditDialog(QDialog):
    HEADERS = (_("时间"), _("用户"), _("操作"), _("内容"), _("变更（敏感值已隐藏）"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("审计日志"))
        self.resize(1000, 560)
        self.action = QComboBox()
        self.action.addItem(_("全部操作"), None)
        for code, label in audit.ACTION_LABELS.items():
            self.action.addItem(label, code)
        self.action.currentIndexChanged.connect(self.reload)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for col, width in enumerate((140, 90, 100, 260)):
            self.table.setColumnWidth(col, width)
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("操作类型")))
        top.addWidget(self.action)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(QLabel(_("审计日志只能追加，不能修改或删除；最多显示最近 500 条。")))
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.reload()

    def reload(self) -> None:
        rows = run_service(
            self, self.ctx, lambda s: audit.recent(s, self.ctx.actor, action=self.action.currentData()), write=False
        ) or []
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = (
                row.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), row.username,
                audit.ACTION_LABELS.get(row.action, row.action), row.summary, describe_changes(row.changes),
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)  # long change lists are cut off in the cell
                self.table.setItem(r, c, item)
