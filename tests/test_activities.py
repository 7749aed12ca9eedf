"""Activities (活动排班): shifts, status, needs, recurring series, festival visits, the calendar.

Refused input must leave the database exactly as it was.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from station_app.db import Database
from station_app.errors import PermissionDenied, StationError, ValidationError
from station_app.models import (
    Activity,
    ActivitySeries,
    Assignment,
    AuditEntry,
    KeyGroup,
    Need,
    NeedStatusChange,
    Recipient,
    ServiceItem,
    Shift,
    Team,
    TrainingSession,
    Volunteer,
)
from station_app.services import activities as svc
from station_app.services.auth import Actor
from station_app.services.needs import NeedFilter, NeedInput, NeedStatus, add_need, list_needs, need_history

from .idnumbers import make_id
from .test_projects import key_group, make_recipient, menu_item

# A day comfortably in the future, at 00:00, so "not in the past" holds whenever the tests run.
DAY = date.today() + timedelta(days=20)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute))


def activity_input(db: Database, actor: Actor, **changes) -> svc.ActivityInput:
    values = dict(
        title="敬老院义诊", starts_at=at(9), ends_at=at(12), place="康华花园会所",
        service_item_id=menu_item(db, actor, "健康义诊"),
        shifts=[svc.ShiftInput(at(9), at(10, 30), 3, "上午一班"), svc.ShiftInput(at(10, 30), at(12), 2, "上午二班")],
        lead_social_worker="林社工",
    )
    values.update(changes)
    return svc.ActivityInput(**values)


def create(db: Database, actor: Actor, data: svc.ActivityInput, **kw) -> int:
    with db.session() as session:
        return svc.create_activity(session, actor, data, **kw)


def detail(db: Database, actor: Actor, activity_id: int) -> svc.ActivityDetail:
    with db.session(write=False) as session:
        return svc.get_activity(session, actor, activity_id)


def count(db: Database, model) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def snapshot(db: Database) -> tuple:
    """What a refused action must leave untouched."""
    with db.session(write=False) as session:
        activities = session.execute(
            select(Activity.id, Activity.title, Activity.starts_at, Activity.ends_at, Activity.status,
                   Activity.volunteers_needed, Activity.version).order_by(Activity.id)
        ).all()
        shifts = session.execute(
            select(Shift.id, Shift.starts_at, Shift.ends_at, Shift.capacity).order_by(Shift.id)
        ).all()
        assignments = session.execute(
            select(Assignment.id, Assignment.starts_at, Assignment.status).order_by(Assignment.id)
        ).all()
        needs = session.execute(select(Need.id, Need.status, Need.activity_id).order_by(Need.id)).all()
    return activities, shifts, assignments, needs, count(db, AuditEntry), count(db, NeedStatusChange)


def volunteer(db: Database, actor: Actor, name: str, seq: str, phone: str = "13800001111") -> int:
    """A registered (已注册) volunteer."""
    with db.session() as session:
        v = Volunteer(
            station_id=actor.station_id, volunteer_no=f"SQ0101-000{seq}", name=name, name_initials=name,
            name_pinyin=name, gender="男", birth_date=date(1980, 1, 1), id_number=make_id("442000", "19800101", seq),
            id_tail=seq, phone=phone, political_status="masses", status="registered",
        )
        session.add(v)
        session.flush()
        return v.id


def put_on_shift(db: Database, activity_id: int, shift_index: int, volunteer_id: int, role: str = "member") -> None:
    """An assignment as the assignment service makes it (times copied from the shift)."""
    with db.session() as session:
        shift = session.scalars(select(Shift).where(Shift.activity_id == activity_id).order_by(Shift.starts_at)).all()[
            shift_index]
        session.add(Assignment(shift_id=shift.id, activity_id=activity_id, volunteer_id=volunteer_id,
                               starts_at=shift.starts_at, ends_at=shift.ends_at, role=role))


def set_item_training(db: Database, item_id: int, kind: str | None) -> None:
    with db.session() as session:
        session.get(ServiceItem, item_id).required_training = kind


def add_to_group(db: Database, recipient_id: int, group_id: int) -> None:
    with db.session() as session:
        recipient = session.get(Recipient, recipient_id)
        recipient.key_groups.append(session.get(KeyGroup, group_id))


# --- creating ------------------------------------------------------------------------------------
def test_activity_with_two_shifts_takes_category_training_and_skills_from_the_menu_item(db, clerk):
    item = menu_item(db, clerk, "健康义诊")
    set_item_training(db, item, "pre_service")
    activity_id = create(db, clerk, activity_input(db, clerk))
    d = detail(db, clerk, activity_id)
    assert (d.title, d.category_label, d.service_item, d.status_label) == ("敬老院义诊", "便民行动", "健康义诊", "计划")
    assert d.required_training == "pre_service" and d.required_training_label == "岗前培训"
    assert [(s.label, s.time_range, s.capacity, s.assigned) for s in d.shifts] == [
        ("上午一班", "09:00–10:30", 3, 0), ("上午二班", "10:30–12:00", 2, 0)]
    assert d.volunteers_needed == 5
    with db.session(write=False) as session:
        item_skills = sorted(s.name for s in session.get(ServiceItem, item).skills)
        [row] = svc.list_activities(session, clerk)
        summaries = list(session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "activity")))
    assert d.skills == item_skills
    assert (row.assigned, row.needed, row.status_label) == (0, 5, "计划")
    assert row.when.endswith("09:00–12:00")
    assert summaries == [f"新建活动：敬老院义诊（{DAY.isoformat()} 09:00）"]


def test_training_and_skills_can_be_changed_from_the_items_defaults(db, clerk):
    set_item_training(db, menu_item(db, clerk, "健康义诊"), "pre_service")
    data = activity_input(db, clerk, required_training=None, skills=["量血压", "急救"])
    d = detail(db, clerk, create(db, clerk, data))
    assert d.required_training is None and d.skills == sorted(["量血压", "急救"])


def test_without_shifts_one_shift_spans_the_activity(db, clerk):
    activity_id = create(db, clerk, activity_input(db, clerk, shifts=[], volunteers_needed=4))
    d = detail(db, clerk, activity_id)
    assert [(s.display_label, s.starts_at, s.ends_at, s.capacity) for s in d.shifts] == [("全程", at(9), at(12), 4)]
    assert d.volunteers_needed == 4


def test_category_without_a_menu_item(db, clerk):
    d = detail(db, clerk, create(db, clerk, activity_input(
        db, clerk, service_item_id=None, category="safety", title="楼道消防检查")))
    assert (d.category_label, d.service_item, d.required_training) == ("平安行动", "", None)


BAD_INPUTS = [
    ({"title": "  "}, "请填写活动名称。"),
    ({"ends_at": at(8)}, "早于开始时间"),
    ({"place": ""}, "请填写活动地点。"),
    ({"shifts": [svc.ShiftInput(at(8), at(10), 2, "早班")]}, "班次“早班”（"),
    ({"shifts": [svc.ShiftInput(at(10), at(9, 30), 2, "早班")]}, "班次“早班”的结束时间 09:30 要晚于开始时间 10:00。"),
    ({"shifts": [svc.ShiftInput(at(9), at(10), 0, "早班")]}, "班次“早班”的名额至少 1 人。"),
    ({"shifts": [], "volunteers_needed": 0}, "请填写需要的志愿者人数"),
    ({"service_item_id": None, "category": None}, "请选择服务菜单项目，或者选择活动类别"),
    ({"service_item_id": 999999}, "所选的服务菜单项目不存在或不属于本站。"),
    ({"project_id": 999999}, "所选的项目不存在或不属于本站。"),
    ({"partner_team_id": 999999}, "所选的合作服务队不存在或不属于本站。"),
    ({"recipient_ids": [999999]}, "所选服务对象（编号 999999）不存在或不属于本站。"),
    ({"need_ids": [999999]}, "所选需求（编号 999999）不存在或不属于本站。"),
    ({"required_training": "swimming"}, "所需培训的类型不对。"),
    ({"lead_social_worker": "林社工2"}, "负责社工中不能有数字"),
    ({"ends_at": at(9) + timedelta(days=8)}, "一次活动最长 7 天"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_INPUTS)
def test_bad_input_is_refused_and_nothing_changes(db, clerk, changes, message):
    before = snapshot(db)
    with pytest.raises(ValidationError) as refused:
        create(db, clerk, activity_input(db, clerk, **changes))
    assert message in refused.value.message
    assert snapshot(db) == before


def test_an_activity_in_the_past_is_refused(db, clerk):
    before = snapshot(db)
    yesterday = date.today() - timedelta(days=1)
    with pytest.raises(ValidationError, match="活动不能安排在过去"):
        create(db, clerk, activity_input(db, clerk, starts_at=at(9, day=yesterday), ends_at=at(12, day=yesterday),
                                         shifts=[], volunteers_needed=2))
    assert snapshot(db) == before


def test_viewer_cannot_schedule(db, viewer):
    with pytest.raises(PermissionDenied):
        create(db, viewer, activity_input(db, viewer))
    assert count(db, Activity) == 0


# --- editing -------------------------------------------------------------------------------------
def test_moving_a_shift_moves_its_assignments(db, clerk):
    activity_id = create(db, clerk, activity_input(db, clerk))
    put_on_shift(db, activity_id, 0, volunteer(db, clerk, "梁志强", "111"))
    d = detail(db, clerk, activity_id)
    data = activity_input(db, clerk, starts_at=at(14), ends_at=at(17), shifts=[
        svc.ShiftInput(at(14), at(15, 30), 3, "下午一班", id=d.shifts[0].id),
        svc.ShiftInput(at(15, 30), at(17), 2, "下午二班", id=d.shifts[1].id),
    ])
    with db.session() as session:
        svc.update_activity(session, clerk, activity_id, data, expected_version=d.version)
    after = detail(db, clerk, activity_id)
    assert [(s.label, s.time_range, s.assigned) for s in after.shifts] == [
        ("下午一班", "14:00–15:30", 1), ("下午二班", "15:30–17:00", 0)]
    with db.session(write=False) as session:
        assert session.execute(select(Assignment.starts_at, Assignment.ends_at)).one() == (at(14), at(15, 30))
    assert after.version > d.version


def test_moving_a_staffed_shift_onto_its_volunteers_other_booking_is_refused(db, clerk):
    clinic = create(db, clerk, activity_input(db, clerk))
    patrol = create(db, clerk, activity_input(db, clerk, title="平安巡逻", service_item_id=None, category="safety",
                                              starts_at=at(14), ends_at=at(16), shifts=[],
                                              volunteers_needed=2))
    busy = volunteer(db, clerk, "梁志强", "111")
    put_on_shift(db, clinic, 0, busy)
    put_on_shift(db, patrol, 0, busy)
    d = detail(db, clerk, clinic)
    before = snapshot(db)
    afternoon = activity_input(db, clerk, starts_at=at(13), ends_at=at(16), shifts=[
        svc.ShiftInput(at(14), at(15, 30), 3, "下午一班", id=d.shifts[0].id),
        svc.ShiftInput(at(13), at(14), 2, "上午二班", id=d.shifts[1].id),
    ])
    with db.session() as session, pytest.raises(ValidationError) as refused:
        svc.update_activity(session, clerk, clinic, afternoon, expected_version=d.version)
    assert refused.value.message.startswith("班次“下午一班”改到 ")
    assert "梁志强会与已排的活动“平安巡逻”" in refused.value.message and "14:00–16:00" in refused.value.message
    assert snapshot(db) == before
    # Moving the empty shift there is fine: nobody on it is booked elsewhere.
    fine = activity_input(db, clerk, starts_at=at(9), ends_at=at(16), shifts=[
        svc.ShiftInput(at(9), at(10, 30), 3, "上午一班", id=d.shifts[0].id),
        svc.ShiftInput(at(14), at(16), 2, "下午班", id=d.shifts[1].id),
    ])
    with db.session() as session:
        svc.update_activity(session, clerk, clinic, fine, expected_version=d.version)


def test_capacity_below_assigned_and_removing_a_busy_shift_are_refused(db, clerk):
    activity_id = create(db, clerk, activity_input(db, clerk))
    put_on_shift(db, activity_id, 0, volunteer(db, clerk, "梁志强", "111"))
    put_on_shift(db, activity_id, 0, volunteer(db, clerk, "何丽华", "222"))
    d = detail(db, clerk, activity_id)
    before = snapshot(db)
    shrink = activity_input(db, clerk, shifts=[
        svc.ShiftInput(at(9), at(10, 30), 1, "上午一班", id=d.shifts[0].id),
        svc.ShiftInput(at(10, 30), at(12), 2, "上午二班", id=d.shifts[1].id),
    ])
    with db.session() as session, pytest.raises(ValidationError) as refused:
        svc.update_activity(session, clerk, activity_id, shrink, expected_version=d.version)
    assert refused.value.message.startswith("班次“上午一班”已经排了 2 人，名额不能少于 2")
    drop = activity_input(db, clerk, shifts=[svc.ShiftInput(at(10, 30), at(12), 2, "上午二班", id=d.shifts[1].id)])
    with db.session() as session, pytest.raises(ValidationError) as refused:
        svc.update_activity(session, clerk, activity_id, drop, expected_version=d.version)
    assert refused.value.message.startswith("班次“上午一班”已经排了 2 人，不能删除")
    assert snapshot(db) == before


def test_an_empty_shift_can_be_removed_and_one_added(db, clerk):
    activity_id = create(db, clerk, activity_input(db, clerk))
    d = detail(db, clerk, activity_id)
    data = activity_input(db, clerk, shifts=[
        svc.ShiftInput(at(9), at(10, 30), 3, "上午一班", id=d.shifts[0].id),
        svc.ShiftInput(at(11), at(12), 4, "收尾"),
    ])
    with db.session() as session:
        svc.update_activity(session, clerk, activity_id, data, expected_version=d.version)
    after = detail(db, clerk, activity_id)
    assert [(s.label, s.capacity) for s in after.shifts] == [("上午一班", 3), ("收尾", 4)]
    assert after.volunteers_needed == 7


def test_a_stale_edit_and_moving_into_the_past_are_refused(db, clerk):
    activity_id = create(db, clerk, activity_input(db, clerk))
    d = detail(db, clerk, activity_id)
    with db.session() as session:
        svc.update_activity(session, clerk, activity_id, activity_input(db, clerk, title="义诊（改）"),
                            expected_version=d.version)
    before = snapshot(db)
    with db.session() as session, pytest.raises(StationError, match="刚被其他人改过"):
        svc.update_activity(session, clerk, activity_id, activity_input(db, clerk), expected_version=d.version)
    yesterday = date.today() - timedelta(days=1)
    past = activity_input(db, clerk, starts_at=at(9, day=yesterday), ends_at=at(12, day=yesterday), shifts=[],
                          volunteers_needed=5)
    with db.session() as session, pytest.raises(ValidationError, match="活动不能改到过去的时间"):
        svc.update_activity(session, clerk, activity_id, past, expected_version=detail(db, clerk, activity_id).version)
    assert snapshot(db) == before


# --- needs and recipients ------------------------------------------------------------------------
def test_needs_served_by_an_activity_are_matched_and_return_when_it_is_cancelled(db, clerk):
    recipient = make_recipient(db, clerk)
    with db.session() as session:
        need = add_need(session, clerk, NeedInput(recipient, service_item_id=menu_item(db, clerk, "健康义诊")))
    activity_id = create(db, clerk, activity_input(db, clerk, need_ids=[need]))
    d = detail(db, clerk, activity_id)
    assert [n.id for n in d.needs] == [need] and d.recipients == [(recipient, "黄婆婆")]
    with db.session(write=False) as session:
        [row] = list_needs(session, clerk, NeedFilter(activity_id=activity_id))
        history = need_history(session, clerk, need)
    assert (row.status, row.activity_title) == (NeedStatus.MATCHED, "敬老院义诊")
    assert history[-1].to_status == NeedStatus.MATCHED and history[-1].activity_title == "敬老院义诊"

    with db.session() as session:
        svc.set_status(session, clerk, activity_id, "cancelled", "医生临时有事")
    with db.session(write=False) as session:
        [row] = list_needs(session, clerk, NeedFilter(recipient_id=recipient))
        history = need_history(session, clerk, need)
    assert (row.status, row.activity_id) == (NeedStatus.PENDING_MATCH, None)
    assert history[-1].reason == "活动“敬老院义诊”已取消：医生临时有事"
    assert history[-1].activity_title == "敬老院义诊"
    assert detail(db, clerk, activity_id).status_label == "已取消"


def test_a_need_already_matched_cannot_be_linked_again_and_unticking_returns_it(db, clerk):
    recipient = make_recipient(db, clerk)
    with db.session() as session:
        need = add_need(session, clerk, NeedInput(recipient, free_text="陪同就医"))
    first = create(db, clerk, activity_input(db, clerk, need_ids=[need]))
    before = snapshot(db)
    with pytest.raises(ValidationError, match="目前是“已对接”"):
        create(db, clerk, activity_input(db, clerk, need_ids=[need]))
    assert snapshot(db) == before
    d = detail(db, clerk, first)
    with db.session() as session:
        svc.update_activity(session, clerk, first, activity_input(db, clerk, need_ids=[]), expected_version=d.version)
    with db.session(write=False) as session:
        assert session.get(Need, need).status == "pending_match"
        assert need_history(session, clerk, need)[-1].reason == "不再由活动“敬老院义诊”服务"


# --- status --------------------------------------------------------------------------------------
def test_status_moves_only_once_started_and_done_is_undone_only_by_an_admin(db, admin, clerk):
    activity_id = create(db, clerk, activity_input(db, clerk))
    with db.session() as session, pytest.raises(ValidationError, match="现在还不能标为开始"):
        svc.set_status(session, clerk, activity_id, "in_progress", now=at(8))
    with db.session() as session:
        svc.set_status(session, clerk, activity_id, "in_progress", now=at(9, 5))
    with db.session() as session:
        svc.set_status(session, clerk, activity_id, "done", now=at(12, 5))
    assert detail(db, clerk, activity_id).status_label == "已完成"
    before = snapshot(db)
    with db.session() as session, pytest.raises(ValidationError, match="只有站长/管理员"):
        svc.set_status(session, clerk, activity_id, "in_progress", "记错了")
    with db.session() as session, pytest.raises(ValidationError, match="已完成，不能取消"):
        svc.set_status(session, admin, activity_id, "cancelled", "不办了")
    with db.session() as session, pytest.raises(ValidationError, match="撤销“已完成”的原因"):
        svc.set_status(session, admin, activity_id, "in_progress", " ")
    assert snapshot(db) == before
    with db.session() as session:
        svc.set_status(session, admin, activity_id, "in_progress", "志愿者签到表还没收齐")
    d = detail(db, clerk, activity_id)
    assert (d.status_label, d.status_reason) == ("进行中", "志愿者签到表还没收齐")


def test_cancelling_needs_a_reason_and_ends_the_assignments(db, clerk):
    activity_id = create(db, clerk, activity_input(db, clerk))
    put_on_shift(db, activity_id, 0, volunteer(db, clerk, "梁志强", "111"))
    before = snapshot(db)
    with db.session() as session, pytest.raises(ValidationError, match="请填写取消活动的原因"):
        svc.set_status(session, clerk, activity_id, "cancelled", "")
    assert snapshot(db) == before
    with db.session() as session:
        svc.set_status(session, clerk, activity_id, "cancelled", "台风停课")
    with db.session(write=False) as session:
        status, reason = session.execute(select(Assignment.status, Assignment.cancel_reason)).one()
    assert (status, reason) == ("cancelled", "活动已取消：台风停课")
    assert detail(db, clerk, activity_id).assigned == 0


# --- deleting ------------------------------------------------------------------------------------
def test_delete_only_what_left_no_trace(db, admin, clerk):
    planned = create(db, clerk, activity_input(db, clerk))
    with db.session() as session:
        svc.delete_activity(session, clerk, planned)
    assert count(db, Activity) == 0 and count(db, Shift) == 0

    busy = create(db, clerk, activity_input(db, clerk))
    put_on_shift(db, busy, 1, volunteer(db, clerk, "梁志强", "111"))
    done = create(db, clerk, activity_input(db, clerk, title="已办完的义诊"))
    with db.session() as session:
        svc.set_status(session, clerk, done, "done", now=at(13))
    recipient = make_recipient(db, clerk)
    with db.session() as session:
        need = add_need(session, clerk, NeedInput(recipient, free_text="陪同就医"))
    served = create(db, clerk, activity_input(db, clerk, title="陪诊", need_ids=[need]))
    with db.session() as session:
        svc.set_status(session, clerk, served, "cancelled", "对象住院")
    before = snapshot(db)
    for activity_id, message in (
        (busy, "已经排了 1 名志愿者，不能删除"),
        (done, "已完成的活动会有服务时长记录，不能删除，只能"),
        (served, "对接过需求"),
    ):
        with db.session() as session, pytest.raises(ValidationError) as refused:
            svc.delete_activity(session, admin, activity_id)
        assert message in refused.value.message
    assert snapshot(db) == before


# --- recurrence ----------------------------------------------------------------------------------
def weekly(first: date, last: date, *days: int, interval: int = 1) -> svc.RecurrenceRule:
    return svc.RecurrenceRule("weekly", first, last, interval=interval, weekdays=days)


def test_rule_dates():
    # 2030-01-05 is a Saturday.
    assert svc.occurrence_dates(weekly(date(2030, 1, 1), date(2030, 1, 31), 5)) == [
        date(2030, 1, 5), date(2030, 1, 12), date(2030, 1, 19), date(2030, 1, 26)]
    assert svc.occurrence_dates(weekly(date(2030, 1, 1), date(2030, 1, 31), 1, 3, interval=2)) == [
        date(2030, 1, 1), date(2030, 1, 3), date(2030, 1, 15), date(2030, 1, 17), date(2030, 1, 29), date(2030, 1, 31)]
    monthly = svc.RecurrenceRule("monthly", date(2030, 1, 31), date(2030, 5, 31), month_day=31)
    assert svc.occurrence_dates(monthly) == [
        date(2030, 1, 31), date(2030, 2, 28), date(2030, 3, 31), date(2030, 4, 30), date(2030, 5, 31)]
    every_2 = svc.RecurrenceRule("monthly", date(2032, 1, 10), date(2032, 12, 31), month_day=29, interval=2)
    assert svc.occurrence_dates(every_2) == [date(2032, m, 29) for m in (1, 3, 5, 7, 9, 11)]
    assert svc.describe_rule("weekly", 2, 0b1010, None, date(2030, 1, 1), date(2030, 1, 31)) == (
        "每 2 周的周二、周四，2030-01-01 至 2030-01-31")


@pytest.mark.parametrize(("rule", "message"), [
    (weekly(date(2030, 1, 1), date(2031, 12, 31), 0, 2, 4), "会生成 313 次活动，一次最多 200 次"),
    (weekly(date(2030, 1, 1), date(2033, 1, 1), 5, interval=4), "重复时间跨度超过 2 年"),
    (weekly(date(2030, 1, 7), date(2030, 1, 9), 5), "不会生成任何活动"),
    (weekly(date(2030, 1, 7), date(2030, 1, 1), 5), "早于第一次的日期"),
    (weekly(date(2030, 1, 7), date(2030, 2, 1)), "请至少选择一天"),
    (svc.RecurrenceRule("monthly", date(2030, 1, 1), date(2030, 6, 1)), "每月重复请填写几号"),
])
def test_bad_rules_are_refused_and_nothing_is_made(db, clerk, rule, message):
    before = snapshot(db)
    with db.session() as session, pytest.raises(ValidationError) as refused:
        svc.create_series(session, clerk, activity_input(db, clerk), rule)
    assert message in refused.value.message
    assert snapshot(db) == before and count(db, ActivitySeries) == 0


def series_input(db, actor, first: date) -> svc.ActivityInput:
    return activity_input(
        db, actor, title="周六社区巡逻", service_item_id=menu_item(db, actor, "社区巡逻"), place="小区东门",
        starts_at=at(19, day=first), ends_at=at(21, day=first),
        shifts=[svc.ShiftInput(at(19, day=first), at(20, day=first), 2, "前半场"),
                svc.ShiftInput(at(20, day=first), at(21, day=first), 2, "后半场")],
    )


def test_weekly_series_makes_each_occurrence_and_one_can_be_edited_alone(db, clerk):
    first = DAY + timedelta(days=(5 - DAY.weekday()) % 7)  # a Saturday
    rule = weekly(first, first + timedelta(weeks=5), 5)
    with db.session() as session:
        ids = svc.create_series(session, clerk, series_input(db, clerk, first), rule)
    assert len(ids) == 6
    with db.session(write=False) as session:
        rows = svc.list_activities(session, clerk)
    assert [r.starts_at for r in rows] == [at(19, day=first + timedelta(weeks=k)) for k in range(6)]
    assert {r.series_id for r in rows} != {None} and len({r.series_id for r in rows}) == 1
    third = detail(db, clerk, ids[2])
    assert [s.time_range for s in third.shifts] == ["19:00–20:00", "20:00–21:00"]
    assert third.series_rule.startswith("每周六，")

    day3 = first + timedelta(weeks=2)
    edited = series_input(db, clerk, day3)
    edited.place = "小区西门"
    edited.shifts = [svc.ShiftInput(at(19, day=day3), at(20, day=day3), 3, "前半场", id=third.shifts[0].id),
                     svc.ShiftInput(at(20, day=day3), at(21, day=day3), 2, "后半场", id=third.shifts[1].id)]
    with db.session() as session:
        svc.update_activity(session, clerk, ids[2], edited, expected_version=third.version)
    details = [detail(db, clerk, i) for i in ids]
    assert [d.place for d in details] == ["小区东门"] * 2 + ["小区西门"] + ["小区东门"] * 3
    assert [d.series_detached for d in details] == [False, False, True, False, False, False]
    assert details[2].volunteers_needed == 5 and details[3].volunteers_needed == 4

    with db.session() as session:
        cancelled = svc.cancel_series_from(session, clerk, ids[3], "巡逻改由物业保安负责")
    assert cancelled == 3
    assert [detail(db, clerk, i).status_label for i in ids] == ["计划"] * 3 + ["已取消"] * 3


def test_monthly_series_on_the_31st_uses_the_last_day_of_short_months(db, clerk):
    first = date(DAY.year + 1, 1, 31)
    rule = svc.RecurrenceRule("monthly", first, date(DAY.year + 1, 4, 30), month_day=31)
    data = activity_input(db, clerk, starts_at=at(9, day=first), ends_at=at(12, day=first), shifts=[],
                          volunteers_needed=3)
    with db.session() as session:
        ids = svc.create_series(session, clerk, data, rule)
    assert [detail(db, clerk, i).starts_at.date() for i in ids] == [
        first, date(first.year, 2, 28 if first.year % 4 else 29), date(first.year, 3, 31), date(first.year, 4, 30)]


# --- festivals -----------------------------------------------------------------------------------
def test_mid_autumn_visit_for_the_empty_nest_elderly_from_the_template(db, clerk):
    group = key_group(db, clerk, "空巢老人")
    members = [make_recipient(db, clerk, name) for name in ("黄婆婆", "陈伯", "李婆婆")]
    for r in members:
        add_to_group(db, r, group)
    with db.session() as session:
        session.get(Recipient, members[2]).active = False  # moved away
    outsider = make_recipient(db, clerk, "张小明")
    with db.session() as session:
        activity_id = svc.create_festival_activity(session, clerk, "mid_autumn", group, today=date(2024, 9, 1))
    d = detail(db, clerk, activity_id)
    assert d.starts_at.date() == date(2024, 9, 17)  # 中秋 2024 (a published date, not computed here)
    assert "中秋" in d.title and "空巢老人" in d.title
    assert sorted(r for r, _n in d.recipients) == sorted(members[:2]) and outsider not in dict(d.recipients)
    assert (d.festival, d.festival_name, d.key_group) == ("mid_autumn", "中秋", "空巢老人")
    assert d.category_label == "文化行动" and len(d.shifts) == 1
    before = snapshot(db)
    with db.session() as session, pytest.raises(ValidationError, match="已经有为“空巢老人”安排的中秋活动了"):
        svc.create_festival_activity(session, clerk, "mid_autumn", group, today=date(2024, 9, 1))
    assert snapshot(db) == before


def test_after_the_festival_the_visit_goes_to_next_year(db, clerk):
    group = key_group(db, clerk, "空巢老人")
    add_to_group(db, make_recipient(db, clerk), group)
    with db.session() as session:
        activity_id = svc.create_festival_activity(session, clerk, "mid_autumn", group, today=date(2024, 9, 18))
        double_ninth = svc.create_festival_activity(session, clerk, "double_ninth", group, today=date(2025, 1, 2))
    assert detail(db, clerk, activity_id).starts_at.date() == date(2025, 10, 6)  # 中秋 2025
    assert detail(db, clerk, double_ninth).starts_at.date() == date(2025, 10, 29)  # 重阳 2025


def test_a_festival_visit_for_an_empty_group_is_refused(db, clerk):
    before = snapshot(db)
    with db.session() as session, pytest.raises(ValidationError, match="“留守儿童”还没有在册的服务对象"):
        svc.create_festival_activity(session, clerk, "mid_autumn", key_group(db, clerk, "留守儿童"),
                                     today=date(2024, 9, 1))
    assert snapshot(db) == before


# --- calendar and roster -------------------------------------------------------------------------
def test_calendar_shows_activities_and_training_sessions_in_range(db, clerk):
    inside = create(db, clerk, activity_input(db, clerk))
    create(db, clerk, activity_input(db, clerk, title="下月的活动", starts_at=at(9, day=DAY + timedelta(days=40)),
                                     ends_at=at(12, day=DAY + timedelta(days=40)), shifts=[], volunteers_needed=1))
    with db.session() as session:
        session.add(TrainingSession(
            station_id=clerk.station_id, kind="pre_service", topic="义诊岗前培训", trainer="王医生", place="会议室",
            starts_at=at(14, day=DAY - timedelta(days=1)), ends_at=at(16, day=DAY - timedelta(days=1)),
            credit_minutes=120, capacity=30,
        ))
    with db.session(write=False) as session:
        entries = svc.calendar_entries(session, clerk, DAY - timedelta(days=3), DAY + timedelta(days=3))
    assert [(e.kind, e.title, e.status_label) for e in entries] == [
        ("training", "义诊岗前培训", "计划"), ("activity", "敬老院义诊", "计划")]
    assert entries[0].detail == "岗前培训 · 会议室"
    assert entries[1].id == inside and entries[1].detail == "康华花园会所 · 已排 0/5 人"


def test_roster_lists_each_shift_with_leads_first_and_masked_phones(db, clerk):
    activity_id = create(db, clerk, activity_input(db, clerk, partner_org="中山市人民医院"))
    with db.session() as session:
        team = Team(station_id=clerk.station_id, name="人民医院医疗队", kind="visiting", org_type="医院",
                    org_name="中山市人民医院")
        session.add(team)
    put_on_shift(db, activity_id, 0, volunteer(db, clerk, "梁志强", "111", "13812345678"))
    put_on_shift(db, activity_id, 0, volunteer(db, clerk, "何丽华", "222", "13912345678"), role="lead")
    with db.session(write=False) as session:
        roster = svc.roster_data(session, clerk, activity_id)
    assert roster.station_name == "康华花园物业志愿服务站"
    assert [(s.label, [(p.name, p.role, p.phone) for p in s.people]) for s in roster.shifts] == [
        ("上午一班", [("何丽华", "lead", "139****5678"), ("梁志强", "member", "138****5678")]),
        ("上午二班", []),
    ]
    assert (roster.lead_social_worker, roster.partner, roster.place) == ("林社工", "中山市人民医院", "康华花园会所")


# --- demo ----------------------------------------------------------------------------------------
def test_demo_schedule_is_a_believable_station_schedule(db):
    from station_app.models import ActivitySeries, User
    from station_app.services.auth import Role
    from station_app.services.demo import build_demo
    from station_app.services.training import backbone_candidates, trained_volunteer_ids

    today = date(2026, 11, 30)
    build_demo(db, volunteers=150, today=today)
    with db.session(write=False) as session:
        user = session.scalar(select(User).where(User.username == "clerk"))
        clerk = Actor(user.id, user.username, user.display_name, Role.CLERK, user.station_id)
        rows = {r.id: r for r in svc.list_activities(session, clerk)}
        done = [r for r in rows.values() if r.status_label == "已完成"]
        assert len(done) >= 20 and all(r.ends_at.date() < today for r in done)
        assert sum(r.assigned for r in done) >= sum(r.needed for r in done) // 2
        assert any(r.status_label == "已取消" for r in rows.values())
        this_month = [r for r in rows.values() if r.status_label == "计划" and r.starts_at.date() <= date(2026, 12, 31)]
        assert len(this_month) >= 5 and any(r.assigned for r in this_month)
        series = list(session.scalars(select(ActivitySeries).order_by(ActivitySeries.first_date)))
        past_patrols, patrols, clinics = ([r for r in rows.values() if r.series_id == s.id] for s in series)
        # The patrol ran every Saturday for 24 weeks (done), and is planned for the next 12.
        assert len(past_patrols) == 24 and all(r.status_label == "已完成" for r in past_patrols)
        assert len(patrols) == 12 and {r.starts_at.weekday() for r in patrols + past_patrols} == {5}
        clinics = [svc.get_activity(session, clerk, r.id) for r in clinics]
        assert len(clinics) == 6 and {c.required_training for c in clinics} == {"pre_service"}
        assert {c.starts_at.day for c in clinics} == {15}
        on_clinic = set(session.scalars(select(Assignment.volunteer_id).where(
            Assignment.activity_id.in_([c.id for c in clinics]), Assignment.status == "assigned")))
        assert on_clinic and on_clinic <= trained_volunteer_ids(session, clerk.station_id, "pre_service")
        # The regulars have grown into backbone candidates (training hours and activities).
        assert backbone_candidates(session, clerk)
        festivals = [svc.get_activity(session, clerk, r.id) for r in rows.values() if r.festival]
        mid_autumn = next(f for f in festivals if f.festival == "mid_autumn")
        assert mid_autumn.starts_at.date() == date(2027, 9, 15)  # 中秋 2027
        assert mid_autumn.key_group == "空巢老人" and mid_autumn.recipients
        partners = {r.partner for r in rows.values()}
        assert {"中山纪念中学青年志愿者服务队", "中山市人民医院医疗志愿服务队"} <= partners
        served = session.scalar(select(func.count()).select_from(NeedStatusChange)
                                .where(NeedStatusChange.activity_id.is_not(None)))
        assert served >= 2
