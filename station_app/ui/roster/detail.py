"""The volunteer detail panel's content: the file, then the training history (培训记录)."""

from __future__ import annotations

from html import escape

from sqlalchemy.orm import Session

from ...i18n import _
from ...services import packages as packages_svc
from ...services import training as training_svc
from ...services import volunteers as svc
from ...services.auth import Actor
from ..transfer.history import transferred_html


def _local(dt) -> str:  # noqa: ANN001
    return dt.astimezone().strftime("%Y-%m-%d %H:%M") if dt else ""


def _owner_text(v: svc.VolunteerDetail) -> str:
    if not v.is_owner:
        return _("否")
    if not v.revealed:
        return _("是（楼栋房号已隐藏）") if v.building or v.unit or v.room else _("是")
    address = " ".join(p for p in (v.building, v.unit, v.room) if p)
    return _("是") + (f"，{address}" if address else "")


def load_detail(
    session: Session, actor: Actor, volunteer_id: int, *, reveal: bool = False
) -> tuple[svc.VolunteerDetail, training_svc.TrainingHistory, list[packages_svc.HistoryRow]]:
    """What the panel shows, read in one unit of work."""
    return (svc.get_volunteer(session, actor, volunteer_id, reveal=reveal),
            training_svc.volunteer_training_history(session, actor, volunteer_id),
            packages_svc.transferred_history(session, actor, volunteer_id))


def training_html(history: training_svc.TrainingHistory) -> str:
    """The training history: date, kind, topic, attendance, hours; the total (never service hours)."""
    heading = f"<h3 style='margin-bottom:2px'>{escape(_('培训记录'))}</h3>"
    if not history.rows:
        return heading + f"<p style='color:#888'>{escape(_('还没有参加过培训。'))}</p>"
    total = _("培训时长合计 {h}（{n} 次到场；不计入志愿服务时长）").format(
        h=history.total_text, n=sum(1 for r in history.rows if r.attendance in training_svc.ATTENDED))
    kinds = _("已参加：") + "、".join(history.kinds_attended) if history.kinds_attended else ""
    head = "".join(f"<th align='left' style='padding-right:10px'>{escape(h)}</th>"
                   for h in (_("日期"), _("类型"), _("主题"), _("出勤"), _("时长")))
    body = "".join(
        "<tr>"
        f"<td style='padding-right:10px;white-space:nowrap'>{r.starts_at:%Y-%m-%d}</td>"
        f"<td style='padding-right:10px;white-space:nowrap'>{escape(r.kind_label)}</td>"
        f"<td style='padding-right:10px'>{escape(r.topic)}</td>"
        f"<td style='padding-right:10px;white-space:nowrap'>{escape(r.attendance_label)}</td>"
        f"<td style='white-space:nowrap'>{escape(training_svc.hours_text(r.credited_minutes)) if r.credited_minutes else ''}</td>"
        "</tr>"
        for r in history.rows
    )
    return (f"{heading}<p><b>{escape(total)}</b>" + (f"<br/>{escape(kinds)}" if kinds else "") + "</p>"
            f"<table cellspacing='0'><tr>{head}</tr>{body}</table>")


def detail_html(v: svc.VolunteerDetail, training: training_svc.TrainingHistory | None = None,
                transferred: list[packages_svc.HistoryRow] | None = None) -> str:
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
    history = training_html(training) if training is not None else ""
    elsewhere = transferred_html(transferred) if transferred else ""
    return f"<h2>{escape(v.name)}</h2><table>{body}</table>{masked}{history}{elsewhere}"
