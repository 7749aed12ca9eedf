"""Issue 4's whole path through the main window, as station staff would walk it: a 岗前培训 planned,
two volunteers enrolled, attendance marked once it is over (one came, one did not) and seen in the
roster; a 健康义诊 that needs that training, where the trained volunteer is suggested first and the
others are refused by name; a double booking refused naming the first activity; and a 中秋 visit for
the 空巢老人 made from the “我们的节日” template, on its day and in the calendar.

Two clocks are set, through the hooks the app has: the 活动排班 tab is opened "as of" a fixed day
(``ScheduleTab(today=...)``) so the festival date is known in advance, and once the training has been
planned the 培训 tab's clock moves on to the end of that session so its attendance can be marked.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from station_app.models import Activity, Assignment, TrainingEnrolment, TrainingSession, activity_recipients
from station_app.services import catalogue as cat_svc
from station_app.services import recipients as rec_svc
from station_app.services import training as training_svc
from station_app.services import volunteers as vol_svc
from station_app.ui import main_window as main_window_module
from station_app.ui.common import AppContext
from station_app.ui.main_window import MainWindow
from station_app.ui.qt import QDate, QTime
from station_app.ui.rows_model import view_texts
from station_app.ui.schedule.activity_dialog import ActivityDialog
from station_app.ui.schedule.assign_dialog import AssignDialog, VolunteerPickDialog
from station_app.ui.schedule.festival_dialog import FestivalDialog
from station_app.ui.schedule.tab import ScheduleTab
from station_app.ui.training import sessions as sessions_ui
from station_app.ui.training.picker import VolunteerPickerDialog
from station_app.ui.training.sessions import AttendanceDialog, SessionDialog

from .conftest import setup_station
from .idnumbers import make_id
from .schedule_factory import MORNING, SAT, future_day, slots

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

SCHEDULE_TODAY = date(2026, 9, 1)  # the 活动排班 tab's "today"
MID_AUTUMN = date(2026, 9, 25)  # 中秋 2026 (农历八月十五), from the almanac — not computed here
TRAINING_DAY = date.today() + timedelta(days=7)
CLINIC_DAY = future_day(SAT, weeks_ahead=2)  # a Saturday after the training
SAT_MORNING = slots((SAT, MORNING))
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def answer(monkeypatch, dialog_class, act):
    """A person filling the dialog in: exec() runs ``act`` instead of a modal loop."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def texts(table) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def column(table, col: int) -> list[str]:
    return [row[col] for row in texts(table)]


def move_clock(monkeypatch, moment: datetime, *modules) -> None:
    """From now on, ``datetime.now()`` in these modules says ``moment`` (time has passed)."""

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment if tz is None else moment.astimezone(tz)

    for module in modules:
        monkeypatch.setattr(module, "datetime", Later)


def assignments(db) -> list[tuple]:
    with db.session(write=False) as session:
        return session.execute(
            select(Activity.title, Assignment.volunteer_id, Assignment.status).join(
                Activity, Activity.id == Assignment.activity_id).order_by(Assignment.id)
        ).all()


def register(db, admin, name: str, seq: str, skills: list[str]) -> int:
    """A volunteer entered on the roster and approved (已注册), free on Saturday mornings."""
    with db.session() as session:
        vid = vol_svc.register_volunteer(session, admin, vol_svc.VolunteerInput(
            name=name, id_number=make_id("442000", "19850315", seq), phone=f"1380000{seq}1", skills=skills,
            availability=SAT_MORNING))
    with db.session() as session:
        vol_svc.review_volunteer(session, admin, vid, approve=True)
    return vid


@pytest.fixture
def window(qtbot, db, monkeypatch):
    admin = setup_station(db)
    people = {
        "李护士": register(db, admin, "李护士", "211", ["医疗护理"]),  # will be trained
        "王新人": register(db, admin, "王新人", "322", ["医疗护理"]),  # enrolled, but will miss the training
        "陈有空": register(db, admin, "陈有空", "433", []),  # never trained; for the double booking
    }
    with db.session(write=False) as session:
        lonely = next(g.id for g in cat_svc.list_key_groups(session, admin) if g.name == "空巢老人")
    households = {}
    with db.session() as session:
        for name, gender, room, phone, groups in (
            ("何婆婆", "女", "301", "13926905678", [lonely]), ("梁伯", "男", "502", "13926901234", [lonely]),
            ("张小明", "男", "101", "13926904321", []),
        ):
            households[name] = rec_svc.create_recipient(session, admin, rec_svc.RecipientInput(
                name=name, gender=gender, birth_date="1942-08-15" if groups else "2015-06-01", building="5栋",
                unit="2单元", room=room, phone=phone, key_group_ids=groups))
    # The 活动排班 tab opened as of a fixed day (its ``today`` hook), so the festival's date is known.
    monkeypatch.setattr(main_window_module, "ScheduleTab", lambda ctx: ScheduleTab(ctx, today=SCHEDULE_TODAY))
    win = MainWindow(AppContext(db=db, actor=admin, station_name="康华花园物业志愿服务站"))
    qtbot.addWidget(win)
    win.people, win.households, win.lonely = people, households, lonely
    return win


def test_train_then_schedule_then_a_festival_visit(window, monkeypatch):
    db = window.ctx.db
    li, wang, chen = (window.people[n] for n in ("李护士", "王新人", "陈有空"))

    # --- 1. 培训: plan a 岗前培训 for next week -------------------------------------------------
    window.tabs.setCurrentWidget(window.training)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "培训"
    sessions = window.training.sessions
    assert sessions.table.rowCount() == 0

    def plan(dialog: SessionDialog) -> int:
        dialog.kind.setCurrentIndex(dialog.kind.findData("pre_service"))
        dialog.topic.setText("健康义诊岗前培训")
        dialog.trainer.setText("梁医生（市人民医院）")
        dialog.place.setText("服务站活动室")
        dialog.day.setDate(QDate(TRAINING_DAY.year, TRAINING_DAY.month, TRAINING_DAY.day))
        dialog.starts.setTime(QTime(9, 0))
        dialog.ends.setTime(QTime(11, 0))
        assert dialog.credit.value() == 2  # the credit follows the length
        dialog.capacity.setValue(20)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, SessionDialog, plan)
    sessions.add_button.click()
    weekday = WEEKDAYS[TRAINING_DAY.weekday()]
    assert texts(sessions.table) == [[f"{TRAINING_DAY.isoformat()}（{weekday}）09:00–11:00", "岗前培训", "健康义诊岗前培训",
                                      "梁医生（市人民医院）", "服务站活动室", "2 小时", "0 / 20", "", "计划"]]
    assert not sessions.attendance_button.isEnabled()  # it has not begun
    assert sessions.attendance_button.toolTip() == "培训开始后才能登记出勤"

    # --- 2. Two volunteers enrolled through the picker -------------------------------------------------
    def enrol(dialog: VolunteerPickerDialog) -> int:
        assert dialog.hint.text() == "找到 3 位已注册志愿者，请勾选。"
        dialog.search.setText("李护士")
        assert dialog.tick(li)
        dialog.search.setText("wxr")  # 王新人 by pinyin initials
        assert dialog.tick(wang)
        dialog.search.setText("")
        assert dialog.chosen_label.text() == "已选 2 人：李护士、王新人"
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, VolunteerPickerDialog, enrol)
    sessions.enrol_button.click()
    assert sorted(column(sessions.enrolments, 0)) == ["李护士", "王新人"]
    assert sessions.enrolments_label.text() == "报名名单：2 / 20 人"
    assert column(sessions.table, 6) == ["2 / 20"]

    # --- 3. The session is over: attendance is marked (one came, one did not) -------------------------
    move_clock(monkeypatch, datetime.combine(TRAINING_DAY, time(11, 30)), training_svc, sessions_ui)
    window.tabs.setCurrentWidget(window.roster)  # a week later, the clerk comes back to the tab
    window.tabs.setCurrentWidget(window.training)
    assert column(sessions.table, 7) == ["待登记"]
    assert sessions.attendance_button.isEnabled()

    def attend(dialog: AttendanceDialog) -> int:
        assert not dialog.is_correction
        dialog.set_attendance("李护士", "present")
        dialog.set_attendance("王新人", "absent")
        assert dialog.summary.text() == "出席 1，迟到 0，缺席 1"
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, AttendanceDialog, attend)
    sessions.attendance_button.click()
    assert {r[0]: (r[3], r[4]) for r in texts(sessions.enrolments)} == {
        "李护士": ("出席", "2 小时"), "王新人": ("缺席", "0 小时")}
    assert texts(sessions.table)[0][7:] == ["1 人到场", "已举行"]
    assert "已到场 1 人（出席和迟到），缺席 1 人" in sessions.summary.text()
    with db.session(write=False) as session:
        assert session.scalar(select(TrainingSession.status)) == "held"
        assert dict(session.execute(select(TrainingEnrolment.volunteer_id, TrainingEnrolment.attendance)).all()) == {
            li: "present", wang: "absent"}
        assert training_svc.trained_volunteer_ids(session, window.ctx.actor.station_id, "pre_service") == {li}

    # The roster shows each one's training history.
    roster = window.roster
    window.tabs.setCurrentWidget(roster)
    assert roster.select_volunteer(li)
    history = roster.detail.toPlainText()
    assert "培训记录" in history and "培训时长合计 2 小时（1 次到场；不计入志愿服务时长）" in history
    assert "已参加：岗前培训" in history
    assert f"{TRAINING_DAY.isoformat()}" in history and "健康义诊岗前培训" in history and "出席" in history
    assert roster.select_volunteer(wang)
    history = roster.detail.toPlainText()
    assert "健康义诊岗前培训" in history and "缺席" in history and "已参加：" not in history

    # --- 4. 活动排班: a 健康义诊, which needs 岗前培训 ----------------------------------------------------
    schedule = window.schedule
    window.tabs.setCurrentWidget(schedule)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "活动排班"
    page = schedule.activities
    assert page.model.rowCount() == 0

    def clinic(dialog: ActivityDialog) -> int:
        assert dialog.select_item("健康义诊")
        assert dialog.training.currentText() == "须参加过岗前培训"  # the menu item's requirement
        assert dialog.skills.text() == "医疗护理" and dialog.title.text() == "健康义诊"
        dialog.place.setText("康华花园会所一楼")
        dialog.set_day(CLINIC_DAY)
        dialog.starts.setTime(QTime(9, 0))
        dialog.ends.setTime(QTime(11, 0))
        dialog.lead.setText("林社工")
        dialog.shift_table.set_row(0, capacity=3)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, ActivityDialog, clinic)
    page.add_button.click()
    clinic_day = f"{CLINIC_DAY.isoformat()}（周六）"
    [row] = view_texts(page.table)
    assert row[1] == "健康义诊" and row[3] == "康华花园会所一楼" and row[4] == "0/3" and row[7] == "计划"
    assert "上岗要求：岗前培训" in page.summary.text()
    clinic_id = page.selected_id()

    # 排班: the trained volunteer is suggested first; the absent and the untrained are refused by name.
    seen: dict[str, str] = {}

    def pick_by_name(name: str, volunteer_id: int):
        def pick(dialog: VolunteerPickDialog) -> int:
            dialog.search.setText(name)
            assert dialog.select_volunteer(volunteer_id)
            dialog.accept()
            return dialog.result()
        answer(monkeypatch, VolunteerPickDialog, pick)

    def arrange_clinic(dialog: AssignDialog) -> int:
        assert dialog.windowTitle() == "排班：健康义诊"
        assert "需要培训：岗前培训" in dialog.header.text()
        assert column(dialog.shifts, 2) == ["0 / 3"]
        assert column(dialog.suggestion_table, 1) == ["李护士"]  # 王新人 (absent) and 陈有空 are not offered
        assert dialog.suggestion_table.item(0, 0).text() == "1"
        reasons = dialog.suggestion_table.item(0, 3).text()
        assert "技能匹配：医疗护理" in reasons and "周六上午有空" in reasons and "已参加岗前培训" in reasons
        assert "缺少要求的培训的志愿者不在推荐之列" in dialog.shift_hint.text()

        pick_by_name("王新人", wang)
        dialog.find_button.click()
        seen["absent"] = dialog.error.text()
        assert assignments(db) == [] and dialog.assigned_table.rowCount() == 0
        pick_by_name("陈有空", chen)
        dialog.find_button.click()
        seen["untrained"] = dialog.error.text()
        assert assignments(db) == [] and dialog.assigned_table.rowCount() == 0

        dialog.suggestion_table.selectRow(0)
        dialog.assign_button.click()
        assert dialog.error.text() == ""
        assert dialog.status.text() == "已安排 李护士（队员）。"
        assert column(dialog.assigned_table, 0) == ["李护士"] and column(dialog.shifts, 2) == ["1 / 3"]
        return 0

    answer(monkeypatch, AssignDialog, arrange_clinic)
    page.assign_button.click()
    assert seen["absent"] == "不能安排：王新人还没有参加过岗前培训，活动“健康义诊”要求先参加岗前培训。"
    assert seen["untrained"] == "不能安排：陈有空还没有参加过岗前培训，活动“健康义诊”要求先参加岗前培训。"
    assert assignments(db) == [("健康义诊", li, "assigned")]
    assert view_texts(page.table)[0][4] == "1/3"
    assert texts(page.shifts_table) == [["全程", "09:00–11:00", "3", "1", "李护士"]]

    # --- 5. A double booking: a patrol the same morning -----------------------------------------------
    def patrol(dialog: ActivityDialog) -> int:
        dialog.category.setCurrentIndex(dialog.category.findData("safety"))
        dialog.title.setText("平安巡逻")
        dialog.place.setText("小区各楼栋")
        dialog.set_day(CLINIC_DAY)
        dialog.starts.setTime(QTime(10, 0))
        dialog.ends.setTime(QTime(12, 0))
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, ActivityDialog, patrol)
    page.add_button.click()
    assert [(r[1], r[4]) for r in view_texts(page.table)] == [("健康义诊", "1/3"), ("平安巡逻", "0/2")]
    patrol_id = page.selected_id()
    assert patrol_id != clinic_id

    def arrange_patrol(dialog: AssignDialog) -> int:
        assert column(dialog.suggestion_table, 1) == ["陈有空", "王新人"]  # 李护士 is busy at the clinic
        pick_by_name("李护士", li)
        dialog.find_button.click()
        seen["double"] = dialog.error.text()
        assert dialog.assigned_table.rowCount() == 0 and len(assignments(db)) == 1
        dialog.suggestion_table.selectRow(0)
        dialog.assign_button.click()
        assert dialog.status.text() == "已安排 陈有空（队员）。"
        return 0

    answer(monkeypatch, AssignDialog, arrange_patrol)
    page.assign_button.click()
    assert seen["double"] == (f"不能安排：李护士在 {clinic_day}09:00–11:00 已排在活动“健康义诊”，与这个班次时间重叠。")
    assert assignments(db) == [("健康义诊", li, "assigned"), ("平安巡逻", chen, "assigned")]
    assert [(r[1], r[4]) for r in view_texts(page.table)] == [("健康义诊", "1/3"), ("平安巡逻", "1/2")]

    # --- 6. 我们的节日: a 中秋 visit for the 空巢老人, from the template -----------------------------------
    def mid_autumn(dialog: FestivalDialog) -> int:
        dialog.festival.setCurrentIndex(dialog.festival.findData("mid_autumn"))
        dialog.group.setCurrentIndex(dialog.group.findData(window.lonely))
        assert dialog.festival.currentText() == "中秋（2026-09-25 周五）"
        assert dialog.group.currentText() == "空巢老人（2 人）"
        assert dialog.day_label.text() == "2026-09-25 周五（还有 24 天）"
        assert dialog.recipients_label.text().startswith("空巢老人共 2 位在册服务对象，全部纳入")
        seen["title"] = dialog.title_label.text()
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, FestivalDialog, mid_autumn)
    page.festival_button.click()
    title = seen["title"]
    assert "中秋" in title and "空巢老人" in title
    assert page.status.text() == "已按节日模板建好慰问活动，可以排班了。"
    festival_row = next(r for r in view_texts(page.table) if r[1] == "［节日］" + title)
    assert festival_row[0].startswith("2026-09-25") and festival_row[2] == "文化行动" and festival_row[7] == "计划"
    summary = page.summary.text()
    assert "我们的节日：中秋 · 空巢老人" in summary
    assert "何婆婆" in summary and "梁伯" in summary and "张小明" not in summary
    festival_id = page.selected_id()
    with db.session(write=False) as session:
        visit = session.get(Activity, festival_id)
        assert (visit.festival, visit.key_group_id, visit.starts_at.date()) == ("mid_autumn", window.lonely, MID_AUTUMN)
        served = set(session.scalars(select(activity_recipients.c.recipient_id)
                                     .where(activity_recipients.c.activity_id == festival_id)))
        assert served == {window.households["何婆婆"], window.households["梁伯"]}

    # The calendar (opening on the tab's "today", September 2026) shows it on 中秋, marked as the festival.
    calendar = schedule.calendar
    schedule.pages.setCurrentWidget(calendar)
    view = calendar.view
    assert view.title_text() == "2026年9月"
    [entry] = view.entries_on(MID_AUTUMN)
    assert (entry.kind, entry.id, entry.title) == ("activity", festival_id, title)
    assert "中秋" in [f.name for f in view.festivals_on(MID_AUTUMN)]
    [cell] = [c for c in view.month_cells if c.day == MID_AUTUMN]
    assert "中秋" in cell.festivals.text()
    assert [cell.entries.item(i).text() for i in range(cell.entries.count())] == [f"{entry.starts_at:%H:%M} {title}"]
