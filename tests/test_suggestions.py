"""Suggested volunteers for a shift: who is left out, the order, and the reasons shown for each rank."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import event

from station_app.models import Need
from station_app.services import assignments as assign_svc
from station_app.services import suggestions as svc

from .ledger_factory import add_record
from .schedule_factory import (
    AFTERNOON,
    MORNING,
    SAT,
    add_assignment,
    at,
    future_day,
    make_activity,
    make_recipient,
    make_training,
    make_volunteer,
    set_activity_status,
    slots,
)

DAY = future_day(SAT)
SAT_MORNING = slots((SAT, MORNING))


def suggest(db, actor, shift_id, **kw) -> list[svc.Suggestion]:
    with db.session(write=False) as session:
        return svc.suggest_volunteers(session, actor, shift_id, **kw)


def names(suggestions) -> list[str]:
    return [s.name for s in suggestions]


def past_service(db, actor, volunteer_ids, *, days_ago: int = 20, hours: int = 2, status: str = "done") -> None:
    """Each volunteer served ``hours`` at an activity ``days_ago`` days back."""
    day = date.today() - timedelta(days=days_ago)
    activity_id, (shift_id,) = make_activity(db, actor, title="往期活动", day=day, hours=(8, 8 + hours),
                                             capacity=len(volunteer_ids) or 1)
    for vid in volunteer_ids:
        add_assignment(db, activity_id, shift_id, vid)
        if status in ("done", "in_progress"):  # what counts is the hours recorded in the ledger
            add_record(db, actor, vid, hours * 60, on=day, start=time(8, 0), activity_id=activity_id)
    set_activity_status(db, activity_id, status)


@pytest.fixture
def clinic(db, clerk):
    """健康义诊 on a Saturday morning for a resident of 3栋: needs 岗前培训 and 医疗护理."""
    resident = make_recipient(db, clerk, "王阿婆", "3栋")
    return make_activity(db, clerk, title="健康义诊", day=DAY, hours=(9, 11), capacity=3,
                         required_training="pre_service", skills=["医疗护理"], recipient_ids=[resident])


def test_the_trained_neighbour_with_the_skill_comes_first_with_her_reasons(db, clerk, clinic):
    _activity, (shift_id,) = clinic
    neighbour = make_volunteer(db, clerk, "李护士", skills=["医疗护理", "心理疏导"], availability=SAT_MORNING,
                               building="3栋")
    skilled = make_volunteer(db, clerk, "周医生", skills=["医疗护理"], availability=SAT_MORNING, building="8栋")
    willing = make_volunteer(db, clerk, "吴热心", skills=["烹饪"], availability=SAT_MORNING, building="8栋")
    untrained = make_volunteer(db, clerk, "郑新人", skills=["医疗护理"], availability=SAT_MORNING, building="3栋")
    busy = make_volunteer(db, clerk, "冯忙碌", skills=["医疗护理"], availability=SAT_MORNING, building="3栋")
    applying = make_volunteer(db, clerk, "陈申请", skills=["医疗护理"], availability=SAT_MORNING, approve=False)
    make_training(db, clerk, [neighbour, skilled, willing, busy, applying])
    make_training(db, clerk, [untrained], attendance="absent")
    _other, (patrol,) = make_activity(db, clerk, title="平安巡逻", day=DAY, hours=(10, 12))
    with db.session() as session:
        assign_svc.assign_volunteer(session, clerk, patrol, busy)

    result = suggest(db, clerk, shift_id)
    assert names(result) == ["李护士", "周医生", "吴热心"]
    first = result[0]
    assert (first.rank, first.volunteer_id, first.warnings) == (1, neighbour, [])
    assert first.reasons == [
        "技能匹配：医疗护理", "周六上午有空", "已参加岗前培训", "与服务对象同住3栋", "近90天服务 0.0 小时（较少）",
    ]
    assert "与服务对象同住3栋" not in result[1].reasons
    assert result[2].warnings == ["吴热心没有登记这个活动需要的技能：医疗护理。"]
    assert result[0].score > result[1].score > result[2].score


def test_outside_their_free_time_they_stay_in_the_list_lower_down_with_a_warning(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY, hours=(14, 16))
    evening = make_volunteer(db, clerk, "晚班甲", availability=slots((SAT, MORNING)))
    afternoon = make_volunteer(db, clerk, "午班乙", availability=slots((SAT, AFTERNOON)))
    result = suggest(db, clerk, shift_id)
    assert [s.volunteer_id for s in result] == [afternoon, evening]
    assert "周六下午有空" in result[0].reasons
    assert result[1].warnings == ["晚班甲登记的空闲时间是周六上午，不含这个班次的周六下午。"]


def test_fewer_recent_hours_come_first(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY)
    busy = make_volunteer(db, clerk, "安忙", availability=SAT_MORNING)  # first by pinyin, but served most
    some = make_volunteer(db, clerk, "白中", availability=SAT_MORNING)
    rested = make_volunteer(db, clerk, "陈闲", availability=SAT_MORNING)
    past_service(db, clerk, [busy, some], hours=2)
    past_service(db, clerk, [busy], days_ago=30, hours=4, status="in_progress")
    # Not counted: planned or cancelled activities, cancelled assignments, and anything older than 90 days.
    past_service(db, clerk, [rested], days_ago=40, status="cancelled")
    past_service(db, clerk, [rested], days_ago=120)
    result = suggest(db, clerk, shift_id)
    assert [s.volunteer_id for s in result] == [rested, some, busy]
    assert [s.recent_minutes for s in result] == [0, 120, 360]
    assert "近90天服务 0.0 小时（较少）" in result[0].reasons
    assert "近90天服务 6.0 小时" in result[2].reasons
    assert result[1].reasons[-1] == "近90天服务 2.0 小时"  # the median is not "fewer"


def test_the_recent_hours_function_can_be_swapped(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY)
    a = make_volunteer(db, clerk, "安一", availability=SAT_MORNING)
    b = make_volunteer(db, clerk, "白二", availability=SAT_MORNING)
    ledger = {a: 600}
    result = suggest(db, clerk, shift_id, recent=lambda session, station, since, until: ledger)
    assert [s.volunteer_id for s in result] == [b, a] and result[1].recent_minutes == 600


def test_backbone_volunteers_are_suggested_as_leads_until_the_shift_has_one(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY)
    member = make_volunteer(db, clerk, "安普通", availability=SAT_MORNING)
    backbone = make_volunteer(db, clerk, "赵骨干", availability=SAT_MORNING, backbone=True)
    other = make_volunteer(db, clerk, "钱骨干", availability=SAT_MORNING, backbone=True)
    result = suggest(db, clerk, shift_id)
    assert [(s.volunteer_id, s.as_lead) for s in result] == [(other, True), (backbone, True), (member, False)]
    assert "骨干，可任带队" in result[0].reasons
    with db.session() as session:
        assign_svc.assign_volunteer(session, clerk, shift_id, other, role="lead")
    result = suggest(db, clerk, shift_id)
    assert [(s.volunteer_id, s.as_lead) for s in result] == [(member, False), (backbone, False)]  # pinyin: an, zhao
    assert "骨干志愿者" in result[1].reasons and "骨干，可任带队" not in result[1].reasons


def test_the_building_counts_through_the_needs_the_activity_serves(db, clerk, viewer):
    activity_id, (shift_id,) = make_activity(db, clerk, day=DAY)
    resident = make_recipient(db, clerk, "刘大爷", "5栋")
    with db.session() as session:
        session.add(Need(station_id=clerk.station_id, recipient_id=resident, free_text="陪同就医", status="matched",
                         raised_on=date.today(), activity_id=activity_id))
    far = make_volunteer(db, clerk, "安远", availability=SAT_MORNING, building="9栋")
    near = make_volunteer(db, clerk, "孙近", availability=SAT_MORNING, building="5栋")
    result = suggest(db, clerk, shift_id)
    assert [s.volunteer_id for s in result] == [near, far]
    assert "与服务对象同住5栋" in result[0].reasons
    # A viewer may not see addresses: the reason stays, the building is not named.
    assert "与服务对象同住一栋楼" in suggest(db, viewer, shift_id)[0].reasons


def test_ties_go_by_name_pinyin_then_id(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY)
    for name in ("陈晨", "白雪", "安然", "安然"):
        make_volunteer(db, clerk, name, availability=SAT_MORNING)
    result = suggest(db, clerk, shift_id)
    assert names(result) == ["安然", "安然", "白雪", "陈晨"]
    assert result[0].volunteer_id < result[1].volunteer_id
    assert [s.rank for s in result] == [1, 2, 3, 4] and len({s.score for s in result}) == 1
    assert names(suggest(db, clerk, shift_id, limit=2)) == ["安然", "安然"]


def test_a_training_at_the_same_time_is_a_warning(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY, hours=(9, 11))
    vid = make_volunteer(db, clerk, "何学员", availability=SAT_MORNING)
    make_training(db, clerk, [vid], kind="skills", topic="急救技能", attendance=None, status="planned",
                  starts_at=at(DAY, 10))
    (only,) = suggest(db, clerk, shift_id)
    assert len(only.warnings) == 1 and "何学员报名了培训“急救技能”" in only.warnings[0]


def test_no_suggestions_for_a_full_closed_or_past_shift(db, clerk):
    activity_id, (shift_id,) = make_activity(db, clerk, day=DAY, capacity=1)
    first = make_volunteer(db, clerk, "安一", availability=SAT_MORNING)
    make_volunteer(db, clerk, "白二", availability=SAT_MORNING)
    assert len(suggest(db, clerk, shift_id)) == 2
    with db.session() as session:
        assign_svc.assign_volunteer(session, clerk, shift_id, first)
    assert suggest(db, clerk, shift_id) == []  # full
    other_id, (other_shift,) = make_activity(db, clerk, title="另一场", day=DAY + timedelta(days=7))
    assert names(suggest(db, clerk, other_shift)) == ["安一", "白二"]
    set_activity_status(db, other_id, "cancelled")
    assert suggest(db, clerk, other_shift) == []
    _past, (past_shift,) = make_activity(db, clerk, title="上周", day=date.today() - timedelta(days=7))
    assert suggest(db, clerk, past_shift) == []


def test_the_number_of_queries_does_not_grow_with_the_volunteers(db, clerk, clinic):
    _activity, (shift_id,) = clinic

    def count_queries() -> tuple[int, int]:
        statements: list[str] = []

        def seen(conn, cursor, statement, *args) -> None:  # noqa: ANN001
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            result = suggest(db, clerk, shift_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        return len(statements), len(result)

    vids = [make_volunteer(db, clerk, f"志愿者{'甲乙'[i]}", skills=["医疗护理"], availability=SAT_MORNING) for i in range(2)]
    make_training(db, clerk, vids)
    few, shown_few = count_queries()
    more = [make_volunteer(db, clerk, f"新志愿者{'子丑寅卯辰巳午未'[i]}", skills=["医疗护理"], availability=SAT_MORNING) for i in range(8)]
    make_training(db, clerk, more)
    many, shown_many = count_queries()
    assert (shown_few, shown_many) == (2, 10)
    assert few == many <= 12


def test_a_long_assignment_that_began_days_before_still_overlaps(db, clerk):
    _activity, (shift_id,) = make_activity(db, clerk, day=DAY, hours=(9, 11))
    camper = make_volunteer(db, clerk, "安露营", availability=SAT_MORNING)
    make_volunteer(db, clerk, "白在家", availability=SAT_MORNING)
    camp, (camp_shift,) = make_activity(db, clerk, title="夏令营", day=DAY, shifts=[
        ("全程", at(DAY - timedelta(days=3), 8), at(DAY + timedelta(days=1), 18), 10)])
    with db.session() as session:
        assign_svc.assign_volunteer(session, clerk, camp_shift, camper, override_reason="营地带队")
    assert names(suggest(db, clerk, shift_id)) == ["白在家"]
    assert camp
