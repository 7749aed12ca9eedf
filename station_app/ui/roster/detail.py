"""The volunteer detail panel's content."""

from __future__ import annotations

from html import escape

from ...i18n import _
from ...services import volunteers as svc


def _local(dt) -> str:  # noqa: ANN001
    return dt.astimezone().strftime("%Y-%m-%d %H:%M") if dt else ""


def _owner_text(v: svc.VolunteerDetail) -> str:
    if not v.is_owner:
        return _("否")
    if not v.revealed:
        return _("是（楼栋房号已隐藏）") if v.building or v.unit or v.room else _("是")
    address = " ".join(p for p in (v.building, v.unit, v.room) if p)
    return _("是") + (f"，{address}" if address else "")


def detail_html(v: svc.VolunteerDetail) -> str:
    rows = [
        (_("志愿者编号"), v.volunteer_no or _("（审核通过后发放）")),
        (_("状态"), v.status.label + (f"（{v.status_reason}）" if v.status_reason else "")),
        (_("性别 / 年龄"), f"{v.gender} / {v.age}" + _("岁")),
        (_("出生日期"), v.birth_date.isoformat()),
        (_("身份证号"), v.id_number),
        (_("联系电话"), v.phone),
        (_("政治面貌"), svc.POLITICAL_STATUSES.get(v.political_status, v.political_status)),
        (_("业主"), _owner_text(v)),
        (_("骨干"), _("是") if v.is_backbone else _("否")),
        (_("服务技能"), "、".join(v.skills) or _("未填写")),
        (_("服务时间"), svc.describe_availability(v.availability)),
        (_("服务队"), "、".join(v.team_names) or _("未加入")),
        (_("紧急联系人"), " ".join(p for p in (v.emergency_contact, v.emergency_phone) if p) or _("未填写")),
        (_("申请时间"), _local(v.applied_at)),
        (_("审核"), f"{v.reviewed_by} {_local(v.reviewed_at)}".strip() or _("尚未审核")),
        (_("注册日期"), v.registered_on.isoformat() if v.registered_on else ""),
        (_("备注"), v.notes),
    ]
    body = "".join(
        f"<tr><td style='color:#555;padding-right:12px;white-space:nowrap'>{escape(k)}</td><td>{escape(str(val))}</td></tr>"
        for k, val in rows
    )
    masked = "" if v.revealed else f"<p style='color:#888'>{escape(_('身份证号、电话和住址已部分隐藏。'))}</p>"
    return f"<h2>{escape(v.name)}</h2><table>{body}</table>{masked}"
