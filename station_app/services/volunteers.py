"""Volunteer registration, review, lifecycle and the roster (志愿者花名册)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..errors import DuplicateError, StationError, ValidationError
from ..i18n import _
from ..models import AuditEntry, Skill, Station, Team, TeamMember, Volunteer, utcnow, volunteer_skills
from . import audit
from .auth import Actor, Permission, require
from .masking import mask_id_number, mask_phone
from .pinyin import name_keys
from .records import like_escape, load_for_station, skills_named
from .timefmt import WEEKDAYS
from .validation import (
    age_on,
    check_id_matches,
    clean_text,
    optional_phone,
    parse_date,
    parse_id_number,
    validate_name,
    validate_phone,
)


class Status(StrEnum):
    APPLYING = "applying"
    REGISTERED = "registered"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.APPLYING: _("申请中"),
    Status.REGISTERED: _("已注册"),
    Status.REJECTED: _("未通过"),
    Status.SUSPENDED: _("暂停"),
    Status.WITHDRAWN: _("已退出"),
}

# Moves a user may make outside the review itself (review: applying → registered/rejected).
STATUS_MOVES: dict[Status, set[Status]] = {
    Status.REGISTERED: {Status.SUSPENDED, Status.WITHDRAWN},
    Status.SUSPENDED: {Status.REGISTERED, Status.WITHDRAWN},
    Status.REJECTED: {Status.APPLYING},
    Status.WITHDRAWN: {Status.APPLYING},
    Status.APPLYING: {Status.WITHDRAWN},
}

POLITICAL_STATUSES = {
    "party_member": _("中共党员"),
    "probationary_party_member": _("中共预备党员"),
    "league_member": _("共青团员"),
    "democratic_party": _("民主党派"),
    "masses": _("群众"),
}

DAY_PARTS = (_("上午"), _("下午"), _("晚上"))
AVAILABILITY_BITS = len(WEEKDAYS) * len(DAY_PARTS)


def availability_bit(weekday: int, part: int) -> int:
    return 1 << (weekday * len(DAY_PARTS) + part)


def describe_availability(mask: int) -> str:
    """Human text, e.g. "周六上午、周六下午、周日全天"."""
    parts: list[str] = []
    for day, day_label in enumerate(WEEKDAYS):
        slots = [p for p in range(len(DAY_PARTS)) if mask & availability_bit(day, p)]
        if len(slots) == len(DAY_PARTS):
            parts.append(day_label + _("全天"))
        else:
            parts.extend(day_label + DAY_PARTS[p] for p in slots)
    return "、".join(parts) if parts else _("未填写")


@dataclass
class VolunteerInput:
    """What the registration form sends; strings are validated and normalised by the service."""

    name: str
    id_number: str
    phone: str
    gender: str | None = None  # optional, checked against the ID number
    birth_date: date | str | None = None  # optional, checked against the ID number
    political_status: str = "masses"
    is_owner: bool = False
    building: str = ""
    unit: str = ""
    room: str = ""
    is_backbone: bool = False
    emergency_contact: str = ""
    emergency_phone: str = ""
    skills: Sequence[str] = ()
    availability: int = 0
    team_ids: Sequence[int] = ()
    notes: str = ""


@dataclass(frozen=True)
class RosterRow:
    id: int
    volunteer_no: str
    name: str
    gender: str
    age: int
    id_number: str  # masked
    phone: str  # masked
    political_status: str  # label
    status: str  # label
    is_backbone: bool
    skills: str


@dataclass(frozen=True)
class VolunteerDetail:
    id: int
    version: int
    volunteer_no: str
    name: str
    gender: str
    birth_date: date
    age: int
    id_number: str
    phone: str
    revealed: bool  # False: id_number, phone, emergency phone and address are masked
    political_status: str  # code
    is_owner: bool
    building: str
    unit: str
    room: str
    is_backbone: bool
    emergency_contact: str
    emergency_phone: str
    skills: list[str]
    availability: int
    team_ids: list[int]
    team_names: list[str]
    status: Status
    status_reason: str
    applied_at: datetime
    reviewed_at: datetime | None
    reviewed_by: str
    registered_on: date | None
    notes: str


@dataclass
class RosterFilter:
    text: str = ""
    status: Status | None = None
    team_id: int | None = None
    political_status: str | None = None
    backbone_only: bool = False
    skill: str | None = None


# Sort keys the roster offers, mapped to SQL. The table's columns use these names.
SORT_COLUMNS = {
    "volunteer_no": Volunteer.volunteer_no,
    "name": Volunteer.name_pinyin,
    "gender": Volunteer.gender,
    "age": Volunteer.birth_date,  # ascending age is descending birth date; flipped below
    "political_status": Volunteer.political_status,
    "status": Volunteer.status,
    "is_backbone": Volunteer.is_backbone,
    "id": Volunteer.id,
}


# --- validation -------------------------------------------------------------------------------
def _validated(data: VolunteerInput, today: date) -> dict:
    """Normalise and check every field; raises ValidationError naming the first bad one."""
    name = validate_name(data.name)
    info = parse_id_number(data.id_number, today=today)
    birth = data.birth_date
    if isinstance(birth, str):
        birth = parse_date(birth, label=_("出生日期")) if birth.strip() else None
    gender = (data.gender or "").strip() or None
    if gender is not None and gender not in ("男", "女"):
        raise ValidationError(_("性别只能是“男”或“女”。"), field="gender")
    check_id_matches(info, gender=gender, birth_date=birth)
    if data.political_status not in POLITICAL_STATUSES:
        raise ValidationError(_("请选择政治面貌。"), field="political_status")
    if not data.phone.strip():
        raise ValidationError(_("联系电话不能为空。"), field="phone")
    phone = validate_phone(data.phone)
    emergency_phone = optional_phone(data.emergency_phone, label=_("紧急联系人电话"), field="emergency_phone")
    emergency_contact = ""
    if data.emergency_contact.strip():
        emergency_contact = validate_name(data.emergency_contact, field="emergency_contact", label=_("紧急联系人"))
    if not 0 <= data.availability < (1 << AVAILABILITY_BITS):
        raise ValidationError(_("服务时间填写有误。"), field="availability")
    skills = sorted({s.strip() for s in data.skills if s.strip()})
    for skill in skills:
        if len(skill) > 50:
            raise ValidationError(_("技能“{s}”太长（最多 50 个字）。").format(s=skill[:10] + "…"), field="skills")
    initials, full = name_keys(name)
    return {
        "name": name,
        "name_initials": initials,
        "name_pinyin": full,
        "id_number": info.number,
        "id_tail": info.number[-4:],
        "gender": info.gender,
        "birth_date": info.birth_date,
        "phone": phone,
        "political_status": data.political_status,
        "is_owner": bool(data.is_owner),
        "building": clean_text(data.building, label=_("楼栋"), field="building", max_len=20),
        "unit": clean_text(data.unit, label=_("单元"), field="unit", max_len=20),
        "room": clean_text(data.room, label=_("房号"), field="room", max_len=20),
        "is_backbone": bool(data.is_backbone),
        "emergency_contact": emergency_contact,
        "emergency_phone": emergency_phone,
        "availability": int(data.availability),
        "notes": clean_text(data.notes, label=_("备注"), field="notes", max_len=2000),
        "skills": skills,
        "team_ids": sorted(set(data.team_ids)),
    }


def _check_unique_id(session: Session, actor: Actor, id_number: str, exclude_id: int | None = None) -> None:
    query = select(Volunteer).where(Volunteer.id_number == id_number)
    if exclude_id is not None:
        query = query.where(Volunteer.id != exclude_id)
    existing = session.scalar(query)
    if existing is not None and existing.station_id != actor.station_id:
        # One database may hold a whole city (PostgreSQL): another station's volunteer is not shown here.
        raise DuplicateError(
            _("身份证号 {id} 已在其他站点登记为志愿者。本人迁到本站时，请由原站点导出转移包后在本站导入。").format(
                id=mask_id_number(id_number)
            ),
            field="id_number",
        )
    if existing is not None:
        raise DuplicateError(
            _("身份证号 {id} 已经登记过：{name}（{no}，{status}）。请打开已有的记录，不要重复登记。").format(
                id=mask_id_number(id_number),
                name=existing.name,
                no=existing.volunteer_no or _("尚无编号"),
                status=Status(existing.status).label,
            ),
            field="id_number",
            existing_id=existing.id,
        )


def _teams(session: Session, actor: Actor, team_ids: Sequence[int]) -> list[Team]:
    if not team_ids:
        return []
    teams = list(session.scalars(select(Team).where(Team.id.in_(team_ids), Team.station_id == actor.station_id)))
    if len(teams) != len(set(team_ids)):
        raise ValidationError(_("所选服务队不存在或不属于本站。"), field="team_ids")
    return teams


_SNAPSHOT_FIELDS = (
    "name", "id_number", "gender", "birth_date", "phone", "political_status", "is_owner", "building", "unit",
    "room", "is_backbone", "emergency_contact", "emergency_phone", "availability", "notes", "skills", "team_ids",
)


def _snapshot(v: Volunteer) -> dict:
    return {
        "name": v.name,
        "id_number": v.id_number,
        "gender": v.gender,
        "birth_date": v.birth_date,
        "phone": v.phone,
        "political_status": v.political_status,
        "is_owner": v.is_owner,
        "building": v.building,
        "unit": v.unit,
        "room": v.room,
        "is_backbone": v.is_backbone,
        "emergency_contact": v.emergency_contact,
        "emergency_phone": v.emergency_phone,
        "availability": v.availability,
        "notes": v.notes,
        "skills": [s.name for s in v.skills],
        "team_ids": sorted(m.team_id for m in v.memberships),
    }


def _apply(session: Session, actor: Actor, volunteer: Volunteer, values: dict) -> None:
    for key, value in values.items():
        if key not in ("skills", "team_ids"):
            setattr(volunteer, key, value)
    volunteer.skills = skills_named(session, values["skills"])
    current = {m.team_id: m for m in volunteer.memberships}
    volunteer.memberships = [
        current.get(team.id) or TeamMember(team=team) for team in _teams(session, actor, values["team_ids"])
    ]


# --- commands ---------------------------------------------------------------------------------
def register_volunteer(session: Session, actor: Actor, data: VolunteerInput, *, today: date | None = None) -> int:
    """Record an application (申请中). It counts only after review."""
    require(actor, Permission.EDIT_VOLUNTEERS)
    values = _validated(data, today or date.today())
    _check_unique_id(session, actor, values["id_number"])
    volunteer = Volunteer(station_id=actor.station_id, status=Status.APPLYING.value, applied_at=utcnow())
    _apply(session, actor, volunteer, values)
    session.add(volunteer)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "volunteer",
        volunteer.id,
        summary=_("登记志愿者申请：{name}").format(name=volunteer.name),
        changes=audit.diff({}, _snapshot(volunteer)),
    )
    return volunteer.id


@dataclass(frozen=True)
class BatchRow:
    """One volunteer of a batch (an imported roster): ``label`` names the row in messages (第 5 行（王秀英）)."""

    label: str
    data: VolunteerInput
    registered_on: date | None = None


def _unique_in_batch(session: Session, actor: Actor, rows: Sequence[BatchRow], values: list[dict]) -> None:
    seen: dict[str, str] = {}
    for row, v in zip(rows, values, strict=True):
        if v["id_number"] in seen:
            raise DuplicateError(_("{a}与{b}的身份证号相同。").format(a=row.label, b=seen[v["id_number"]]), field="id_number")
        seen[v["id_number"]] = row.label
    numbers = list(seen)
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        taken = session.scalar(select(Volunteer.id_number).where(Volunteer.id_number.in_(chunk)).limit(1))
        if taken is not None:
            try:
                _check_unique_id(session, actor, taken)
            except DuplicateError as exc:
                raise DuplicateError(f"{seen[taken]}：{exc.message}", field="id_number") from exc


def register_many(
    session: Session,
    actor: Actor,
    rows: Sequence[BatchRow],
    *,
    approve: bool,
    reason: str = "",
    today: date | None = None,
    chunk_size: int = 500,
    after_chunk: Callable[[int], None] | None = None,
) -> list[int]:
    """Register many volunteers at once (an imported roster), with the form's checks and audit entries.

    Each row is what :func:`register_volunteer` and, with ``approve``, :func:`review_volunteer` would
    write — the same validation, the same two audit entries, numbers in the rows' order — but in a
    few statements per ``chunk_size`` rows instead of a dozen per row. The first bad row raises,
    naming it; the caller's unit of work then rolls back and nothing is registered.
    ``after_chunk(done)`` runs after each chunk is written (progress, cancel).
    """
    require(actor, Permission.EDIT_VOLUNTEERS)
    if approve:
        require(actor, Permission.REVIEW_VOLUNTEERS)
    today = today or date.today()
    values: list[dict] = []
    for row in rows:
        try:
            values.append(_validated(row.data, today))
        except ValidationError as exc:
            raise ValidationError(f"{row.label}：{exc.message}", field=exc.field) from exc
    _unique_in_batch(session, actor, rows, values)
    team_ids = sorted({t for v in values for t in v["team_ids"]})
    _teams(session, actor, team_ids)  # every team is this station's
    skill_ids = {s.name: s for s in skills_named(session, sorted({n for v in values for n in v["skills"]}))}
    session.flush()  # new skills get their ids
    skill_ids = {name: skill.id for name, skill in skill_ids.items()}
    next_seq, code = 0, ""
    if approve:
        station = session.scalar(select(Station).where(Station.id == actor.station_id).with_for_update())
        assert station is not None
        next_seq, code = station.next_volunteer_seq, station.code
        station.next_volunteer_seq += len(rows)
        session.flush()
    now = utcnow()
    status = Status.REGISTERED if approve else Status.APPLYING
    table = Volunteer.__table__
    ids: list[int] = []
    for start in range(0, len(rows), chunk_size):
        part = list(zip(rows[start:start + chunk_size], values[start:start + chunk_size], strict=True))
        records = []
        for offset, (row, v) in enumerate(part):
            number = f"{code}-{next_seq + start + offset:06d}" if approve else None
            records.append({
                **{k: val for k, val in v.items() if k not in ("skills", "team_ids")},
                "station_id": actor.station_id, "volunteer_no": number, "status": status.value,
                "status_reason": reason.strip() if approve else "", "applied_at": now,
                "reviewed_at": now if approve else None, "reviewed_by_id": actor.user_id if approve else None,
                "registered_on": (row.registered_on or today) if approve else None,
                "created_at": now, "updated_at": now, "version": 1,
            })
        new_ids = list(session.scalars(table.insert().returning(table.c.id, sort_by_parameter_order=True), records))
        links = [{"volunteer_id": vid, "skill_id": skill_ids[n]} for vid, (_r, v) in zip(new_ids, part, strict=True)
                 for n in v["skills"]]
        if links:
            session.execute(volunteer_skills.insert(), links)
        members = [{"volunteer_id": vid, "team_id": t, "joined_on": today}
                   for vid, (_r, v) in zip(new_ids, part, strict=True) for t in v["team_ids"]]
        if members:
            session.execute(TeamMember.__table__.insert(), members)
        entries = []
        for vid, record, (_row, v) in zip(new_ids, records, part, strict=True):
            entries.append(audit.entry_values(
                actor, "create", "volunteer", vid, summary=_("登记志愿者申请：{name}").format(name=v["name"]),
                changes=audit.diff({}, {k: v[k] for k in _SNAPSHOT_FIELDS}),
            ))
            if approve:
                entries.append(audit.entry_values(
                    actor, "review", "volunteer", vid,
                    summary=_("审核通过：{name}，编号 {no}").format(name=v["name"], no=record["volunteer_no"]),
                    changes={"status": [Status.APPLYING.value, status.value], "volunteer_no": [None, record["volunteer_no"]],
                             "reason": [None, reason.strip()]},
                ))
        session.execute(AuditEntry.__table__.insert(), entries)
        ids.extend(new_ids)
        if after_chunk is not None:
            after_chunk(len(ids))
    return ids


def _load(session: Session, actor: Actor, volunteer_id: int, *, for_update: bool = False) -> Volunteer:
    return load_for_station(session, actor, Volunteer, volunteer_id, _("找不到这名志愿者（可能已被删除或不属于本站）。"), for_update=for_update)


def update_volunteer(
    session: Session,
    actor: Actor,
    volunteer_id: int,
    data: VolunteerInput,
    *,
    expected_version: int,
    today: date | None = None,
) -> None:
    """Save an edit; refused if someone else saved the same volunteer since it was opened."""
    require(actor, Permission.EDIT_VOLUNTEERS)
    volunteer = _load(session, actor, volunteer_id)
    if volunteer.version != expected_version:
        raise StationError(_("这名志愿者的资料刚被其他人修改过，请关闭后重新打开再改。"))
    values = _validated(data, today or date.today())
    _check_unique_id(session, actor, values["id_number"], exclude_id=volunteer.id)
    before = _snapshot(volunteer)
    _apply(session, actor, volunteer, values)
    try:
        session.flush()  # new team memberships get their ids before the snapshot
        changes = audit.diff(before, _snapshot(volunteer))
        if not changes:
            return
        # Always touch the row, so a skills- or team-only edit bumps the version too and an
        # edit made from an older copy is refused instead of silently undoing this one.
        volunteer.updated_at = utcnow()
        session.flush()
    except StaleDataError as exc:
        raise StationError(_("这名志愿者的资料刚被其他人修改过，请关闭后重新打开再改。")) from exc
    audit.record(
        session, actor, "update", "volunteer", volunteer.id,
        summary=_("修改志愿者资料：{name}").format(name=volunteer.name), changes=changes,
    )


def review_volunteer(
    session: Session, actor: Actor, volunteer_id: int, *, approve: bool, reason: str = ""
) -> str | None:
    """Approve (issues a volunteer number, returned) or reject (a reason is required)."""
    require(actor, Permission.REVIEW_VOLUNTEERS)
    volunteer = _load(session, actor, volunteer_id, for_update=True)
    if volunteer.status != Status.APPLYING:
        raise ValidationError(
            _("只有“申请中”的志愿者才能审核，{name}目前是“{status}”。").format(
                name=volunteer.name, status=Status(volunteer.status).label
            )
        )
    reason = reason.strip()
    before = {"status": volunteer.status, "volunteer_no": volunteer.volunteer_no}
    volunteer.reviewed_at = utcnow()
    volunteer.reviewed_by_id = actor.user_id
    if approve:
        if volunteer.volunteer_no is None:
            station = session.scalar(select(Station).where(Station.id == volunteer.station_id).with_for_update())
            assert station is not None
            volunteer.volunteer_no = f"{station.code}-{station.next_volunteer_seq:06d}"
            station.next_volunteer_seq += 1
        volunteer.status = Status.REGISTERED.value
        volunteer.registered_on = volunteer.registered_on or date.today()
        volunteer.status_reason = reason
        summary = _("审核通过：{name}，编号 {no}").format(name=volunteer.name, no=volunteer.volunteer_no)
    else:
        if not reason:
            raise ValidationError(_("不通过时必须填写原因，以便告知申请人。"), field="reason")
        volunteer.status = Status.REJECTED.value
        volunteer.status_reason = reason
        summary = _("审核未通过：{name}").format(name=volunteer.name)
    audit.record(
        session, actor, "review", "volunteer", volunteer.id, summary=summary,
        changes=audit.diff(before, {"status": volunteer.status, "volunteer_no": volunteer.volunteer_no})
        | {"reason": [None, reason]},
    )
    return volunteer.volunteer_no if approve else None


def change_status(session: Session, actor: Actor, volunteer_id: int, new_status: Status, reason: str) -> None:
    """Suspend, withdraw, resume or re-apply, with a reason kept in the record and the audit log."""
    require(actor, Permission.EDIT_VOLUNTEERS)
    volunteer = _load(session, actor, volunteer_id)
    old = Status(volunteer.status)
    new_status = Status(new_status)
    if new_status not in STATUS_MOVES.get(old, set()):
        raise ValidationError(
            _("不能把志愿者从“{old}”改为“{new}”。").format(old=old.label, new=new_status.label), field="status"
        )
    if new_status == Status.REGISTERED:
        # Resuming a suspended volunteer is a review decision too.
        require(actor, Permission.REVIEW_VOLUNTEERS)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("请填写状态变更的原因。"), field="reason")
    volunteer.status = new_status.value
    volunteer.status_reason = reason
    audit.record(
        session, actor, "status", "volunteer", volunteer.id,
        summary=_("{name}：{old} → {new}").format(name=volunteer.name, old=old.label, new=new_status.label),
        changes={"status": [old.value, new_status.value], "reason": [None, reason]},
    )


# --- queries ---------------------------------------------------------------------------------
def get_volunteer(session: Session, actor: Actor, volunteer_id: int, *, reveal: bool = False) -> VolunteerDetail:
    """One volunteer's file. ``reveal`` shows personal data in full and is audited."""
    require(actor, Permission.VIEW)
    if reveal:
        require(actor, Permission.REVEAL_PERSONAL)
    v = _load(session, actor, volunteer_id)
    reviewer = ""
    if v.reviewed_by_id is not None:
        from ..models import User

        reviewer = session.scalar(select(User.display_name).where(User.id == v.reviewed_by_id)) or ""
    if reveal:
        audit.record(session, actor, "reveal", "volunteer", v.id, summary=_("查看完整个人信息：{name}").format(name=v.name))
    mask_addr = (lambda s: s) if reveal else (lambda s: "***" if s else "")
    teams = sorted(((m.team_id, m.team.name) for m in v.memberships), key=lambda t: t[1])
    return VolunteerDetail(
        id=v.id,
        version=v.version,
        volunteer_no=v.volunteer_no or "",
        name=v.name,
        gender=v.gender,
        birth_date=v.birth_date,
        age=age_on(v.birth_date, date.today()),
        id_number=v.id_number if reveal else mask_id_number(v.id_number),
        phone=v.phone if reveal else mask_phone(v.phone),
        revealed=reveal,
        political_status=v.political_status,
        is_owner=v.is_owner,
        building=mask_addr(v.building),
        unit=mask_addr(v.unit),
        room=mask_addr(v.room),
        is_backbone=v.is_backbone,
        emergency_contact=v.emergency_contact,
        emergency_phone=v.emergency_phone if reveal or not v.emergency_phone else mask_phone(v.emergency_phone),
        skills=[s.name for s in v.skills],
        availability=v.availability,
        team_ids=[t[0] for t in teams],
        team_names=[t[1] for t in teams],
        status=Status(v.status),
        status_reason=v.status_reason,
        applied_at=v.applied_at,
        reviewed_at=v.reviewed_at,
        reviewed_by=reviewer,
        registered_on=v.registered_on,
        notes=v.notes,
    )


def search_condition(text: str):  # noqa: ANN201 - a SQL expression or None
    """What the search box means: pinyin initials, name, phone, ID-number tail, number or skill."""
    text = unicodedata.normalize("NFKC", text).strip()  # full-width letters and digits from an IME
    if not text:
        return None
    esc = like_escape(text)
    lowered = esc.lower()
    if re.fullmatch(r"[A-Za-z]+", text):
        return or_(
            Volunteer.name_initials.like(f"{lowered}%", escape="\\"),
            Volunteer.name_pinyin.like(f"{lowered}%", escape="\\"),
        )
    if re.fullmatch(r"[0-9]+[Xx]?", text):
        upper = esc.upper()
        conditions = [Volunteer.phone.like(f"%{esc}%", escape="\\"), Volunteer.volunteer_no.like(f"%{esc}", escape="\\")]
        if len(text) == 4:
            conditions.append(Volunteer.id_tail == upper)
        elif len(text) > 4:
            conditions.append(and_(Volunteer.id_tail == upper[-4:], Volunteer.id_number.like(f"%{upper}", escape="\\")))
        return or_(*conditions)
    conditions = [Volunteer.name.like(f"%{esc}%", escape="\\"), Volunteer.id.in_(_with_skill_like(f"%{esc}%"))]
    if re.search(r"[A-Za-z0-9]", text):
        conditions.append(Volunteer.volunteer_no.like(f"%{esc.upper()}%", escape="\\"))
    return or_(*conditions)


def _with_skill_like(pattern: str) -> Select:
    """Ids of volunteers with a skill whose name matches: an uncorrelated subquery, run once."""
    # Nested IN, not a join: the few matching skills first, then their volunteers by index.
    matching_skills = select(Skill.id).where(Skill.name.like(pattern, escape="\\"))
    return select(volunteer_skills.c.volunteer_id).where(volunteer_skills.c.skill_id.in_(matching_skills))


def roster_query(actor: Actor, flt: RosterFilter, sort: str = "id", descending: bool = False) -> Select:
    """The SQL behind the roster: matching volunteer ids, sorted. Public for the benchmark."""
    query = select(Volunteer.id).where(Volunteer.station_id == actor.station_id)
    condition = search_condition(flt.text)
    if condition is not None:
        query = query.where(condition)
    if flt.status is not None:
        query = query.where(Volunteer.status == flt.status.value)
    if flt.political_status:
        query = query.where(Volunteer.political_status == flt.political_status)
    if flt.backbone_only:
        query = query.where(Volunteer.is_backbone.is_(True))
    if flt.team_id is not None:
        query = query.where(Volunteer.id.in_(select(TeamMember.volunteer_id).where(TeamMember.team_id == flt.team_id)))
    if flt.skill:
        query = query.where(Volunteer.id.in_(_with_skill_like(like_escape(flt.skill))))
    column = SORT_COLUMNS.get(sort, Volunteer.id)
    if sort == "age":
        descending = not descending
    order = column.desc() if descending else column.asc()
    return query.order_by(order, Volunteer.id.desc() if descending else Volunteer.id.asc())


def roster_ids(session: Session, actor: Actor, flt: RosterFilter, sort: str = "id", descending: bool = False) -> list[int]:
    require(actor, Permission.VIEW)
    # Up to 100,000 ids per keystroke: read them straight off the DBAPI cursor, skipping
    # SQLAlchemy's per-row Result processing (half the time of the whole call at that size).
    result = session.connection().execute(roster_query(actor, flt, sort, descending))
    try:
        return [row[0] for row in result.cursor.fetchall()]
    finally:
        result.close()


def roster_rows(session: Session, actor: Actor, ids: Sequence[int], *, today: date | None = None) -> dict[int, RosterRow]:
    """Display rows for some ids (one page of the table); personal data is masked."""
    require(actor, Permission.VIEW)
    if not ids:
        return {}
    today = today or date.today()
    # Plain column queries, not ORM objects: this runs for every page the table scrolls to.
    v = Volunteer
    rows = session.execute(
        select(v.id, v.volunteer_no, v.name, v.gender, v.birth_date, v.id_number, v.phone, v.political_status,
               v.status, v.is_backbone)
        .where(v.id.in_(ids), v.station_id == actor.station_id)
    ).all()
    skills: dict[int, list[str]] = {}
    for volunteer_id, skill in session.execute(
        select(volunteer_skills.c.volunteer_id, Skill.name)
        .join(Skill, Skill.id == volunteer_skills.c.skill_id)
        .where(volunteer_skills.c.volunteer_id.in_([r.id for r in rows]))
        .order_by(Skill.name)
    ):
        skills.setdefault(volunteer_id, []).append(skill)
    return {
        r.id: RosterRow(
            id=r.id,
            volunteer_no=r.volunteer_no or "",
            name=r.name,
            gender=r.gender,
            age=age_on(r.birth_date, today),
            id_number=mask_id_number(r.id_number),
            phone=mask_phone(r.phone),
            political_status=POLITICAL_STATUSES.get(r.political_status, r.political_status),
            status=Status(r.status).label,
            is_backbone=r.is_backbone,
            skills="、".join(skills.get(r.id, ())),
        )
        for r in rows
    }


def list_skills(session: Session) -> list[str]:
    return list(session.scalars(select(Skill.name).order_by(Skill.name)))


def count_by_status(session: Session, actor: Actor) -> dict[Status, int]:
    require(actor, Permission.VIEW)
    rows = session.execute(
        select(Volunteer.status, func.count()).where(Volunteer.station_id == actor.station_id).group_by(Volunteer.status)
    )
    return {Status(s): n for s, n in rows}
