"""Recruitment notices (发布招募) for projects and the applications to them (报名), §三.2.

Who may apply
    A registered volunteer (已注册), and also a volunteer still in review (申请中): a resident
    who signed up through one notice may sign up for a second before the roster's review, and
    stopping them would lose the second sign-up. Their application holds a slot while they are
    in review; if the review rejects them (or they withdraw) the slot frees itself, because
    slots count only applications whose volunteer is not 未通过 / 已退出. Suspended (暂停),
    rejected and withdrawn volunteers are refused with the reason.

New residents
    ``apply_new_resident`` registers the resident through the roster's own service (so they
    appear in 申请中 for review) and records the application, in the caller's one unit of work:
    a refused application leaves no half-registered volunteer behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ..errors import NotFound, StationError, ValidationError
from ..i18n import _
from ..models import Project, Recruitment, RecruitmentApplication, Station, Volunteer, utcnow
from ..reports.poster import PosterData
from . import audit
from . import volunteers as vol_svc
from .auth import Actor, Permission, require
from .catalogue import Category
from .masking import mask_phone
from .records import load_for_station, skills_named
from .validation import age_on, as_date, parse_id_number, validate_name, validate_phone

RECRUITMENT_STATUSES = {"open": _("招募中"), "closed": _("已结束")}
APPLICATION_STATUSES = {"applied": _("已报名"), "cancelled": _("已取消")}
APPLICATION_SOURCES = {"registered": _("已注册志愿者"), "new_resident": _("新居民")}
# Volunteers who may apply, and those whose application no longer holds a slot.
MAY_APPLY = frozenset({vol_svc.Status.REGISTERED, vol_svc.Status.APPLYING})
NOT_COUNTED = (vol_svc.Status.REJECTED.value, vol_svc.Status.WITHDRAWN.value)
MAX_SLOTS = 999
MIN_AGE, MAX_AGE = 1, 120
STALE_MESSAGE = _("这条招募刚被其他人改过，请关闭后重新打开再改。")


@dataclass
class RecruitmentInput:
    project_id: int | None
    title: str
    requirements: str = ""
    skills: Sequence[str] = ()
    min_age: int | str | None = None  # None or "" for no lower limit
    max_age: int | str | None = None
    service_times: int = 0  # the volunteers' availability bitmask
    service_time_note: str = ""
    slots: int | str | None = None
    deadline: date | str | None = None
    contact_name: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class RecruitmentRow:
    id: int
    version: int
    project_id: int
    project_name: str
    title: str
    slots: int
    slots_used: int
    deadline: date
    status: str  # "open" / "closed"
    status_label: str  # 招募中 / 已截止 / 名额已满 / 已结束
    contact_name: str
    accepting: bool  # open, before the deadline and not full


@dataclass(frozen=True)
class ApplicantRow:
    application_id: int
    volunteer_id: int
    name: str
    volunteer_no: str  # "" while in review
    volunteer_status: vol_svc.Status
    volunteer_status_label: str
    phone: str  # masked
    age: int
    source: str
    source_label: str
    status: str  # "applied" / "cancelled"
    status_label: str
    holds_slot: bool
    applied_at: datetime
    note: str
    cancel_reason: str


@dataclass(frozen=True)
class RecruitmentDetail:
    id: int
    version: int
    project_id: int
    project_name: str
    project_category: str  # label
    project_goal: str
    title: str
    requirements: str
    skills: list[str]
    min_age: int | None
    max_age: int | None
    age_range: str
    service_times: int
    service_time_note: str
    service_times_text: str
    slots: int
    slots_used: int
    deadline: date
    contact_name: str
    contact_phone: str  # the station's public contact: shown in full
    status: str
    status_label: str
    closed_reason: str
    published_at: datetime
    accepting: bool
    applicants: list[ApplicantRow] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------------
def _int(value: int | str | None, label: str, field_name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int):
        return value
    text = value.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not text.isascii() or not text.isdigit():
        raise ValidationError(_("{label}请填写整数，现在是“{v}”。").format(label=label, v=value.strip()), field=field_name)
    return int(text)


def age_range_text(min_age: int | None, max_age: int | None) -> str:
    if min_age is None and max_age is None:
        return ""
    if max_age is None:
        return _("{a} 周岁以上").format(a=min_age)
    if min_age is None:
        return _("{b} 周岁以下").format(b=max_age)
    return _("{a} 至 {b} 周岁").format(a=min_age, b=max_age)


def service_times_text(mask: int, note: str) -> str:
    parts = [vol_svc.describe_availability(mask)] if mask else []
    if note:
        parts.append(note)
    return "；".join(parts)


def _validated(session: Session, actor: Actor, data: RecruitmentInput) -> dict:
    title = (data.title or "").strip()
    if not title:
        raise ValidationError(_("请填写招募标题。"), field="title")
    if len(title) > 100:
        raise ValidationError(_("招募标题不能超过 100 个字。"), field="title")
    requirements = (data.requirements or "").strip()
    if len(requirements) > 2000:
        raise ValidationError(_("条件和要求不能超过 2000 个字。"), field="requirements")
    skills = sorted({s.strip() for s in data.skills if s and s.strip()})
    for skill in skills:
        if len(skill) > 50:
            raise ValidationError(_("技能“{s}”太长（最多 50 个字）。").format(s=skill[:10] + "…"), field="skills")
    min_age = _int(data.min_age, _("最小年龄"), "min_age")
    max_age = _int(data.max_age, _("最大年龄"), "max_age")
    for value, name in ((min_age, "min_age"), (max_age, "max_age")):
        if value is not None and not MIN_AGE <= value <= MAX_AGE:
            raise ValidationError(
                _("年龄应在 {lo} 到 {hi} 岁之间（不限请留空）。").format(lo=MIN_AGE, hi=MAX_AGE), field=name
            )
    if min_age is not None and max_age is not None and min_age > max_age:
        raise ValidationError(
            _("最小年龄 {a} 岁大于最大年龄 {b} 岁，请核对。").format(a=min_age, b=max_age), field="max_age"
        )
    if not 0 <= data.service_times < (1 << vol_svc.AVAILABILITY_BITS):
        raise ValidationError(_("服务时间填写有误。"), field="service_times")
    note = (data.service_time_note or "").strip()
    if len(note) > 200:
        raise ValidationError(_("服务时间说明不能超过 200 个字。"), field="service_time_note")
    slots = _int(data.slots, _("招募名额"), "slots")
    if slots is None:
        raise ValidationError(_("请填写招募名额（人数）。"), field="slots")
    if not 1 <= slots <= MAX_SLOTS:
        raise ValidationError(_("招募名额应在 1 到 {n} 人之间。").format(n=MAX_SLOTS), field="slots")
    deadline = as_date(data.deadline, label=_("报名截止日期"), field="deadline")
    contact_name = validate_name(data.contact_name or "", field="contact_name", label=_("联系人"))
    if not (data.contact_phone or "").strip():
        raise ValidationError(_("请填写联系电话（海报上会完整显示，请用服务站的公开电话）。"), field="contact_phone")
    try:
        contact_phone = validate_phone(data.contact_phone)
    except ValidationError as exc:
        raise ValidationError(_("联系电话：") + exc.message, field="contact_phone") from exc
    return {
        "title": title,
        "requirements": requirements,
        "skills": skills,
        "min_age": min_age,
        "max_age": max_age,
        "service_times": int(data.service_times),
        "service_time_note": note,
        "slots": slots,
        "deadline": deadline,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
    }


def _snapshot(r: Recruitment) -> dict:
    return {
        "title": r.title,
        "requirements": r.requirements,
        "skills": [s.name for s in r.skills],
        "min_age": r.min_age,
        "max_age": r.max_age,
        "service_times": r.service_times,
        "service_time_note": r.service_time_note,
        "slots": r.slots,
        "deadline": r.deadline,
        "contact_name": r.contact_name,
        "contact_phone": r.contact_phone,
    }


def _load(session: Session, actor: Actor, recruitment_id: int, *, for_update: bool = False) -> Recruitment:
    return load_for_station(session, actor, Recruitment, recruitment_id, _("找不到这条招募。"), for_update=for_update)


def _slots_used(session: Session, recruitment_ids: Sequence[int]) -> dict[int, int]:
    """Applications holding a slot: still 已报名, and their volunteer not rejected or withdrawn."""
    if not recruitment_ids:
        return {}
    rows = session.execute(
        select(RecruitmentApplication.recruitment_id, func.count())
        .join(Volunteer, Volunteer.id == RecruitmentApplication.volunteer_id)
        .where(
            RecruitmentApplication.recruitment_id.in_(recruitment_ids),
            RecruitmentApplication.status == "applied",
            Volunteer.status.notin_(NOT_COUNTED),
        )
        .group_by(RecruitmentApplication.recruitment_id)
    )
    return {rid: int(n) for rid, n in rows}


def _status_label(notice: Recruitment, used: int, today: date) -> tuple[str, bool]:
    if notice.status != "open":
        return RECRUITMENT_STATUSES["closed"], False
    if today > notice.deadline:
        return _("已截止"), False
    if used >= notice.slots:
        return _("名额已满"), False
    return RECRUITMENT_STATUSES["open"], True


# --- notices ---------------------------------------------------------------------------------
def publish_recruitment(session: Session, actor: Actor, data: RecruitmentInput, *, today: date | None = None) -> int:
    """Publish a notice for a running project; the deadline may not be past nor after the project ends."""
    require(actor, Permission.EDIT_DEMAND)
    today = today or date.today()
    if data.project_id is None:
        raise ValidationError(_("请选择招募所属的项目。"), field="project_id")
    project = session.get(Project, data.project_id)
    if project is None or project.station_id != actor.station_id:
        raise ValidationError(_("所选项目不存在或不属于本站。"), field="project_id")
    if project.status != "active":
        raise ValidationError(_("项目“{n}”已结束，不能再发布招募。").format(n=project.name), field="project_id")
    values = _validated(session, actor, data)
    _check_deadline(values["deadline"], project, today)
    skills = skills_named(session, values.pop("skills"))
    notice = Recruitment(
        station_id=actor.station_id, project_id=project.id, status="open", published_at=utcnow(),
        created_by_id=actor.user_id, skills=skills, **values,
    )
    session.add(notice)
    session.flush()
    audit.record(
        session, actor, "create", "recruitment", notice.id,
        summary=_("发布招募：{t}（项目：{p}）").format(t=notice.title, p=project.name),
        changes=audit.diff({}, _snapshot(notice)),
    )
    return notice.id


def _check_deadline(deadline: date, project: Project, today: date) -> None:
    if deadline < today:
        raise ValidationError(
            _("报名截止日期 {d} 已经过去了，请选择今天或以后的日期。").format(d=deadline.isoformat()), field="deadline"
        )
    if deadline > project.ends_on:
        raise ValidationError(
            _("报名截止日期 {d} 晚于项目结束日期 {e}。").format(d=deadline.isoformat(), e=project.ends_on.isoformat()),
            field="deadline",
        )


def update_recruitment(
    session: Session, actor: Actor, recruitment_id: int, data: RecruitmentInput, *, expected_version: int,
    today: date | None = None,
) -> None:
    """Edit an open notice; a closed one is history and stays as it was."""
    require(actor, Permission.EDIT_DEMAND)
    today = today or date.today()
    notice = _load(session, actor, recruitment_id)
    if notice.version != expected_version:
        raise StationError(STALE_MESSAGE)
    if notice.status != "open":
        raise ValidationError(_("招募已结束，不能再修改。"))
    if data.project_id is not None and data.project_id != notice.project_id:
        raise ValidationError(_("招募所属的项目不能更改；请结束这条招募，再为另一个项目发布。"), field="project_id")
    values = _validated(session, actor, data)
    if values["deadline"] != notice.deadline:
        _check_deadline(values["deadline"], notice.project, today)
    used = _slots_used(session, [notice.id]).get(notice.id, 0)
    if values["slots"] < used:
        raise ValidationError(
            _("已有 {n} 人报名，招募名额不能少于 {n} 人。").format(n=used), field="slots"
        )
    before = _snapshot(notice)
    notice.skills = skills_named(session, values.pop("skills"))
    for key, value in values.items():
        setattr(notice, key, value)
    changes = audit.diff(before, _snapshot(notice))
    if not changes:
        return
    flag_modified(notice, "title")  # a skills-only edit bumps the version too
    try:
        session.flush()
    except StaleDataError as exc:
        raise StationError(STALE_MESSAGE) from exc
    audit.record(
        session, actor, "update", "recruitment", notice.id,
        summary=_("修改招募：{t}").format(t=notice.title), changes=changes,
    )


def close_recruitment(session: Session, actor: Actor, recruitment_id: int, reason: str) -> None:
    """End a notice (结束招募) with a reason; its applications stay as they are."""
    require(actor, Permission.EDIT_DEMAND)
    notice = _load(session, actor, recruitment_id, for_update=True)
    if notice.status != "open":
        raise ValidationError(_("这条招募已经结束了。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写结束招募的原因，例如“名额已满”。"), field="reason")
    if len(reason) > 2000:
        raise ValidationError(_("原因不能超过 2000 个字。"), field="reason")
    notice.status = "closed"
    notice.closed_reason = reason
    notice.closed_at = utcnow()
    audit.record(
        session, actor, "status", "recruitment", notice.id,
        summary=_("结束招募：{t}").format(t=notice.title),
        changes={"status": ["open", "closed"], "reason": [None, reason]},
    )


def list_recruitments(
    session: Session, actor: Actor, *, project_id: int | None = None, today: date | None = None
) -> list[RecruitmentRow]:
    """Notices, open ones first, newest first, with how many slots are taken."""
    require(actor, Permission.VIEW)
    today = today or date.today()
    query = (
        select(Recruitment, Project.name)
        .join(Project, Project.id == Recruitment.project_id)
        .where(Recruitment.station_id == actor.station_id)
    )
    if project_id is not None:
        query = query.where(Recruitment.project_id == project_id)
    rows = session.execute(query.order_by(Recruitment.id.desc())).all()
    used = _slots_used(session, [r.id for r, _name in rows])
    result = []
    for notice, project_name in rows:
        n = used.get(notice.id, 0)
        label, accepting = _status_label(notice, n, today)
        result.append(
            RecruitmentRow(
                id=notice.id, version=notice.version, project_id=notice.project_id, project_name=project_name,
                title=notice.title, slots=notice.slots, slots_used=n, deadline=notice.deadline,
                status=notice.status, status_label=label, contact_name=notice.contact_name, accepting=accepting,
            )
        )
    result.sort(key=lambda r: r.status != "open")  # stable: keeps newest first within each group
    return result


def get_recruitment(session: Session, actor: Actor, recruitment_id: int, *, today: date | None = None) -> RecruitmentDetail:
    """One notice with its applicants (phones masked; the notice's own contact phone is public)."""
    require(actor, Permission.VIEW)
    today = today or date.today()
    notice = _load(session, actor, recruitment_id)
    project = notice.project
    applicants = []
    query = (
        select(RecruitmentApplication, Volunteer)
        .join(Volunteer, Volunteer.id == RecruitmentApplication.volunteer_id)
        .where(RecruitmentApplication.recruitment_id == notice.id)
        .order_by(RecruitmentApplication.applied_at, RecruitmentApplication.id)
    )
    for application, v in session.execute(query):
        status = vol_svc.Status(v.status)
        applicants.append(
            ApplicantRow(
                application_id=application.id, volunteer_id=v.id, name=v.name, volunteer_no=v.volunteer_no or "",
                volunteer_status=status, volunteer_status_label=status.label, phone=mask_phone(v.phone),
                age=age_on(v.birth_date, today), source=application.source,
                source_label=APPLICATION_SOURCES.get(application.source, application.source),
                status=application.status,
                status_label=APPLICATION_STATUSES.get(application.status, application.status),
                holds_slot=application.status == "applied" and v.status not in NOT_COUNTED,
                applied_at=application.applied_at, note=application.note, cancel_reason=application.cancel_reason,
            )
        )
    used = sum(1 for a in applicants if a.holds_slot)
    label, accepting = _status_label(notice, used, today)
    return RecruitmentDetail(
        id=notice.id, version=notice.version, project_id=project.id, project_name=project.name,
        project_category=Category(project.category).label, project_goal=project.goal, title=notice.title,
        requirements=notice.requirements, skills=[s.name for s in notice.skills], min_age=notice.min_age,
        max_age=notice.max_age, age_range=age_range_text(notice.min_age, notice.max_age),
        service_times=notice.service_times, service_time_note=notice.service_time_note,
        service_times_text=service_times_text(notice.service_times, notice.service_time_note),
        slots=notice.slots, slots_used=used, deadline=notice.deadline, contact_name=notice.contact_name,
        contact_phone=notice.contact_phone, status=notice.status, status_label=label,
        closed_reason=notice.closed_reason, published_at=notice.published_at, accepting=accepting,
        applicants=applicants,
    )


def poster_data(session: Session, actor: Actor, recruitment_id: int) -> PosterData:
    """What the A4 poster prints, as plain data for ``reports.poster``."""
    require(actor, Permission.VIEW)
    notice = _load(session, actor, recruitment_id)
    project = notice.project
    station = session.get(Station, actor.station_id)
    assert station is not None
    return PosterData(
        station_name=station.name,
        station_address=station.address,
        title=notice.title,
        project_name=project.name,
        project_category=Category(project.category).label,
        project_goal=project.goal,
        requirements=notice.requirements,
        skills=[s.name for s in notice.skills],
        age_range=age_range_text(notice.min_age, notice.max_age),
        service_times=service_times_text(notice.service_times, notice.service_time_note),
        slots=notice.slots,
        deadline=notice.deadline,
        contact_name=notice.contact_name,
        contact_phone=notice.contact_phone,
        published_on=notice.published_at.date(),
    )


# --- applications ----------------------------------------------------------------------------
def _check_open(session: Session, notice: Recruitment, today: date) -> None:
    """Refuse applications to a closed, expired or full notice."""
    if notice.status != "open":
        reason = f"（{notice.closed_reason}）" if notice.closed_reason else ""
        raise ValidationError(_("招募“{t}”已结束{r}，不能再报名。").format(t=notice.title, r=reason))
    if today > notice.deadline:
        raise ValidationError(
            _("招募“{t}”的报名已于 {d} 截止，不能再报名。").format(t=notice.title, d=notice.deadline.isoformat())
        )


def _check_slots(session: Session, notice: Recruitment) -> None:
    used = _slots_used(session, [notice.id]).get(notice.id, 0)
    if used >= notice.slots:
        raise ValidationError(
            _("招募“{t}”的 {n} 个名额已经报满，不能再报名。").format(t=notice.title, n=notice.slots)
        )


def _check_age(notice: Recruitment, name: str, birth_date: date, today: date) -> None:
    age = age_on(birth_date, today)
    too_young = notice.min_age is not None and age < notice.min_age
    too_old = notice.max_age is not None and age > notice.max_age
    if too_young or too_old:
        raise ValidationError(
            _("{name}今年 {a} 岁，不符合这条招募的年龄要求（{r}）。").format(
                name=name, a=age, r=age_range_text(notice.min_age, notice.max_age)
            )
        )


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError(_("报名备注不能超过 500 个字。"), field="note")
    return note


def _record_application(
    session: Session, actor: Actor, notice: Recruitment, volunteer: Volunteer, source: str, note: str
) -> int:
    existing = session.scalar(
        select(RecruitmentApplication).where(
            RecruitmentApplication.recruitment_id == notice.id, RecruitmentApplication.volunteer_id == volunteer.id
        )
    )
    if existing is not None and existing.status == "applied":
        raise ValidationError(
            _("{name}已经报名了“{t}”，不能重复报名。").format(name=volunteer.name, t=notice.title)
        )
    if existing is not None:
        # Signing up again after a cancellation reuses the record (one per volunteer and notice).
        existing.status = "applied"
        existing.note = note
        existing.cancel_reason = ""
        existing.applied_at = utcnow()
        existing.created_by_id = actor.user_id
        application = existing
        action_summary = _("重新报名：{name} → {t}")
    else:
        application = RecruitmentApplication(
            recruitment_id=notice.id, volunteer_id=volunteer.id, source=source, status="applied", note=note,
            applied_at=utcnow(), created_by_id=actor.user_id,
        )
        session.add(application)
        action_summary = _("报名：{name} → {t}")
    session.flush()
    audit.record(
        session, actor, "create", "recruitment_application", application.id,
        summary=action_summary.format(name=volunteer.name, t=notice.title),
        changes={"recruitment_id": [None, notice.id], "volunteer_id": [None, volunteer.id],
                 "source": [None, application.source], "note": [None, note]},
    )
    return application.id


def apply_volunteer(
    session: Session, actor: Actor, recruitment_id: int, volunteer_id: int, note: str = "",
    today: date | None = None,
) -> int:
    """Sign up a volunteer already on the roster (已注册, or 申请中 — see the module's doc)."""
    require(actor, Permission.EDIT_DEMAND)
    today = today or date.today()
    note = _clean_note(note)
    notice = _load(session, actor, recruitment_id, for_update=True)  # one sign-up at a time per notice
    _check_open(session, notice, today)
    volunteer = session.scalar(
        select(Volunteer).where(Volunteer.id == volunteer_id, Volunteer.station_id == actor.station_id)
    )
    if volunteer is None:
        raise NotFound(_("找不到这名志愿者（可能不属于本站）。"))
    status = vol_svc.Status(volunteer.status)
    if status not in MAY_APPLY:
        raise ValidationError(
            _("{name}目前是“{s}”，只有已注册或申请中的志愿者才能报名。").format(name=volunteer.name, s=status.label)
        )
    existing = session.scalar(
        select(RecruitmentApplication.status).where(
            RecruitmentApplication.recruitment_id == notice.id, RecruitmentApplication.volunteer_id == volunteer.id
        )
    )
    if existing == "applied":
        raise ValidationError(
            _("{name}已经报名了“{t}”，不能重复报名。").format(name=volunteer.name, t=notice.title)
        )
    _check_age(notice, volunteer.name, volunteer.birth_date, today)
    _check_slots(session, notice)
    return _record_application(session, actor, notice, volunteer, "registered", note)


def apply_new_resident(
    session: Session, actor: Actor, recruitment_id: int, data: vol_svc.VolunteerInput, note: str = "",
    today: date | None = None,
) -> int:
    """Register a resident as a volunteer (申请中, for the roster's review) and sign them up; returns the volunteer id."""
    require(actor, Permission.EDIT_DEMAND)
    require(actor, Permission.EDIT_VOLUNTEERS)
    today = today or date.today()
    note = _clean_note(note)
    notice = _load(session, actor, recruitment_id, for_update=True)
    _check_open(session, notice, today)
    # Age and slots before anything is written: a refused resident is not registered either.
    info = parse_id_number(data.id_number, today=today)
    name = (data.name or "").strip() or _("这位居民")
    _check_age(notice, name, info.birth_date, today)
    _check_slots(session, notice)
    volunteer_id = vol_svc.register_volunteer(session, actor, data, today=today)
    volunteer = session.get(Volunteer, volunteer_id)
    assert volunteer is not None
    _record_application(session, actor, notice, volunteer, "new_resident", note)
    return volunteer_id


def cancel_application(session: Session, actor: Actor, application_id: int, reason: str) -> None:
    """Cancel a sign-up (取消报名) with a reason; it frees the slot. A new resident stays in review."""
    require(actor, Permission.EDIT_DEMAND)
    application = session.scalar(
        select(RecruitmentApplication)
        .join(Recruitment, Recruitment.id == RecruitmentApplication.recruitment_id)
        .where(RecruitmentApplication.id == application_id, Recruitment.station_id == actor.station_id)
    )
    if application is None:
        raise NotFound(_("找不到这条报名记录。"))
    notice = session.get(Recruitment, application.recruitment_id)
    volunteer = session.get(Volunteer, application.volunteer_id)
    assert notice is not None and volunteer is not None
    if notice.status != "open":
        raise ValidationError(_("招募已结束，报名记录不能再更改。"))
    if application.status != "applied":
        raise ValidationError(_("{name}的报名已经取消过了。").format(name=volunteer.name))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写取消报名的原因。"), field="reason")
    if len(reason) > 2000:
        raise ValidationError(_("原因不能超过 2000 个字。"), field="reason")
    application.status = "cancelled"
    application.cancel_reason = reason
    audit.record(
        session, actor, "status", "recruitment_application", application.id,
        summary=_("取消报名：{name} → {t}").format(name=volunteer.name, t=notice.title),
        changes={"status": ["applied", "cancelled"], "reason": [None, reason]},
    )
