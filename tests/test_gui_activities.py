"""The 活动排班 tab driven through its own buttons and dialogs, answered as a person would."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from station_app.models import Activity, AuditEntry, TrainingSession
from station_app.services import activities as svc
from station_app.ui.common import AppContext
from station_app.ui.qt import QMessageBox, Qt, QTime
from station_app.ui.schedule.activities import ActivitiesPage, CancelDialog, DetailDialog, RosterPathDialog
from station_app.ui.schedule.activity_dialog import ActivityDialog
from station_app.ui.schedule.festival_dialog import FestivalDialog
from station_app.ui.schedule.series_dialog import SeriesDialog
from station_app.ui.schedule.tab import ScheduleTab

from .conftest import setup_station
from .test_activities import add_to_group, put_on_shift, volunteer
from .test_projects import key_group, make_recipient, menu_item

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

DAY = date.today() + timedelta(days=20)


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


def answer(monkeypatch, dialog_class, act):
    """Replace a dialog's exec() with a person filling it in; act returns the dialog's result."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def count(ctx, model=Activity) -> int:
    with ctx.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def cells(page: ActivitiesPage) -> list[list[str]]:
    model = page.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def shift_cells(page: ActivitiesPage) -> list[list[str]]:
    t = page.shifts_table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def fill_basics(dialog: ActivityDialog, day: date = DAY) -> None:
    assert dialog.select_item("健康义诊")
    dialog.title.setText("敬老院义诊")
    dialog.place.setText("康华花园会所")
    dialog.set_day(day)
    dialog.starts.setTime(QTime(9, 0))
    dialog.ends.setTime(QTime(12, 0))
    dialog.lead.setText("林社工")


def test_create_an_activity_with_two_shifts(qtbot, ctx, monkeypatch):
    page = ActivitiesPage(ctx)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 0 and not page.edit_button.isEnabled()

    def schedule(dialog: ActivityDialog) -> int:
        fill_basics(dialog)
        # The category follows the menu item; its training requirement is offered.
        assert dialog.category.currentText() == "便民行动" and not dialog.category.isEnabled()
        assert dialog.training.currentText() == "须参加过岗前培训"
        assert dialog.skills.text() == "医疗护理"
        # The single shift followed the activity's times.
        assert dialog.shift_table.row_values(0)[1:3] == (time(9), time(12))
        dialog.shift_table.set_row(0, label="上午一班", end=time(10, 30), capacity=3)
        row = dialog.shift_table.add_row()
        dialog.shift_table.set_row(row, label="上午二班", start=time(10, 30), end=time(12), capacity=2)
        assert dialog.shift_table.total.text() == "共 2 个班次，需要志愿者 5 人"
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, ActivityDialog, schedule)
    page.add_button.click()
    [row] = cells(page)
    assert row[1] == "敬老院义诊" and row[2] == "便民行动" and row[4] == "0/5" and row[7] == "计划"
    assert row[0].startswith(DAY.isoformat()) and row[0].endswith("09:00–12:00")
    assert shift_cells(page) == [["上午一班", "09:00–10:30", "3", "0", ""], ["上午二班", "10:30–12:00", "2", "0", ""]]
    assert "上岗要求：岗前培训" in page.summary.text()


def test_bad_input_is_refused_in_the_red_line_and_nothing_is_saved(qtbot, ctx):
    dialog = ActivityDialog(ctx)
    qtbot.addWidget(dialog)
    fill_basics(dialog)
    audit_before = count(ctx, AuditEntry)
    dialog.ends.setTime(QTime(8, 0))
    dialog.accept()
    assert "早于开始时间" in dialog.error.text() and dialog.result() == 0
    dialog.ends.setTime(QTime(12, 0))
    dialog.shift_table.set_row(0, start=time(8), end=time(10))
    dialog.accept()
    assert dialog.error.text().startswith("班次“第 1 个班次”（") and "超出了活动时间" in dialog.error.text()
    assert dialog.side.currentWidget() is dialog.shift_table  # the shifts tab is brought forward
    dialog.shift_table.set_row(0, start=time(9), end=time(12), capacity=0)
    dialog.accept()
    assert dialog.error.text() == "班次“第 1 个班次”的名额至少 1 人。"
    yesterday = date.today() - timedelta(days=1)
    dialog.shift_table.set_row(0, capacity=2)
    dialog.set_day(yesterday)
    dialog.accept()
    assert "活动不能安排在过去" in dialog.error.text()
    assert count(ctx) == 0 and count(ctx, AuditEntry) == audit_before
    dialog.set_day(DAY)
    dialog.accept()
    assert dialog.result() == 1 and count(ctx) == 1


def test_weekly_series_then_edit_one_occurrence_only(qtbot, ctx, monkeypatch):
    page = ActivitiesPage(ctx)
    qtbot.addWidget(page)
    first = DAY + timedelta(days=(5 - DAY.weekday()) % 7)  # a Saturday

    def weekly(dialog: SeriesDialog) -> int:
        assert dialog.select_item("社区巡逻")
        dialog.title.setText("周六社区巡逻")
        dialog.place.setText("小区东门")
        dialog.set_day(first)
        # The weekday ticked for the first date follows the date.
        assert [b.isChecked() for b in dialog.weekday_boxes] == [d == 5 for d in range(7)]
        dialog.starts.setTime(QTime(19, 0))
        dialog.ends.setTime(QTime(21, 0))
        dialog.set_rule(weekly=True, weekdays=(5,), last_date=first + timedelta(weeks=3))
        assert dialog.preview.text().startswith("将生成 4 次活动：")
        dialog.set_rule(weekly=True, weekdays=(5,), last_date=first + timedelta(weeks=5))
        assert dialog.preview.text().startswith("将生成 6 次活动：")
        dialog.set_rule(weekly=True, weekdays=(0, 2, 4, 5), last_date=first + timedelta(weeks=60))
        assert "会生成 241 次活动，一次最多 200 次" in dialog.preview.text()
        dialog.accept()  # refused: nothing made
        assert "一次最多 200 次" in dialog.error.text() and count(ctx) == 0
        dialog.set_rule(weekly=True, weekdays=(5,), last_date=first + timedelta(weeks=5))
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, SeriesDialog, weekly)
    page.series_button.click()
    rows = cells(page)
    assert len(rows) == 6 and {r[1] for r in rows} == {"［周期］周六社区巡逻"}
    assert page.status.text() == "已新建周期活动，共 6 次。"
    assert [r[0][:10] for r in rows] == [(first + timedelta(weeks=k)).isoformat() for k in range(6)]

    third = page.rows()[2]
    page.select_activity(third.id)

    def edit(dialog: ActivityDialog) -> int:
        assert dialog.place.text() == "小区东门"
        dialog.place.setText("小区西门")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, ActivityDialog, edit)
    page.edit_button.click()
    assert [r[3] for r in cells(page)] == ["小区东门"] * 2 + ["小区西门"] + ["小区东门"] * 3
    page.select_activity(third.id)
    assert "这一次单独改过" in page.summary.text()


def test_mid_autumn_visit_from_the_template_on_the_right_day_and_in_the_calendar(qtbot, ctx, monkeypatch):
    group = key_group(ctx.db, ctx.actor, "空巢老人")
    members = [make_recipient(ctx.db, ctx.actor, name) for name in ("黄婆婆", "陈伯")]
    for r in members:
        add_to_group(ctx.db, r, group)
    make_recipient(ctx.db, ctx.actor, "张小明")  # not in the key group
    today = date(2024, 9, 1)
    tab = ScheduleTab(ctx, today=today)
    qtbot.addWidget(tab)
    page = tab.activities

    def festival(dialog: FestivalDialog) -> int:
        dialog.festival.setCurrentIndex(dialog.festival.findData("mid_autumn"))
        dialog.group.setCurrentIndex(dialog.group.findData(group))
        assert dialog.festival.currentText() == "中秋（2024-09-17 周二）"
        assert dialog.day_label.text() == "2024-09-17 周二（还有 16 天）"
        assert "空巢老人共 2 位在册服务对象" in dialog.recipients_label.text()
        title = dialog.title_label.text()
        assert "中秋" in title and "空巢老人" in title
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, FestivalDialog, festival)
    page.festival_button.click()
    [row] = page.rows()
    assert row.starts_at.date() == date(2024, 9, 17) and row.festival == "mid_autumn"
    assert "服务对象：陈伯、黄婆婆" in page.summary.text() or "服务对象：黄婆婆、陈伯" in page.summary.text()
    assert "张小明" not in page.summary.text()

    tab.show_page(tab.calendar)
    tab.calendar.view.go_to(date(2024, 9, 17))
    [entry] = tab.calendar.view.entries_on(date(2024, 9, 17))
    assert (entry.kind, entry.id, entry.title) == ("activity", row.id, row.title)
    assert "中秋" in [f.name for f in tab.calendar.view.festivals_on(date(2024, 9, 17))]


def test_calendar_double_clicks_open_the_activity_a_training_or_a_new_one_on_that_day(qtbot, ctx, monkeypatch):
    with ctx.db.session() as session:
        activity_id = svc.create_activity(session, ctx.actor, svc.ActivityInput(
            title="楼道消防检查", starts_at=datetime.combine(DAY, time(14)), ends_at=datetime.combine(DAY, time(16)),
            place="3 栋", category="safety", volunteers_needed=2))
        training = TrainingSession(
            station_id=ctx.actor.station_id, kind="pre_service", topic="义诊岗前培训", trainer="王医生",
            place="会议室", starts_at=datetime.combine(DAY, time(9)), ends_at=datetime.combine(DAY, time(11)),
            credit_minutes=120, capacity=30, version=1)
        session.add(training)
        session.flush()
        training_id = training.id
    tab = ScheduleTab(ctx)
    qtbot.addWidget(tab)
    tab.show_page(tab.calendar)
    view = tab.calendar.view
    view.go_to(DAY)
    assert [e.kind for e in view.entries_on(DAY)] == ["training", "activity"]

    opened: list = []

    def look(dialog: ActivityDialog) -> int:
        opened.append((dialog.activity_id, dialog.day.date().toPython()))
        return 0

    answer(monkeypatch, ActivityDialog, look)
    view.entry_activated.emit("activity", activity_id)
    view.day_activated.emit(DAY + timedelta(days=2))
    assert opened == [(activity_id, DAY), (None, DAY + timedelta(days=2))]

    shown: list = []
    monkeypatch.setattr(DetailDialog, "show_html", classmethod(lambda cls, parent, title, html: shown.append(html)))
    view.entry_activated.emit("training", training_id)
    assert "义诊岗前培训" in shown[0] and "岗前培训" in shown[0] and "王医生" in shown[0]


def test_cancel_delete_and_print_the_roster(qtbot, ctx, monkeypatch, tmp_path: Path):
    with ctx.db.session() as session:
        keep = svc.create_activity(session, ctx.actor, svc.ActivityInput(
            title="敬老院义诊", starts_at=datetime.combine(DAY, time(9)), ends_at=datetime.combine(DAY, time(12)),
            place="康华花园会所", service_item_id=menu_item(ctx.db, ctx.actor, "健康义诊"), volunteers_needed=3,
            lead_social_worker="林社工"))
        drop = svc.create_activity(session, ctx.actor, svc.ActivityInput(
            title="临时加场", starts_at=datetime.combine(DAY, time(14)), ends_at=datetime.combine(DAY, time(15)),
            place="会所", category="help", volunteers_needed=1))
    put_on_shift(ctx.db, keep, 0, volunteer(ctx.db, ctx.actor, "何丽华", "222", "13912340000"), role="lead")
    page = ActivitiesPage(ctx)
    qtbot.addWidget(page)
    page.select_activity(keep)
    assert not page.start_button.isEnabled()  # not started yet
    assert shift_cells(page)[0][4] == "何丽华（带队）"

    target = tmp_path / "roster.pdf"
    monkeypatch.setattr(RosterPathDialog, "ask", classmethod(lambda cls, parent, suggested: str(target)))
    page.print_button.click()
    text = "".join("".join(p.extract_text() for p in PdfReader(str(target)).pages).split())
    assert "敬老院义诊·排班签到表" in text and "何丽华" in text and "带队" in text and "13912340000" not in text
    assert page.status.text().startswith("排班签到表已保存：")

    page.select_activity(drop)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.delete_button.click()
    assert [r.id for r in page.rows()] == [keep]

    page.select_activity(keep)
    monkeypatch.setattr(CancelDialog, "ask_cancel", classmethod(lambda cls, parent, title, series: ("医生临时有事", False)))
    page.cancel_button.click()
    assert cells(page)[0][7] == "已取消"
    assert "（医生临时有事）" in page.summary.text()
    assert not page.edit_button.isEnabled() and not page.cancel_button.isEnabled()
    page.delete_button.click()  # cancelled, nobody on it any more: it may go
    assert count(ctx) == 0


def test_viewer_sees_the_list_but_cannot_change_it(qtbot, sqlite_db):
    from station_app.services.auth import Role

    from .conftest import add_user

    admin = setup_station(sqlite_db)
    viewer = add_user(sqlite_db, admin, "viewer", Role.VIEWER)
    with sqlite_db.session() as session:
        svc.create_activity(session, admin, svc.ActivityInput(
            title="楼道消防检查", starts_at=datetime.combine(DAY, time(14)), ends_at=datetime.combine(DAY, time(16)),
            place="3 栋", category="safety", volunteers_needed=2))
    page = ActivitiesPage(AppContext(db=sqlite_db, actor=viewer))
    qtbot.addWidget(page)
    assert page.model.rowCount() == 1
    assert not any(b.isEnabled() for b in (page.add_button, page.series_button, page.festival_button,
                                           page.edit_button, page.assign_button, page.cancel_button,
                                           page.delete_button))
    assert page.print_button.isEnabled()


def test_assign_button_opens_the_assignment_dialog_and_the_counts_follow(qtbot, ctx, monkeypatch):
    from station_app.services.assignments import assign_volunteer
    from station_app.ui.schedule.assign_dialog import AssignDialog

    with ctx.db.session() as session:
        activity_id = svc.create_activity(session, ctx.actor, svc.ActivityInput(
            title="楼道消防检查", starts_at=datetime.combine(DAY, time(14)), ends_at=datetime.combine(DAY, time(16)),
            place="3 栋", category="safety", volunteers_needed=2))
        shift_id = svc.get_activity(session, ctx.actor, activity_id).shifts[0].id
    volunteer_id = volunteer(ctx.db, ctx.actor, "梁志强", "111")
    page = ActivitiesPage(ctx)
    qtbot.addWidget(page)
    assert cells(page)[0][4] == "0/2"

    def assign(dialog: AssignDialog) -> int:
        assert dialog.activity_id == activity_id
        with ctx.db.session() as session:
            assign_volunteer(session, ctx.actor, shift_id, volunteer_id, override_reason="电话确认过时间")
        return 1

    answer(monkeypatch, AssignDialog, assign)
    page.assign_button.click()
    assert cells(page)[0][4] == "1/2"
    assert shift_cells(page)[0][4] == "梁志强"


def test_the_needs_page_shows_the_activity_serving_a_need(qtbot, ctx):
    from station_app.services.needs import NeedInput, add_need
    from station_app.ui.demand.needs import NeedsPage

    recipient = make_recipient(ctx.db, ctx.actor)
    with ctx.db.session() as session:
        need = add_need(session, ctx.actor, NeedInput(recipient, free_text="陪同就医"))
    dialog = ActivityDialog(ctx, need_ids=[need])
    qtbot.addWidget(dialog)
    fill_basics(dialog)
    assert dialog.needs_hint.text().startswith("已勾选 1 条需求")
    dialog.accept()
    assert dialog.result() == 1
    page = NeedsPage(ctx)
    qtbot.addWidget(page)
    page.status_filter.setCurrentIndex(0)  # 全部状态
    page.refresh()
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]
    row = {h: page.model.index(0, c).data() for c, h in enumerate(headers)}
    assert (row["状态"], row["项目 / 活动"]) == ("已对接", "敬老院义诊")
