"""Projects (项目设计): service projects designed from the needs found on visits, §三.1.

A project is created from at least one unmet need; those needs become 已对接 (through
``needs.link_needs_to_project``, which keeps their history). The project list shows how many
needs each project covers and how many of them are still open (not yet 已完成 or 已关闭).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ..errors import DuplicateError, StationError, ValidationError
from ..i18n import _
from ..models import KeyGroup, Need, Project, Recruitment, Team, utcnow
from . import audit
from . import needs as needs_svc
from .auth import Actor, Permission, require
from .catalogue import Category
from .records import load_for_station
from .teams import checked_partner
from .validation import as_date, validate_name

PROJECT_STATUSES = {"active": _("进行中"), "closed": _("已结束")}
# Needs that no longer wait for anything; every other need on a project is still open.
FINISHED_NEED_STATUSES = (needs_svc.NeedStatus.DONE.value, needs_svc.NeedStatus.CLOSED.value)
STALE_MESSAGE = _("这个项目刚被其他人改过，请关闭后重新打开再改。")


@dataclass
class ProjectInput:
    name: str
    category: str
    key_group_ids: Sequence[int] = ()
    goal: str = ""
    starts_on: date | str | None = None
    ends_on: date | str | None = None
    lead_social_worker: str = ""
    partner_team_id: int | None = None
    partner_org: str = ""


@dataclass(frozen=True)
class ProjectRow:
    id: int
    name: str
    category: Category
    category_label: str
    key_groups: list[str]
    starts_on: date
    ends_on: date
    lead_social_worker: str
    partner: str  # the partner team's name and/or the partner organisation
    needs_total: int
    needs_open: int  # covered needs not yet 已完成 / 已关闭
    status: str  # "active" / "closed"
    status_label: str
    version: int

    @property
    def period(self) -> str:
        return f"{self.starts_on.isoformat()} — {self.ends_on.isoformat()}"


@dataclass(frozen=True)
class ProjectDetail:
    id: int
    version: int
    name: str
    category: Category
    category_label: str
    key_group_ids: list[int]
    key_groups: list[str]
    goal: str
    starts_on: date
    ends_on: date
    lead_social_worker: str
    partner_team_id: int | None
    partner_team: str
    partner_org: str
    status: str
    status_label: str
    needs: list[needs_svc.NeedRow]
    needs_open: int
    recruitments: list[tuple[int, str, str]]  # (id, title, status label)


# --- validation -------------------------------------------------------------------------------
def _validated(session: Session, actor: Actor, data: ProjectInput) -> dict:
    name = (data.name or "").strip()
    if not name:
        raise ValidationError(_("请填写项目名称。"), field="name")
    if len(name) > 100:
        raise ValidationError(_("项目名称不能超过 100 个字。"), field="name")
    try:
        category = Category(data.category)
    except ValueError:
        raise ValidationError(_("请选择项目类别（六大行动之一）。"), field="category") from None
    group_ids = sorted(set(data.key_group_ids))
    groups: list[KeyGroup] = []
    if group_ids:
        groups = list(
            session.scalars(
                select(KeyGroup).where(KeyGroup.id.in_(group_ids), KeyGroup.station_id == actor.station_id)
                .order_by(KeyGroup.sort_order, KeyGroup.id)
            )
        )
        if len(groups) != len(group_ids):
            raise ValidationError(_("所选的重点对象类别不存在或不属于本站。"), field="key_group_ids")
    goal = (data.goal or "").strip()
    if len(goal) > 2000:
        raise ValidationError(_("项目目标不能超过 2000 个字。"), field="goal")
    starts_on = as_date(data.starts_on, label=_("开始日期"), field="starts_on")
    ends_on = as_date(data.ends_on, label=_("结束日期"), field="ends_on")
    if ends_on < starts_on:
        raise ValidationError(
            _("结束日期 {e} 早于开始日期 {s}，请核对项目周期。").format(e=ends_on.isoformat(), s=starts_on.isoformat()),
            field="ends_on",
        )
    lead = validate_name(data.lead_social_worker or "", field="lead_social_worker", label=_("负责社工"))
    team_id, partner_org = checked_partner(session, actor, data.partner_team_id, data.partner_org)
    return {
        "name": name,
        "category": category.value,
        "key_groups": groups,
        "goal": goal,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "lead_social_worker": lead,
        "partner_team_id": team_id,
        "partner_org": partner_org,
    }


def _check_unique(session: Session, actor: Actor, name: str, exclude_id: int | None = None) -> None:
    query = select(Project.id).where(Project.station_id == actor.station_id, Project.name == name)
    if exclude_id is not None:
        query = query.where(Project.id != exclude_id)
    existing = session.scalar(query)
    if existing is not None:
        raise DuplicateError(
            _("本站已经有名为“{n}”的项目了，请换一个名称。").format(n=name), field="name", existing_id=existing
        )


def _need_label(need: Need) -> str:
    what = need.service_item.name if need.service_item is not None else need.free_text
    return f"{need.recipient.name} — {what}"


def _check_needs(session: Session, actor: Actor, need_ids: Sequence[int]) -> list[int]:
    """Every need must be this station's and still unmet; refuse by name otherwise."""
    ids = sorted(set(need_ids or ()))
    if not ids:
        raise ValidationError(_("项目至少要对应一条需求，请先选择需求。"), field="need_ids")
    found = {n.id: n for n in session.scalars(select(Need).where(Need.id.in_(ids)))}
    for need_id in ids:
        need = found.get(need_id)
        if need is None or need.station_id != actor.station_id:
            raise ValidationError(
                _("所选需求（编号 {id}）不存在或不属于本站。").format(id=need_id), field="need_ids"
            )
        status = needs_svc.NeedStatus(need.status)
        if status not in needs_svc.UNMET:
            raise ValidationError(
                _("需求“{n}”目前是“{s}”，只有待评估或待对接的需求才能纳入项目。").format(
                    n=_need_label(need), s=status.label
                ),
                field="need_ids",
            )
    return ids


def _snapshot(p: Project) -> dict:
    return {
        "name": p.name,
        "category": p.category,
        "key_group_ids": sorted(g.id for g in p.key_groups),
        "goal": p.goal,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "lead_social_worker": p.lead_social_worker,
        "partner_team_id": p.partner_team_id,
        "partner_org": p.partner_org,
    }


def _load(session: Session, actor: Actor, project_id: int, *, for_update: bool = False) -> Project:
    return load_for_station(session, actor, Project, project_id, _("找不到这个项目。"), for_update=for_update)


def _require_active(project: Project) -> None:
    if project.status != "active":
        raise ValidationError(_("项目“{n}”已结束，不能再修改。").format(n=project.name))


# --- commands ---------------------------------------------------------------------------------
def create_project(session: Session, actor: Actor, data: ProjectInput, need_ids: Sequence[int]) -> int:
    """Design a project from unmet needs; the needs become 已对接 with a history entry each."""
    require(actor, Permission.EDIT_DEMAND)
    ids = _check_needs(session, actor, need_ids)
    values = _validated(session, actor, data)
    _check_unique(session, actor, values["name"])
    project = Project(station_id=actor.station_id, status="active", created_by_id=actor.user_id, **values)
    session.add(project)
    session.flush()
    audit.record(
        session, actor, "create", "project", project.id,
        summary=_("新建项目：{n}（对应 {k} 条需求）").format(n=project.name, k=len(ids)),
        changes=audit.diff({}, _snapshot(project)) | {"need_ids": [None, ids]},
    )
    needs_svc.link_needs_to_project(session, actor, ids, project.id)
    return project.id


def add_needs_to_project(session: Session, actor: Actor, project_id: int, need_ids: Sequence[int]) -> None:
    """Bring more unmet needs into a running project."""
    require(actor, Permission.EDIT_DEMAND)
    project = _load(session, actor, project_id, for_update=True)
    _require_active(project)
    ids = _check_needs(session, actor, need_ids)
    audit.record(
        session, actor, "update", "project", project.id,
        summary=_("项目“{n}”新增 {k} 条需求").format(n=project.name, k=len(ids)),
        changes={"need_ids": [None, ids]},
    )
    needs_svc.link_needs_to_project(session, actor, ids, project.id)


def update_project(
    session: Session, actor: Actor, project_id: int, data: ProjectInput, *, expected_version: int
) -> None:
    """Save an edit; refused when someone else saved the project since it was opened, or it has ended."""
    require(actor, Permission.EDIT_DEMAND)
    project = _load(session, actor, project_id)
    if project.version != expected_version:
        raise StationError(STALE_MESSAGE)
    _require_active(project)
    values = _validated(session, actor, data)
    _check_unique(session, actor, values["name"], exclude_id=project.id)
    before = _snapshot(project)
    for key, value in values.items():
        setattr(project, key, value)
    changes = audit.diff(before, _snapshot(project))
    if not changes:
        return
    # A key-group-only edit must bump the version too, so an older copy cannot undo it.
    flag_modified(project, "name")
    try:
        session.flush()
    except StaleDataError as exc:
        raise StationError(STALE_MESSAGE) from exc
    audit.record(
        session, actor, "update", "project", project.id,
        summary=_("修改项目：{n}").format(n=project.name), changes=changes,
    )


def close_project(session: Session, actor: Actor, project_id: int, reason: str) -> None:
    """End a project (结束项目); its open recruitment notices end with it. Needs keep their status."""
    require(actor, Permission.EDIT_DEMAND)
    project = _load(session, actor, project_id, for_update=True)
    if project.status != "active":
        raise ValidationError(_("项目“{n}”已经结束了。").format(n=project.name))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写结束项目的原因（会记入操作日志）。"), field="reason")
    if len(reason) > 2000:
        raise ValidationError(_("原因不能超过 2000 个字。"), field="reason")
    project.status = "closed"
    audit.record(
        session, actor, "status", "project", project.id,
        summary=_("结束项目：{n}").format(n=project.name),
        changes={"status": ["active", "closed"], "reason": [None, reason]},
    )
    notices = session.scalars(
        select(Recruitment).where(Recruitment.project_id == project.id, Recruitment.status == "open")
    )
    for notice in notices:
        notice.status = "closed"
        notice.closed_at = utcnow()
        notice.closed_reason = _("项目已结束：{r}").format(r=reason)
        audit.record(
            session, actor, "status", "recruitment", notice.id,
            summary=_("结束招募：{t}（项目已结束）").format(t=notice.title),
            changes={"status": ["open", "closed"], "reason": [None, notice.closed_reason]},
        )


# --- queries ---------------------------------------------------------------------------------
def _need_counts(session: Session, actor: Actor, project_ids: Sequence[int] | None = None) -> dict[int, tuple[int, int]]:
    open_case = case((Need.status.notin_(FINISHED_NEED_STATUSES), 1), else_=0)
    query = (
        select(Need.project_id, func.count(), func.coalesce(func.sum(open_case), 0))
        .where(Need.station_id == actor.station_id, Need.project_id.is_not(None))
        .group_by(Need.project_id)
    )
    if project_ids is not None:
        query = query.where(Need.project_id.in_(project_ids))
    return {pid: (int(total), int(open_)) for pid, total, open_ in session.execute(query)}


def _partner(project: Project, team_names: dict[int, str]) -> str:
    parts = []
    if project.partner_team_id is not None:
        parts.append(team_names.get(project.partner_team_id, ""))
    if project.partner_org:
        parts.append(project.partner_org)
    return " / ".join(p for p in parts if p)


def list_projects(session: Session, actor: Actor, *, include_closed: bool = True) -> list[ProjectRow]:
    """Projects, running ones first, newest first, with their need counts."""
    require(actor, Permission.VIEW)
    query = (
        select(Project)
        .options(selectinload(Project.key_groups))
        .where(Project.station_id == actor.station_id)
        .order_by(case((Project.status == "active", 0), else_=1), Project.starts_on.desc(), Project.id.desc())
    )
    if not include_closed:
        query = query.where(Project.status == "active")
    projects = list(session.scalars(query))
    counts = _need_counts(session, actor)
    team_names = dict(session.execute(select(Team.id, Team.name).where(Team.station_id == actor.station_id)).all())
    rows = []
    for p in projects:
        total, open_ = counts.get(p.id, (0, 0))
        category = Category(p.category)
        rows.append(
            ProjectRow(
                id=p.id, name=p.name, category=category, category_label=category.label,
                key_groups=[g.name for g in p.key_groups], starts_on=p.starts_on, ends_on=p.ends_on,
                lead_social_worker=p.lead_social_worker, partner=_partner(p, team_names),
                needs_total=total, needs_open=open_, status=p.status,
                status_label=PROJECT_STATUSES.get(p.status, p.status), version=p.version,
            )
        )
    return rows


def get_project(session: Session, actor: Actor, project_id: int) -> ProjectDetail:
    """One project with the needs it covers (oldest first) and its recruitment notices."""
    require(actor, Permission.VIEW)
    p = _load(session, actor, project_id)
    needs = needs_svc.list_needs(session, actor, needs_svc.NeedFilter(project_id=p.id))
    team_name = ""
    if p.partner_team_id is not None:
        team_name = session.scalar(select(Team.name).where(Team.id == p.partner_team_id)) or ""
    notices = session.execute(
        select(Recruitment.id, Recruitment.title, Recruitment.status)
        .where(Recruitment.project_id == p.id)
        .order_by(Recruitment.id)
    ).all()
    category = Category(p.category)
    return ProjectDetail(
        id=p.id, version=p.version, name=p.name, category=category, category_label=category.label,
        key_group_ids=[g.id for g in p.key_groups], key_groups=[g.name for g in p.key_groups], goal=p.goal,
        starts_on=p.starts_on, ends_on=p.ends_on, lead_social_worker=p.lead_social_worker,
        partner_team_id=p.partner_team_id, partner_team=team_name, partner_org=p.partner_org,
        status=p.status, status_label=PROJECT_STATUSES.get(p.status, p.status),
        needs=needs, needs_open=sum(1 for n in needs if n.status.value not in FINISHED_NEED_STATUSES),
        recruitments=[
            (rid, title, _("招募中") if status == "open" else _("已结束")) for rid, title, status in notices
        ],
    )
