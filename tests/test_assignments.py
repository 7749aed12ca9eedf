"""Assigning volunteers to shifts: what is refused, what only warns, and what the messages say.

Every refusal is checked to leave the database as it was.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from station_app.errors import NotFound, PermissionDenied, ValidationError
from station_app.models import Assignment, AuditEntry
from station_app.services import assignments as svc

from .schedule_factory import (
    AFTERNOON,
    EVENING,
    MORNING,
    SAT,
    SUN,
    at,
    future_day,
    make_activity,
    make_training,
    make_volunteer,
    set_activity_status,
    set_status,
    slots,
)

DAY = future_day(SAT)
SAT_MORNING = slots((SAT, MORNING))


def snapshot(db) -> tuple:
    with db.session(write=False) as session:
        rows = session.execute(
            select(Assignment.id, Assignment.status, Assignment.role, Assignment.override_reason).order_by(Assignment.id)
        ).all()
        audits = session.scalar(select(func.count()).select_from(AuditEntry))
    return rows, audits


def assign(db, actor, shift_id, volunteer_id, **kw) -> int:
    with db.session() as session:
        return svc.assign_volunteer(session, actor, shift_id, volunteer_id, **kw)


def check(db, actor, shift_id, volunteer_id, **kw) -> list[svc.Problem]:
    with db.session(write=False) as session:
        return svc.check_assignment(session, actor, shift_id, volunteer_id, **kw)


def refused(db, actor, shift_id, volunteer_id, **kw) -> svc.AssignmentRefused:
    before = snapshot(db)
    with pytest.raises(svc.AssignmentRefused) as info:
        assign(db, actor, shift_id, volunteer_id, **kw)
    assert snapshot(db) == before
    return info.value


def codes(problems) -> list[str]:
    return [p.code for p in problems]


@pytest.fixture
def clinic(db, clerk):
    """健康义诊 on a Saturday morning, needing 岗前培训 and 医疗护理, two places."""
    return make_activity(db, clerk, title="健康义诊", day=DAY, hours=(9, 11), capacity=2,
                         required_training="pre_service", skills=["医疗护理"])


@pytest.fixture
def nurse(db, clerk):
    """Registered, trained, skilled and free on Saturday mornings."""
    vid = make_volunteer(db, clerk, "李护士", skills=["医疗护理"], availability=SAT_MORNING)
    make_training(db, clerk, [vid])
    return vid


# --- time slots --------------------------------------------------------------------------------
@pytest.mark.parametrize(("start", "end", "expected"), [
    ((9, 0), (11, 0), [(SAT, MORNING)]),
    ((11, 0), (13, 0), [(SAT, MORNING), (SAT, AFTERNOON)]),
    ((12, 0), (18, 0), [(SAT, AFTERNOON)]),
    ((17, 30), (18, 30), [(SAT, AFTERNOON), (SAT, EVENING)]),
    ((18, 0), (21, 0), [(SAT, EVENING)]),
])
def test_shift_slots_follow_the_day_parts(start, end, expected):
    assert svc.shift_slots(at(DAY, *start), at(DAY, *end)) == slots(*expected)


def test_a_night_shift_touches_both_days():
    assert svc.shift_slots(at(DAY, 20), at(DAY + timedelta(days=1), 8)) == slots((SAT, EVENING), (SUN, MORNING))


# --- the happy path ----------------------------------------------------------------------------
def test_a_fitting_volunteer_is_assigned_without_questions(db, clerk, clinic, nurse):
    activity_id, (shift_id,) = clinic
    assert check(db, clerk, shift_id, nurse) == []
    assignment_id = assign(db, clerk, shift_id, nurse)
    with db.session(write=False) as session:
        rows = svc.shift_assignments(session, clerk, shift_id)
        overview = svc.shift_overview(session, clerk, activity_id)
        counts = svc.assigned_counts(session, [activity_id])
        summary = session.scalar(select(AuditEntry.summary).where(AuditEntry.entity == "assignment"))
        stored = session.get(Assignment, assignment_id)
        assert (stored.starts_at, stored.ends_at, stored.assigned_by_id) == (at(DAY, 9), at(DAY, 11), clerk.user_id)
    assert [(r.id, r.name, r.role_label) for r in rows] == [(assignment_id, "李护士", "队员")]
    assert rows[0].phone.startswith("138****") and len(rows[0].phone) == 11  # masked
    assert overview.shifts[0].assigned == 1 and counts == {activity_id: 1}
    assert summary == "排班：李护士 → 健康义诊（" + svc.span_text(at(DAY, 9), at(DAY, 11)) + "）"


# --- hard problems -----------------------------------------------------------------------------
def test_an_untrained_volunteer_is_refused_and_told_which_training(db, clerk, clinic):
    _activity, (shift_id,) = clinic
    vid = make_volunteer(db, clerk, "王新人", skills=["医疗护理"], availability=SAT_MORNING)
    make_training(db, clerk, [vid], attendance="absent")  # enrolled but did not come: not trained
    error = refused(db, clerk, shift_id, vid)
    assert codes(error.problems) == ["missing_training"]
    assert "王新人还没有参加过岗前培训，活动“健康义诊”要求先参加岗前培训。" in error.message


def test_other_training_kinds_do_not_count(db, clerk, clinic):
    _activity, (shift_id,) = clinic
    vid = make_volunteer(db, clerk, "赵多培", skills=["医疗护理"], availability=SAT_MORNING)
    make_training(db, clerk, [vid], kind="coaching")
    assert codes(check(db, clerk, shift_id, vid)) == ["missing_training"]


@pytest.mark.parametrize(("status", "label"), [("applying", "申请中"), ("suspended", "暂停"), ("withdrawn", "已退出")])
def test_only_registered_volunteers_are_assigned(db, clerk, status, label):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY)
    vid = make_volunteer(db, clerk, "陈暂停", availability=SAT_MORNING)
    set_status(db, vid, status)
    error = refused(db, clerk, shift_id, vid)
    assert error.problems[0].code == "not_registered"
    assert f"陈暂停目前是“{label}”，只有已注册的志愿者才能排班。" in error.message


def test_a_double_booking_names_the_other_activity_and_its_time(db, clerk, nurse):
    _a, (patrol_shift,) = make_activity(db, clerk, title="平安巡逻", day=DAY, hours=(8, 10))
    _b, (clinic_shift,) = make_activity(db, clerk, title="健康义诊", day=DAY, hours=(9, 11))
    assign(db, clerk, patrol_shift, nurse)
    error = refused(db, clerk, clinic_shift, nurse)
    assert codes(error.problems) == ["overlap"]
    weekday = "周六"
    assert f"李护士在 {DAY:%Y-%m-%d}（{weekday}）08:00–10:00 已排在活动“平安巡逻”" in error.message


def test_back_to_back_shifts_do_not_overlap(db, clerk, nurse):
    _a, (first,) = make_activity(db, clerk, title="平安巡逻", day=DAY, hours=(8, 9))
    _b, (second,) = make_activity(db, clerk, title="健康义诊", day=DAY, hours=(9, 11))
    assign(db, clerk, first, nurse)
    assert check(db, clerk, second, nurse) == []


def test_cancelled_assignments_and_activities_free_the_time(db, clerk, nurse):
    a, (patrol,) = make_activity(db, clerk, title="平安巡逻", day=DAY, hours=(9, 10))
    _b, (market,) = make_activity(db, clerk, title="便民集市", day=DAY, hours=(9, 10))
    _c, (clinic,) = make_activity(db, clerk, title="健康义诊", day=DAY, hours=(9, 11))
    first = assign(db, clerk, patrol, nurse)
    with db.session() as session:
        svc.cancel_assignment(session, clerk, first, "临时有事")
    assign(db, clerk, market, nurse)
    set_activity_status(db, _b, "cancelled")
    assert check(db, clerk, clinic, nurse) == []
    assert a  # the first activity is still planned; only its assignment was cancelled


def test_a_full_shift_says_how_many_places_it_has(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY, capacity=1, shifts=[
        ("上午场", at(DAY, 9), at(DAY, 11), 1)])
    first = make_volunteer(db, clerk, "甲一", availability=SAT_MORNING)
    second = make_volunteer(db, clerk, "乙二", availability=SAT_MORNING)
    assign(db, clerk, shift_id, first)
    error = refused(db, clerk, shift_id, second)
    assert codes(error.problems) == ["shift_full"]
    assert "班次“上午场”已满：名额 1 人，已排 1 人。" in error.message


@pytest.mark.parametrize(("status", "label"), [("cancelled", "已取消"), ("done", "已完成")])
def test_closed_activities_take_no_one(db, clerk, status, label):
    activity_id, (shift_id,) = make_activity(db, clerk, title="敬老探访", day=DAY)
    vid = make_volunteer(db, clerk, "钱多多", availability=SAT_MORNING)
    set_activity_status(db, activity_id, status)
    error = refused(db, clerk, shift_id, vid)
    assert f"活动“敬老探访”{label}，不能再排班。" in error.message


def test_a_shift_that_is_over_takes_no_one(db, clerk):
    past = date.today() - timedelta(days=3)
    _activity, (shift_id,) = make_activity(db, clerk, day=past, hours=(9, 11))
    vid = make_volunteer(db, clerk, "孙晚到", availability=slots((past.weekday(), MORNING)))
    error = refused(db, clerk, shift_id, vid)
    assert codes(error.problems) == ["shift_past"]
    assert f"已于 {past:%Y-%m-%d} 11:00 结束" in error.message
    # Started but not over: a late addition is still possible.
    assert check(db, clerk, shift_id, vid, now=datetime.combine(past, datetime.min.time()).replace(hour=10)) == []


def test_the_same_volunteer_twice_on_one_shift_is_refused(db, clerk, clinic, nurse):
    _activity, (shift_id,) = clinic
    assign(db, clerk, shift_id, nurse)
    error = refused(db, clerk, shift_id, nurse)
    assert codes(error.problems) == ["already_assigned"]  # not also an "overlap" with itself
    assert "李护士已经排在班次" in error.message


def test_one_lead_per_shift(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY)
    first = make_volunteer(db, clerk, "周骨干", availability=SAT_MORNING, backbone=True)
    second = make_volunteer(db, clerk, "吴骨干", availability=SAT_MORNING, backbone=True)
    assign(db, clerk, shift_id, first, role="lead")
    error = refused(db, clerk, shift_id, second, role="lead")
    assert codes(error.problems) == ["lead_taken"] and "已有带队志愿者周骨干" in error.message
    assign(db, clerk, shift_id, second)  # as a member: fine
    with db.session(write=False) as session:
        rows = svc.shift_assignments(session, clerk, shift_id)
        overview = svc.shift_overview(session, clerk, _activity)
    assert [(r.name, r.role_label) for r in rows] == [("周骨干", "带队"), ("吴骨干", "队员")]
    assert overview.shifts[0].lead_name == "周骨干"


def test_an_unknown_role_is_refused(db, clerk, clinic, nurse):
    with db.session() as session, pytest.raises(ValidationError, match="队员或带队"):
        svc.assign_volunteer(session, clerk, clinic[1][0], nurse, role="boss")


# --- soft problems -----------------------------------------------------------------------------
def test_outside_availability_needs_a_reason_which_is_stored(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY, hours=(14, 16))
    vid = make_volunteer(db, clerk, "郑周末", availability=slots((SAT, MORNING), (SUN, MORNING), (SUN, AFTERNOON),
                                                                (SUN, EVENING)))
    before = snapshot(db)
    with pytest.raises(svc.OverrideRequired) as info:
        assign(db, clerk, shift_id, vid)
    assert snapshot(db) == before
    assert codes(info.value.problems) == ["outside_availability"]
    message = info.value.problems[0].message
    assert message == "郑周末登记的空闲时间是周六上午、周日全天，不含这个班次的周六下午。"
    with pytest.raises(svc.OverrideRequired):
        assign(db, clerk, shift_id, vid, override_reason="   ")  # blank is no reason
    assignment_id = assign(db, clerk, shift_id, vid, override_reason="本人电话确认下午可以来")
    with db.session(write=False) as session:
        stored = session.get(Assignment, assignment_id)
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "assignment")).one()
        assert stored.warnings == message and stored.override_reason == "本人电话确认下午可以来"
        assert entry.changes["override_reason"] == [None, "本人电话确认下午可以来"]


def test_no_availability_registered_is_said_so(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY)
    vid = make_volunteer(db, clerk, "冯未填")
    assert [p.message for p in check(db, clerk, shift_id, vid)] == [
        "冯未填没有登记每周的空闲时间，不能确认周六上午是否有空。"]


def test_one_of_the_activitys_skills_is_enough(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY, skills=["医疗护理", "测血压"])
    has_one = make_volunteer(db, clerk, "陈测压", skills=["测血压"], availability=SAT_MORNING)
    has_none = make_volunteer(db, clerk, "褚厨艺", skills=["烹饪"], availability=SAT_MORNING)
    assert check(db, clerk, shift_id, has_one) == []
    problems = check(db, clerk, shift_id, has_none)
    assert [(p.code, p.hard, p.message) for p in problems] == [
        ("missing_skill", False, "褚厨艺没有登记这个活动需要的技能：医疗护理、测血压。")]


def test_a_training_at_the_same_time_warns(db, clerk, nurse):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY, hours=(9, 11))
    make_training(db, clerk, [nurse], kind="skills", topic="急救技能", attendance=None, status="planned",
                  starts_at=at(DAY, 10))
    problems = check(db, clerk, shift_id, nurse)
    assert codes(problems) == ["training_overlap"] and not problems[0].hard
    assert "李护士报名了培训“急救技能”" in problems[0].message


def test_a_lead_who_is_not_backbone_needs_a_reason(db, clerk, nurse):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY)
    problems = check(db, clerk, shift_id, nurse, role="lead")
    assert [(p.code, p.hard) for p in problems] == [("lead_not_backbone", False)]
    assign(db, clerk, shift_id, nurse, role="lead", override_reason="骨干请假，由她临时带队")


def test_hard_problems_win_over_a_reason(db, clerk, clinic):
    _activity, (shift_id,) = clinic
    vid = make_volunteer(db, clerk, "蒋无训", availability=0)
    error = refused(db, clerk, shift_id, vid, override_reason="站长同意")
    assert codes(error.problems) == ["missing_training"]  # only the hard ones are listed


# --- cancelling and coming back ----------------------------------------------------------------
def test_cancel_needs_a_reason_frees_the_place_and_reassigning_reuses_the_row(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY, capacity=1)
    first = make_volunteer(db, clerk, "沈先来", availability=SAT_MORNING)
    second = make_volunteer(db, clerk, "韩后到", availability=SAT_MORNING)
    assignment_id = assign(db, clerk, shift_id, first)
    before = snapshot(db)
    with db.session() as session, pytest.raises(ValidationError, match="请填写取消排班的原因"):
        svc.cancel_assignment(session, clerk, assignment_id, "  ")
    assert snapshot(db) == before
    with db.session() as session:
        svc.cancel_assignment(session, clerk, assignment_id, "家中有事")
    with db.session() as session, pytest.raises(ValidationError, match="已经取消过了"):
        svc.cancel_assignment(session, clerk, assignment_id, "再取消一次")
    other = assign(db, clerk, shift_id, second)  # the place is free again
    with db.session() as session:
        svc.cancel_assignment(session, clerk, other, "改去巡逻")
    again = assign(db, clerk, shift_id, first)
    assert again == assignment_id
    with db.session(write=False) as session:
        stored = session.get(Assignment, again)
        assert stored.status == "assigned" and stored.cancel_reason == "" and stored.cancelled_at is None
        summaries = list(session.scalars(
            select(AuditEntry.summary).where(AuditEntry.entity == "assignment", AuditEntry.entity_id == again)
            .order_by(AuditEntry.id)))
    assert [s.split("：")[0] for s in summaries] == ["排班", "取消排班", "重新排班"]


def test_assignments_of_a_done_activity_stay(db, clerk):
    activity_id, (shift_id,) = make_activity(db, clerk, day=DAY)
    vid = make_volunteer(db, clerk, "杨完成", availability=SAT_MORNING)
    assignment_id = assign(db, clerk, shift_id, vid)
    set_activity_status(db, activity_id, "done")
    with db.session() as session, pytest.raises(ValidationError, match="已完成，排班记录不能再更改"):
        svc.cancel_assignment(session, clerk, assignment_id, "补录错误")


def test_the_roster_lists_every_shift_in_order(db, clerk):
    activity_id, (afternoon, morning) = make_activity(db, clerk, day=DAY, shifts=[
        ("下午场", at(DAY, 14), at(DAY, 16), 3), ("上午场", at(DAY, 9), at(DAY, 11), 3)])
    a = make_volunteer(db, clerk, "朱上午", availability=slots((SAT, MORNING), (SAT, AFTERNOON)))
    b = make_volunteer(db, clerk, "秦下午", availability=slots((SAT, MORNING), (SAT, AFTERNOON)), backbone=True)
    assign(db, clerk, afternoon, a)
    assign(db, clerk, morning, a)
    assign(db, clerk, afternoon, b, role="lead")
    with db.session(write=False) as session:
        rows = svc.activity_assignments(session, clerk, activity_id)
    assert [(r.shift_label, r.name, r.role) for r in rows] == [
        ("上午场", "朱上午", "member"), ("下午场", "秦下午", "lead"), ("下午场", "朱上午", "member")]


# --- permissions and records -------------------------------------------------------------------
def test_a_viewer_may_look_but_not_assign(db, clerk, viewer, clinic, nurse):
    activity_id, (shift_id,) = clinic
    assert check(db, viewer, shift_id, nurse) == []
    before = snapshot(db)
    with pytest.raises(PermissionDenied):
        assign(db, viewer, shift_id, nurse)
    assert snapshot(db) == before
    with db.session(write=False) as session:
        assert svc.shift_overview(session, viewer, activity_id).title == "健康义诊"


def test_unknown_shift_and_volunteer(db, clerk, clinic, nurse):
    with pytest.raises(NotFound, match="找不到这个班次"):
        check(db, clerk, 999_999, nurse)
    with pytest.raises(NotFound, match="找不到这名志愿者"):
        check(db, clerk, clinic[1][0], 999_999)


# --- two clerks at once ------------------------------------------------------------------------
def _race(db, clerk, jobs) -> tuple[list[int], list[BaseException]]:
    done: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def run(shift_id: int, volunteer_id: int) -> None:
        try:
            barrier.wait()
            done.append(assign(db, clerk, shift_id, volunteer_id))
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return done, errors


def test_clerks_at_once_cannot_overfill_a_shift(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY, capacity=2)
    volunteers = [make_volunteer(db, clerk, f"志愿者{n}", availability=SAT_MORNING) for n in "一二三四五六"]
    done, errors = _race(db, clerk, [(shift_id, v) for v in volunteers])
    assert len(done) == 2
    assert len(errors) == 4 and all(isinstance(e, svc.AssignmentRefused) for e in errors)
    assert all(codes(e.problems) == ["shift_full"] for e in errors)


def test_clerks_at_once_cannot_double_book_a_volunteer(db, clerk, nurse):
    shifts = [make_activity(db, clerk, title=f"活动{n}", day=DAY, hours=(9, 11))[1][0] for n in range(4)]
    done, errors = _race(db, clerk, [(s, nurse) for s in shifts])
    assert len(done) == 1
    assert len(errors) == 3 and all(codes(e.problems) == ["overlap"] for e in errors)
