"""Needs (需求): what a household asked for, followed from assessment until it is met or closed.

A need is never silently dropped: every status change appends a row to its history with who,
when and why, and a closed need keeps its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from ..errors import NotFound, StationError, ValidationError
from ..i18n import _
from ..models import Activity, Need, NeedStatusChange, Project, Recipient, ServiceItem, User, Visit
from . import audit
from .auth import Actor, Permission, require
from .catalogue import Category
from .records import like_escape, load_for_station
from .volunteers import AVAILABILITY_BITS


class NeedStatus(StrEnum):
    PENDING_ASSESSMENT = "pending_assessment"
    PENDING_MATCH = "pending_match"
    MATCHED = "matched"
    DONE = "done"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return NEED_STATUS_LABELS[self]


NEED_STATUS_LABELS = {
    NeedStatus.PENDING_ASSESSMENT: _("待评估"),
    NeedStatus.PENDING_MATCH: _("待对接"),
    NeedStatus.MATCHED: _("已对接"),
    NeedStatus.DONE: _("已完成"),
    NeedStatus.CLOSED: _("已关闭"),
}

# Needs nobody is serving yet.
UNMET = frozenset({NeedStatus.PENDING_ASSESSMENT, NeedStatus.PENDING_MATCH})

URGENCIES = {"normal": _("一般"), "soon": _("较急"), "urgent": _("紧急")}

# Moves a user makes by hand. "matched" is reached by linking the need to a project
# (link_needs_to_project); leaving it again (back to pending_match) needs a reason.
NEED_MOVES: dict[NeedStatus, frozenset[NeedStatus]] = {
    NeedStatus.PENDING_ASSESSMENT: frozenset({NeedStatus.PENDING_MATCH, NeedStatus.CLOSED}),
    NeedStatus.PENDING_MATCH: frozenset({NeedStatus.PENDING_ASSESSMENT, NeedStatus.CLOSED}),
    NeedStatus.MATCHED: frozenset({NeedStatus.DONE, NeedStatus.PENDING_MATCH, NeedStatus.CLOSED}),
    NeedStatus.DONE: frozenset(),
    NeedStatus.CLOSED: frozenset({NeedStatus.PENDING_ASSESSMENT}),
}
# Moves that must say why (closing, reopening, unlinking from a project, sending back).
REASON_REQUIRED = frozenset(
    {
        (NeedStatus.PENDING_ASSESSMENT, NeedStatus.CLOSED),
        (NeedStatus.PENDING_MATCH, NeedStatus.CLOSED),
        (NeedStatus.MATCHED, NeedStatus.CLOSED),
        (NeedStatus.MATCHED, NeedStatus.PENDING_MATCH),
        (NeedStatus.PENDING_MATCH, NeedStatus.PENDING_ASSESSMENT),
        (NeedStatus.CLOSED, NeedStatus.PENDING_ASSESSMENT),
    }
)


@dataclass
class NeedInput:
    recipient_id: int | None
    service_item_id: int | None = None
    free_text: str = ""
    description: str = ""
    urgency: str = "normal"
    preferred_times: int = 0
    preferred_note: str = ""


@dataclass
class NeedFilter:
    status: NeedStatus | None = None
    unmet_only: bool = False
    recipient_id: int | None = None
    project_id: int | None = None
    category: str | None = None
    text: str = ""
    activity_id: int | None = None


@dataclass(frozen=True)
class NeedRow:
    id: int
    recipient_id: int
    recipient_name: str
    what: str  # the menu item's name, or the free text
    category_label: str  # "" for a free-text need
    urgency: str
    urgency_label: str
    status: NeedStatus
    raised_on: date
    days_open: int  # days since raised, for unmet and matched needs; 0 once done or closed
    project_id: int | None
    project_name: str
    description: str
    preferred_note: str
    version: int
    activity_id: int | None = None  # the activity serving it, when matched through one
    activity_title: str = ""


@dataclass(frozen=True)
class NeedHistoryRow:
    changed_at: datetime
    from_status: NeedStatus | None
    to_status: NeedStatus
    reason: str
    by: str
    project_name: str
    activity_title: str = ""


def _validated(session: Session, actor: Actor, data: NeedInput) -> dict:
    if data.recipient_id is None:
        raise ValidationError(_("需求必须属于一位服务对象，请先选择服务对象。"), field="recipient_id")
    recipient = session.get(Recipient, data.recipient_id)
    if recipient is None or recipient.station_id != actor.station_id:
        raise ValidationError(_("找不到这位服务对象。"), field="recipient_id")
    if not recipient.active:
        raise ValidationError(
            _("{name}已停用（{reason}），不能再登记需求。").format(name=recipient.name, reason=recipient.inactive_reason),
            field="recipient_id",
        )
    free_text = data.free_text.strip()
    item_id = data.service_item_id
    if item_id is None and not free_text:
        raise ValidationError(_("请从服务菜单选择需求，或者填写菜单上没有的需求内容。"), field="service_item_id")
    if item_id is not None:
        item = session.get(ServiceItem, item_id)
        if item is None or item.station_id != actor.station_id:
            raise ValidationError(_("所选的服务菜单项目不存在。"), field="service_item_id")
        if not item.active:
            raise ValidationError(
                _("“{n}”已从服务菜单停用，请选择其他项目或填写需求内容。").format(n=item.name), field="service_item_id"
            )
    if len(free_text) > 200:
        raise ValidationError(_("需求内容不能超过 200 个字。"), field="free_text")
    if data.urgency not in URGENCIES:
        raise ValidationError(_("请选择紧急程度。"), field="urgency")
    if not 0 <= data.preferred_times < (1 << AVAILABILITY_BITS):
        raise ValidationError(_("希望服务的时间填写有误。"), field="preferred_times")
    preferred_note = data.preferred_note.strip()
    if len(preferred_note) > 200:
        raise ValidationError(_("时间说明不能超过 200 个字。"), field="preferred_note")
    description = data.description.strip()
    if len(description) > 2000:
        raise ValidationError(_("需求说明不能超过 2000 个字。"), field="description")
    return {
        "recipient_id": recipient.id,
        "service_item_id": item_id,
        "free_text": free_text,
        "description": description,
        "urgency": data.urgency,
        "preferred_times": int(data.preferred_times),
        "preferred_note": preferred_note,
    }


def _history(session: Session, actor: Actor, need: Need, old: NeedStatus | None, new: NeedStatus, reason: str,
             project_id: int | None = None, activity_id: int | None = None) -> None:
    session.add(
        NeedStatusChange(
            need_id=need.id,
            from_status=old.value if old else None,
            to_status=new.value,
            reason=reason,
            project_id=project_id,
            activity_id=activity_id,
            changed_by_id=actor.user_id,
        )
    )


def _what(need: Need) -> str:
    return need.service_item.name if need.service_item is not None else need.free_text


def add_need(
    session: Session, actor: Actor, data: NeedInput, *, visit_id: int | None = None, raised_on: date | None = None
) -> int:
    """Record a need (待评估). ``visit_id`` ties it to the visit where it was found."""
    require(actor, Permission.EDIT_DEMAND)
    values = _validated(session, actor, data)
    if visit_id is not None:
        visit = session.get(Visit, visit_id)
        if visit is None or visit.recipient_id != values["recipient_id"]:
            raise ValidationError(_("走访记录与服务对象不符。"), field="visit_id")
        raised_on = raised_on or visit.visited_on
    raised_on = raised_on or date.today()
    if raised_on > date.today():
        raise ValidationError(_("需求提出日期不能晚于今天。"), field="raised_on")
    need = Need(
        station_id=actor.station_id,
        visit_id=visit_id,
        status=NeedStatus.PENDING_ASSESSMENT.value,
        raised_on=raised_on,
        created_by_id=actor.user_id,
        **values,
    )
    session.add(need)
    session.flush()
    _history(session, actor, need, None, NeedStatus.PENDING_ASSESSMENT, _("登记需求"))
    audit.record(
        session, actor, "create", "need", need.id,
        summary=_("登记需求：{r} — {w}").format(r=need.recipient.name, w=_what(need)),
        changes=audit.diff({}, {k: v for k, v in values.items()}),
    )
    return need.id


def _load(session: Session, actor: Actor, need_id: int, *, for_update: bool = False) -> Need:
    return load_for_station(session, actor, Need, need_id, _("找不到这条需求。"), for_update=for_update)


def change_need_status(
    session: Session, actor: Actor, need_id: int, new_status: NeedStatus, reason: str = "",
    *, expected_version: int | None = None,
) -> None:
    """Move a need along its workflow; closing, reopening and sending back need a reason."""
    require(actor, Permission.EDIT_DEMAND)
    need = _load(session, actor, need_id, for_update=True)
    if expected_version is not None and need.version != expected_version:
        raise StationError(_("这条需求刚被其他人改过，请刷新后再操作。"))
    old, new = NeedStatus(need.status), NeedStatus(new_status)
    if new not in NEED_MOVES[old]:
        if new == NeedStatus.MATCHED:
            raise ValidationError(_("需求要通过“设计项目”对接到项目上，或由活动来服务，才算已对接。"), field="status")
        raise ValidationError(
            _("需求“{w}”目前是“{old}”，不能改为“{new}”。").format(w=_what(need), old=old.label, new=new.label),
            field="status",
        )
    reason = reason.strip()
    if (old, new) in REASON_REQUIRED and not reason:
        raise ValidationError(_("请填写原因（会保留在需求的历史中）。"), field="reason")
    if len(reason) > 2000:
        raise ValidationError(_("原因不能超过 2000 个字。"), field="reason")
    if new == NeedStatus.PENDING_MATCH and old == NeedStatus.MATCHED:
        need.project_id = None
        need.activity_id = None
    need.status = new.value
    _history(session, actor, need, old, new, reason)
    audit.record(
        session, actor, "status", "need", need.id,
        summary=_("需求 {r} — {w}：{old} → {new}").format(r=need.recipient.name, w=_what(need), old=old.label, new=new.label),
        changes={"status": [old.value, new.value], "reason": [None, reason]},
    )


def _match_needs(session: Session, actor: Actor, need_ids: Sequence[int], refusal: str, match) -> None:  # noqa: ANN001
    """Move unmet needs to 已对接, ``match(need, old status)`` recording how; any other need is refused by name."""
    for need_id in sorted(set(need_ids)):
        need = _load(session, actor, need_id, for_update=True)
        old = NeedStatus(need.status)
        if old not in UNMET:
            raise ValidationError(
                refusal.format(r=need.recipient.name, w=_what(need), s=old.label), field="need_ids"
            )
        need.status = NeedStatus.MATCHED.value
        match(need, old)


def link_needs_to_project(session: Session, actor: Actor, need_ids: Sequence[int], project_id: int) -> None:
    """The needs a project covers become 已对接; any need not waiting for a match is refused by name."""
    require(actor, Permission.EDIT_DEMAND)
    if not need_ids:
        raise ValidationError(_("项目至少要对应一条需求。"), field="need_ids")
    project = session.get(Project, project_id)
    if project is None or project.station_id != actor.station_id:
        raise NotFound(_("找不到这个项目。"))

    def match(need: Need, old: NeedStatus) -> None:
        need.project_id = project.id
        _history(session, actor, need, old, NeedStatus.MATCHED, _("纳入项目：{p}").format(p=project.name), project.id)
        audit.record(
            session, actor, "status", "need", need.id,
            summary=_("需求 {r} — {w} 对接到项目：{p}").format(r=need.recipient.name, w=_what(need), p=project.name),
            changes={"status": [old.value, NeedStatus.MATCHED.value], "project_id": [None, project.id]},
        )

    _match_needs(session, actor, need_ids, _("需求“{r} — {w}”目前是“{s}”，只有待评估或待对接的需求才能纳入项目。"), match)


def link_needs_to_activity(session: Session, actor: Actor, need_ids: Sequence[int], activity_id: int) -> None:
    """The needs an activity serves become 已对接, their history pointing at the activity."""
    require(actor, Permission.EDIT_SCHEDULE)
    activity = session.get(Activity, activity_id)
    if activity is None or activity.station_id != actor.station_id:
        raise NotFound(_("找不到这个活动。"))

    def match(need: Need, old: NeedStatus) -> None:
        need.activity_id = activity.id
        _history(session, actor, need, old, NeedStatus.MATCHED, _("由活动对接：{a}").format(a=activity.title),
                 need.project_id, activity.id)
        audit.record(
            session, actor, "status", "need", need.id,
            summary=_("需求 {r} — {w} 由活动对接：{a}").format(r=need.recipient.name, w=_what(need), a=activity.title),
            changes={"status": [old.value, NeedStatus.MATCHED.value], "activity_id": [None, activity.id]},
        )

    _match_needs(
        session, actor, need_ids, _("需求“{r} — {w}”目前是“{s}”，只有待评估或待对接的需求才能由活动来对接。"), match
    )


def unlink_needs_from_activity(
    session: Session, actor: Actor, need_ids: Sequence[int], activity_id: int, reason: str
) -> None:
    """Needs the activity no longer serves (removed from it, or the activity was cancelled) go back to 待对接.

    Only needs still 已对接 through this activity move; one already 已完成 or 已关闭 keeps its status.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("请填写原因（会保留在需求的历史中）。"), field="reason")
    for need_id in sorted(set(need_ids)):
        need = _load(session, actor, need_id, for_update=True)
        if need.activity_id != activity_id or need.status != NeedStatus.MATCHED.value:
            continue
        need.status = NeedStatus.PENDING_MATCH.value
        need.activity_id = None
        _history(session, actor, need, NeedStatus.MATCHED, NeedStatus.PENDING_MATCH, reason, need.project_id,
                 activity_id)
        audit.record(
            session, actor, "status", "need", need.id,
            summary=_("需求 {r} — {w}：已对接 → 待对接（{why}）").format(
                r=need.recipient.name, w=_what(need), why=reason
            ),
            changes={"status": [NeedStatus.MATCHED.value, NeedStatus.PENDING_MATCH.value],
                     "activity_id": [activity_id, None]},
        )


def _like(text: str) -> str:
    return f"%{like_escape(text)}%"


def list_needs(session: Session, actor: Actor, flt: NeedFilter | None = None, *, today: date | None = None) -> list[NeedRow]:
    """Needs for the lists: oldest first among the unmet, so nothing waits unseen."""
    require(actor, Permission.VIEW)
    flt = flt or NeedFilter()
    today = today or date.today()
    item = aliased(ServiceItem)
    # Plain columns, not ORM objects: a large station lists tens of thousands of needs.
    query = (
        select(
            Need.id, Need.recipient_id, Recipient.name, item.name, item.category, Need.free_text, Need.urgency,
            Need.status, Need.raised_on, Need.project_id, Project.name, Need.description, Need.preferred_note,
            Need.version, Need.activity_id, Activity.title,
        )
        .join(Recipient, Recipient.id == Need.recipient_id)
        .outerjoin(item, item.id == Need.service_item_id)
        .outerjoin(Project, Project.id == Need.project_id)
        .outerjoin(Activity, Activity.id == Need.activity_id)
        .where(Need.station_id == actor.station_id)
    )
    if flt.status is not None:
        query = query.where(Need.status == NeedStatus(flt.status).value)
    if flt.unmet_only:
        query = query.where(Need.status.in_([s.value for s in UNMET]))
    if flt.recipient_id is not None:
        query = query.where(Need.recipient_id == flt.recipient_id)
    if flt.project_id is not None:
        query = query.where(Need.project_id == flt.project_id)
    if flt.activity_id is not None:
        query = query.where(Need.activity_id == flt.activity_id)
    if flt.category:
        query = query.where(item.category == Category(flt.category).value)
    text = flt.text.strip()
    if text:
        pattern = _like(text)
        query = query.where(
            or_(
                Recipient.name.like(pattern, escape="\\"),
                Recipient.name_initials.like(_like(text.lower())[1:], escape="\\"),
                item.name.like(pattern, escape="\\"),
                Need.free_text.like(pattern, escape="\\"),
                Need.description.like(pattern, escape="\\"),
            )
        )
    query = query.order_by(Need.raised_on, Need.id)
    statuses = {s.value: s for s in NeedStatus}
    categories = {c.value: c.label for c in Category}
    still_open = UNMET | {NeedStatus.MATCHED}
    rows = []
    for (need_id, recipient_id, recipient_name, item_name, item_category, free_text, urgency, status_code,
         raised_on, project_id, project_name, description, preferred_note, version, activity_id,
         activity_title) in session.execute(query):
        status = statuses[status_code]
        rows.append(
            NeedRow(
                id=need_id,
                recipient_id=recipient_id,
                recipient_name=recipient_name,
                what=item_name if item_name is not None else free_text,
                category_label=categories[item_category] if item_category else "",
                urgency=urgency,
                urgency_label=URGENCIES.get(urgency, urgency),
                status=status,
                raised_on=raised_on,
                days_open=(today - raised_on).days if status in still_open else 0,
                project_id=project_id,
                project_name=project_name or "",
                description=description,
                preferred_note=preferred_note,
                version=version,
                activity_id=activity_id,
                activity_title=activity_title or "",
            )
        )
    return rows


def need_history(session: Session, actor: Actor, need_id: int) -> list[NeedHistoryRow]:
    require(actor, Permission.VIEW)
    _load(session, actor, need_id)
    query = (
        select(NeedStatusChange, User.display_name, Project.name, Activity.title)
        .outerjoin(User, User.id == NeedStatusChange.changed_by_id)
        .outerjoin(Project, Project.id == NeedStatusChange.project_id)
        .outerjoin(Activity, Activity.id == NeedStatusChange.activity_id)
        .where(NeedStatusChange.need_id == need_id)
        .order_by(NeedStatusChange.id)
    )
    return [
        NeedHistoryRow(
            changed_at=change.changed_at,
            from_status=NeedStatus(change.from_status) if change.from_status else None,
            to_status=NeedStatus(change.to_status),
            reason=change.reason,
            by=by or "",
            project_name=project_name or "",
            activity_title=activity_title or "",
        )
        for change, by, project_name, activity_title in session.execute(query)
    ]
