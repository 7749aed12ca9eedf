"""Hour entry and the append-only ledger: every rule refuses with a Chinese message and writes nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from station_app.db import Database
from station_app.errors import PermissionDenied, ValidationError
from station_app.models import AuditEntry, ServiceItem, ServiceRecord, StarAward, Volunteer
from station_app.services import activities as act_svc
from station_app.services import chain, hours
from station_app.services import ledger as svc
from station_app.services.auth import Actor
from station_app.services.suggestions import recent_service_minutes

from .ledger_factory import add_record
from .schedule_factory import add_assignment, at, make_activity, make_volunteer, set_activity_status, set_status

YESTERDAY = date.today() - timedelta(days=1)
LONG_AGO = date.today() - timedelta(days=400)


# --- helpers -------------------------------------------------------------------------------------
def volunteer(db: Database, actor: Actor, name: str, *, registered_on: date = LONG_AGO) -> int:
    vid = make_volunteer(db, actor, name)
    with db.session() as session:
        session.get(Volunteer, vid).registered_on = registered_on
    return vid


def rows(db: Database) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(ServiceRecord))


def counted(db: Database, actor: Actor, vid: int) -> int:
    with db.session(write=False) as session:
        return hours.counted_for(session, actor.station_id, vid)


def line_of(db: Database, actor: Actor, record_id: int) -> hours.LedgerLine:
    with db.session(write=False) as session:
        [line] = hours.ledger_lines(session, actor.station_id, record_ids=[record_id])
    return line


def item_id(db: Database, actor: Actor, name: str = "生活照顾") -> int:
    with db.session(write=False) as session:
        return session.scalar(select(ServiceItem.id).where(ServiceItem.station_id == actor.station_id,
                                                           ServiceItem.name == name))


def single(db: Database, actor: Actor, vid: int | None, start: datetime, end: datetime, minutes: int | None = None,
           **changes) -> int:
    data = svc.SingleInput(volunteer_id=vid, service_item_id=changes.pop("service_item_id", item_id(db, actor)),
                           place="3栋1单元", starts_at=start, ends_at=end, minutes=minutes,
                           served_person="王奶奶", **changes)
    with db.session() as session:
        return svc.record_single(session, actor, data)


def refused(db: Database, call, *phrases: str) -> str:
    """``call(session)`` is refused with a message containing every phrase, and no ledger row is written."""
    before = rows(db)
    with pytest.raises(ValidationError) as exc, db.session() as session:
        call(session)
    assert rows(db) == before
    for phrase in phrases:
        assert phrase in exc.value.message, exc.value.message
    return exc.value.message


def finished_activity(db: Database, actor: Actor, vids: list[int], *, day: date = YESTERDAY,
                      title: str = "楼道清洁日") -> tuple[int, list[int]]:
    """An activity yesterday 09:00–11:00 with these volunteers assigned; returns (id, assignment ids)."""
    activity_id, (shift_id,) = make_activity(db, actor, title=title, day=day, hours=(9, 11), place="小区中心广场")
    return activity_id, [add_assignment(db, activity_id, shift_id, vid) for vid in vids]


# --- the hour arithmetic -------------------------------------------------------------------------
@given(start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
       length=st.integers(min_value=0, max_value=24 * 60 * 2))
def test_minutes_are_the_span_down_to_the_quarter_hour(start, length):
    start = start.replace(second=0, microsecond=0)
    minutes = svc.default_minutes(start, start + timedelta(minutes=length))
    assert minutes % 15 == 0
    assert 0 <= minutes <= length
    assert length - minutes < 15


@given(length=st.integers(min_value=1, max_value=24 * 60), given_minutes=st.integers(min_value=-60, max_value=1500))
def test_given_minutes_are_accepted_only_in_quarters_within_the_span(length, given_minutes):
    now = datetime(2026, 6, 1, 12, 0)
    start = now - timedelta(hours=30)
    checker = svc._Checker(None, 1, now, {})  # times only: no database needed
    try:
        _s, _e, minutes = checker.check_times("甲", start, start + timedelta(minutes=length), given_minutes)
    except ValidationError as exc:
        assert given_minutes <= 0 or given_minutes % 15 or given_minutes > length, exc.message
    else:
        assert minutes == given_minutes and 0 < minutes <= length and minutes % 15 == 0


# --- activity sheets and batches -----------------------------------------------------------------
def test_the_sheet_prefills_shift_times_and_locks_recorded_rows(db, clerk):
    a, b = volunteer(db, clerk, "安一"), volunteer(db, clerk, "白二")
    activity_id, (assign_a, assign_b) = finished_activity(db, clerk, [a, b])
    with db.session(write=False) as session:
        sheet = svc.activity_entry_sheet(session, clerk, activity_id)
        listed = svc.finished_activities(session, clerk)
    assert [r.name for r in sheet.rows] == ["安一", "白二"]
    assert sheet.rows[0].starts_at == at(YESTERDAY, 9) and sheet.rows[0].default_minutes == 120
    assert not any(r.locked for r in sheet.rows) and sheet.organiser == "康华花园物业志愿服务站"
    assert [(f.id, f.progress) for f in listed] == [(activity_id, "待登记")]
    with db.session() as session:
        svc.record_activity_hours(session, clerk, activity_id, [
            svc.EntryLine(a, assign_a, "present", evaluation="excellent", evaluation_note="主动带新人"),
            svc.EntryLine(b, assign_b, "absent"),
        ])
    with db.session(write=False) as session:
        sheet = svc.activity_entry_sheet(session, clerk, activity_id)
        listed = svc.finished_activities(session, clerk)
    locked = {r.name: r.recorded for r in sheet.rows}
    assert locked["安一"].minutes == 120 and locked["安一"].status == "counted" and locked["白二"] is None
    assert listed[0].progress == "已登记 1 人"


def test_a_batch_records_present_and_late_with_everything_the_rules_ask(db, clerk):
    a, b, c = volunteer(db, clerk, "安一"), volunteer(db, clerk, "白二"), volunteer(db, clerk, "陈三")
    activity_id, (assign_a, assign_b, assign_c) = finished_activity(db, clerk, [a, b, c])
    with db.session() as session:
        ids = svc.record_activity_hours(session, clerk, activity_id, [
            svc.EntryLine(a, assign_a, "present"),
            svc.EntryLine(b, assign_b, "late", starts_at=at(YESTERDAY, 9, 40), evaluation="pass"),
            svc.EntryLine(c, assign_c, "absent"),
        ], "签到表已核对")
    assert len(ids) == 2 and rows(db) == 2
    assert (counted(db, clerk, a), counted(db, clerk, b), counted(db, clerk, c)) == (120, 75, 0)  # 80 min → 1.25 h
    with db.session(write=False) as session:
        record = session.get(ServiceRecord, ids[1])
        assert (record.content, record.category, record.place, record.organiser) == (
            "楼道清洁日", "帮扶行动", "小区中心广场", "康华花园物业志愿服务站")
        assert (record.attendance, record.evaluation, record.recorder_name, record.reason) == (
            "late", "pass", "clerk", "签到表已核对")
        assert record.assignment_id == assign_b and record.activity_id == activity_id and record.entered_at
        assert chain.verify_chain(session, clerk.station_id).ok
        summaries = session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "service_record")).all()
    assert len(summaries) == 2 and "白二" in summaries[1]


def test_a_walk_in_is_recorded_with_the_activitys_times(db, clerk):
    a, walk_in = volunteer(db, clerk, "安一"), volunteer(db, clerk, "吴临时")
    activity_id, (assign_a,) = finished_activity(db, clerk, [a])
    with db.session() as session:
        [rid] = svc.record_activity_hours(session, clerk, activity_id, [
            svc.EntryLine(a, assign_a, "absent"), svc.EntryLine(walk_in, None, "present", ends_at=at(YESTERDAY, 10)),
        ])
    line = line_of(db, clerk, rid)
    assert (line.assignment_id, line.activity_id, line.minutes) == (None, activity_id, 60)
    with db.session(write=False) as session:
        sheet = svc.activity_entry_sheet(session, clerk, activity_id)
    assert [(r.name, r.shift_label, r.locked) for r in sheet.rows] == [("安一", "全程", False), ("吴临时", "临时参加", True)]
    # Someone on the roster is entered on their own row, not again as a walk-in.
    refused(db, lambda s: svc.record_activity_hours(s, clerk, activity_id, [svc.EntryLine(a, None)]), "安一", "有排班")


def test_one_bad_line_refuses_the_whole_batch_naming_the_volunteer(db, clerk):
    a, b = volunteer(db, clerk, "安一"), volunteer(db, clerk, "白二")
    activity_id, (assign_a, assign_b) = finished_activity(db, clerk, [a, b])
    refused(db, lambda s: svc.record_activity_hours(s, clerk, activity_id, [
        svc.EntryLine(a, assign_a, "present"), svc.EntryLine(b, assign_b, "present", minutes=150),
    ]), "白二", "超过了实际服务时间")
    refused(db, lambda s: svc.record_activity_hours(s, clerk, activity_id, [
        svc.EntryLine(a, assign_a, "present"), svc.EntryLine(b, assign_b, "present", minutes=50),
    ]), "白二", "按刻钟计")
    # The same volunteer twice in one batch, at overlapping times.
    walk_in = volunteer(db, clerk, "吴临时")
    refused(db, lambda s: svc.record_activity_hours(s, clerk, activity_id, [
        svc.EntryLine(walk_in, None), svc.EntryLine(walk_in, None, starts_at=at(YESTERDAY, 10)),
    ]), "吴临时", "重叠")


def test_an_assignment_is_recorded_once_and_only_after_the_activity_ended(db, clerk):
    a = volunteer(db, clerk, "安一")
    activity_id, (assign_a,) = finished_activity(db, clerk, [a])
    with db.session() as session:
        svc.record_activity_hours(session, clerk, activity_id, [svc.EntryLine(a, assign_a)])
    refused(db, lambda s: svc.record_activity_hours(s, clerk, activity_id, [svc.EntryLine(a, assign_a)]),
            "安一", "已经登记过了")
    later, (later_assign,) = finished_activity(db, clerk, [a], day=date.today() + timedelta(days=3))
    refused(db, lambda s: svc.record_activity_hours(s, clerk, later, [svc.EntryLine(a, later_assign)]), "结束后才能登记")
    set_activity_status(db, activity_id, "cancelled")
    refused(db, lambda s: svc.activity_entry_sheet(s, clerk, activity_id), "已取消")


def test_a_viewer_may_not_record(db, admin, viewer):
    a = volunteer(db, admin, "安一")
    with pytest.raises(PermissionDenied), db.session() as session:
        svc.record_single(session, viewer, svc.SingleInput(a, item_id(db, admin), "3栋", at(YESTERDAY, 9),
                                                           at(YESTERDAY, 10)))


# --- single records and the rules ----------------------------------------------------------------
def test_a_single_record_carries_the_menu_item_place_and_person_served(db, clerk):
    a = volunteer(db, clerk, "安一")
    rid = single(db, clerk, a, at(YESTERDAY, 14), at(YESTERDAY, 15, 50), evaluation="excellent")
    with db.session(write=False) as session:
        r = session.get(ServiceRecord, rid)
        assert (r.content, r.category, r.place, r.served_person, r.organiser, r.minutes, r.delta_minutes) == (
            "生活照顾", "帮扶行动", "3栋1单元", "王奶奶", "康华花园物业志愿服务站", 105, 105)
        assert (r.activity_id, r.service_date, r.evaluation) == (None, YESTERDAY, "excellent")


@pytest.mark.parametrize(("case", "phrases"), [
    ("zero", ("时长必须大于 0",)),
    ("not_quarter", ("按刻钟计",)),
    ("over_span", ("超过了实际服务时间",)),
    ("end_before_start", ("结束须晚于开始",)),
    ("future", ("不能登记将来",)),
    ("over_a_day", ("不能超过 24 小时",)),
    ("too_short", ("不足 15 分钟",)),
    ("no_item", ("请选择服务项目",)),
])
def test_each_time_rule_refuses_naming_the_volunteer(db, clerk, case, phrases):
    a = volunteer(db, clerk, "安一")
    start = at(YESTERDAY, 9)
    args = {
        "zero": (start, start + timedelta(hours=1), 0),
        "not_quarter": (start, start + timedelta(hours=1), 50),
        "over_span": (start, start + timedelta(hours=1), 75),
        "end_before_start": (start, start - timedelta(hours=1), None),
        "future": (datetime.now() + timedelta(hours=1), datetime.now() + timedelta(hours=2), None),
        "over_a_day": (start - timedelta(days=2), start, 60),
        "too_short": (start, start + timedelta(minutes=10), None),
        "no_item": (start, start + timedelta(hours=1), None),
    }[case]
    extra = {"service_item_id": None} if case == "no_item" else {}
    message = refused(db, lambda s: svc.record_single(s, clerk, svc.SingleInput(
        a, extra.get("service_item_id", item_id(db, clerk)), "3栋", *args)), *phrases)
    assert "安一" in message


def test_only_registered_volunteers_and_only_after_they_registered(db, clerk):
    a = volunteer(db, clerk, "安一", registered_on=date.today() - timedelta(days=10))
    refused(db, lambda s: svc.record_single(s, clerk, svc.SingleInput(
        a, item_id(db, clerk), "3栋", at(date.today() - timedelta(days=11), 9), at(date.today() - timedelta(days=11), 10))),
        "安一", "注册之前")
    set_status(db, a, "suspended")
    refused(db, lambda s: svc.record_single(s, clerk, svc.SingleInput(
        a, item_id(db, clerk), "3栋", at(YESTERDAY, 9), at(YESTERDAY, 10))), "安一", "暂停", "只有已注册")


def test_no_overlap_with_the_volunteers_other_service(db, clerk):
    a = volunteer(db, clerk, "安一")
    single(db, clerk, a, at(YESTERDAY, 9), at(YESTERDAY, 11))
    refused(db, lambda s: svc.record_single(s, clerk, svc.SingleInput(
        a, item_id(db, clerk), "3栋", at(YESTERDAY, 10, 30), at(YESTERDAY, 12))), "安一", "时间重叠", "生活照顾")
    single(db, clerk, a, at(YESTERDAY, 11), at(YESTERDAY, 12))  # touching is not overlapping
    assert counted(db, clerk, a) == 180


def test_at_most_24_hours_a_day(db, admin):
    a = volunteer(db, admin, "安一")
    day = YESTERDAY - timedelta(days=1)
    single(db, admin, a, at(day, 0), at(day, 12))
    single(db, admin, a, at(day, 12), at(day, 23, 45))
    refused(db, lambda s: svc.record_single(s, admin, svc.SingleInput(
        a, item_id(db, admin), "3栋", at(day, 23, 45), at(day + timedelta(days=1), 0, 30))), "安一", "最多 24 小时")


# --- approval ------------------------------------------------------------------------------------
def test_a_clerks_day_over_the_limit_waits_then_an_administrator_approves(db, admin, clerk):
    a = volunteer(db, clerk, "安一")
    first = single(db, clerk, a, at(YESTERDAY, 7), at(YESTERDAY, 13))  # 6 h: counts
    waiting = single(db, clerk, a, at(YESTERDAY, 14), at(YESTERDAY, 17))  # 9 h that day: waits
    assert line_of(db, clerk, first).status == "counted" and line_of(db, clerk, waiting).status == "pending"
    assert counted(db, clerk, a) == 360
    with db.session(write=False) as session:
        [item] = svc.pending_items(session, admin)
    assert (item.target_id, item.kind_label, item.volunteer_name, item.day_total_minutes) == (waiting, "超额记录", "安一", 540)
    # Its time is taken all the same.
    refused(db, lambda s: svc.record_single(s, clerk, svc.SingleInput(
        a, item_id(db, clerk), "3栋", at(YESTERDAY, 16), at(YESTERDAY, 18))), "时间重叠")
    with pytest.raises(PermissionDenied), db.session() as session:
        svc.decide(session, clerk, waiting, True)
    with db.session() as session:
        svc.decide(session, admin, waiting, True, "活动确实延长")
    assert counted(db, clerk, a) == 540 and line_of(db, clerk, waiting).status == "counted"
    refused(db, lambda s: svc.decide(s, admin, waiting, False, "再看看"), "已经由", "不能重复审批")
    with db.session(write=False) as session:
        assert svc.pending_items(session, admin) == []


def test_an_administrators_own_entry_counts_at_once_and_the_limit_is_configurable(db, admin, clerk):
    a = volunteer(db, admin, "安一")
    big = single(db, admin, a, at(YESTERDAY, 8), at(YESTERDAY, 18))
    assert line_of(db, admin, big).status == "counted" and counted(db, admin, a) == 600
    with pytest.raises(PermissionDenied), db.session() as session:
        svc.set_approval_limit(session, clerk, 240)
    refused(db, lambda s: svc.set_approval_limit(s, admin, 50), "审批线")
    with db.session() as session:
        svc.set_approval_limit(session, admin, 240)
    with db.session(write=False) as session:
        assert svc.get_approval_limit(session, clerk) == 240
        assert session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "update")
                              .order_by(AuditEntry.id.desc())).endswith("4 小时需站长审批")
    b = volunteer(db, clerk, "白二")
    waits = single(db, clerk, b, at(YESTERDAY, 8), at(YESTERDAY, 12, 30))
    assert line_of(db, clerk, waits).status == "pending"


def test_a_rejection_needs_a_note_and_counts_nothing(db, admin, clerk):
    a = volunteer(db, clerk, "安一")
    waiting = single(db, clerk, a, at(YESTERDAY, 8), at(YESTERDAY, 18))
    refused(db, lambda s: svc.decide(s, admin, waiting, False, "  "), "不批准时请填写说明")
    with db.session() as session:
        svc.decide(session, admin, waiting, False, "签到表只有 4 小时")
    line = line_of(db, clerk, waiting)
    assert line.status == "rejected" and counted(db, clerk, a) == 0
    single(db, clerk, a, at(YESTERDAY, 8), at(YESTERDAY, 12))  # a rejected record's time is free again
    assert counted(db, clerk, a) == 240


# --- corrections ---------------------------------------------------------------------------------
def test_a_clerks_correction_waits_then_counts_and_the_original_stays_visible(db, admin, clerk):
    a = volunteer(db, clerk, "安一")
    rid = single(db, clerk, a, at(YESTERDAY, 9), at(YESTERDAY, 12))
    with db.session() as session:
        cid = svc.request_correction(session, clerk, rid, at(YESTERDAY, 9), at(YESTERDAY, 11), 120, "签到表写的是 11 点离开")
    assert counted(db, clerk, a) == 180 and line_of(db, clerk, rid).has_pending_correction
    refused(db, lambda s: svc.request_correction(s, clerk, rid, at(YESTERDAY, 9), at(YESTERDAY, 10), 60, "再改"),
            "已有一条更正在等待审批")
    with db.session(write=False) as session:
        [item] = svc.pending_items(session, admin)
    assert (item.target_id, item.kind_label, item.reason) == (cid, "更正", "签到表写的是 11 点离开")
    assert "3 小时" in item.old_text and "2 小时" in item.new_text
    with db.session() as session:
        svc.decide(session, admin, cid, True)
    line = line_of(db, clerk, rid)
    assert (line.minutes, line.original_minutes, line.counted_minutes, counted(db, clerk, a)) == (120, 180, 120, 120)
    with db.session(write=False) as session:
        history = svc.line_history(session, clerk, rid)
        [row] = svc.ledger_rows(session, clerk, date_from=YESTERDAY)
    assert [h.kind_label for h in history] == ["原始记录", "更正申请", "审批：批准"]
    assert [h.delta_minutes for h in history] == [180, 0, -60] and history[1].text == "签到表写的是 11 点离开"
    assert row.hours_text == "2（原 3）" and row.status_label == "已计入"


def test_correction_rules(db, admin, clerk):
    a = volunteer(db, clerk, "安一")
    rid = single(db, clerk, a, at(YESTERDAY, 9), at(YESTERDAY, 12))
    single(db, clerk, a, at(YESTERDAY, 13), at(YESTERDAY, 14))
    refused(db, lambda s: svc.request_correction(s, clerk, rid, at(YESTERDAY, 9), at(YESTERDAY, 11), 120, " "),
            "请填写更正原因")
    day_before = YESTERDAY - timedelta(days=1)
    message = refused(db, lambda s: svc.request_correction(
        s, clerk, rid, at(day_before, 9), at(day_before, 11), 120, "日期错了"))
    assert message.startswith("更正不能改日期，请作废后重新录入")
    refused(db, lambda s: svc.request_correction(s, clerk, rid, at(YESTERDAY, 9), at(YESTERDAY, 13, 30), 240, "晚走"),
            "安一", "时间重叠")
    refused(db, lambda s: svc.request_correction(s, clerk, rid, at(YESTERDAY, 9), at(YESTERDAY, 12), 180, "没变"),
            "没有要更正的内容")
    refused(db, lambda s: svc.request_correction(s, clerk, rid, at(YESTERDAY, 9), at(YESTERDAY, 11), 150, "多了"),
            "超过了实际服务时间")


def test_a_void_correction_by_an_administrator_takes_effect_at_once(db, admin):
    a = volunteer(db, admin, "安一")
    rid = single(db, admin, a, at(YESTERDAY, 9), at(YESTERDAY, 12))
    with db.session() as session:
        svc.request_correction(session, admin, rid, None, None, 0, "重复录入，作废")
    line = line_of(db, admin, rid)
    assert (line.status, line.counted_minutes, counted(db, admin, a)) == ("void", 0, 0)
    with db.session(write=False) as session:
        assert svc.pending_items(session, admin) == []
        [row] = svc.ledger_rows(session, admin, date_from=YESTERDAY)
    assert row.status_label == "已作废"
    refused(db, lambda s: svc.request_correction(s, admin, rid, at(YESTERDAY, 9), at(YESTERDAY, 10), 60, "恢复"),
            "已作废")
    single(db, admin, a, at(YESTERDAY, 9), at(YESTERDAY, 12))  # the void record's time is free


def test_a_correction_below_a_confirmed_star_level_flags_the_award(db, admin, clerk):
    a = volunteer(db, admin, "安一")
    record_ids = [add_record(db, admin, a, 480, on=date.today() - timedelta(days=k + 2)) for k in range(13)]
    assert counted(db, admin, a) == 104 * 60
    with db.session() as session:
        chain.append(session, admin.station_id, StarAward(
            volunteer_id=a, level=1, minutes_at_award=104 * 60, certificate_no="XJ-2026-0001",
            confirmed_on=date.today(), confirmed_by_id=admin.user_id, confirmed_by_name=admin.display_name))
    day = date.today() - timedelta(days=2)
    with db.session() as session:
        cid = svc.request_correction(session, clerk, record_ids[0], at(day, 9), at(day, 10), 60, "实际只服务了 1 小时")
    with db.session(write=False) as session:
        assert session.scalar(select(StarAward.review_status)) == ""  # a request changes nothing yet
    with db.session() as session:
        svc.decide(session, admin, cid, True, "核实")
    assert counted(db, admin, a) == 97 * 60
    with db.session(write=False) as session:
        award = session.scalar(select(StarAward))
        assert award.review_status == "flagged" and "实际只服务了 1 小时" in award.review_note


# --- what rests on the ledger --------------------------------------------------------------------
def test_an_activity_with_service_records_cannot_be_deleted_or_reopened(db, admin):
    walk_in = volunteer(db, admin, "吴临时")
    activity_id, _assignments = finished_activity(db, admin, [])
    with db.session() as session:
        svc.record_activity_hours(session, admin, activity_id, [svc.EntryLine(walk_in)])
    refused(db, lambda s: act_svc.delete_activity(s, admin, activity_id), "已登记了 1 条服务时长记录")
    set_activity_status(db, activity_id, "done")
    refused(db, lambda s: act_svc.set_status(s, admin, activity_id, "in_progress", "补登"), "已登记了 1 条")


def test_recent_service_minutes_reads_the_ledger(db, admin, clerk):
    a, b, c = volunteer(db, clerk, "安一"), volunteer(db, clerk, "白二"), volunteer(db, clerk, "陈三")
    single(db, clerk, a, at(YESTERDAY, 9), at(YESTERDAY, 11))
    rid = single(db, clerk, b, at(YESTERDAY, 9), at(YESTERDAY, 12))
    with db.session() as session:
        svc.request_correction(session, admin, rid, at(YESTERDAY, 9), at(YESTERDAY, 10), 60, "录多了")
    single(db, clerk, c, at(YESTERDAY, 8), at(YESTERDAY, 18))  # waiting: not counted
    add_record(db, admin, a, 600, on=date.today() - timedelta(days=120))  # too old
    now = datetime.combine(date.today(), time(10))
    with db.session(write=False) as session:
        minutes = recent_service_minutes(session, admin.station_id, now - timedelta(days=90), now)
    assert minutes == {a: 120, b: 60}
