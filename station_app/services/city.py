"""City-wide mode: the city's and the towns' administrators above the stations (one shared PostgreSQL database).

A 市级管理员 (``Role.CITY``) sees every station of the database and adds stations with their first
站长; a 镇区管理员 (``Role.TOWN``, ``users.town_id``) sees the stations of one town. Neither works
inside a station: station data stays with the station's own accounts (every station service
checks ``Actor.station_id``). What they get here is the dashboard: plain figures per station,
summed per town and for the whole scope, and the demonstration-station checklist (§四 试点先行:
有阵地、有队伍、有活动、有项目、有制度、有宣传) evidenced from each station's own data.

Figures follow the ledger's rules: service time is ``SUM(delta_minutes)`` of ``service_records``
(as ``hours.counted_minutes`` and the ledger views count it: approved records with their
corrections, nothing waiting or rejected, training never included); stars are the confirmed
awards still in force. Every total is the sum of the stations' figures, nothing is counted twice.

A station whose records arrive in transfer packages from an offline PC (``stations.imported_at``)
counts like the others and is labelled 离线站点（数据包导入，截至 …）.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..errors import DuplicateError, NotFound, StationError, ValidationError
from ..i18n import _
from ..models import (
    Activity,
    CertificateIssue,
    City,
    Community,
    Honour,
    LedgerCheckpoint,
    Project,
    Recruitment,
    ServiceRecord,
    StarAward,
    Station,
    StationSetting,
    Team,
    TeamMember,
    Town,
    User,
    Volunteer,
)
from . import audit
from .auth import (
    Actor,
    Permission,
    Role,
    _validate_username,
    check_new_password,
    hash_password,
    require,
)
from .catalogue import CATEGORY_LABELS, Category
from .hours import IN_FORCE, MAX_LEVEL
from .stations import STATION_CODE_RE, StationSetup, build_station

CITY_ROLES = (Role.CITY, Role.TOWN)

# --- the demonstration-station checklist (§四 试点先行) ---------------------------------------------
# 有队伍: at least this many registered volunteers, and an own team (not a visiting one) with members.
MIN_REGISTERED_VOLUNTEERS = 20
MIN_OWN_TEAM_MEMBERS = 5
# 有活动: completed activities in the last CHECK_WINDOW_DAYS (about one a quarter).
MIN_RECENT_ACTIVITIES = 4
# 有项目: running (active) projects designed from the residents' needs.
MIN_ACTIVE_PROJECTS = 1
# 有宣传: recruitment notices, honours and printed certificates in the window, together.
MIN_PUBLICITY_ITEMS = 1
# 有活动 and 有宣传 look back this far from the day the dashboard is drawn.
CHECK_WINDOW_DAYS = 365
# 有制度: the station's own rules are settings under these keys (骨干认定, 超额时长审批, 文书模板),
# or a ledger checkpoint the 站长 signed.
RULE_SETTING_PREFIXES = (("backbone.", _("骨干认定规则")), ("approval_limit_minutes", _("时长审批上限")),
                         ("print.template.", _("证书文书模板")))

CHECKS = (
    ("site", _("有阵地")),
    ("team", _("有队伍")),
    ("activity", _("有活动")),
    ("project", _("有项目")),
    ("rules", _("有制度")),
    ("publicity", _("有宣传")),
)
OTHER_CATEGORY = _("其他")
CATEGORIES: tuple[str, ...] = (*(CATEGORY_LABELS[c] for c in Category), OTHER_CATEGORY)


# --- plain results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """What a city or town administrator sees: a label (中山市 / 石岐街道) and the stations' ids."""

    label: str
    town_id: int | None  # None: the whole city
    station_ids: tuple[int, ...]


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    ok: bool
    evidence: str


@dataclass(frozen=True)
class Figures:
    """Numbers that add up: a station's, a town's or the whole scope's."""

    volunteers: int = 0  # registered (已注册) now
    minutes: int = 0  # counted service minutes in the year
    by_category: dict[str, int] = field(default_factory=dict)  # category label → minutes (every CATEGORIES key)
    by_month: tuple[int, ...] = (0,) * 12  # minutes in January … December
    stars: dict[int, int] = field(default_factory=dict)  # level 1–5 → volunteers whose highest award in force is it

    @property
    def starred(self) -> int:
        return sum(self.stars.values())


@dataclass(frozen=True)
class StationFigures:
    station_id: int
    name: str
    code: str
    town: str
    community: str
    imported_at: datetime | None
    figures: Figures
    checklist: tuple[CheckItem, ...]

    @property
    def passed(self) -> int:
        return sum(item.ok for item in self.checklist)

    @property
    def demonstration_ready(self) -> bool:
        return self.passed == len(CHECKS)

    @property
    def note(self) -> str:
        if self.imported_at is None:
            return ""
        return _("离线站点（数据包导入，截至 {d}）").format(d=f"{self.imported_at:%Y-%m-%d}")


@dataclass(frozen=True)
class TownFigures:
    town_id: int
    name: str
    stations: tuple[StationFigures, ...]
    figures: Figures

    @property
    def demonstration_ready(self) -> int:
        return sum(s.demonstration_ready for s in self.stations)


@dataclass(frozen=True)
class Dashboard:
    year: int
    today: date
    scope: Scope
    towns: tuple[TownFigures, ...]
    figures: Figures  # the whole scope: the sum of the towns (and so of the stations)

    @property
    def stations(self) -> list[StationFigures]:
        return [s for t in self.towns for s in t.stations]

    @property
    def demonstration_ready(self) -> int:
        return sum(t.demonstration_ready for t in self.towns)


def add_up(parts: list[Figures]) -> Figures:
    """The sum of several figures: every total on the dashboard is made here."""
    return Figures(
        volunteers=sum(p.volunteers for p in parts),
        minutes=sum(p.minutes for p in parts),
        by_category={c: sum(p.by_category.get(c, 0) for p in parts) for c in CATEGORIES},
        by_month=tuple(sum(p.by_month[m] for p in parts) for m in range(12)),
        stars={lv: sum(p.stars.get(lv, 0) for p in parts) for lv in range(1, MAX_LEVEL + 1)},
    )


# --- scope --------------------------------------------------------------------------------------------
def is_city_actor(actor: Actor) -> bool:
    return actor.role in CITY_ROLES


def _town_of(session: Session, actor: Actor) -> Town | None:
    """The town administrator's town (None for the city administrator)."""
    if actor.role is not Role.TOWN:
        return None
    town_id = session.scalar(select(User.town_id).where(User.id == actor.user_id))
    town = session.get(Town, town_id) if town_id is not None else None
    if town is None:
        raise StationError(_("这个镇区管理员账号没有指定镇区，请市级管理员重新设置。"))
    return town


def scope_of(session: Session, actor: Actor) -> Scope:
    """The stations a city or town administrator sees; refused for station accounts."""
    require(actor, Permission.VIEW_CITY)
    town = _town_of(session, actor)
    query = select(Station.id).join(Community, Community.id == Station.community_id).order_by(Station.id)
    if town is not None:
        return Scope(town.name, town.id, tuple(session.scalars(query.where(Community.town_id == town.id))))
    cities = list(session.scalars(select(City.name).order_by(City.id)))
    return Scope("、".join(cities) or _("全市"), None, tuple(session.scalars(query)))


def scope_label(session: Session, actor: Actor) -> str:
    return scope_of(session, actor).label


@dataclass(frozen=True)
class TownInfo:
    id: int
    name: str
    city: str
    stations: int


def list_towns(session: Session, actor: Actor) -> list[TownInfo]:
    """The towns in the actor's scope, with how many stations each has."""
    scope = scope_of(session, actor)
    counts = dict(session.execute(
        select(Community.town_id, func.count(Station.id)).join(Station, Station.community_id == Community.id)
        .group_by(Community.town_id)
    ).all())
    query = select(Town.id, Town.name, City.name).join(City, City.id == Town.city_id).order_by(Town.id)
    if scope.town_id is not None:
        query = query.where(Town.id == scope.town_id)
    return [TownInfo(tid, name, city, int(counts.get(tid, 0))) for tid, name, city in session.execute(query)]


# --- the dashboard --------------------------------------------------------------------------------------
def _year_bounds(year: int) -> tuple[date, date]:
    if not 2000 <= year <= 2100:
        raise ValidationError(_("年份应在 2000 到 2100 之间。"), field="year")
    return date(year, 1, 1), date(year, 12, 31)


def _category(label: str) -> str:
    return label if label in CATEGORIES else OTHER_CATEGORY


def dashboard(session: Session, actor: Actor, year: int, *, today: date | None = None) -> Dashboard:
    """Figures per station, per town and in all, for ``year``; the checklist as of ``today``."""
    scope = scope_of(session, actor)
    first, last = _year_bounds(year)
    today = today or date.today()
    ids = list(scope.station_ids)
    stations = session.execute(
        select(Station, Community.name, Town.id, Town.name)
        .join(Community, Community.id == Station.community_id).join(Town, Town.id == Community.town_id)
        .where(Station.id.in_(ids)).order_by(Town.id, Station.code)
    ).all() if ids else []

    volunteers = _registered(session, ids)
    minutes: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 12))
    month = func.extract("month", ServiceRecord.service_date)
    for station_id, category, m, total in session.execute(
        select(ServiceRecord.station_id, ServiceRecord.category, month, func.sum(ServiceRecord.delta_minutes))
        .where(ServiceRecord.station_id.in_(ids), ServiceRecord.service_date.between(first, last))
        .group_by(ServiceRecord.station_id, ServiceRecord.category, month)
    ):
        minutes[station_id][_category(category or "")][int(m) - 1] += int(total or 0)
    stars = _stars(session, ids, last)
    checks = _checklists(session, [row[0] for row in stations], volunteers, today)

    by_town: dict[int, tuple[str, list[StationFigures]]] = {}
    for station, community, town_id, town_name in stations:
        per_category = minutes.get(station.id, {})
        by_month = tuple(sum(months[m] for months in per_category.values()) for m in range(12))
        figures = Figures(
            volunteers=volunteers.get(station.id, 0),
            minutes=sum(by_month),
            by_category={c: sum(per_category.get(c, [0])) for c in CATEGORIES},
            by_month=by_month,
            stars={lv: stars.get((station.id, lv), 0) for lv in range(1, MAX_LEVEL + 1)},
        )
        by_town.setdefault(town_id, (town_name, []))[1].append(StationFigures(
            station.id, station.name, station.code, town_name, community, station.imported_at, figures,
            checks[station.id],
        ))
    towns = tuple(
        TownFigures(tid, name, tuple(parts), add_up([p.figures for p in parts]))
        for tid, (name, parts) in by_town.items()
    )
    return Dashboard(year, today, scope, towns, add_up([t.figures for t in towns]))


def _registered(session: Session, ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Volunteer.station_id, func.count()).where(Volunteer.station_id.in_(ids), Volunteer.status == "registered")
        .group_by(Volunteer.station_id)
    )
    return {sid: int(n) for sid, n in rows}


def _stars(session: Session, ids: list[int], until: date) -> dict[tuple[int, int], int]:
    """(station, level) → volunteers whose highest award in force, confirmed by ``until``, is that level."""
    highest = (
        select(StarAward.station_id, StarAward.volunteer_id, func.max(StarAward.level).label("level"))
        .where(StarAward.station_id.in_(ids), StarAward.review_status.in_(IN_FORCE), StarAward.confirmed_on <= until)
        .group_by(StarAward.station_id, StarAward.volunteer_id)
        .subquery()
    )
    rows = session.execute(
        select(highest.c.station_id, highest.c.level, func.count()).group_by(highest.c.station_id, highest.c.level)
    )
    return {(sid, int(level)): int(n) for sid, level, n in rows}


def _grouped(session: Session, query) -> dict[int, int]:  # noqa: ANN001 - a select of (station_id, count)
    return {sid: int(n) for sid, n in session.execute(query)}


def _checklists(
    session: Session, stations: list[Station], volunteers: dict[int, int], today: date
) -> dict[int, tuple[CheckItem, ...]]:
    """The six checks for each station, each with the facts that decided it."""
    ids = [s.id for s in stations]
    since = today - timedelta(days=CHECK_WINDOW_DAYS)
    since_at = datetime.combine(since, datetime.min.time())  # activities keep the station's wall-clock time
    since_utc = since_at.astimezone(UTC)  # notices and prints keep UTC
    members = (
        select(Team.station_id, Team.id, func.count(TeamMember.volunteer_id).label("n"))
        .join(TeamMember, TeamMember.team_id == Team.id)
        .join(Volunteer, and_(Volunteer.id == TeamMember.volunteer_id, Volunteer.status == "registered"))
        .where(Team.station_id.in_(ids), Team.kind == "own", Team.active.is_(True))
        .group_by(Team.station_id, Team.id)
        .subquery()
    )
    own_teams = _grouped(session, select(members.c.station_id, func.count()).where(members.c.n >= MIN_OWN_TEAM_MEMBERS)
                         .group_by(members.c.station_id))
    done = Activity.status == "done"
    recent = and_(done, Activity.starts_at >= since_at, Activity.starts_at <= datetime.combine(today, datetime.max.time()))
    activities = _grouped(session, select(Activity.station_id, func.count()).where(Activity.station_id.in_(ids), recent)
                          .group_by(Activity.station_id))
    last_activity = dict(session.execute(
        select(Activity.station_id, func.max(Activity.starts_at)).where(Activity.station_id.in_(ids), done)
        .group_by(Activity.station_id)
    ).all())
    projects: dict[int, list[str]] = defaultdict(list)
    for sid, name in session.execute(select(Project.station_id, Project.name).where(
            Project.station_id.in_(ids), Project.status == "active").order_by(Project.starts_on, Project.id)):
        projects[sid].append(name)
    rules: dict[int, set[str]] = defaultdict(set)
    prefix_match = or_(*(StationSetting.key.startswith(prefix) for prefix, _label in RULE_SETTING_PREFIXES))
    for sid, key in session.execute(select(StationSetting.station_id, StationSetting.key).where(
            StationSetting.station_id.in_(ids), prefix_match)):
        rules[sid].update(label for prefix, label in RULE_SETTING_PREFIXES if key.startswith(prefix))
    checkpoints = _grouped(session, select(LedgerCheckpoint.station_id, func.count()).where(
        LedgerCheckpoint.station_id.in_(ids)).group_by(LedgerCheckpoint.station_id))
    notices = _grouped(session, select(Recruitment.station_id, func.count()).where(
        Recruitment.station_id.in_(ids), Recruitment.published_at >= since_utc).group_by(Recruitment.station_id))
    honours = _grouped(session, select(Honour.station_id, func.count()).where(
        Honour.station_id.in_(ids), Honour.awarded_on >= since).group_by(Honour.station_id))
    printed = _grouped(session, select(CertificateIssue.station_id, func.count()).where(
        CertificateIssue.station_id.in_(ids), CertificateIssue.issued_at >= since_utc).group_by(CertificateIssue.station_id))

    out: dict[int, tuple[CheckItem, ...]] = {}
    for s in stations:
        labels = dict(CHECKS)
        missing = [label for label, value in ((_("地址"), s.address), (_("联系人"), s.contact_person),
                                              (_("联系电话"), s.contact_phone)) if not (value or "").strip()]
        site = CheckItem("site", labels["site"], not missing, _("服务站地址：{a}；联系人：{p}").format(
            a=s.address or _("未填写"), p=s.contact_person or _("未填写")) + (
            _("（缺：{m}）").format(m="、".join(missing)) if missing else ""))
        n_vol, n_team = volunteers.get(s.id, 0), own_teams.get(s.id, 0)
        team = CheckItem("team", labels["team"], n_vol >= MIN_REGISTERED_VOLUNTEERS and n_team >= 1, _(
            "已注册志愿者 {v} 人（需 ≥ {mv}）；本站服务队有 {t} 支队员 ≥ {mt} 人（需 ≥ 1 支）").format(
            v=n_vol, mv=MIN_REGISTERED_VOLUNTEERS, t=n_team, mt=MIN_OWN_TEAM_MEMBERS))
        n_act, last = activities.get(s.id, 0), last_activity.get(s.id)
        activity = CheckItem("activity", labels["activity"], n_act >= MIN_RECENT_ACTIVITIES, _(
            "近 12 个月完成活动 {n} 次（需 ≥ {m}）；最近一次：{d}").format(
            n=n_act, m=MIN_RECENT_ACTIVITIES, d=f"{last:%Y-%m-%d}" if last else _("无")))
        names = projects.get(s.id, [])
        shown = "、".join(names[:3]) + (_(" 等") if len(names) > 3 else "")
        project = CheckItem("project", labels["project"], len(names) >= MIN_ACTIVE_PROJECTS, _(
            "进行中的项目 {n} 个（需 ≥ {m}）{names}").format(
            n=len(names), m=MIN_ACTIVE_PROJECTS, names=f"：{shown}" if names else ""))
        configured = [label for _prefix, label in RULE_SETTING_PREFIXES if label in rules.get(s.id, set())]
        n_cp = checkpoints.get(s.id, 0)
        rule_facts = (_("已设置：{r}").format(r="、".join(configured)) if configured else _("未设置本站规则"))
        rule = CheckItem("rules", labels["rules"], bool(configured) or n_cp > 0,
                         rule_facts + _("；已签署台账检查点 {n} 个").format(n=n_cp))
        n_notice, n_honour, n_print = notices.get(s.id, 0), honours.get(s.id, 0), printed.get(s.id, 0)
        publicity = CheckItem("publicity", labels["publicity"], n_notice + n_honour + n_print >= MIN_PUBLICITY_ITEMS, _(
            "近 12 个月：发布招募 {a} 次，授予嘉许 {b} 项，打印证书 {c} 份").format(a=n_notice, b=n_honour, c=n_print))
        out[s.id] = (site, team, activity, project, rule, publicity)
    return out


# --- stations and administrators --------------------------------------------------------------------------
def city_name(session: Session) -> str:
    """The city of this database (the first one set up); 中山市 when there is none yet."""
    return session.scalar(select(City.name).order_by(City.id).limit(1)) or _("中山市")


def create_station(session: Session, actor: Actor, setup: StationSetup) -> int:
    """A city administrator adds a station (town, community, station, its teams and menu) and its first 站长."""
    require(actor, Permission.MANAGE_STATIONS)
    code = setup.station_code.strip().upper()
    if STATION_CODE_RE.fullmatch(code):
        taken = session.scalar(select(Station.name).where(Station.code == code))
        if taken is not None:
            raise DuplicateError(_("站点编号 {c} 已被“{s}”使用，请换一个。").format(c=code, s=taken), field="station_code")
    station_id = build_station(session, setup)
    audit.record(
        session, actor, "create", "station", station_id,
        summary=_("新建站点：{s}（{c}），站长账号 {u}").format(s=setup.station_name.strip(), c=code,
                                                          u=setup.admin_username.strip()),
        changes={"town": [None, setup.town.strip()], "community": [None, setup.community.strip()],
                 "code": [None, code]},
    )
    return station_id


@dataclass(frozen=True)
class StationRow:
    id: int
    name: str
    code: str
    town: str
    community: str
    heads: str  # the 站长 accounts' user names
    created_on: date
    imported_at: datetime | None

    @property
    def note(self) -> str:
        if self.imported_at is None:
            return ""
        return _("离线站点（数据包导入，截至 {d}）").format(d=f"{self.imported_at:%Y-%m-%d}")


def list_stations(session: Session, actor: Actor) -> list[StationRow]:
    """The stations in the actor's scope, by town and code, with their 站长 accounts."""
    scope = scope_of(session, actor)
    ids = list(scope.station_ids)
    heads: dict[int, list[str]] = defaultdict(list)
    for sid, username in session.execute(select(User.station_id, User.username).where(
            User.station_id.in_(ids), User.role == Role.ADMIN.value, User.active.is_(True)).order_by(User.id)):
        heads[sid].append(username)
    rows = session.execute(
        select(Station, Community.name, Town.name)
        .join(Community, Community.id == Station.community_id).join(Town, Town.id == Community.town_id)
        .where(Station.id.in_(ids)).order_by(Town.id, Station.code)
    ).all() if ids else []
    return [StationRow(s.id, s.name, s.code, town, community, "、".join(heads.get(s.id, [])),
                       s.created_at.astimezone().date(), s.imported_at) for s, community, town in rows]


@dataclass(frozen=True)
class AdminInfo:
    id: int
    username: str
    display_name: str
    role: Role
    town: str
    active: bool


def list_admins(session: Session, actor: Actor) -> list[AdminInfo]:
    """The city's and towns' administrators (city administrators only)."""
    require(actor, Permission.MANAGE_STATIONS)
    rows = session.execute(
        select(User, Town.name).outerjoin(Town, Town.id == User.town_id)
        .where(User.role.in_([r.value for r in CITY_ROLES])).order_by(User.role, Town.id, User.username)
    )
    return [AdminInfo(u.id, u.username, u.display_name, Role(u.role), town or "", u.active) for u, town in rows]


def _new_admin(session: Session, *, username: str, display_name: str, role: Role, password: str,
               town_id: int | None) -> User:
    username = _validate_username(username)
    check_new_password(password)
    existing = session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if existing is not None:
        raise DuplicateError(_("用户名“{u}”已被使用。").format(u=username), field="username", existing_id=existing)
    user = User(username=username, display_name=display_name.strip() or username, role=role.value,
                password_hash=hash_password(password), station_id=None, town_id=town_id, active=True)
    session.add(user)
    session.flush()
    return user


def create_admin(
    session: Session, actor: Actor, *, username: str, display_name: str, role: Role, password: str,
    town_id: int | None = None,
) -> int:
    """A city administrator creates a town administrator (for ``town_id``) or another city administrator."""
    require(actor, Permission.MANAGE_STATIONS)
    role = Role(role)
    if role not in CITY_ROLES:
        raise ValidationError(_("这里只能新建镇区管理员或市级管理员；站点的账号由站长在本站新建。"), field="role")
    if role is Role.TOWN:
        if town_id is None or session.get(Town, town_id) is None:
            raise ValidationError(_("请为镇区管理员选择所管的镇区。"), field="town")
    else:
        town_id = None
    user = _new_admin(session, username=username, display_name=display_name, role=role, password=password,
                      town_id=town_id)
    town = session.get(Town, town_id).name if town_id is not None else ""
    audit.record(session, actor, "create", "user", user.id,
                 summary=_("新建{r}账号 {u}{t}").format(r=role.label, u=user.username, t=f"（{town}）" if town else ""),
                 changes={"role": [None, role.value]})
    return user.id


def has_city_admin(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.role == Role.CITY.value).limit(1)) is not None


def first_city_admin(session: Session, *, city: str, username: str, display_name: str, password: str) -> int:
    """The city's first administrator, when a city sets up its shared database (no login yet, like first start)."""
    if has_city_admin(session):
        raise ValidationError(_("本数据库已经有市级管理员，请用该账号登录后再新建其他管理员。"))
    name = city.strip()
    if not name or len(name) > 50:
        raise ValidationError(_("请填写市的名称（不超过 50 个字）。"), field="city")
    if session.scalar(select(City.id).where(City.name == name)) is None:
        session.add(City(name=name))
    user = _new_admin(session, username=username, display_name=display_name, role=Role.CITY, password=password,
                      town_id=None)
    creator = Actor(user.id, user.username, user.display_name, Role.CITY, None)
    audit.record(session, creator, "create", "user", user.id,
                 summary=_("设置全市共用数据库：{c}，市级管理员 {u}").format(c=name, u=user.username),
                 changes={"role": [None, Role.CITY.value]})
    return user.id


def town_id_named(session: Session, name: str) -> int:
    """A town by name (the command line names towns)."""
    town_id = session.scalar(select(Town.id).where(Town.name == name.strip()))
    if town_id is None:
        raise NotFound(_("没有名为“{t}”的镇区：镇区在新建它的第一个站点时建立。").format(t=name.strip()))
    return town_id


# --- the dashboard as a document (screen export to Excel) ----------------------------------------------------
def dashboard_document(dash: Dashboard):  # noqa: ANN201 - a ledger_export.LedgerDocument
    """The dashboard as one workbook: totals per town and per station, categories, months, stars, the checklist."""
    from .ledger_export import Col, LedgerDocument, Row, Table, safe_stem

    f = dash.figures
    levels = range(1, MAX_LEVEL + 1)
    star_cols = tuple(Col(_("{n}星").format(n="一二三四五"[lv - 1]), "count", 7) for lv in levels)

    def line(fig: Figures) -> tuple:
        return (fig.volunteers, fig.minutes, *(fig.stars.get(lv, 0) for lv in levels))

    towns = Table(_("各镇区"), (Col(_("镇区"), width=14), Col(_("站点数"), "count", 8), Col(_("示范达标"), "count", 9),
                                  Col(_("已注册志愿者"), "count", 12), Col(_("服务时长（小时）"), "hours", 14), *star_cols),
                  [Row((t.name, len(t.stations), t.demonstration_ready, *line(t.figures))) for t in dash.towns],
                  totals=(_("合计"), len(dash.stations), dash.demonstration_ready, *line(f)))
    stations = Table(_("各站点"), (Col(_("镇区"), width=12), Col(_("站点"), width=26), Col(_("编号"), width=9),
                                   Col(_("已注册志愿者"), "count", 12), Col(_("服务时长（小时）"), "hours", 14), *star_cols,
                                   Col(_("说明"), width=28)),
                     [Row((s.town, s.name, s.code, *line(s.figures), s.note)) for s in dash.stations],
                     totals=(_("合计"), None, None, *line(f), None))
    categories = Table(_("按类别"), (Col(_("类别"), width=12), *(Col(t.name, "hours", 12) for t in dash.towns),
                                     Col(_("合计"), "hours", 12)),
                       [Row((c, *(t.figures.by_category.get(c, 0) for t in dash.towns), f.by_category.get(c, 0)))
                        for c in CATEGORIES],
                       totals=(_("合计"), *(t.figures.minutes for t in dash.towns), f.minutes))
    months = Table(_("按月份"), (Col(_("月份"), width=8), *(Col(t.name, "hours", 12) for t in dash.towns),
                                 Col(_("合计"), "hours", 12)),
                   [Row((_("{m}月").format(m=m + 1), *(t.figures.by_month[m] for t in dash.towns), f.by_month[m]))
                    for m in range(12)],
                   totals=(_("合计"), *(t.figures.minutes for t in dash.towns), f.minutes))
    checklist = Table(_("示范站点六有"), (Col(_("站点"), width=24), *(Col(label, width=7) for _k, label in CHECKS),
                                          Col(_("依据"), width=90)),
                      [Row((s.name, *("✓" if c.ok else "✗" for c in s.checklist),
                            "；".join(f"{c.label}：{c.evidence}" for c in s.checklist))) for s in dash.stations])
    title = _("{s}志愿服务数据看板（{y} 年）").format(s=dash.scope.label, y=dash.year)
    facts = [(_("范围"), dash.scope.label), (_("年份"), str(dash.year)), (_("统计日期"), dash.today.isoformat()),
             (_("站点"), _("{n} 个，示范达标 {r} 个").format(n=len(dash.stations), r=dash.demonstration_ready))]
    return LedgerDocument(title, safe_stem(_("数据看板"), dash.scope.label, str(dash.year)), facts,
                          [towns, stations, categories, months, checklist],
                          notes=[_("服务时长为当年计入台账的时长（含已批准的更正，不含培训）；志愿者人数为当前已注册人数；"
                                   "星级为截至年底仍有效的最高认定星级。")])
