"""Service teams (服务队): the station's own, and visiting teams from organisations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import DuplicateError, NotFound, ValidationError
from ..i18n import _
from ..models import Team, TeamMember
from . import audit
from .auth import Actor, Permission, require
from .validation import validate_phone

TEAM_KINDS = {"own": _("本站服务队"), "visiting": _("进社区服务队")}
ORG_TYPES = (_("企业"), _("机关"), _("学校"), _("医院"), _("社会组织"), _("其他"))


@dataclass
class TeamInput:
    name: str
    kind: str = "own"
    org_type: str = ""
    org_name: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    description: str = ""
    active: bool = True


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str
    kind: str
    org_type: str
    org_name: str
    contact_name: str
    contact_phone: str
    description: str
    active: bool
    member_count: int


def _validated(data: TeamInput) -> dict:
    name = data.name.strip()
    if not name:
        raise ValidationError(_("服务队名称不能为空。"), field="name")
    if len(name) > 100:
        raise ValidationError(_("服务队名称不能超过 100 个字。"), field="name")
    if data.kind not in TEAM_KINDS:
        raise ValidationError(_("请选择服务队类型。"), field="kind")
    org_name = data.org_name.strip()
    org_type = data.org_type.strip()
    if data.kind == "visiting":
        if not org_name:
            raise ValidationError(_("进社区服务队须填写所属单位名称。"), field="org_name")
        if org_type not in ORG_TYPES:
            raise ValidationError(_("请选择所属单位类型（企业、机关、学校、医院、社会组织等）。"), field="org_type")
    phone = validate_phone(data.contact_phone) if data.contact_phone.strip() else ""
    return {
        "name": name,
        "kind": data.kind,
        "org_type": org_type if data.kind == "visiting" else "",
        "org_name": org_name if data.kind == "visiting" else "",
        "contact_name": data.contact_name.strip()[:50],
        "contact_phone": phone,
        "description": data.description.strip(),
        "active": bool(data.active),
    }


def _check_name(session: Session, actor: Actor, name: str, exclude: int | None = None) -> None:
    query = select(Team.id).where(Team.station_id == actor.station_id, Team.name == name)
    if exclude is not None:
        query = query.where(Team.id != exclude)
    existing = session.scalar(query)
    if existing is not None:
        raise DuplicateError(_("本站已有名为“{n}”的服务队。").format(n=name), field="name", existing_id=existing)


def checked_partner(session: Session, actor: Actor, team_id: int | None, org: str | None) -> tuple[int | None, str]:
    """A partner (合作) for a project or an activity: one of the station's teams and/or an organisation's name."""
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or team.station_id != actor.station_id:
            raise ValidationError(_("所选的合作服务队不存在或不属于本站。"), field="partner_team_id")
    partner_org = (org or "").strip()
    if len(partner_org) > 100:
        raise ValidationError(_("合作单位名称不能超过 100 个字。"), field="partner_org")
    return team_id, partner_org


def list_teams(session: Session, actor: Actor, *, include_inactive: bool = True) -> list[TeamInfo]:
    require(actor, Permission.VIEW)
    counts = (
        select(TeamMember.team_id, func.count().label("n")).group_by(TeamMember.team_id).subquery()
    )
    query = (
        select(Team, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.team_id == Team.id)
        .where(Team.station_id == actor.station_id)
        .order_by(Team.kind, Team.name)
    )
    if not include_inactive:
        query = query.where(Team.active.is_(True))
    return [
        TeamInfo(t.id, t.name, t.kind, t.org_type, t.org_name, t.contact_name, t.contact_phone, t.description, t.active, n)
        for t, n in session.execute(query)
    ]


def create_team(session: Session, actor: Actor, data: TeamInput) -> int:
    require(actor, Permission.MANAGE_TEAMS)
    values = _validated(data)
    _check_name(session, actor, values["name"])
    team = Team(station_id=actor.station_id, **values)
    session.add(team)
    session.flush()
    audit.record(session, actor, "create", "team", team.id, summary=_("新建服务队：{n}").format(n=team.name),
                 changes=audit.diff({}, values))
    return team.id


def update_team(session: Session, actor: Actor, team_id: int, data: TeamInput) -> None:
    require(actor, Permission.MANAGE_TEAMS)
    team = session.get(Team, team_id)
    if team is None or team.station_id != actor.station_id:
        raise NotFound(_("找不到这个服务队。"))
    values = _validated(data)
    _check_name(session, actor, values["name"], exclude=team.id)
    before = {k: getattr(team, k) for k in values}
    changes = audit.diff(before, values)
    for key, value in values.items():
        setattr(team, key, value)
    if changes:
        audit.record(session, actor, "update", "team", team.id, summary=_("修改服务队：{n}").format(n=team.name),
                     changes=changes)
