"""The 时长录入 tab driven as station staff would: a finished activity's sheet, walk-ins, single records,
corrections and approvals. Refusals show in red, keep the input and write nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from station_app.models import ServiceRecord
from station_app.services import hours
from station_app.services import ledger as svc
from station_app.services.auth import Role
from station_app.ui.common import AppContext
from station_app.ui.hours.ledger import CorrectionDialog, HistoryDialog
from station_app.ui.hours.pending import DecisionDialog
from station_app.ui.hours.tab import HoursTab
from station_app.ui.qt import QTime
from station_app.ui.training.picker import VolunteerPickerDialog

from .conftest import add_user, setup_station
from .schedule_factory import at
from .test_ledger import YESTERDAY, finished_activity, single, volunteer

pytestmark = pytest.mark.gui
STATION = "康华花园物业志愿服务站"


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name=STATION)


@pytest.fixture
def clerk_ctx(ctx):
    return AppContext(db=ctx.db, actor=add_user(ctx.db, ctx.actor, "clerk", Role.CLERK), station_name=STATION)


def open_tab(qtbot, ctx) -> HoursTab:
    tab = HoursTab(ctx)
    qtbot.addWidget(tab)
    return tab


def answer(monkeypatch, dialog_class, act):
    """Replace a dialog's exec() with a person filling it in; ``act`` returns the dialog's result."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def texts(table) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def ledger_rows(ctx) -> int:
    with ctx.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(ServiceRecord))


def test_enter_a_finished_activity_one_present_one_absent_and_see_the_ledger_line(qtbot, ctx, monkeypatch):
    zhang, li = volunteer(ctx.db, ctx.actor, "张秀英"), volunteer(ctx.db, ctx.actor, "李建国")
    activity_id, _assignments = finished_activity(ctx.db, ctx.actor, [zhang, li], title="中秋敬老慰问")
    tab = open_tab(qtbot, ctx)
    page = tab.activity
    assert texts(page.table)[0][1:5] == ["中秋敬老慰问", "小区中心广场", "2 人", "待登记"]
    assert page.select_activity(activity_id)
    assert [r.name for r in page.entries.lines] == ["李建国", "张秀英"]
    assert page.entries.row_named("张秀英").minutes.value() == 2.0  # the shift's 09:00–11:00, prefilled

    # A refusal names the volunteer and the rule, keeps what was typed, and writes nothing.
    zhang_row = page.entries.row_named("张秀英")
    zhang_row.ends.setTime(QTime(8, 30))
    page.save_button.click()
    assert "张秀英" in page.error.text() and "结束须晚于开始" in page.error.text()
    assert ledger_rows(ctx) == 0 and zhang_row.ends.time() == QTime(8, 30)

    zhang_row.ends.setTime(QTime(10, 50))
    assert zhang_row.minutes.value() == 1.75  # 1 h 50 min, down to the quarter hour
    zhang_row.evaluation.setCurrentIndex(zhang_row.evaluation.findData("excellent"))
    page.entries.row_named("李建国").attendance.setCurrentIndex(2)  # 缺席
    page.save_button.click()
    assert page.error.text() == ""
    assert page.status.text() == "已保存“中秋敬老慰问”：1 人计入时长，1 人缺席。"
    assert ledger_rows(ctx) == 1
    locked = page.entries.row_named("张秀英")
    assert locked.recorded is not None and locked.attendance is None  # in the ledger: shown, no editors
    assert texts(page.entries)[1][5:] == ["1.75 小时", "优秀", "", "已计入（台账第 1 条）"]
    assert texts(page.table)[0][4] == "已登记 1 人"

    tab.show_page(tab.ledger)
    [row] = texts(tab.ledger.table)
    assert row[1].startswith("张秀英") and row[2:8] == ["中秋敬老慰问", "帮扶行动", "小区中心广场", "1.75", "已计入", "陈站长"]

    # The correction dialog refuses a correction without a reason, in red, and writes nothing.
    seen = {}

    def no_reason(dialog: CorrectionDialog) -> int:
        dialog.ends.setTime(QTime(10, 30))
        assert dialog.minutes.value() == 1.5
        dialog.accept()
        seen["error"] = dialog.error.text()
        return dialog.result()

    answer(monkeypatch, CorrectionDialog, no_reason)
    assert tab.ledger.select_record(locked.recorded.record_id)
    tab.ledger.correct_button.click()
    assert seen["error"].startswith("请填写更正原因") and ledger_rows(ctx) == 1

    # With a reason, an administrator's correction takes effect; the history keeps the original.
    def with_reason(dialog: CorrectionDialog) -> int:
        dialog.ends.setTime(QTime(10, 30))
        dialog.reason.setPlainText("签到表显示 10:30 离开")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, CorrectionDialog, with_reason)
    tab.ledger.correct_button.click()
    assert texts(tab.ledger.table)[0][5:7] == ["1.5（原 1.75）", "已计入"]
    history = {}
    answer(monkeypatch, HistoryDialog, lambda dialog: history.setdefault("rows", texts(dialog.table)) and 0)
    tab.ledger.table.doubleClicked.emit(tab.ledger.table.model().index(0, 0))
    assert [(r[1], r[3], r[4]) for r in history["rows"]] == [
        ("原始记录", "1.75 小时", "+1.75"), ("更正申请", "1.5 小时", "0"), ("审批：批准", "", "-0.25")]


def test_a_walk_in_is_added_through_the_picker(qtbot, ctx, monkeypatch):
    zhang, walk_in = volunteer(ctx.db, ctx.actor, "张秀英"), volunteer(ctx.db, ctx.actor, "吴临时")
    activity_id, _assignments = finished_activity(ctx.db, ctx.actor, [zhang])
    tab = open_tab(qtbot, ctx)
    page = tab.activity
    page.select_activity(activity_id)

    def pick(dialog: VolunteerPickerDialog) -> int:
        assert dialog.listed()[zhang] is False  # already on the sheet
        assert dialog.tick(walk_in)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, VolunteerPickerDialog, pick)
    page.walk_in_button.click()
    row = page.entries.row_named("吴临时")
    assert row.assignment_id is None and row.shift_label == "临时参加"
    row.starts.setTime(QTime(10, 0))
    page.save_button.click()
    assert page.status.text().startswith("已保存") and ledger_rows(ctx) == 2
    assert texts(page.entries)[1][:2] == ["吴临时", "临时参加"] and texts(page.entries)[1][5] == "1 小时"


def test_a_single_record_from_the_form(qtbot, ctx, monkeypatch):
    li = volunteer(ctx.db, ctx.actor, "李建国")
    tab = open_tab(qtbot, ctx)
    tab.show_page(tab.single)
    form = tab.single
    form.save_button.click()
    assert form.error.text() == "请选择志愿者。" and ledger_rows(ctx) == 0
    form.set_volunteer(li, "李建国")
    form.item.setCurrentIndex(form.item.findText("帮扶行动 · 生活照顾"))
    form.place.setText("5栋2单元 302")
    form.served.setEditText("王奶奶")
    form.day.setDate(form.day.date().addDays(-1))
    form.starts.setTime(QTime(14, 0))
    form.ends.setTime(QTime(15, 40))
    assert form.minutes.value() == 1.5
    form.save_button.click()
    assert form.error.text() == ""
    assert form.status.text().startswith("已保存：李建国，生活照顾") and "1.5 小时（已计入" in form.status.text()
    with ctx.db.session(write=False) as session:
        [row] = svc.ledger_rows(session, ctx.actor)
    assert (row.line.served_person, row.line.place, row.line.organiser) == ("王奶奶", "5栋2单元 302", STATION)


def test_a_clerks_long_day_waits_and_an_administrator_decides(qtbot, ctx, clerk_ctx, monkeypatch):
    zhang, li = volunteer(ctx.db, ctx.actor, "张秀英"), volunteer(ctx.db, ctx.actor, "李建国")
    long_one = single(ctx.db, clerk_ctx.actor, zhang, at(YESTERDAY, 8), at(YESTERDAY, 18))
    single(ctx.db, clerk_ctx.actor, li, at(YESTERDAY, 7), at(YESTERDAY, 17))

    clerk_tab = open_tab(qtbot, clerk_ctx)
    clerk_tab.show_page(clerk_tab.pending)
    assert len(clerk_tab.pending.items) == 2
    assert not clerk_tab.pending.approve_button.isEnabled() and not clerk_tab.pending.limit.isEnabled()
    assert clerk_tab.pending.read_only_note.isVisibleTo(clerk_tab.pending)

    tab = open_tab(qtbot, ctx)
    tab.show_page(tab.pending)
    page = tab.pending
    assert [r[:3] for r in texts(page.table)] == [["超额记录", "张秀英", YESTERDAY.isoformat()],
                                                  ["超额记录", "李建国", YESTERDAY.isoformat()]]
    answer(monkeypatch, DecisionDialog, lambda dialog: (dialog.accept(), dialog.result())[1])
    page.approve_button.click()
    with ctx.db.session(write=False) as session:
        assert hours.counted_for(session, ctx.actor.station_id, zhang) == 600
    seen = {}

    def reject(dialog: DecisionDialog) -> int:
        dialog.accept()
        seen["error"] = dialog.error.text()
        dialog.note.setPlainText("签到表只有 6 小时")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, DecisionDialog, reject)
    page.reject_button.click()
    assert seen["error"].startswith("不批准时请填写说明")
    assert page.items == [] and page.count_label.text() == "没有待审批的记录"
    assert page.status.text().startswith("已不批准：李建国")
    tab.show_page(tab.ledger)
    statuses = {r[1].split("　")[0]: r[6] for r in texts(tab.ledger.table)}
    assert statuses == {"张秀英": "已计入", "李建国": "未批准"}
    assert long_one


def test_screenshots_of_every_page_and_dialog(qtbot, ctx, clerk_ctx, tmp_path):
    """Pages with realistic data, grabbed for a person to look at (/tmp/shots/hours_*.png)."""
    names = ("张秀英", "李建国", "王美玲", "陈志强")
    vids = [volunteer(ctx.db, ctx.actor, n) for n in names]
    activity_id, _assignments = finished_activity(ctx.db, ctx.actor, vids, title="中秋敬老慰问")
    record = single(ctx.db, clerk_ctx.actor, vids[0], at(YESTERDAY - timedelta(days=1), 14),
                    at(YESTERDAY - timedelta(days=1), 16))
    with ctx.db.session() as session:
        svc.request_correction(session, clerk_ctx.actor, record, at(YESTERDAY - timedelta(days=1), 14),
                               at(YESTERDAY - timedelta(days=1), 15), 60, "签到表显示 15:00 离开")
    tab = open_tab(qtbot, ctx)
    tab.resize(1200, 700)
    tab.activity.select_activity(activity_id)
    shots = {}
    for page, name in ((tab.activity, "activity"), (tab.single, "single"), (tab.ledger, "ledger"),
                       (tab.pending, "pending")):
        tab.show_page(page)
        shots[name] = tab.grab()
    for name, pixmap in shots.items():
        assert not pixmap.isNull()
        pixmap.save(str(tmp_path / f"hours_{name}.png"))
    assert tab.pending.items and tab.ledger.rows
