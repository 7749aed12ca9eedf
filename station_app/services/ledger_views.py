"""The service ledger read back (台账): per volunteer, activity, project, team, month, and party members.

Every view is built on ``hours.ledger_lines`` (records with their corrections and decisions
applied) or on ``SUM(delta_minutes)``, so its totals are the ones star levels and balances use:
approved records and corrections count, waiting and rejected ones show but add nothing. A view is
plain data; ``ledger_export`` writes it to Excel and ``reports/ledger_pdf`` to an A4 PDF.

Reading one volunteer's ledger costs a handful of queries whatever the size of the station's
ledger (the records by ``ix_service_records_volunteer_date``, their corrections by
``ix_service_records_target``, then training, awards and honours): never one query per line.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ..errors import ValidationError
from ..i18n import _
from ..models import Activity, Honour, Project, ServiceRecord, StarAward, Station, Team, TeamMember, Volunteer
from . import chain
from .auth import Actor, Permission, require
from .catalogue import CATEGORY_LABELS
from .hours import LedgerLine, counted_minutes, ledger_lines, star_level
from .masking import mask_id_number
from .records import load_for_station
from .training import TrainingHistory, volunteer_training_history
from .volunteers import POLITICAL_STATUSES, Status

EVALUATION_LABELS = {"excellent": _("优秀"), "good": _("良好"), "pass": _("合格"), "improve": _("需改进")}
ATTENDANCE_LABELS = {"present": _("出席"), "late": _("迟到")}
CORRECTION_STATUS = {"pending": _("待审批"), "approved": _("已批准"), "rejected": _("未批准")}
AWARD_REVIEW = {"": _("有效"), "flagged": _("待复核"), "kept": _("复核后保留"), "revoked": _("已撤销")}
# The 党团服务平台 wants party members (中共党员, 预备党员) and Youth League members (共青团员).
PARTY_GROUPS = (
    (_("中共党员（含预备党员）"), ("party_member", "probationary_party_member")),
    (_("共青团员"), ("league_member",)),
)
NOT_FOUND = _("找不到这名志愿者（可能已被删除或不属于本站）。")


def category_label(category: str) -> str:
    """A menu category's label (帮扶行动 …); free text as typed."""
    return CATEGORY_LABELS.get(category, category) or _("未分类")  # type: ignore[call-overload]


def span_text(
    line: LedgerLine | None = None, starts_at: datetime | None = None, ends_at: datetime | None = None
) -> str:
    """"09:00–11:30" (a span over midnight names the end's date); "" without times."""
    if line is not None:
        starts_at, ends_at = line.starts_at, line.ends_at
    if starts_at is None or ends_at is None:
        return ""
    if ends_at.date() == starts_at.date():
        return f"{starts_at:%H:%M}–{ends_at:%H:%M}"
    return f"{starts_at:%H:%M}–{ends_at:%m-%d %H:%M}"


# --- the views -------------------------------------------------------------------------------
@dataclass(frozen=True)
class VolunteerInfo:
    id: int
    name: str
    volunteer_no: str
    id_number: str  # masked unless the actor may see it in full
    political_status: str  # label
    registered_on: date | None
    team_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class AwardRow:
    level: int
    certificate_no: str
    confirmed_on: date
    confirmed_by: str
    minutes_at_award: int
    review_status: str  # label: 有效 / 待复核 / 复核后保留 / 已撤销


@dataclass(frozen=True)
class HonourRow:
    title: str
    awarded_on: date
    certificate_no: str
    issuer: str
    citation: str


@dataclass(frozen=True)
class VolunteerLedger:
    volunteer: VolunteerInfo
    lines: list[LedgerLine]  # service-time order; corrections inside each line
    by_year: list[tuple[int, int]]  # (year, counted minutes), oldest first
    by_category: list[tuple[str, int]]  # (category label, counted minutes), largest first
    total_minutes: int  # cumulative counted minutes (training excluded, redemptions not subtracted)
    star_level: int
    training: TrainingHistory
    awards: list[AwardRow]
    honours: list[HonourRow]
    made_on: date


@dataclass(frozen=True)
class NamedLine:
    """A ledger line with whose it is: for the views that list several volunteers."""

    line: LedgerLine
    name: str
    volunteer_no: str
    activity_title: str = ""


@dataclass(frozen=True)
class ActivityLedger:
    activity_id: int
    title: str
    project_name: str
    category: str  # label
    place: str
    starts_at: datetime
    ends_at: datetime
    lines: list[NamedLine]
    total_minutes: int
    people: int  # volunteers with counted time


@dataclass(frozen=True)
class ProjectActivityRow:
    activity_id: int
    title: str
    starts_at: datetime
    place: str
    people: int
    minutes: int


@dataclass(frozen=True)
class ProjectLedger:
    project_id: int
    name: str
    category: str
    starts_on: date
    ends_on: date
    lead_social_worker: str
    activities: list[ProjectActivityRow]
    lines: list[NamedLine]
    total_minutes: int
    people: int


@dataclass(frozen=True)
class MemberRow:
    volunteer_id: int
    name: str
    volunteer_no: str
    services: int  # counted records in the period
    minutes: int  # counted in the period
    total_minutes: int  # cumulative
    star_level: int


@dataclass(frozen=True)
class TeamLedger:
    team_id: int
    name: str
    date_from: date
    date_to: date
    members: list[MemberRow]
    lines: list[NamedLine]
    total_minutes: int


@dataclass(frozen=True)
class MonthLedger:
    station_name: str
    station_code: str
    year: int
    month: int
    lines: list[NamedLine]  # counted records, by date
    by_category: list[tuple[str, int]]
    total_minutes: int
    people: int
    waiting: int  # records of the month still waiting for approval (not listed, not counted)
    checkpoint: chain.Checkpoint | None  # the chain's latest signed checkpoint
    fingerprint: str  # the station key's fingerprint ("" before a key exists)


@dataclass(frozen=True)
class PartyRow:
    volunteer_id: int
    name: str
    volunteer_no: str
    id_number: str  # masked unless allowed
    political_status: str  # label
    services: int
    minutes: int  # counted in the year
    total_minutes: int  # cumulative


@dataclass(frozen=True)
class PartyGroup:
    label: str
    rows: list[PartyRow]

    @property
    def minutes(self) -> int:
        return sum(r.minutes for r in self.rows)


@dataclass(frozen=True)
class PartyLedger:
    station_name: str
    year: int
    groups: list[PartyGroup] = field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        return sum(g.minutes for g in self.groups)


# --- helpers ---------------------------------------------------------------------------------
def _station(session: Session, actor: Actor) -> Station:
    station = session.get(Station, actor.station_id)
    assert station is not None
    return station


def _id_shown(number: str) -> str:
    """Ledgers show ID numbers masked for every role, on screen and in their exports: hours do not
    need them, and the one way to see a full number is the roster's 显示完整信息, which is audited."""
    return mask_id_number(number)


def _names(session: Session, volunteer_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """id → (name, volunteer no) for these volunteers, in one query per 900."""
    ids = sorted(set(volunteer_ids))
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        query = select(Volunteer.id, Volunteer.name, Volunteer.volunteer_no).where(Volunteer.id.in_(chunk))
        found.update({vid: (name, no or "") for vid, name, no in session.execute(query)})
    return found


def _named(session: Session, lines: Sequence[LedgerLine], titles: dict[int, str] | None = None) -> list[NamedLine]:
    names = _names(session, (line.volunteer_id for line in lines))
    return [
        NamedLine(line, *names.get(line.volunteer_id, ("", "")), (titles or {}).get(line.activity_id or 0, ""))
        for line in lines
    ]


def _sum_by(lines: Iterable[LedgerLine], key) -> dict:
    totals: dict = defaultdict(int)
    for line in lines:
        if line.counted_minutes:
            totals[key(line)] += line.counted_minutes
    return totals


def _by_category(lines: Iterable[LedgerLine]) -> list[tuple[str, int]]:
    totals = _sum_by(lines, lambda line: category_label(line.category))
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def _people(lines: Iterable[LedgerLine]) -> int:
    return len({line.volunteer_id for line in lines if line.counted_minutes > 0})


def check_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise ValidationError(
            _("结束日期 {e} 早于开始日期 {s}。").format(e=date_to.isoformat(), s=date_from.isoformat()), field="date_to"
        )


def check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError(_("年份应在 2000–2100 之间。"), field="year")


# --- per volunteer ---------------------------------------------------------------------------
def volunteer_ledger(
    session: Session, actor: Actor, volunteer_id: int, *, today: date | None = None
) -> VolunteerLedger:
    """One volunteer's service history with totals by year and category, training, awards and honours."""
    require(actor, Permission.VIEW)
    v = load_for_station(session, actor, Volunteer, volunteer_id, NOT_FOUND)
    lines = ledger_lines(session, actor.station_id, volunteer_ids=[volunteer_id])
    total = sum(line.counted_minutes for line in lines)
    info = VolunteerInfo(
        v.id, v.name, v.volunteer_no or "", _id_shown(v.id_number),
        POLITICAL_STATUSES.get(v.political_status, v.political_status), v.registered_on,
        tuple(sorted(m.team.name for m in v.memberships)),
    )
    return VolunteerLedger(
        volunteer=info,
        lines=lines,
        by_year=sorted(_sum_by(lines, lambda line: line.service_date.year).items()),
        by_category=_by_category(lines),
        total_minutes=total,
        star_level=star_level(total),
        training=volunteer_training_history(session, actor, volunteer_id),
        awards=_awards(session, actor, volunteer_id),
        honours=_honours(session, actor, volunteer_id),
        made_on=today or date.today(),
    )


def _awards(session: Session, actor: Actor, volunteer_id: int) -> list[AwardRow]:
    query = (
        select(StarAward)
        .where(StarAward.station_id == actor.station_id, StarAward.volunteer_id == volunteer_id)
        .order_by(StarAward.confirmed_on, StarAward.level)
    )
    return [
        AwardRow(a.level, a.certificate_no, a.confirmed_on, a.confirmed_by_name, a.minutes_at_award,
                 AWARD_REVIEW.get(a.review_status, a.review_status))
        for a in session.scalars(query)
    ]


def _honours(session: Session, actor: Actor, volunteer_id: int) -> list[HonourRow]:
    query = (
        select(Honour)
        .where(Honour.station_id == actor.station_id, Honour.volunteer_id == volunteer_id)
        .order_by(Honour.awarded_on, Honour.seq)
    )
    return [HonourRow(h.title, h.awarded_on, h.certificate_no, h.issuer, h.citation) for h in session.scalars(query)]


# --- per activity and project ----------------------------------------------------------------
def activity_ledger(session: Session, actor: Actor, activity_id: int) -> ActivityLedger:
    """Who served at one activity, for how long, and how well."""
    require(actor, Permission.VIEW)
    a = load_for_station(session, actor, Activity, activity_id, _("找不到这个活动（可能已被删除或不属于本站）。"))
    project_name = session.scalar(select(Project.name).where(Project.id == a.project_id)) if a.project_id else ""
    lines = ledger_lines(session, actor.station_id, activity_id=activity_id)
    return ActivityLedger(
        a.id, a.title, project_name or "", category_label(a.category), a.place, a.starts_at, a.ends_at,
        _named(session, lines), sum(line.counted_minutes for line in lines), _people(lines),
    )


def project_ledger(session: Session, actor: Actor, project_id: int) -> ProjectLedger:
    """A project's activities with their people and hours, and every record made at them."""
    require(actor, Permission.VIEW)
    p = load_for_station(session, actor, Project, project_id, _("找不到这个项目（可能已被删除或不属于本站）。"))
    activities = session.scalars(
        select(Activity).where(Activity.project_id == project_id, Activity.station_id == actor.station_id)
        .order_by(Activity.starts_at, Activity.id)
    ).all()
    titles = {a.id: a.title for a in activities}
    record_ids = session.scalars(
        select(ServiceRecord.id).where(
            ServiceRecord.station_id == actor.station_id, ServiceRecord.kind == "record",
            ServiceRecord.activity_id.in_(list(titles)),
        )
    ).all() if titles else []
    lines = ledger_lines(session, actor.station_id, record_ids=record_ids) if record_ids else []
    per_activity: dict[int, list[LedgerLine]] = defaultdict(list)
    for line in lines:
        per_activity[line.activity_id or 0].append(line)
    rows = [
        ProjectActivityRow(a.id, a.title, a.starts_at, a.place, _people(per_activity[a.id]),
                           sum(line.counted_minutes for line in per_activity[a.id]))
        for a in activities
    ]
    return ProjectLedger(
        p.id, p.name, category_label(p.category), p.starts_on, p.ends_on, p.lead_social_worker, rows,
        _named(session, lines, titles), sum(line.counted_minutes for line in lines), _people(lines),
    )


def activity_choices(session: Session, actor: Actor, *, limit: int = 500) -> list[tuple[int, str]]:
    """Activities that have begun, newest first, as (id, "2026-12-05 重阳敬老探访"), for a picker."""
    require(actor, Permission.VIEW)
    query = (
        select(Activity.id, Activity.starts_at, Activity.title)
        .where(Activity.station_id == actor.station_id, Activity.starts_at <= datetime.now(),
               Activity.status != "cancelled")
        .order_by(Activity.starts_at.desc(), Activity.id.desc())
        .limit(limit)
    )
    return [(aid, f"{starts:%Y-%m-%d} {title}") for aid, starts, title in session.execute(query)]


# --- per team --------------------------------------------------------------------------------
def team_ledger(session: Session, actor: Actor, team_id: int, date_from: date, date_to: date) -> TeamLedger:
    """A team's members with their counted hours in a period (and in all), and the period's records."""
    require(actor, Permission.VIEW)
    check_period(date_from, date_to)
    team = load_for_station(session, actor, Team, team_id, _("找不到这个服务队（可能已被删除或不属于本站）。"))
    member_ids = list(session.scalars(select(TeamMember.volunteer_id).where(TeamMember.team_id == team_id)))
    lines = ledger_lines(session, actor.station_id, volunteer_ids=member_ids, date_from=date_from, date_to=date_to) \
        if member_ids else []
    names = _names(session, member_ids)
    cumulative = counted_minutes(session, actor.station_id, member_ids)
    in_period = _sum_by(lines, lambda line: line.volunteer_id)
    services = defaultdict(int)
    for line in lines:
        if line.counted_minutes > 0:
            services[line.volunteer_id] += 1
    members = sorted(
        (
            MemberRow(vid, *names.get(vid, ("", "")), services[vid], in_period.get(vid, 0), cumulative.get(vid, 0),
                      star_level(cumulative.get(vid, 0)))
            for vid in member_ids
        ),
        key=lambda m: (-m.minutes, m.name),
    )
    return TeamLedger(team.id, team.name, date_from, date_to, members, _named(session, lines),
                      sum(line.counted_minutes for line in lines))


# --- per month -------------------------------------------------------------------------------
def month_ledger(session: Session, actor: Actor, year: int, month: int) -> MonthLedger:
    """Every counted record of a month by date, totals per category, and the latest signed checkpoint."""
    require(actor, Permission.VIEW)
    check_year(year)
    if not 1 <= month <= 12:
        raise ValidationError(_("月份应在 1–12 之间。"), field="month")
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    all_lines = ledger_lines(session, actor.station_id, date_from=first, date_to=last)
    lines = [line for line in all_lines if line.counted_minutes > 0]
    station = _station(session, actor)
    public = chain.station_public_key(session, actor.station_id)
    return MonthLedger(
        station.name, station.code, year, month, _named(session, lines), _by_category(lines),
        sum(line.counted_minutes for line in lines), _people(lines),
        sum(1 for line in all_lines if line.status == "pending"),
        chain.latest_checkpoint(session, actor.station_id), chain.fingerprint(public) if public else "",
    )


def parse_month(text: str) -> tuple[int, int]:
    """"2026-11" (or 2026/11, 2026年11月) → (2026, 11)."""
    match = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*", text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError(_("月份的写法应为 YYYY-MM，例如 2026-11。"), field="month")
    return int(match.group(1)), int(match.group(2))


# --- party members ---------------------------------------------------------------------------
def party_ledger(session: Session, actor: Actor, year: int) -> PartyLedger:
    """Party and Youth League members' counted hours in a year, for the 党团服务平台."""
    require(actor, Permission.VIEW)
    check_year(year)
    codes = [code for _label, group in PARTY_GROUPS for code in group]
    members = session.execute(
        select(Volunteer.id, Volunteer.name, Volunteer.volunteer_no, Volunteer.id_number, Volunteer.political_status,
               Volunteer.status)
        .where(Volunteer.station_id == actor.station_id, Volunteer.political_status.in_(codes))
        .order_by(Volunteer.name_pinyin, Volunteer.id)
    ).all()
    ids = [m.id for m in members]
    in_year = _year_sums(session, actor, ids, year)
    cumulative = counted_minutes(session, actor.station_id, ids)
    # Registered members, and any other (suspended, withdrawn) who served that year; not applicants.
    members = [m for m in members if m.status == Status.REGISTERED or in_year.get(m.id, (0, 0))[1]]
    groups = []
    for label, group in PARTY_GROUPS:
        rows = [
            PartyRow(m.id, m.name, m.volunteer_no or "", _id_shown(m.id_number),
                     POLITICAL_STATUSES.get(m.political_status, m.political_status), *in_year.get(m.id, (0, 0)),
                     cumulative.get(m.id, 0))
            for m in members
            if m.political_status in group
        ]
        groups.append(PartyGroup(label, sorted(rows, key=lambda r: -r.minutes)))
    return PartyLedger(_station(session, actor).name, year, groups)


def _year_sums(session: Session, actor: Actor, ids: list[int], year: int) -> dict[int, tuple[int, int]]:
    """id → (counted records, counted minutes) in the year, by one aggregate per 900 volunteers."""
    found: dict[int, tuple[int, int]] = {}
    decision = aliased(ServiceRecord)
    approved = (
        select(decision.id)
        .where(decision.target_id == ServiceRecord.id, decision.kind == "decision", decision.decision == "approved")
        .exists()
    )
    counted_record = (ServiceRecord.kind == "record") & ((ServiceRecord.delta_minutes > 0) | approved)
    for start in range(0, len(ids), 900):
        query = (
            select(
                ServiceRecord.volunteer_id, func.count().filter(counted_record), func.sum(ServiceRecord.delta_minutes)
            )
            .where(
                ServiceRecord.station_id == actor.station_id,
                ServiceRecord.volunteer_id.in_(ids[start : start + 900]),
                ServiceRecord.service_date >= date(year, 1, 1),
                ServiceRecord.service_date <= date(year, 12, 31),
            )
            .group_by(ServiceRecord.volunteer_id)
        )
        found.update({vid: (int(n or 0), int(total or 0)) for vid, n, total in session.execute(query)})
    return found

