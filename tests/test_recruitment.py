"""Recruitment notices and applications: who may sign up, what is refused, and why; refusals change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from station_app.db import Database
from station_app.errors import DuplicateError, PermissionDenied, StationError, ValidationError
from station_app.models import AuditEntry, Recruitment, RecruitmentApplication, Volunteer
from station_app.services import recruitment as svc
from station_app.services import volunteers as vol_svc
from station_app.services.auth import Actor

from .idnumbers import make_id
from .test_projects import create, project_input, two_needs

TODAY = date.today()
DEADLINE = TODAY + timedelta(days=30)


def make_project(db: Database, actor: Actor) -> int:
    return create(db, actor, project_input(db, actor), two_needs(db, actor))


def notice_input(project_id: int | None, **changes) -> svc.RecruitmentInput:
    values = dict(
        project_id=project_id, title="家电义修志愿者招募", requirements="熟悉常见家电维修，有耐心",
        skills=["家电维修", "电工"], min_age=18, max_age=65,
        service_times=vol_svc.availability_bit(5, 0), service_time_note="每月第一个周六 9:00–11:00",
        slots=2, deadline=DEADLINE, contact_name="陈站长", contact_phone="0760-88123456",
    )
    values.update(changes)
    return svc.RecruitmentInput(**values)


def publish(db: Database, actor: Actor, project_id: int, **changes) -> int:
    with db.session() as session:
        return svc.publish_recruitment(session, actor, notice_input(project_id, **changes))


def resident(name: str, birth: str, seq: str, phone: str = "13712345678") -> vol_svc.VolunteerInput:
    return vol_svc.VolunteerInput(name=name, id_number=make_id("442000", birth, seq), phone=phone)


def volunteer(db: Database, admin: Actor, name: str, birth: str, seq: str, *, approve: bool = True) -> int:
    with db.session() as session:
        volunteer_id = vol_svc.register_volunteer(session, admin, resident(name, birth, seq))
    if approve:
        with db.session() as session:
            vol_svc.review_volunteer(session, admin, volunteer_id, approve=True)
    return volunteer_id


def detail(db: Database, actor: Actor, notice: int, today: date | None = None) -> svc.RecruitmentDetail:
    with db.session(write=False) as session:
        return svc.get_recruitment(session, actor, notice, today=today)


def count(db: Database, model) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def snapshot(db: Database) -> tuple:
    with db.session(write=False) as session:
        notices = session.execute(
            select(Recruitment.id, Recruitment.title, Recruitment.slots, Recruitment.status, Recruitment.version)
        ).all()
        applications = session.execute(
            select(RecruitmentApplication.id, RecruitmentApplication.status).order_by(RecruitmentApplication.id)
        ).all()
    return notices, applications, count(db, Volunteer), count(db, AuditEntry)


@pytest.fixture
def project(db: Database, clerk: Actor) -> int:
    return make_project(db, clerk)


def test_publish_lists_the_notice_with_its_slots(db: Database, clerk: Actor, project: int):
    notice = publish(db, clerk, project)
    with db.session(write=False) as session:
        [row] = svc.list_recruitments(session, clerk)
    assert (row.title, row.project_name, row.slots_used, row.slots, row.status_label, row.deadline) == (
        "家电义修志愿者招募", "银龄关爱", 0, 2, "招募中", DEADLINE)
    d = detail(db, clerk, notice)
    assert d.skills == ["家电维修", "电工"] and d.age_range == "18 至 65 周岁"
    assert d.service_times_text == "周六上午；每月第一个周六 9:00–11:00"
    assert d.contact_phone == "0760-88123456"  # the station's public number, in full


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": " "}, "请填写招募标题"),
        ({"deadline": TODAY - timedelta(days=1)}, "已经过去了"),
        ({"deadline": TODAY + timedelta(days=400)}, "晚于项目结束日期"),
        ({"deadline": "2027-13-01"}, "报名截止日期"),
        ({"min_age": 70, "max_age": 60}, "最小年龄 70 岁大于最大年龄 60 岁"),
        ({"slots": "十个"}, "招募名额请填写整数"),
        ({"slots": 0}, "招募名额应在 1 到 999 人之间"),
        ({"slots": ""}, "请填写招募名额"),
        ({"contact_phone": ""}, "请填写联系电话"),
        ({"contact_phone": "12345"}, "联系电话："),
        ({"project": None}, "请选择招募所属的项目"),
    ],
)
def test_bad_notices_are_refused_and_change_nothing(db: Database, clerk: Actor, project: int, changes, message):
    changes = dict(changes)  # the parameter is shared by both databases' runs
    if "project" in changes:
        project = changes.pop("project")
    before = snapshot(db)
    with pytest.raises(ValidationError) as excinfo, db.session() as session:
        svc.publish_recruitment(session, clerk, notice_input(project, **changes))
    assert message in excinfo.value.message
    assert snapshot(db) == before


def test_edit_open_notice_refuse_stale_and_closed(db: Database, clerk: Actor, admin: Actor, project: int):
    notice = publish(db, clerk, project)
    version = detail(db, clerk, notice).version
    with db.session() as session:
        svc.update_recruitment(session, admin, notice, notice_input(project, slots=5, skills=["急救"]),
                               expected_version=version)
    d = detail(db, clerk, notice)
    assert (d.slots, d.skills) == (5, ["急救"])
    before = snapshot(db)
    with pytest.raises(StationError, match="刚被其他人改过"), db.session() as session:
        svc.update_recruitment(session, clerk, notice, notice_input(project), expected_version=version)
    assert snapshot(db) == before
    with pytest.raises(ValidationError, match="请填写结束招募的原因"), db.session() as session:
        svc.close_recruitment(session, clerk, notice, "")
    with db.session() as session:
        svc.close_recruitment(session, clerk, notice, "名额已满")
    d = detail(db, clerk, notice)
    assert (d.status_label, d.closed_reason) == ("已结束", "名额已满")
    before = snapshot(db)
    with pytest.raises(ValidationError, match="招募已结束，不能再修改"), db.session() as session:
        svc.update_recruitment(session, clerk, notice, notice_input(project, title="改标题"), expected_version=d.version)
    assert snapshot(db) == before


def test_slots_cannot_drop_below_the_sign_ups(db: Database, admin: Actor, project: int):
    notice = publish(db, admin, project)
    for seq, name in (("111", "梁志强"), ("131", "吴国华")):
        vid = volunteer(db, admin, name, "19800101", seq)
        with db.session() as session:
            svc.apply_volunteer(session, admin, notice, vid)
    before = snapshot(db)
    with pytest.raises(ValidationError, match="已有 2 人报名，招募名额不能少于 2 人"), db.session() as session:
        svc.update_recruitment(session, admin, notice, notice_input(project, slots=1),
                               expected_version=detail(db, admin, notice).version)
    assert snapshot(db) == before


def test_registered_volunteer_signs_up_once(db: Database, admin: Actor, clerk: Actor, project: int):
    notice = publish(db, clerk, project)
    vid = volunteer(db, admin, "梁志强", "19800101", "111")
    with db.session() as session:
        svc.apply_volunteer(session, clerk, notice, vid, note="自带工具")
    d = detail(db, clerk, notice)
    [a] = d.applicants
    assert (a.name, a.volunteer_no, a.volunteer_status_label, a.source_label, a.status_label, a.note) == (
        "梁志强", "SQ0101-000001", "已注册", "已注册志愿者", "已报名", "自带工具")
    assert a.phone == "137****5678"  # applicants' phones are masked
    assert d.slots_used == 1
    before = snapshot(db)
    with pytest.raises(ValidationError, match="梁志强已经报名了“家电义修志愿者招募”，不能重复报名"), db.session() as session:
        svc.apply_volunteer(session, clerk, notice, vid)
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "case, message",
    [
        ("closed", "已结束（人员已招齐），不能再报名"),
        ("deadline passed", "的报名已于"),
        ("full", "的 1 个名额已经报满"),
        ("too young", "今年 15 岁，不符合这条招募的年龄要求（18 至 65 周岁）"),
        ("too old", "不符合这条招募的年龄要求"),
        ("suspended", "目前是“暂停”，只有已注册或申请中的志愿者才能报名"),
    ],
)
def test_refused_applications_change_nothing(db: Database, admin: Actor, project: int, case: str, message: str):
    notice = publish(db, admin, project, slots=1)
    today = TODAY
    vid = volunteer(db, admin, "梁志强", "19800101", "111")
    if case == "closed":
        with db.session() as session:
            svc.close_recruitment(session, admin, notice, "人员已招齐")
    elif case == "deadline passed":
        today = DEADLINE + timedelta(days=1)
    elif case == "full":
        other = volunteer(db, admin, "吴国华", "19820202", "131")
        with db.session() as session:
            svc.apply_volunteer(session, admin, notice, other)
    elif case == "too young":
        vid = volunteer(db, admin, "何小明", (TODAY - timedelta(days=15 * 365 + 30)).strftime("%Y%m%d"), "151")
    elif case == "too old":
        vid = volunteer(db, admin, "何伯", "19400101", "171")
    elif case == "suspended":
        with db.session() as session:
            vol_svc.change_status(session, admin, vid, vol_svc.Status.SUSPENDED, "外出务工")
    before = snapshot(db)
    with pytest.raises(ValidationError) as excinfo, db.session() as session:
        svc.apply_volunteer(session, admin, notice, vid, today=today)
    assert message in excinfo.value.message
    assert snapshot(db) == before


def test_new_resident_is_registered_for_review_and_takes_a_slot(db: Database, admin: Actor, clerk: Actor,
                                                                 project: int):
    notice = publish(db, clerk, project, slots=2)
    with db.session() as session:
        new_id = svc.apply_new_resident(session, clerk, notice, resident("何丽华", "19780809", "246"), note="周六有空")
    with db.session(write=False) as session:
        assert session.get(Volunteer, new_id).status == "applying"
    d = detail(db, clerk, notice)
    [a] = d.applicants
    assert (a.name, a.volunteer_no, a.volunteer_status_label, a.source_label) == ("何丽华", "", "申请中", "新居民")
    assert d.slots_used == 1 and a.holds_slot
    # A resident in review may sign up for a second notice of the station too.
    second = publish(db, clerk, project, title="代交水电费志愿者")
    with db.session() as session:
        svc.apply_volunteer(session, clerk, second, new_id)
    # Once the roster's review approves, the same application counts as a registered applicant.
    with db.session() as session:
        number = vol_svc.review_volunteer(session, admin, new_id, approve=True)
    [a] = detail(db, clerk, notice).applicants
    assert (a.volunteer_no, a.volunteer_status_label, a.holds_slot) == (number, "已注册", True)
    assert detail(db, clerk, notice).slots_used == 1


def test_a_rejected_new_resident_frees_the_slot(db: Database, admin: Actor, project: int):
    notice = publish(db, admin, project, slots=1)
    with db.session() as session:
        new_id = svc.apply_new_resident(session, admin, notice, resident("何丽华", "19780809", "246"))
    with db.session(write=False) as session:
        [row] = svc.list_recruitments(session, admin)
    assert (row.slots_used, row.status_label) == (1, "名额已满")
    with db.session() as session:
        vol_svc.review_volunteer(session, admin, new_id, approve=False, reason="不在本小区居住")
    d = detail(db, admin, notice)
    assert d.slots_used == 0 and d.status_label == "招募中"
    assert d.applicants[0].volunteer_status_label == "未通过" and not d.applicants[0].holds_slot


@pytest.mark.parametrize(
    "case, error, message",
    [
        ("too old", ValidationError, "今年"),
        ("bad ID", ValidationError, "身份证"),
        ("known ID", DuplicateError, "已经登记过"),
        ("full", ValidationError, "已经报满"),
    ],
)
def test_refused_new_residents_are_not_registered(db: Database, admin: Actor, project: int, case, error, message):
    notice = publish(db, admin, project, slots=1)
    data = resident("何丽华", "19780809", "246")
    if case == "too old":
        data = resident("何伯", "19400101", "171")
    elif case == "bad ID":
        data.id_number = "44200019580809246"
    elif case == "known ID":
        volunteer(db, admin, "何丽华", "19780809", "246", approve=False)
    elif case == "full":
        with db.session() as session:
            svc.apply_volunteer(session, admin, notice, volunteer(db, admin, "梁志强", "19800101", "111"))
    before = snapshot(db)
    with pytest.raises(error) as excinfo, db.session() as session:
        svc.apply_new_resident(session, admin, notice, data)
    assert message in excinfo.value.message
    assert snapshot(db) == before


def test_cancel_frees_the_slot_and_the_volunteer_may_sign_up_again(db: Database, admin: Actor, project: int):
    notice = publish(db, admin, project, slots=1)
    vid = volunteer(db, admin, "梁志强", "19800101", "111")
    with db.session() as session:
        application = svc.apply_volunteer(session, admin, notice, vid)
    with pytest.raises(ValidationError, match="请填写取消报名的原因"), db.session() as session:
        svc.cancel_application(session, admin, application, "")
    with db.session() as session:
        svc.cancel_application(session, admin, application, "家中有事")
    d = detail(db, admin, notice)
    assert d.slots_used == 0
    assert (d.applicants[0].status_label, d.applicants[0].cancel_reason) == ("已取消", "家中有事")
    with pytest.raises(ValidationError, match="已经取消过了"), db.session() as session:
        svc.cancel_application(session, admin, application, "再取消一次")
    with db.session() as session:
        again = svc.apply_volunteer(session, admin, notice, vid)
    assert again == application
    assert detail(db, admin, notice).applicants[0].status_label == "已报名"


def test_permissions(db: Database, admin: Actor, viewer: Actor, project: int):
    notice = publish(db, admin, project)
    vid = volunteer(db, admin, "梁志强", "19800101", "111")
    before = snapshot(db)
    with pytest.raises(PermissionDenied), db.session() as session:
        svc.publish_recruitment(session, viewer, notice_input(project))
    with pytest.raises(PermissionDenied), db.session() as session:
        svc.apply_volunteer(session, viewer, notice, vid)
    with pytest.raises(PermissionDenied), db.session() as session:
        svc.apply_new_resident(session, viewer, notice, resident("何丽华", "19780809", "246"))
    assert snapshot(db) == before
    with db.session(write=False) as session:
        assert [r.title for r in svc.list_recruitments(session, viewer)] == ["家电义修志愿者招募"]


def test_every_change_is_audited(db: Database, admin: Actor, project: int):
    notice = publish(db, admin, project)
    vid = volunteer(db, admin, "梁志强", "19800101", "111")
    with db.session() as session:
        application = svc.apply_volunteer(session, admin, notice, vid)
    with db.session() as session:
        svc.cancel_application(session, admin, application, "家中有事")
    with db.session() as session:
        svc.close_recruitment(session, admin, notice, "名额已满")
    with db.session(write=False) as session:
        entries = session.execute(
            select(AuditEntry.summary, AuditEntry.changes)
            .where(AuditEntry.entity.in_(["recruitment", "recruitment_application"]))
            .order_by(AuditEntry.id)
        ).all()
    assert [e.summary for e in entries] == [
        "发布招募：家电义修志愿者招募（项目：银龄关爱）",
        "报名：梁志强 → 家电义修志愿者招募",
        "取消报名：梁志强 → 家电义修志愿者招募",
        "结束招募：家电义修志愿者招募",
    ]
    assert entries[0].changes["contact_phone"] == [None, "0760-****3456"]  # masked in the log


def test_poster_data(db: Database, admin: Actor, project: int):
    notice = publish(db, admin, project)
    with db.session(write=False) as session:
        data = svc.poster_data(session, admin, notice)
    assert (data.station_name, data.title, data.project_name, data.project_category) == (
        "康华花园物业志愿服务站", "家电义修志愿者招募", "银龄关爱", "帮扶行动")
    assert (data.deadline, data.contact_phone, data.age_range, data.slots) == (
        DEADLINE, "0760-88123456", "18 至 65 周岁", 2)
    assert data.station_address == "中山市石岐街道康华路1号"
