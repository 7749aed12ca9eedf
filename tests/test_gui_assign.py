"""The 排班 dialog, driven through its own buttons (dialogs answered as a person would)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from station_app.models import Assignment
from station_app.services.auth import Role
from station_app.ui.common import AppContext
from station_app.ui.demand.projects import ReasonDialog
from station_app.ui.schedule import assign_dialog as ui
from station_app.ui.schedule.assign_dialog import AssignDialog, OverrideDialog, VolunteerPickDialog

from .conftest import add_user, setup_station
from .schedule_factory import (
    AFTERNOON,
    MORNING,
    SAT,
    at,
    future_day,
    make_activity,
    make_recipient,
    make_training,
    make_volunteer,
    slots,
)

pytestmark = pytest.mark.gui

DAY = future_day(SAT)
SAT_MORNING = slots((SAT, MORNING))


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


@pytest.fixture
def clinic(ctx):
    """健康义诊 on a Saturday morning for a resident of 3栋, needing 岗前培训 and 医疗护理."""
    resident = make_recipient(ctx.db, ctx.actor, "王阿婆", "3栋")
    return make_activity(ctx.db, ctx.actor, title="健康义诊", day=DAY, hours=(9, 11), capacity=3,
                         required_training="pre_service", skills=["医疗护理"], recipient_ids=[resident])


def open_dialog(qtbot, ctx, activity_id) -> AssignDialog:
    dialog = AssignDialog(ctx, activity_id)
    qtbot.addWidget(dialog)
    return dialog


def column(table, col: int) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]


def stored(ctx) -> list[tuple]:
    with ctx.db.session(write=False) as session:
        return session.execute(
            select(Assignment.volunteer_id, Assignment.role, Assignment.status, Assignment.override_reason)
            .order_by(Assignment.id)
        ).all()


def pick(monkeypatch, volunteer_id) -> None:
    monkeypatch.setattr(VolunteerPickDialog, "ask", classmethod(lambda cls, ctx, title="", parent=None: volunteer_id))


def test_the_untrained_volunteer_is_refused_on_screen_and_the_trained_one_is_suggested_first(
    qtbot, ctx, clinic, monkeypatch
):
    activity_id, (shift_id,) = clinic
    trained = make_volunteer(ctx.db, ctx.actor, "李护士", skills=["医疗护理"], availability=SAT_MORNING, building="3栋")
    untrained = make_volunteer(ctx.db, ctx.actor, "王新人", skills=["医疗护理"], availability=SAT_MORNING,
                               building="3栋")
    make_training(ctx.db, ctx.actor, [trained])
    dialog = open_dialog(qtbot, ctx, activity_id)
    assert "健康义诊" in dialog.header.text() and "岗前培训" in dialog.header.text()
    assert "医疗护理" in dialog.header.text()
    assert column(dialog.shifts, 2) == ["0 / 3"]

    # The untrained volunteer is not suggested; picked by name, they are refused and nothing is saved.
    assert column(dialog.suggestion_table, 1) == ["李护士"]
    pick(monkeypatch, untrained)
    dialog.find_button.click()
    assert "王新人还没有参加过岗前培训" in dialog.error.text()
    assert stored(ctx) == [] and dialog.assigned_table.rowCount() == 0

    # The trained one is first, with her reasons, and clicking 安排 assigns her.
    assert dialog.suggestion_table.item(0, 0).text() == "1"
    reasons = dialog.suggestion_table.item(0, 3).text()
    assert "技能匹配：医疗护理" in reasons and "已参加岗前培训" in reasons and "与服务对象同住3栋" in reasons
    assert not dialog.assign_button.isEnabled()  # nothing chosen yet
    assert not dialog.changed
    dialog.suggestion_table.selectRow(0)
    dialog.assign_button.click()
    assert dialog.error.text() == "" and dialog.changed
    assert stored(ctx) == [(trained, "member", "assigned", "")]
    assert column(dialog.assigned_table, 0) == ["李护士"] and column(dialog.shifts, 2) == ["1 / 3"]
    assert dialog.suggestion_table.rowCount() == 0  # she is on the shift now
    assert dialog.status.text() == "已安排 李护士（队员）。"
    assert shift_id == dialog.current_shift_id()


def test_a_double_booking_is_refused_naming_the_other_activity(qtbot, ctx, monkeypatch):
    busy = make_volunteer(ctx.db, ctx.actor, "冯忙碌", availability=SAT_MORNING)
    free = make_volunteer(ctx.db, ctx.actor, "陈有空", availability=SAT_MORNING)
    patrol, (patrol_shift,) = make_activity(ctx.db, ctx.actor, title="平安巡逻", day=DAY, hours=(8, 10))
    market, _shifts = make_activity(ctx.db, ctx.actor, title="便民集市", day=DAY, hours=(9, 11))
    first = open_dialog(qtbot, ctx, patrol)
    first.assign(busy)
    assert stored(ctx) == [(busy, "member", "assigned", "")]

    dialog = open_dialog(qtbot, ctx, market)
    assert column(dialog.suggestion_table, 1) == ["陈有空"]  # the booked one is not suggested
    pick(monkeypatch, busy)
    dialog.find_button.click()
    assert f"冯忙碌在 {DAY:%Y-%m-%d}（周六）08:00–10:00 已排在活动“平安巡逻”" in dialog.error.text()
    assert len(stored(ctx)) == 1 and dialog.assigned_table.rowCount() == 0
    assert free


def test_a_soft_warning_is_overridden_with_a_reason_that_is_stored(qtbot, ctx, monkeypatch):
    activity_id, _shifts = make_activity(ctx.db, ctx.actor, title="敬老探访", day=DAY, hours=(14, 16))
    vid = make_volunteer(ctx.db, ctx.actor, "郑周末", availability=SAT_MORNING)
    dialog = open_dialog(qtbot, ctx, activity_id)
    warning = "郑周末登记的空闲时间是周六上午，不含这个班次的周六下午。"
    assert column(dialog.suggestion_table, 4) == [warning]
    seen = []

    def answer(cls, parent, problems, reply):
        seen.append([p.message for p in problems])
        return reply

    dialog.suggestion_table.selectRow(0)
    monkeypatch.setattr(OverrideDialog, "ask", classmethod(lambda cls, parent, problems: answer(cls, parent, problems,
                                                                                                None)))
    dialog.assign_button.click()  # asked, then cancelled: nothing saved
    assert stored(ctx) == [] and dialog.status.text() == "没有安排。"
    monkeypatch.setattr(OverrideDialog, "ask", classmethod(
        lambda cls, parent, problems: answer(cls, parent, problems, "本人电话确认下午可以来")))
    dialog.suggestion_table.selectRow(0)
    dialog.assign_button.click()
    assert seen == [[warning], [warning]]
    assert stored(ctx) == [(vid, "member", "assigned", "本人电话确认下午可以来")]
    assert "理由：本人电话确认下午可以来" in dialog.assigned_table.item(0, 4).text()


def test_the_lead_button_and_cancelling_with_a_reason(qtbot, ctx, monkeypatch):
    activity_id, (morning, afternoon) = make_activity(ctx.db, ctx.actor, day=DAY, shifts=[
        ("上午场", at(DAY, 9), at(DAY, 11), 2), ("下午场", at(DAY, 14), at(DAY, 16), 2)])
    backbone = make_volunteer(ctx.db, ctx.actor, "赵骨干", availability=slots((SAT, MORNING), (SAT, AFTERNOON)),
                              backbone=True)
    make_volunteer(ctx.db, ctx.actor, "安普通", availability=SAT_MORNING)
    dialog = open_dialog(qtbot, ctx, activity_id)
    assert column(dialog.shifts, 0) == ["上午场", "下午场"]
    assert column(dialog.suggestion_table, 1)[0] == "赵骨干"
    assert dialog.suggestion_table.item(0, 5).text() == "骨干·建议带队"
    dialog.suggestion_table.selectRow(0)
    dialog.lead_button.click()
    assert stored(ctx) == [(backbone, "lead", "assigned", "")]
    assert column(dialog.shifts, 3) == ["赵骨干", "—"]

    # 取消排班 asks why; an empty answer is refused in the red line, a reason frees the place.
    dialog.assigned_table.selectRow(0)
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: "  "))
    dialog.cancel_button.click()
    assert "请填写取消排班的原因" in dialog.error.text() and stored(ctx)[0][2] == "assigned"
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: "临时出差"))
    dialog.assigned_table.selectRow(0)
    dialog.cancel_button.click()
    assert stored(ctx)[0][2] == "cancelled" and dialog.assigned_table.rowCount() == 0
    assert column(dialog.shifts, 2)[0] == "0 / 2" and dialog.status.text() == "已取消 赵骨干 的排班。"

    # The afternoon shift has its own list: 安普通 is free only in the morning, so comes second with a warning.
    dialog.shifts.selectRow(1)
    assert dialog.current_shift_id() == afternoon != morning
    assert column(dialog.suggestion_table, 1) == ["赵骨干", "安普通"]
    assert "不含这个班次的周六下午" in dialog.suggestion_table.item(1, 4).text()


def test_a_full_shift_and_a_viewer(qtbot, ctx):
    activity_id, _shifts = make_activity(ctx.db, ctx.actor, day=DAY, capacity=1)
    vid = make_volunteer(ctx.db, ctx.actor, "甲一", availability=SAT_MORNING)
    make_volunteer(ctx.db, ctx.actor, "乙二", availability=SAT_MORNING)
    dialog = open_dialog(qtbot, ctx, activity_id)
    dialog.assign(vid)
    assert dialog.suggestion_table.rowCount() == 0 and "班次已满（1/1 人）" in dialog.shift_hint.text()

    viewer = add_user(ctx.db, ctx.actor, "viewer", Role.VIEWER)
    view = open_dialog(qtbot, AppContext(db=ctx.db, actor=viewer), activity_id)
    view.assigned_table.selectRow(0)
    assert column(view.assigned_table, 0) == ["甲一"]
    assert not any(b.isEnabled() for b in (view.assign_button, view.lead_button, view.find_button, view.cancel_button))


def test_the_override_dialog_insists_on_a_reason(qtbot):
    problems = [ui.svc.Problem("outside_availability", False, "郑周末登记的空闲时间是周六上午，不含这个班次的周六下午。")]
    dialog = OverrideDialog(problems)
    qtbot.addWidget(dialog)
    assert "不含这个班次的周六下午" in dialog.warnings.text()
    dialog.accept()
    assert dialog.result() == 0 and "请填写理由" in dialog.error.text()
    dialog.reason.setPlainText("本人确认")
    dialog.accept()
    assert dialog.result() == 1


def test_the_picker_finds_anyone_by_name(qtbot, ctx):
    vid = make_volunteer(ctx.db, ctx.actor, "欧阳申请", approve=False)
    dialog = VolunteerPickDialog(ctx, "健康义诊")
    qtbot.addWidget(dialog)
    assert dialog.note.isHidden()
    dialog.search.setText("欧阳")
    assert dialog.results.count() == 1 and "申请中" in dialog.results.item(0).text()
    dialog.accept()
    assert dialog.saved_id == vid and dialog.result() == 1
    with ctx.db.session(write=False) as session:  # picking saves nothing by itself
        assert session.scalar(select(func.count()).select_from(Assignment)) == 0
