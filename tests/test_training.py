"""Training sessions: planning, enrolment, attendance, history, the backbone track; bad input changes nothing."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from station_app.db import Database
from station_app.errors import PermissionDenied, StationError, ValidationError
from station_app.models import (
    Activity,
    Assignment,
    AuditEntry,
    Shift,
    StationSetting,
    TrainingEnrolment,
    TrainingSession,
    Volunteer,
)
from station_app.services import training as svc
from station_app.services import volunteers as vol_svc
from station_app.services.auth import Actor
from station_app.services.demo_training import build_training_demo

from .idnumbers import make_id

# Everything is told the time, so the tests do not depend on the clock.
NOW = datetime(2031, 3, 3, 8, 0)  # a Monday morning
SAT = datetime(2031, 3, 8, 9, 0)  # the Saturday after
_seq = iter(range(100, 1000))


def volunteer(db: Database, actor: Actor, name: str, *, approve: bool = True, skills: tuple[str, ...] = ()) -> int:
    seq = f"{next(_seq):03d}"
    with db.session() as session:
        vid = vol_svc.register_volunteer(session, actor, vol_svc.VolunteerInput(
            name=name, id_number=make_id("442000", "19800101", seq), phone=f"138{seq}05678", skills=list(skills)))
    if approve:
        with db.session() as session:
            vol_svc.review_volunteer(session, actor, vid, approve=True)
    return vid


def session_input(**changes) -> svc.SessionInput:
    values = dict(kind="pre_service", topic="健康义诊岗前培训", trainer="梁医生（市人民医院）", place="服务站活动室",
                  starts_at=SAT, ends_at=SAT + timedelta(hours=2, minutes=40), credit_minutes=None, capacity=3)
    values.update(changes)
    return svc.SessionInput(**values)


def create(db: Database, actor: Actor, data: svc.SessionInput | None = None, now: datetime = NOW) -> int:
    with db.session() as session:
        return svc.create_session(session, actor, data or session_input(), now=now)


def enrol(db: Database, actor: Actor, sid: int, *vids: int) -> list[int]:
    with db.session() as session:
        return svc.enrol_volunteers(session, actor, sid, list(vids))


def detail(db: Database, actor: Actor, sid: int, now: datetime = NOW) -> svc.SessionDetail:
    with db.session(write=False) as session:
        return svc.get_session(session, actor, sid, now=now)


def mark(db: Database, actor: Actor, sid: int, wanted: dict[str, str | tuple[str, int]], *, reason: str = "",
         now: datetime = SAT + timedelta(hours=3)) -> int:
    """Mark by name: {"张三": "present", "李四": ("late", 90)}."""
    d = detail(db, actor, sid, now)
    marks = []
    for e in d.enrolments:
        if e.name in wanted:
            value = wanted[e.name]
            attendance, minutes = (value, None) if isinstance(value, str) else value
            marks.append(svc.AttendanceMark(e.id, attendance, minutes))
    with db.session() as session:
        return svc.mark_attendance(session, actor, sid, marks, reason=reason, now=now)


def count(db: Database, model) -> int:  # noqa: ANN001
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def audits(db: Database, entity: str) -> list[tuple[str, dict]]:
    with db.session(write=False) as session:
        return [(s, c) for s, c in session.execute(
            select(AuditEntry.summary, AuditEntry.changes).where(AuditEntry.entity == entity).order_by(AuditEntry.id))]


# --- planning ------------------------------------------------------------------------------------
def test_plan_a_session_its_credit_defaults_to_its_length_to_the_quarter_hour(db, admin, clerk):
    sid = create(db, clerk)
    with db.session(write=False) as session:
        rows = svc.list_sessions(session, clerk)
    assert len(rows) == 1
    r = rows[0]
    # 09:00–11:40 is 160 minutes: credited 2.5 hours, the quarter hour below.
    assert (r.id, r.kind_label, r.credit_minutes, r.credit_text, r.status_label) == (sid, "岗前培训", 150, "2.5 小时", "计划")
    assert r.when == "2031-03-08（周六）09:00–11:40"
    assert (r.enrolled, r.capacity, r.attended) == (0, 3, 0)
    assert r.trainer == "梁医生（市人民医院）"
    summary, changes = audits(db, "training_session")[0]
    assert summary == "新建培训：岗前培训·健康义诊岗前培训（2031-03-08（周六）09:00–11:40）"
    assert changes["credit_minutes"] == [None, 150]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_at": SAT - timedelta(minutes=30)}, "ends_at", "结束时间 2031-03-08 08:30 不晚于开始时间 2031-03-08 09:00，请核对培训时间。"),
        ({"ends_at": SAT}, "ends_at", "结束时间 2031-03-08 09:00 不晚于开始时间 2031-03-08 09:00，请核对培训时间。"),
        ({"ends_at": SAT + timedelta(minutes=10)}, "ends_at", "培训不足 15 分钟，无法计培训时长，请核对培训时间。"),
        ({"ends_at": SAT + timedelta(hours=25)}, "ends_at", "一次培训不能超过 24 小时；连续几天的培训请按天分场次登记。"),
        ({"credit_minutes": 180}, "credit_minutes", "培训时长 3 小时 超过了培训本身的长度 2.67 小时。"),
        ({"credit_minutes": 100}, "credit_minutes", "培训时长按刻钟计（0.25 小时的整数倍）。"),
        ({"credit_minutes": 0}, "credit_minutes", "培训时长必须大于 0。"),
        ({"capacity": 0}, "capacity", "名额应在 1 到 999 人之间。"),
        ({"capacity": 1000}, "capacity", "名额应在 1 到 999 人之间。"),
        ({"topic": "  "}, "topic", "请填写培训主题。"),
        ({"trainer": ""}, "trainer", "请填写讲师。"),
        ({"place": ""}, "place", "请填写培训地点。"),
        ({"kind": "first_aid"}, "kind", "请选择培训类型。"),
        ({"starts_at": NOW - timedelta(days=1), "ends_at": NOW - timedelta(days=1, hours=-2)}, "starts_at",
         "开始时间 2031-03-02 08:00 已经过去了，不能把培训安排在过去。"),
    ],
)
def test_bad_sessions_are_refused_in_chinese_and_nothing_is_written(db, admin, changes, field, message):
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.create_session(session, admin, session_input(**changes), now=NOW)
    assert (exc.value.field, exc.value.message) == (field, message)
    assert count(db, TrainingSession) == 0
    assert audits(db, "training_session") == []


def test_a_viewer_reads_but_cannot_plan_enrol_or_mark(db, admin, viewer):
    sid = create(db, admin)
    vid = volunteer(db, admin, "张三")
    with db.session(write=False) as session:
        assert [r.id for r in svc.list_sessions(session, viewer)] == [sid]
    attempts = [
        lambda s: svc.create_session(s, viewer, session_input(), now=NOW),
        lambda s: svc.enrol_volunteers(s, viewer, sid, [vid]),
        lambda s: svc.cancel_session(s, viewer, sid, "下雨"),
        lambda s: svc.mark_attendance(s, viewer, sid, [], now=SAT),
        lambda s: svc.set_backbone_rule(s, viewer, svc.BackboneRule()),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as exc, db.session() as session:
            attempt(session)
        assert "只读" in exc.value.message
    assert count(db, TrainingSession) == 1 and count(db, TrainingEnrolment) == 0


def test_edit_a_planned_session_refuses_a_stale_copy_and_a_move_into_the_past(db, admin):
    sid = create(db, admin)
    version = detail(db, admin, sid).row.version
    with db.session() as session:
        svc.update_session(session, admin, sid, session_input(topic="健康义诊岗前培训（一期）", capacity=5),
                           expected_version=version, now=NOW)
    assert detail(db, admin, sid).row.topic == "健康义诊岗前培训（一期）"
    with pytest.raises(StationError) as exc, db.session() as session:
        svc.update_session(session, admin, sid, session_input(topic="旧副本"), expected_version=version, now=NOW)
    assert exc.value.message == "这次培训刚被其他人改过，请关闭后重新打开再改。"
    fresh = detail(db, admin, sid).row.version
    yesterday = NOW - timedelta(days=1)
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.update_session(session, admin, sid, session_input(starts_at=yesterday, ends_at=yesterday + timedelta(hours=2)),
                           expected_version=fresh, now=NOW)
    assert exc.value.field == "starts_at" and "已经过去了" in exc.value.message
    # Started already (the clerk enters it late): the other fields may still be corrected.
    with db.session() as session:
        svc.update_session(session, admin, sid, session_input(place="小区会所"), expected_version=fresh,
                           now=SAT + timedelta(minutes=30))
    assert detail(db, admin, sid).row.place == "小区会所"
    assert [c for _s, c in audits(db, "training_session")][1]["topic"] == ["健康义诊岗前培训", "健康义诊岗前培训（一期）"]


# --- enrolment -----------------------------------------------------------------------------------
def test_enrol_several_at_once_and_see_them_listed_with_masked_phones(db, admin, clerk):
    sid = create(db, admin)
    zhang, li = volunteer(db, admin, "张三"), volunteer(db, admin, "李四")
    ids = enrol(db, clerk, sid, zhang, li)
    d = detail(db, admin, sid)
    assert [e.id for e in sorted(d.enrolments, key=lambda e: e.id)] == ids
    assert [(e.name, e.attendance_label) for e in d.enrolments] == [("李四", "未登记"), ("张三", "未登记")]  # by pinyin
    assert all(e.volunteer_no.startswith("SQ0101-") and "****" in e.phone for e in d.enrolments)
    assert (d.row.enrolled, d.row.capacity) == (2, 3)
    summary, changes = audits(db, "training_session")[-1]
    assert summary == "培训报名：健康义诊岗前培训 ← 张三、李四"
    assert changes == {"enrolled_volunteer_ids": [None, sorted([zhang, li])]}


def test_a_batch_with_someone_not_registered_or_already_enrolled_is_refused_whole(db, admin):
    sid = create(db, admin)
    zhang, li = volunteer(db, admin, "张三"), volunteer(db, admin, "李四")
    wang = volunteer(db, admin, "王五", approve=False)  # 申请中
    zhao = volunteer(db, admin, "赵六")
    with db.session() as session:
        vol_svc.change_status(session, admin, zhao, vol_svc.Status.SUSPENDED, "外出务工")
    enrol(db, admin, sid, zhang)
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.enrol_volunteers(session, admin, sid, [li, wang, zhao, zhang])
    assert exc.value.message == (
        "没有报名任何人：王五目前是“申请中”，只有已注册的志愿者才能报名培训；"
        "赵六目前是“暂停”，只有已注册的志愿者才能报名培训；张三已经报过名了。"
    )
    assert [e.name for e in detail(db, admin, sid).enrolments] == ["张三"]  # 李四, fine alone, was not enrolled either


def test_capacity_is_respected_for_the_whole_batch_and_cannot_drop_below_the_enrolled(db, admin):
    sid = create(db, admin)  # 3 places
    people = [volunteer(db, admin, n) for n in ("张三", "李四", "王五", "赵六")]
    enrol(db, admin, sid, people[0], people[1])
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.enrol_volunteers(session, admin, sid, people[2:])
    assert exc.value.message.startswith("名额不够：这次培训 3 个名额已报 2 人，只剩 1 个，这次选了 2 人。没有报名任何人")
    assert detail(db, admin, sid).row.enrolled == 2
    version = detail(db, admin, sid).row.version
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.update_session(session, admin, sid, session_input(capacity=1), expected_version=version, now=NOW)
    assert (exc.value.field, exc.value.message) == ("capacity", "已有 2 人报名，名额不能少于 2 人。")
    assert detail(db, admin, sid).row.capacity == 3
    enrol(db, admin, sid, people[2])  # the last place
    assert detail(db, admin, sid).row.enrolled == 3


def test_withdraw_before_the_session_then_not_once_marked(db, admin):
    sid = create(db, admin)
    zhang, li = volunteer(db, admin, "张三"), volunteer(db, admin, "李四")
    first, _second = enrol(db, admin, sid, zhang, li)
    with db.session() as session:
        svc.withdraw_enrolment(session, admin, first)
    assert [e.name for e in detail(db, admin, sid).enrolments] == ["李四"]
    assert audits(db, "training_session")[-1] == ("移除培训报名：张三 ← 健康义诊岗前培训",
                                                  {"enrolled_volunteer_ids": [[zhang], None]})
    mark(db, admin, sid, {"李四": "present"})
    enrolment = detail(db, admin, sid).enrolments[0]
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.withdraw_enrolment(session, admin, enrolment.id)
    assert exc.value.message.startswith("李四的出勤已经登记（出席），不能移除")
    assert count(db, TrainingEnrolment) == 1


# --- attendance ----------------------------------------------------------------------------------
def test_attendance_before_the_start_and_with_someone_left_out_is_refused(db, admin):
    sid = create(db, admin)
    zhang, li = volunteer(db, admin, "张三"), volunteer(db, admin, "李四")
    enrol(db, admin, sid, zhang, li)
    with pytest.raises(ValidationError) as exc:
        mark(db, admin, sid, {"张三": "present", "李四": "present"}, now=SAT - timedelta(minutes=1))
    assert exc.value.message == "培训还没有开始（2031-03-08 09:00），开始后才能登记出勤。"
    with pytest.raises(ValidationError) as exc:
        mark(db, admin, sid, {"张三": "present"})
    assert exc.value.message == "还有 1 人没有登记出勤：李四。每位报名的志愿者都要登记出席、迟到或缺席。"
    with pytest.raises(ValidationError) as exc:
        mark(db, admin, sid, {"张三": "present", "李四": ("late", 160)})
    assert exc.value.message == "迟到的李四计入的培训时长应在 0.25 到 2.5 小时 之间，按刻钟（0.25 小时）计。"
    d = detail(db, admin, sid)
    assert d.row.status == "planned" and all(e.attendance is None for e in d.enrolments)


def test_mark_attendance_holds_the_session_and_credits_training_hours(db, admin, clerk):
    sid = create(db, admin)
    zhang, li, wang = (volunteer(db, admin, n) for n in ("张三", "李四", "王五"))
    enrol(db, admin, sid, zhang, li, wang)
    assert mark(db, clerk, sid, {"张三": "present", "李四": ("late", 90), "王五": "absent"}) == 3
    d = detail(db, admin, sid)
    assert d.row.status_label == "已举行" and (d.row.attended, d.row.unmarked) == (2, 0)
    got = {e.name: (e.attendance_label, e.credited_minutes, e.marked_by) for e in d.enrolments}
    assert got == {"张三": ("出席", 150, "clerk"), "李四": ("迟到", 90, "clerk"), "王五": ("缺席", 0, "clerk")}
    # Who holds 岗前培训 now: those present or late.
    with db.session(write=False) as session:
        assert svc.trained_volunteer_ids(session, admin.station_id, "pre_service") == {zhang, li}
        history = svc.volunteer_training_history(session, admin, li)
    assert history.total_text == "1.5 小时" and history.kinds_attended == ["岗前培训"]
    assert [(r.starts_at.date(), r.kind_label, r.topic, r.attendance_label, r.credited_minutes) for r in history.rows] == [
        (SAT.date(), "岗前培训", "健康义诊岗前培训", "迟到", 90)]
    summary, changes = audits(db, "training_session")[-1]
    assert summary == "登记培训出勤：健康义诊岗前培训（出席 1，迟到 1，缺席 1）"
    assert changes["status"] == ["planned", "held"]
    assert sorted(changes["attendance"][1].values()) == ["absent", "late", "present"]
    assert all(key.startswith(("张三 SQ0101-", "李四 SQ0101-", "王五 SQ0101-")) for key in changes["attendance"][1])
    # Late without fewer minutes: the full credit.
    sid2 = create(db, admin, session_input(topic="第二期", starts_at=SAT + timedelta(days=7),
                                           ends_at=SAT + timedelta(days=7, hours=2)))
    enrol(db, admin, sid2, zhang)
    mark(db, admin, sid2, {"张三": "late"}, now=SAT + timedelta(days=7, hours=3))
    assert detail(db, admin, sid2).enrolments[0].credited_minutes == 120


def test_a_held_session_keeps_its_times_and_corrections_need_a_reason(db, admin):
    sid = create(db, admin)
    zhang, li = volunteer(db, admin, "张三"), volunteer(db, admin, "李四")
    enrol(db, admin, sid, zhang, li)
    mark(db, admin, sid, {"张三": "present", "李四": "present"})
    version = detail(db, admin, sid).row.version
    for change in ({"ends_at": SAT + timedelta(hours=2)}, {"credit_minutes": 120}, {"kind": "skills"}):
        with pytest.raises(ValidationError) as exc, db.session() as session:
            svc.update_session(session, admin, sid, session_input(**change), expected_version=version, now=NOW)
        assert exc.value.message == "这次培训已经登记了出勤，培训类型、时间和培训时长不能再改（出勤记录以它们为准）。"
    with db.session() as session:  # the topic and place may still be corrected
        svc.update_session(session, admin, sid, session_input(topic="健康义诊岗前培训（一期）"), expected_version=version)
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.cancel_session(session, admin, sid, "写错了")
    assert exc.value.message == "这次培训已经举行并登记了出勤，不能取消。"

    with pytest.raises(ValidationError) as exc:
        mark(db, admin, sid, {"张三": "present", "李四": "absent"})
    assert exc.value.field == "reason"
    assert exc.value.message == "更正已登记的出勤需要填写原因（会记入操作日志）：李四（出席 → 缺席）。"
    assert {e.name: e.attendance for e in detail(db, admin, sid).enrolments} == {"张三": "present", "李四": "present"}

    assert mark(db, admin, sid, {"张三": "present", "李四": "absent"}, reason="核对签到表，李四未到") == 1
    assert {e.name: e.credited_minutes for e in detail(db, admin, sid).enrolments} == {"张三": 150, "李四": 0}
    summary, changes = audits(db, "training_enrolment")[-1]
    assert summary == "更正培训出勤：李四，健康义诊岗前培训（一期）：出席 → 缺席"
    assert changes == {"attendance": ["present", "absent"], "credited_minutes": [150, 0],
                       "reason": [None, "核对签到表，李四未到"]}
    with db.session(write=False) as session:
        assert svc.trained_volunteer_ids(session, admin.station_id, "pre_service") == {zhang}


def test_a_walk_in_added_after_the_session_is_marked_without_a_reason(db, admin):
    sid = create(db, admin)
    zhang, li = volunteer(db, admin, "张三"), volunteer(db, admin, "李四")
    enrol(db, admin, sid, zhang)
    mark(db, admin, sid, {"张三": "present"})
    enrol(db, admin, sid, li)  # came without signing up: written on the sheet's blank row
    assert detail(db, admin, sid).row.unmarked == 1
    mark(db, admin, sid, {"张三": "present", "李四": "present"})
    assert detail(db, admin, sid).row.attended == 2


def test_a_cancelled_session_takes_no_enrolment_attendance_or_edit(db, admin):
    sid = create(db, admin)
    zhang = volunteer(db, admin, "张三")
    enrol(db, admin, sid, zhang)
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.cancel_session(session, admin, sid, "  ")
    assert exc.value.field == "reason"
    with db.session() as session:
        svc.cancel_session(session, admin, sid, "台风预警")
    d = detail(db, admin, sid)
    assert (d.row.status_label, d.row.cancel_reason, d.row.enrolled) == ("已取消", "台风预警", 1)
    li = volunteer(db, admin, "李四")
    with pytest.raises(ValidationError) as exc:
        enrol(db, admin, sid, li)
    assert exc.value.message == "培训“健康义诊岗前培训”已取消，不能再报名。"
    with pytest.raises(ValidationError):
        mark(db, admin, sid, {"张三": "present"})
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.update_session(session, admin, sid, session_input(), expected_version=d.row.version, now=NOW)
    assert exc.value.message == "这次培训已取消，不能再修改。"
    with pytest.raises(ValidationError) as exc, db.session(write=False) as session:
        svc.signin_sheet_data(session, admin, sid)
    assert "已取消" in exc.value.message
    with db.session(write=False) as session:
        history = svc.volunteer_training_history(session, admin, zhang)
    assert [(r.attendance_label, r.credited_minutes) for r in history.rows] == [("培训已取消", 0)]
    assert history.total_minutes == 0


def test_list_filters_by_period_kind_status_and_text(db, admin):
    first = create(db, admin)
    later = SAT + timedelta(days=30)
    second = create(db, admin, session_input(kind="skills", topic="应急救护", trainer="黄志明",
                                             starts_at=later, ends_at=later + timedelta(hours=3)))
    third = create(db, admin, session_input(kind="coaching", topic="入门培训", starts_at=later + timedelta(days=7),
                                            ends_at=later + timedelta(days=7, hours=1)))
    with db.session() as session:
        svc.cancel_session(session, admin, third, "讲师有事")

    def ids(**kw) -> list[int]:
        with db.session(write=False) as session:
            return [r.id for r in svc.list_sessions(session, admin, svc.SessionFilter(**kw))]

    assert ids() == [third, second, first]  # newest start first
    assert ids(starts_on=later.date()) == [third, second]
    assert ids(ends_on=SAT.date()) == [first]
    assert ids(kind="skills") == [second]
    assert ids(status="cancelled") == [third]
    assert ids(text="黄志明") == [second] and ids(text="救护") == [second] and ids(text="100%") == []


# --- sign-in sheet data --------------------------------------------------------------------------
def test_signin_sheet_data_lists_the_enrolled_with_the_facts(db, admin):
    sid = create(db, admin)
    zhang, li = volunteer(db, admin, "张三"), volunteer(db, admin, "李四")
    enrol(db, admin, sid, zhang, li)
    with db.session(write=False) as session:
        sheet = svc.signin_sheet_data(session, admin, sid)
    assert sheet.title == "康华花园物业志愿服务站培训签到表"
    assert dict(sheet.facts) == {
        "培训主题": "健康义诊岗前培训", "类型": "岗前培训", "讲师": "梁医生（市人民医院）", "地点": "服务站活动室",
        "时间": "2031-03-08（周六）09:00–11:40", "培训时长": "2.5 小时", "报名人数": "2 人（名额 3 人）",
    }
    [section] = sheet.sections
    assert [(r.number, r.name) for r in section.rows] == [(1, "李四"), (2, "张三")]
    assert all("****" in r.phone for r in section.rows)
    assert "不计入志愿服务时长" in sheet.footer


# --- backbone track ------------------------------------------------------------------------------
def held_session(db: Database, actor: Actor, day: datetime, hours: int, attendees: dict[int, str]) -> int:
    """A session on ``day`` credited ``hours``, held with the given attendance (volunteer id → attendance)."""
    sid = create(db, actor, session_input(kind="coaching", topic=f"集中辅导 {day:%m-%d}", starts_at=day,
                                          ends_at=day + timedelta(hours=hours), capacity=50),
                 now=day - timedelta(days=3))
    enrolment_ids = enrol(db, actor, sid, *attendees)
    marks = [svc.AttendanceMark(eid, a) for eid, a in zip(enrolment_ids, attendees.values(), strict=True)]
    with db.session() as session:
        svc.mark_attendance(session, actor, sid, marks, now=day + timedelta(hours=hours))
    return sid


def done_activities(db: Database, actor: Actor, volunteer_id: int, n: int, *, day: datetime,
                    status: str = "done", assignment: str = "assigned", shifts: int = 1) -> None:
    """``n`` activities the volunteer was assigned to (straight into the tables: the activity services are elsewhere)."""
    with db.session() as session:
        for k in range(n):
            start = day - timedelta(days=k)
            activity = Activity(station_id=actor.station_id, category="help", title=f"探访 {k}", place="3栋",
                                starts_at=start, ends_at=start + timedelta(hours=2), volunteers_needed=2, status=status)
            session.add(activity)
            session.flush()
            for s in range(shifts):
                shift = Shift(activity_id=activity.id, starts_at=start + timedelta(hours=s),
                              ends_at=start + timedelta(hours=s + 1), capacity=2)
                session.add(shift)
                session.flush()
                session.add(Assignment(shift_id=shift.id, activity_id=activity.id, volunteer_id=volunteer_id,
                                       starts_at=shift.starts_at, ends_at=shift.ends_at, status=assignment))


def test_backbone_rule_defaults_then_an_administrator_changes_it(db, admin, clerk):
    with db.session(write=False) as session:
        rule = svc.get_backbone_rule(session, clerk)
    assert rule == svc.BackboneRule(min_training_hours=12, min_activities=10, months=12)
    assert rule.describe() == "近 12 个月内培训满 12 小时且参加活动满 10 次"
    with pytest.raises(PermissionDenied), db.session() as session:
        svc.set_backbone_rule(session, clerk, svc.BackboneRule(6, 5, 6))
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.set_backbone_rule(session, admin, svc.BackboneRule(0, 0, 6))
    assert exc.value.message.startswith("培训时长和参加活动次数不能都为 0")
    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.set_backbone_rule(session, admin, svc.BackboneRule(6, 5, 121))
    assert (exc.value.field, exc.value.message) == ("months", "统计期间应在 0 到 120 之间。")
    assert count(db, StationSetting) == 0
    with db.session() as session:
        svc.set_backbone_rule(session, admin, svc.BackboneRule(min_training_hours=6, min_activities=5, months=0))
    with db.session(write=False) as session:
        assert svc.get_backbone_rule(session, clerk).describe() == "累计培训满 6 小时且参加活动满 5 次"
    summary, changes = audits(db, "station")[-1]
    assert summary == "修改骨干认定规则：累计培训满 6 小时且参加活动满 5 次"
    assert changes == {"min_training_hours": [12, 6], "min_activities": [10, 5], "months": [12, 0]}


def test_backbone_candidates_meet_the_rule_and_confirming_one_sets_the_flag(db, admin, clerk):
    with db.session() as session:
        svc.set_backbone_rule(session, admin, svc.BackboneRule(min_training_hours=4, min_activities=2, months=12))
    today = date(2031, 3, 20)
    recent, old = datetime(2031, 3, 8, 9, 0), datetime(2029, 12, 1, 9, 0)
    a, b, c, d, e, f = (volunteer(db, admin, n) for n in ("安心", "白雪", "陈骨干", "邓暂停", "江未完", "方旧"))
    with db.session() as session:
        session.get(Volunteer, c).is_backbone = True
    held_session(db, admin, recent, 2, {a: "present", b: "present", c: "present", d: "present", e: "present"})
    held_session(db, admin, recent + timedelta(days=1), 2, {a: "late", b: "present", c: "present", d: "present",
                                                            e: "present", f: "absent"})
    held_session(db, admin, old, 5, {f: "present"})  # 方旧's hours are more than 12 months old
    done_activities(db, admin, a, 2, day=recent)
    done_activities(db, admin, b, 1, day=recent, shifts=3)  # three shifts of one activity count once
    done_activities(db, admin, c, 2, day=recent)
    done_activities(db, admin, d, 2, day=recent)
    done_activities(db, admin, e, 2, day=recent, status="planned")  # not done yet
    done_activities(db, admin, e, 1, day=recent, assignment="cancelled")
    done_activities(db, admin, f, 3, day=recent)
    with db.session() as session:
        vol_svc.change_status(session, admin, d, vol_svc.Status.SUSPENDED, "外出")

    def candidates() -> list[tuple[str, int, int]]:
        with db.session(write=False) as session:
            return [(x.name, x.training_minutes, x.activities)
                    for x in svc.backbone_candidates(session, clerk, today=today)]

    assert candidates() == [("安心", 240, 2)]
    with db.session() as session:
        svc.set_backbone_rule(session, admin, svc.BackboneRule(min_training_hours=4, min_activities=2, months=0))
    assert candidates() == [("方旧", 300, 3), ("安心", 240, 2)]  # all time: 方旧's old session counts

    with pytest.raises(ValidationError) as exc, db.session() as session:
        svc.confirm_backbone(session, clerk, [a, b, c], today=today)
    assert exc.value.message == ("没有认定任何人：白雪还不符合条件（培训 4 小时，参加活动 1 次）；陈骨干已经是骨干。"
                                 "骨干认定条件：累计培训满 4 小时且参加活动满 2 次。")
    with db.session(write=False) as session:
        assert not session.get(Volunteer, a).is_backbone
    with db.session() as session:
        svc.confirm_backbone(session, clerk, [a], today=today)
    with db.session(write=False) as session:
        assert vol_svc.get_volunteer(session, admin, a).is_backbone
    assert candidates() == [("方旧", 300, 3)]
    summary, changes = audits(db, "volunteer")[-1]
    assert summary == "认定为骨干：安心（培训 4 小时，参加活动 2 次）"
    assert changes["is_backbone"] == [False, True]


def test_months_before_keeps_the_day_or_takes_the_month_end():
    assert svc.months_before(date(2031, 3, 31), 1) == date(2031, 2, 28)
    assert svc.months_before(date(2032, 3, 31), 1) == date(2032, 2, 29)
    assert svc.months_before(date(2031, 1, 15), 12) == date(2030, 1, 15)
    assert svc.months_before(date(2031, 1, 15), 13) == date(2029, 12, 15)


def test_hours_and_times_read_as_people_say_them():
    assert [svc.hours_text(m) for m in (150, 60, 45, 135, 0)] == ["2.5 小时", "1 小时", "0.75 小时", "2.25 小时", "0 小时"]
    assert svc.when_text(datetime(2031, 3, 8, 19, 30), datetime(2031, 3, 9, 1, 0)) == "2031-03-08（周六）19:30 – 2031-03-09 01:00"


# --- demo ----------------------------------------------------------------------------------------
def test_demo_training_gives_clinic_volunteers_pre_service_and_keen_ones_hours(db, admin, clerk):
    clinic = [volunteer(db, admin, n, skills=("医疗护理",)) for n in ("梁医护", "何护士", "吴急救")]
    others = [volunteer(db, admin, f"志愿者{'甲乙丙丁戊己庚辛壬癸'[k]}") for k in range(10)]
    with db.session() as session:  # registered more than a year ago, so they could come all year
        for vid in clinic + others:
            session.get(Volunteer, vid).registered_on = date.today() - timedelta(days=400)
    today = date.today()
    with db.session() as session:
        result = build_training_demo(session, clerk, random.Random(7), today)
    with db.session(write=False) as session:
        rows = svc.list_sessions(session, admin)
        trained = svc.trained_volunteer_ids(session, admin.station_id, "pre_service")
        keen_hours = [svc.volunteer_training_history(session, admin, vid).total_minutes
                      for vid in result.keen_volunteer_ids]
    kinds = {r.kind for r in rows}
    assert kinds == set(svc.TrainingKind)
    assert {r.status for r in rows} == {"planned", "held", "cancelled"}
    assert all(r.starts_at.date() >= today - timedelta(days=365) for r in rows)
    assert all(r.starts_at.date() > today for r in rows if r.status == "planned")
    assert len(set(clinic) & trained) >= 2  # most clinic volunteers may serve at 健康义诊
    assert set(result.pre_service_volunteer_ids) == trained
    assert result.keen_volunteer_ids and min(keen_hours) >= 12 * 60  # enough for the default backbone rule
    assert not set(result.keen_volunteer_ids) & set(clinic)
    # Every held session was marked after it ended.
    with db.session(write=False) as session:
        late_marks = session.scalar(
            select(func.count()).select_from(TrainingEnrolment)
            .join(TrainingSession, TrainingSession.id == TrainingEnrolment.session_id)
            .where(TrainingEnrolment.marked_at.is_not(None))
        )
    assert late_marks == sum(r.enrolled for r in rows if r.status == "held")
