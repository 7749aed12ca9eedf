"""Honours (嘉许): the station's titles and the honours it awards to volunteers, teams and projects.

Titles are configurable data (``HonourTitle``), seeded from ``resources/data/honour_titles.json``
when a station is set up; the administrator adds, renames and retires them. A title is awarded
to one kind of target: a volunteer (已注册), a team (active) or a project of the station.

An honour is evidence: appended to the chain with a certificate number
``{station code}-JX{year}-{n:04d}`` and never changed. The same title goes to the same target
at most once a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from ..errors import DuplicateError, NotFound, ValidationError
from ..i18n import _
from ..models import Honour, HonourTitle, Project, Team, Volunteer
from . import audit, chain
from .auth import Actor, Permission, require
from .records import load_for_station
from .stars import certificate_number
from .validation import clean_text
from .volunteers import Status, search_condition

TARGET_KINDS = {"volunteer": _("志愿者"), "team": _("服务队"), "project": _("志愿服务项目")}
MAX_TITLE = 50
MAX_ISSUER = 100
MAX_CITATION = 500
MAX_DESCRIPTION = 500
TARGET_COLUMNS = {"volunteer": Honour.volunteer_id, "team": Honour.team_id, "project": Honour.project_id}


def kind_label(kind: str) -> str:
    return TARGET_KINDS.get(kind, kind)


# --- titles --------------------------------------------------------------------------------------
@dataclass
class TitleInput:
    name: str
    target_kind: str
    description: str = ""


@dataclass(frozen=True)
class TitleRow:
    id: int
    name: str
    target_kind: str
    description: str
    active: bool
    awarded: int  # honours given under it

    @property
    def kind_label(self) -> str:
        return kind_label(self.target_kind)


def list_titles(session: Session, actor: Actor, *, active_only: bool = False) -> list[TitleRow]:
    require(actor, Permission.VIEW)
    counts = dict(
        session.execute(
            select(Honour.title_id, func.count()).where(Honour.station_id == actor.station_id).group_by(Honour.title_id)
        ).all()
    )
    query = select(HonourTitle).where(HonourTitle.station_id == actor.station_id)
    if active_only:
        query = query.where(HonourTitle.active.is_(True))
    titles = session.scalars(query.order_by(HonourTitle.active.desc(), HonourTitle.id))
    return [TitleRow(t.id, t.name, t.target_kind, t.description, t.active, counts.get(t.id, 0)) for t in titles]


def _validated_title(session: Session, actor: Actor, data: TitleInput, exclude_id: int | None = None) -> dict:
    name = clean_text(data.name, label=_("称号名称"), field="name", max_len=MAX_TITLE)
    if not name:
        raise ValidationError(_("称号名称不能为空。"), field="name")
    if data.target_kind not in TARGET_KINDS:
        raise ValidationError(_("请选择称号授予的对象：志愿者、服务队或志愿服务项目。"), field="target_kind")
    description = clean_text(data.description, label=_("称号说明"), field="description", max_len=MAX_DESCRIPTION)
    query = select(HonourTitle.id).where(HonourTitle.station_id == actor.station_id, HonourTitle.name == name)
    if exclude_id is not None:
        query = query.where(HonourTitle.id != exclude_id)
    existing = session.scalar(query)
    if existing is not None:
        raise DuplicateError(_("已有名为“{n}”的称号。").format(n=name), field="name", existing_id=existing)
    return {"name": name, "target_kind": data.target_kind, "description": description}


def _load_title(session: Session, actor: Actor, title_id: int) -> HonourTitle:
    return load_for_station(session, actor, HonourTitle, title_id, _("找不到这个称号。"))


def create_title(session: Session, actor: Actor, data: TitleInput) -> int:
    require(actor, Permission.MANAGE_RULES)
    values = _validated_title(session, actor, data)
    title = HonourTitle(station_id=actor.station_id, active=True, **values)
    session.add(title)
    session.flush()
    audit.record(
        session, actor, "create", "honour_title", title.id,
        summary=_("新增嘉许称号：{n}（{k}）").format(n=title.name, k=kind_label(title.target_kind)),
    )
    return title.id


def update_title(session: Session, actor: Actor, title_id: int, data: TitleInput) -> None:
    """Rename a title or change its description; its kind only while nothing was awarded under it.

    Honours already given keep the name they were given under (``Honour.title``).
    """
    require(actor, Permission.MANAGE_RULES)
    title = _load_title(session, actor, title_id)
    values = _validated_title(session, actor, data, exclude_id=title_id)
    if values["target_kind"] != title.target_kind and session.scalar(
        select(func.count()).select_from(Honour).where(Honour.title_id == title_id)
    ):
        raise ValidationError(
            _("“{n}”已授予过{k}，不能改为授予其他对象；如需要，请新建一个称号。").format(
                n=title.name, k=kind_label(title.target_kind)
            ),
            field="target_kind",
        )
    before = {"name": title.name, "target_kind": title.target_kind, "description": title.description}
    for key, value in values.items():
        setattr(title, key, value)
    changes = audit.diff(before, values)
    if changes:
        audit.record(session, actor, "update", "honour_title", title.id,
                     summary=_("修改嘉许称号：{n}").format(n=title.name), changes=changes)


rename_title = update_title


def set_title_active(session: Session, actor: Actor, title_id: int, active: bool) -> None:
    """Retire a title (停用: no new honours under it; those given stay) or bring it back (启用)."""
    require(actor, Permission.MANAGE_RULES)
    title = _load_title(session, actor, title_id)
    if title.active == active:
        return
    title.active = active
    audit.record(
        session, actor, "update", "honour_title", title.id,
        summary=(_("启用嘉许称号：{n}") if active else _("停用嘉许称号：{n}")).format(n=title.name),
        changes={"active": [not active, active]},
    )


# --- targets -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    id: int
    name: str
    detail: str = ""  # volunteer number, team's organisation …

    @property
    def label(self) -> str:
        return f"{self.name}（{self.detail}）" if self.detail else self.name


def find_targets(session: Session, actor: Actor, kind: str, text: str = "", limit: int = 100) -> list[Target]:
    """What a title of ``kind`` may be given to: registered volunteers (searched), active teams, projects."""
    require(actor, Permission.VIEW)
    if kind == "volunteer":
        query = select(Volunteer.id, Volunteer.name, Volunteer.volunteer_no).where(
            Volunteer.station_id == actor.station_id, Volunteer.status == Status.REGISTERED.value
        )
        condition = search_condition(text)
        if condition is not None:
            query = query.where(condition)
        rows = session.execute(query.order_by(Volunteer.name_pinyin, Volunteer.id).limit(limit))
        return [Target(i, n, no or "") for i, n, no in rows]
    if kind == "team":
        rows = session.execute(
            select(Team.id, Team.name, Team.org_name)
            .where(Team.station_id == actor.station_id, Team.active.is_(True)).order_by(Team.name)
        )
    elif kind == "project":
        rows = session.execute(
            select(Project.id, Project.name, Project.starts_on).where(Project.station_id == actor.station_id)
            .order_by(Project.starts_on.desc(), Project.id)
        )
    else:
        raise ValidationError(_("请选择称号授予的对象类别。"), field="target_kind")
    needle = text.strip()
    return [Target(i, n, str(d or "")) for i, n, d in rows if needle in n][:limit]


def _target_name(session: Session, actor: Actor, kind: str, target_id: int | None) -> str:
    """The target's name, checked: of this station and able to receive an honour now."""
    if target_id is None:
        raise ValidationError(_("请选择获得嘉许的{k}。").format(k=kind_label(kind)), field="target")
    if kind == "volunteer":
        volunteer = load_for_station(session, actor, Volunteer, target_id, _("找不到这名志愿者。"))
        if volunteer.status != Status.REGISTERED.value:
            raise ValidationError(
                _("嘉许只能授予已注册的志愿者：{n} 当前状态为“{s}”。").format(n=volunteer.name, s=Status(volunteer.status).label),
                field="target",
            )
        return volunteer.name
    if kind == "team":
        team = load_for_station(session, actor, Team, target_id, _("找不到这个服务队。"))
        if not team.active:
            raise ValidationError(_("服务队“{n}”已停用，不能授予嘉许。").format(n=team.name), field="target")
        return team.name
    return load_for_station(session, actor, Project, target_id, _("找不到这个志愿服务项目。")).name


# --- honours -------------------------------------------------------------------------------------
@dataclass
class HonourInput:
    title_id: int | None
    target_id: int | None
    awarded_on: date | None
    issuer: str
    citation: str = ""
    # What the form says the target is; when given it must be the title's kind.
    target_kind: str | None = None


@dataclass(frozen=True)
class HonourRow:
    id: int
    title: str
    target_kind: str
    target_id: int
    target_name: str
    awarded_on: date
    issuer: str
    citation: str
    certificate_no: str
    recorder_name: str

    @property
    def kind_label(self) -> str:
        return kind_label(self.target_kind)


def _in_year(year: int) -> tuple:
    return Honour.awarded_on >= date(year, 1, 1), Honour.awarded_on <= date(year, 12, 31)


def _honour_row(h: Honour) -> HonourRow:
    target_id = h.volunteer_id or h.team_id or h.project_id or 0
    return HonourRow(h.id, h.title, h.target_kind, target_id, h.target_name, h.awarded_on, h.issuer, h.citation,
                     h.certificate_no, h.recorder_name)


def award_honour(session: Session, actor: Actor, data: HonourInput) -> HonourRow:
    """Award a title to a volunteer, team or project; refused (nothing written) when a rule is broken."""
    require(actor, Permission.CONFIRM_AWARDS)
    if data.title_id is None:
        raise ValidationError(_("请选择嘉许称号。"), field="title")
    title = _load_title(session, actor, data.title_id)
    if not title.active:
        raise ValidationError(_("称号“{n}”已停用，不能再授予。").format(n=title.name), field="title")
    if data.target_kind is not None and data.target_kind != title.target_kind:
        raise ValidationError(
            _("称号“{n}”授予{k}，不能授予{other}。").format(
                n=title.name, k=kind_label(title.target_kind), other=kind_label(data.target_kind)
            ),
            field="target",
        )
    if data.awarded_on is None:
        raise ValidationError(_("请填写授予日期。"), field="awarded_on")
    if data.awarded_on > date.today():
        raise ValidationError(_("授予日期不能晚于今天。"), field="awarded_on")
    issuer = clean_text(data.issuer, label=_("颁发单位"), field="issuer", max_len=MAX_ISSUER)
    if not issuer:
        raise ValidationError(_("请填写颁发单位（谁授予这项嘉许）。"), field="issuer")
    citation = clean_text(data.citation, label=_("嘉许词"), field="citation", max_len=MAX_CITATION)
    kind = title.target_kind
    target_name = _target_name(session, actor, kind, data.target_id)
    year = data.awarded_on.year
    # The chain lock first: two staff giving the same honour at once cannot both pass the check below.
    number = certificate_number(session, actor.station_id, Honour, "JX", year)
    column = TARGET_COLUMNS[kind]
    earlier = session.scalar(
        select(Honour.certificate_no).where(
            Honour.title_id == title.id, column == data.target_id, *_in_year(year)
        )
    )
    if earlier:
        raise ValidationError(
            _("{t}“{n}”在 {y} 年已获得“{title}”（证书 {c}），同一称号每年只授予一次。").format(
                t=kind_label(kind), n=target_name, y=year, title=title.name, c=earlier
            ),
            field="target",
        )
    honour = Honour(
        title_id=title.id, title=title.name, target_kind=kind, volunteer_id=None, team_id=None, project_id=None,
        target_name=target_name, awarded_on=data.awarded_on, issuer=issuer, citation=citation,
        certificate_no=number, recorder_id=actor.user_id, recorder_name=actor.display_name,
    )
    setattr(honour, column.key, data.target_id)
    chain.append(session, actor.station_id, honour)
    audit.record(
        session, actor, "award", "honour", honour.id,
        summary=_("授予嘉许：{n}“{title}”，证书 {c}").format(n=target_name, title=title.name, c=number),
    )
    return _honour_row(honour)


def list_honours(session: Session, actor: Actor, year: int | None = None, target_kind: str | None = None) -> list[HonourRow]:
    """Honours the station gave, newest first; optionally of one year and one kind of target."""
    require(actor, Permission.VIEW)
    query = select(Honour).where(Honour.station_id == actor.station_id)
    if year is not None:
        query = query.where(*_in_year(year))
    if target_kind is not None:
        query = query.where(Honour.target_kind == target_kind)
    return [_honour_row(h) for h in session.scalars(query.order_by(Honour.awarded_on.desc(), Honour.seq.desc()))]


def honour_years(session: Session, actor: Actor) -> list[int]:
    """Years in which the station gave honours, newest first (for the year filter)."""
    require(actor, Permission.VIEW)
    years = session.scalars(
        select(extract("year", Honour.awarded_on)).where(Honour.station_id == actor.station_id).distinct()
    )
    return sorted({int(y) for y in years}, reverse=True)


def honours_of(session: Session, actor: Actor, kind: str, target_id: int) -> list[HonourRow]:
    """One volunteer's, team's or project's honours, oldest first (for the ledger views)."""
    require(actor, Permission.VIEW)
    if kind not in TARGET_COLUMNS:
        raise NotFound(_("没有这类嘉许对象。"))
    query = select(Honour).where(Honour.station_id == actor.station_id, TARGET_COLUMNS[kind] == target_id)
    return [_honour_row(h) for h in session.scalars(query.order_by(Honour.awarded_on, Honour.seq))]
