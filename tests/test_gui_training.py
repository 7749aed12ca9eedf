"""The 培训 tab driven as a person would: plan, enrol, mark attendance, print, the backbone page, the roster."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from station_app.models import TrainingEnrolment, TrainingSession, Volunteer
from station_app.services import training as svc
from station_app.services import volunteers as vol_svc
from station_app.services.auth import Role
from station_app.ui.common import AppContext
from station_app.ui.demand.projects import ReasonDialog
from station_app.ui.qt import QMessageBox, QTime
from station_app.ui.roster.tab import RosterTab
from station_app.ui.training import sessions as sessions_ui
from station_app.ui.training.picker import VolunteerPickerDialog
from station_app.ui.training.sessions import AttendanceDialog, SessionDialog, SigninFileDialog
from station_app.ui.training.tab import TrainingTab

from .conftest import add_user, setup_station
from .test_training import done_activities, volunteer

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


@pytest.fixture
def tab(qtbot, ctx):
    widget = TrainingTab(ctx)
    qtbot.addWidget(widget)
    return widget


def answer(monkeypatch, dialog_class, act):
    """Replace a dialog's exec() with a person filling it in; act returns the dialog's result."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def texts(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def counts(ctx) -> tuple[int, int]:
    with ctx.db.session(write=False) as session:
        return (session.scalar(select(func.count()).select_from(TrainingSession)),
                session.scalar(select(func.count()).select_from(TrainingEnrolment)))


def started_session(ctx, topic: str = "健康义诊岗前培训", capacity: int = 10, hours_ago: int = 1) -> int:
    """A two-hour 岗前培训 that began about an hour ago (planned the day before), so attendance can be marked now.

    It stays within today, so its one-day dialog reads it back as it is whatever the clock says.
    """
    now = datetime.now().replace(second=0, microsecond=0)
    midnight = datetime.combine(now.date(), time())
    start = max(now - timedelta(hours=hours_ago), midnight)
    start = min(start, midnight + timedelta(hours=22) - timedelta(minutes=1))
    with ctx.db.session() as session:
        return svc.create_session(session, ctx.actor, svc.SessionInput(
            kind="pre_service", topic=topic, trainer="梁医生", place="服务站活动室", starts_at=start,
            ends_at=start + timedelta(hours=2), capacity=capacity), now=start - timedelta(days=1))


def test_plan_a_training_through_the_dialog_refusing_an_end_before_its_start(tab, ctx, monkeypatch):
    page = tab.sessions
    assert page.table.rowCount() == 0 and not page.edit_button.isEnabled()
    seen = {}

    def fill(dialog: SessionDialog) -> int:
        dialog.kind.setCurrentIndex(dialog.kind.findData("pre_service"))
        dialog.topic.setText("健康义诊岗前培训")
        dialog.trainer.setText("梁医生（市人民医院）")
        dialog.place.setText("服务站活动室")
        dialog.starts.setTime(QTime(14, 0))
        dialog.ends.setTime(QTime(13, 0))
        dialog.accept()
        seen["refused"] = dialog.error.text()
        assert dialog.result() == 0 and counts(ctx) == (0, 0)
        dialog.ends.setTime(QTime(16, 30))
        assert dialog.credit.value() == 2.5  # follows the length until the user sets it
        dialog.capacity.setValue(2)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, SessionDialog, fill)
    page.add_button.click()
    assert seen["refused"].startswith("结束时间") and "不晚于开始时间" in seen["refused"]
    row = texts(page.table)[0]
    day = date.today() + timedelta(days=7)
    assert row[:7] == [f"{day.isoformat()}（周{'一二三四五六日'[day.weekday()]}）14:00–16:30", "岗前培训",
                       "健康义诊岗前培训", "梁医生（市人民医院）", "服务站活动室", "2.5 小时", "0 / 2"]
    assert row[8] == "计划"
    assert page.selected_id() is not None and page.edit_button.isEnabled()
    assert not page.attendance_button.isEnabled()  # not started yet
    assert "健康义诊岗前培训" in page.summary.text() and "不计入志愿服务时长" in page.summary.text()


def test_enrol_through_the_picker_refusals_change_nothing(tab, ctx, monkeypatch):
    zhang, li, wang = (volunteer(ctx.db, ctx.actor, n) for n in ("张三", "李四", "王五"))
    applying = volunteer(ctx.db, ctx.actor, "张小明", approve=False)
    sid = started_session(ctx, capacity=2)
    tab.sessions.refresh()
    page = tab.sessions
    assert page.select_session(sid)

    def pick(dialog: VolunteerPickerDialog) -> int:
        dialog.search.setText("zs")  # pinyin initials
        assert dialog.listed() == {zhang: True}
        assert dialog.tick(zhang)
        dialog.search.setText("张")
        assert dialog.listed() == {zhang: True, applying: False}  # 申请中: shown greyed, may not be picked
        assert not dialog.tick(applying)
        dialog.search.setText("李四")
        assert dialog.tick(li)
        dialog.search.setText("")
        assert dialog.chosen_ids() == [zhang, li]  # ticks survive a new search
        assert "已选 2 人：张三、李四" == dialog.chosen_label.text()
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, VolunteerPickerDialog, pick)
    page.enrol_button.click()
    assert [r[0] for r in texts(page.enrolments)] == ["李四", "张三"]
    assert page.enrolments_label.text() == "报名名单：2 / 2 人"

    # Full: a third is refused in the picker's red line, and nothing is written.
    refused = {}

    def one_more(dialog: VolunteerPickerDialog) -> int:
        assert dialog.listed()[zhang] is False  # already enrolled: shown, not tickable
        assert dialog.tick(wang)
        dialog.accept()
        refused["text"] = dialog.error.text()
        return dialog.result()

    answer(monkeypatch, VolunteerPickerDialog, one_more)
    page.enrol_button.click()
    assert refused["text"].startswith("名额不够：这次培训 2 个名额已报 2 人，只剩 0 个，这次选了 1 人。")
    assert counts(ctx) == (1, 2)

    # Suspended between ticking and saving: refused by name.
    with ctx.db.session() as session:
        svc.update_session(session, ctx.actor, sid, svc.SessionInput(
            kind="pre_service", topic="健康义诊岗前培训", trainer="梁医生", place="服务站活动室",
            starts_at=page.detail.row.starts_at, ends_at=page.detail.row.ends_at, capacity=5),
            expected_version=page.detail.row.version)
    page.refresh()

    def suspended_meanwhile(dialog: VolunteerPickerDialog) -> int:
        assert dialog.tick(wang)
        with ctx.db.session() as session:
            vol_svc.change_status(session, ctx.actor, wang, vol_svc.Status.SUSPENDED, "外出务工")
        dialog.accept()
        refused["text"] = dialog.error.text()
        return dialog.result()

    answer(monkeypatch, VolunteerPickerDialog, suspended_meanwhile)
    page.enrol_button.click()
    assert refused["text"] == "没有报名任何人：王五目前是“暂停”，只有已注册的志愿者才能报名培训。"
    assert counts(ctx) == (1, 2)


def test_capacity_below_the_enrolled_is_refused_in_the_dialog(tab, ctx, monkeypatch):
    people = [volunteer(ctx.db, ctx.actor, n) for n in ("张三", "李四", "王五")]
    sid = started_session(ctx)
    with ctx.db.session() as session:
        svc.enrol_volunteers(session, ctx.actor, sid, people)
    tab.sessions.refresh()
    seen = {}

    def shrink(dialog: SessionDialog) -> int:
        assert dialog.capacity.value() == 10
        dialog.capacity.setValue(2)
        dialog.accept()
        seen["text"] = dialog.error.text()
        return dialog.result()

    answer(monkeypatch, SessionDialog, shrink)
    tab.sessions.edit_button.click()
    assert seen["text"] == "已有 3 人报名，名额不能少于 3 人。"
    assert texts(tab.sessions.table)[0][6] == "3 / 10"


def test_mark_attendance_then_correct_it_then_see_it_in_the_roster(qtbot, tab, ctx, monkeypatch):
    zhang, li, wang = (volunteer(ctx.db, ctx.actor, n) for n in ("张三", "李四", "王五"))
    sid = started_session(ctx)
    with ctx.db.session() as session:
        svc.enrol_volunteers(session, ctx.actor, sid, [zhang, li, wang])
    page = tab.sessions
    page.refresh()
    assert page.attendance_button.isEnabled()

    def attend(dialog: AttendanceDialog) -> int:
        assert not dialog.is_correction and dialog.table.isColumnHidden(4)
        dialog.set_attendance("李四", "late", 1.5)
        dialog.set_attendance("王五", "absent")
        assert dialog.summary.text() == "出席 1，迟到 1，缺席 1"
        names = [e.name for e in dialog.detail.enrolments]
        assert not dialog.minutes[names.index("张三")].isEnabled()  # 出席 earns the full credit
        assert dialog.minutes[names.index("李四")].isEnabled()
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, AttendanceDialog, attend)
    page.attendance_button.click()
    assert {r[0]: (r[3], r[4]) for r in texts(page.enrolments)} == {
        "张三": ("出席", "2 小时"), "李四": ("迟到", "1.5 小时"), "王五": ("缺席", "0 小时")}
    assert texts(page.table)[0][7] == "2 人到场" and texts(page.table)[0][8] == "已举行"

    # A correction without a reason is refused and changes nothing; with one it is saved.
    seen = {}

    def correct(dialog: AttendanceDialog) -> int:
        assert dialog.is_correction and not dialog.table.isColumnHidden(4)
        dialog.set_attendance("王五", "present")
        dialog.accept()
        seen["no_reason"] = dialog.error.text()
        dialog.reason.setPlainText("核对签到表，王五签了到")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, AttendanceDialog, correct)
    page.attendance_button.click()
    assert seen["no_reason"] == "更正已登记的出勤需要填写原因（会记入操作日志）：王五（缺席 → 出席）。"
    assert {r[0]: r[3] for r in texts(page.enrolments)}["王五"] == "出席"

    # The roster's detail panel shows the volunteer's training history.
    roster = RosterTab(ctx)
    qtbot.addWidget(roster)
    assert roster.select_volunteer(li)
    html = roster.detail.toPlainText()
    assert "培训记录" in html and "培训时长合计 1.5 小时（1 次到场；不计入志愿服务时长）" in html
    assert "岗前培训" in html and "健康义诊岗前培训" in html and "迟到" in html


def test_remove_before_marking_then_not_after(tab, ctx, monkeypatch):
    zhang, li = volunteer(ctx.db, ctx.actor, "张三"), volunteer(ctx.db, ctx.actor, "李四")
    sid = started_session(ctx)
    with ctx.db.session() as session:
        svc.enrol_volunteers(session, ctx.actor, sid, [zhang, li])
    page = tab.sessions
    page.refresh()
    assert not page.remove_button.isEnabled()  # nobody selected
    assert page.select_enrolment("张三") and page.remove_button.isEnabled()
    page.remove_button.click()
    assert [r[0] for r in texts(page.enrolments)] == ["李四"]
    answer(monkeypatch, AttendanceDialog, lambda d: (d.accept(), d.result())[1])
    page.attendance_button.click()
    assert page.select_enrolment("李四") and not page.remove_button.isEnabled()


def test_cancel_a_session_with_a_reason(tab, ctx, monkeypatch):
    with ctx.db.session() as session:
        start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=3)
        svc.create_session(session, ctx.actor, svc.SessionInput(
            kind="discussion", topic="志愿者茶话会", trainer="陈站长", place="活动室", starts_at=start,
            ends_at=start + timedelta(hours=1), capacity=20))
    page = tab.sessions
    page.refresh()
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: "台风预警"))
    page.cancel_button.click()
    assert texts(page.table)[0][8] == "已取消：台风预警"
    assert not page.enrol_button.isEnabled() and not page.cancel_button.isEnabled()
    assert not page.print_button.isEnabled()


def test_print_the_signin_sheet_to_the_chosen_file(tab, ctx, monkeypatch, tmp_path: Path):
    zhang, li = volunteer(ctx.db, ctx.actor, "张三"), volunteer(ctx.db, ctx.actor, "李四")
    sid = started_session(ctx)
    with ctx.db.session() as session:
        svc.enrol_volunteers(session, ctx.actor, sid, [zhang, li])
    page = tab.sessions
    page.refresh()
    target = tmp_path / "签到表.pdf"
    suggested = {}

    def choose(cls, parent, name):  # noqa: ANN001, ANN202
        suggested["name"] = name
        return str(target)

    monkeypatch.setattr(SigninFileDialog, "ask", classmethod(choose))
    page.print_button.click()
    assert Path(suggested["name"]).name == f"签到表-{page.detail.row.starts_at.date().isoformat()}-健康义诊岗前培训.pdf"
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(str(target)).pages)
    assert "康华花园物业志愿服务站培训签到表" in text and "健康义诊岗前培训" in text
    assert "李四" in text and "张三" in text
    assert text.count("138****5678") == 2 and re.search(r"1[3-9][0-9]{9}", text) is None  # phones masked
    assert page.status.text().startswith("签到表已保存：")
    assert sessions_ui.signin_file_name("a/b c", date(2031, 3, 8)) == "签到表-2031-03-08-a_b_c.pdf"


def test_filters_hide_and_show_sessions(tab, ctx):
    started_session(ctx, topic="岗前培训甲")
    far = datetime.now().replace(second=0, microsecond=0) + timedelta(days=40)
    with ctx.db.session() as session:
        svc.create_session(session, ctx.actor, svc.SessionInput(
            kind="skills", topic="应急救护", trainer="黄志明", place="会所", starts_at=far,
            ends_at=far + timedelta(hours=3), capacity=20))
    page = tab.sessions
    page.refresh()
    assert [r[2] for r in texts(page.table)] == ["应急救护", "岗前培训甲"]
    page.kind_filter.setCurrentIndex(page.kind_filter.findData("skills"))
    assert [r[2] for r in texts(page.table)] == ["应急救护"]
    page.kind_filter.setCurrentIndex(0)
    page.search.setText("岗前")
    assert [r[2] for r in texts(page.table)] == ["岗前培训甲"]


def test_backbone_page_rule_for_administrators_and_confirming_a_candidate(qtbot, tab, ctx, monkeypatch, sqlite_db):
    a, b = volunteer(ctx.db, ctx.actor, "安心"), volunteer(ctx.db, ctx.actor, "白雪")
    sid = started_session(ctx, hours_ago=3)
    with ctx.db.session() as session:
        svc.enrol_volunteers(session, ctx.actor, sid, [a, b])
    with ctx.db.session() as session:
        d = svc.get_session(session, ctx.actor, sid)
        svc.mark_attendance(session, ctx.actor, sid, [svc.AttendanceMark(e.id, "present") for e in d.enrolments])
    done_activities(ctx.db, ctx.actor, a, 3, day=datetime.now() - timedelta(days=2))
    page = tab.backbone
    tab.show_page(page)
    assert page.candidate_names() == []  # 12 hours and 10 activities by default
    assert page.rule_text.text() == "现行规则：近 12 个月内培训满 12 小时且参加活动满 10 次。"

    page.hours.setValue(2)
    page.activities.setValue(0)
    page.months.setValue(0)
    page.save_rule()
    assert page.candidate_names() == ["安心", "白雪"]
    assert page.status.text() == "骨干认定规则已保存：累计培训满 2 小时。"
    page.activities.setValue(2)
    page.save_rule()
    assert page.candidate_names() == ["安心"]
    assert texts(page.table)[0][3:5] == ["2 小时", "3 次"]

    page.hours.setValue(0)
    page.activities.setValue(0)
    page.save_rule()
    assert page.rule_error.text().startswith("培训时长和参加活动次数不能都为 0")
    assert page.candidate_names() == ["安心"]  # the saved rule still stands

    assert not page.confirm_button.isEnabled()
    assert page.select_candidate("安心")
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: QMessageBox.StandardButton.Yes)
    page.confirm_button.click()
    assert page.candidate_names() == []
    assert page.status.text() == "已认定为骨干：安心"
    with ctx.db.session(write=False) as session:
        assert session.get(Volunteer, a).is_backbone and not session.get(Volunteer, b).is_backbone

    # A viewer reads the same page with the rule locked and told why.
    viewer = add_user(sqlite_db, ctx.actor, "viewer", Role.VIEWER)
    read_only = TrainingTab(AppContext(db=sqlite_db, actor=viewer))
    qtbot.addWidget(read_only)
    assert not read_only.backbone.save_rule_button.isEnabled() and not read_only.backbone.hours.isEnabled()
    assert "没有“设置骨干认定等规则”的权限" in read_only.backbone.hours.toolTip()
    assert not read_only.sessions.add_button.isEnabled()
