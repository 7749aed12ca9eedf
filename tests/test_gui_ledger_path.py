"""Issue 5's whole path through the main window, as station staff would walk it: the hours of a finished
activity entered (one came, one did not), which takes a volunteer past 100 h; the new star confirmed with
its certificate; a clerk's correction (refused without a reason, then approved by the station head) that
takes the volunteer back below 100 h and flags the award for review; hours exchanged in the time bank,
the balance falling while the star level stays, one redemption for a double click; and a ledger row
changed with plain SQL behind the program's back, reported by 系统 → 校验台账… naming the entry.

Two people use the program at once, each in their own main window: the clerk 林录入 (录入员) enters
hours, asks for the correction and redeems; the station head 陈站长 (管理员) confirms the star, approves
the correction and checks the ledger.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from station_app.models import ServiceRecord, StarAward, TimeBankEntry, TimeBankPosting, Volunteer
from station_app.services import stars as stars_svc
from station_app.services.auth import Actor, Role, create_user
from station_app.ui.common import AppContext
from station_app.ui.hours.ledger import CorrectionDialog
from station_app.ui.hours.pending import DecisionDialog
from station_app.ui.ledger.verify_dialog import VerifyDialog
from station_app.ui.main_window import MainWindow
from station_app.ui.qt import QMessageBox, Qt, QTime
from station_app.ui.rows_model import view_texts
from station_app.ui.timebank.dialogs import RedeemDialog

from .conftest import setup_station
from .ledger_factory import add_record
from .schedule_factory import add_assignment, make_activity, make_volunteer

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

STATION = "康华花园物业志愿服务站"
TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)
LONG_AGO = TODAY - timedelta(days=400)
ACTIVITY = "中秋敬老慰问"
RED = "#b00020"


def answer(monkeypatch, dialog_class, act):
    """A person filling the dialog in: exec() runs ``act`` instead of a modal loop."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def texts(table) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def row_of(rows: list[list[str]], name: str) -> list[str]:
    [row] = [r for r in rows if r[0].split("　")[0] == name]
    return row


def open_page(window: MainWindow, tab, page) -> None:
    """Click the main tab, then the page's own tab (each shows fresh data when opened)."""
    window.tabs.setCurrentWidget(tab)
    tab.show_page(page)


def count(db, model, *where) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def serve(db, actor: Actor, volunteer_id: int, minutes: int) -> None:
    """Counted past service, at most 8 h a day, on the days before yesterday (yesterday is the activity's)."""
    day = YESTERDAY
    while minutes > 0:
        day -= timedelta(days=1)
        add_record(db, actor, volunteer_id, min(minutes, 480), on=day)
        minutes -= min(minutes, 480)


def registered_long_ago(db, actor: Actor, name: str) -> int:
    vid = make_volunteer(db, actor, name)
    with db.session() as session:
        session.get(Volunteer, vid).registered_on = LONG_AGO
    return vid


@pytest.fixture
def station(qtbot, db):
    admin = setup_station(db)
    with db.session() as session:
        clerk_id = create_user(session, admin, username="lin", display_name="林录入", role=Role.CLERK,
                               password="password-1", station_id=admin.station_id)
    clerk = Actor(clerk_id, "lin", "林录入", Role.CLERK, admin.station_id)
    zhang = registered_long_ago(db, admin, "张秀英")  # 98.5 h so far; will cross 100 h
    li = registered_long_ago(db, admin, "李建国")  # 120 h, one star confirmed earlier; absent yesterday
    serve(db, admin, zhang, 98 * 60 + 30)
    serve(db, admin, li, 120 * 60)
    with db.session() as session:
        stars_svc.confirm_award(session, admin, li, 1, date(TODAY.year, 1, 1))  # this year's first certificate
    activity_id, (shift_id,) = make_activity(db, admin, title=ACTIVITY, day=YESTERDAY, hours=(9, 11),
                                             place="小区中心广场")
    add_assignment(db, activity_id, shift_id, zhang)
    add_assignment(db, activity_id, shift_id, li)

    windows = {}
    for who, actor in (("clerk", clerk), ("admin", admin)):
        win = MainWindow(AppContext(db=db, actor=actor, station_name=STATION))
        qtbot.addWidget(win)
        windows[who] = win
    return {"db": db, "admin": admin, "clerk": clerk, "zhang": zhang, "li": li, "activity": activity_id, **windows}


def test_hours_to_a_star_a_correction_flags_it_the_bank_and_a_tampered_row(station, monkeypatch, qtbot):
    db, clerk_win, admin_win = station["db"], station["clerk"], station["admin"]
    zhang, li = station["zhang"], station["li"]
    past_rows = count(db, ServiceRecord)
    assert past_rows == 13 + 15  # 12 × 8 h + 2.5 h, and 15 × 8 h

    # --- 1. 时长录入 → 活动时长登记 (the clerk): one came, one did not ------------------------------------
    hours_tab = clerk_win.hours
    sheet = hours_tab.activity
    open_page(clerk_win, hours_tab, sheet)
    assert clerk_win.tabs.tabText(clerk_win.tabs.currentIndex()) == "时长录入"
    listed = texts(sheet.table)
    assert [r[1:5] for r in listed] == [[ACTIVITY, "小区中心广场", "2 人", "待登记"]]
    assert listed[0][0].startswith(YESTERDAY.isoformat())
    sheet.table.selectRow(0)  # the user clicks the activity
    assert ACTIVITY in sheet.title.text()
    assert sorted(r.name for r in sheet.entries.lines) == ["张秀英", "李建国"]
    came, missed = sheet.entries.row_named("张秀英"), sheet.entries.row_named("李建国")
    assert (came.starts.time(), came.ends.time(), came.minutes.value()) == (QTime(9, 0), QTime(11, 0), 2.0)
    missed.attendance.setCurrentIndex(missed.attendance.findData("absent"))
    assert not missed.minutes.isEnabled()  # no hours for an absent volunteer
    assert sheet.save_button.isEnabled()
    sheet.save_button.click()
    assert sheet.error.text() == ""
    assert sheet.status.text() == f"已保存“{ACTIVITY}”：1 人计入时长，1 人缺席。"
    locked = row_of(texts(sheet.entries), "张秀英")
    assert locked[2:6] == ["出席", "09:00", "11:00", "2 小时"]
    assert locked[8].startswith("已计入（台账第 ")
    assert texts(sheet.table)[0][4] == "已登记 1 人"
    assert count(db, ServiceRecord) == past_rows + 1

    # The ledger line, on 记录与更正.
    ledger = hours_tab.ledger
    open_page(clerk_win, hours_tab, ledger)
    ledger.search.setText(ACTIVITY)
    [line] = texts(ledger.table)
    assert line[0].startswith(YESTERDAY.isoformat())
    assert line[1].startswith("张秀英") and line[2] == ACTIVITY and line[4] == "小区中心广场"
    assert line[5:8] == ["2", "已计入", "林录入"]
    seq = line[8]
    assert locked[8] == f"已计入（台账第 {seq} 条）"

    # --- 2. 星级与嘉许 → 新达星级 (the station head): 100.5 h, one star, 认定 ---------------------------------
    awards = admin_win.awards
    eligible = awards.eligible
    open_page(admin_win, awards, eligible)
    assert admin_win.tabs.tabText(admin_win.tabs.currentIndex()) == "星级与嘉许"
    assert eligible.count_label.text() == "新达星级待认定 1 人"
    [newly] = texts(eligible.table)
    assert newly[0] == "张秀英" and newly[2:5] == ["100.5", "★  一星级志愿者", "未认定"]
    assert not eligible.confirm_button.isEnabled()
    eligible.table.item(0, 0).setCheckState(Qt.CheckState.Checked)  # the user ticks 张秀英
    assert eligible.confirm_button.isEnabled()
    asked: list[str] = []

    def yes(parent, title, question, *args, **kwargs):
        asked.append(question)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    eligible.confirm_button.click()
    assert asked and "张秀英（一星级志愿者）" in asked[-1]
    certificate = f"SQ0101-XJ{TODAY.year}-0002"  # 李建国's was the first this year
    assert eligible.status.text() == f"已认定 1 人，证书编号：张秀英 一星级志愿者 {certificate}"
    assert eligible.table.rowCount() == 0 and eligible.count_label.text() == "目前没有新达星级、待认定的志愿者。"

    overview = awards.overview
    open_page(admin_win, awards, overview)
    seen = row_of(view_texts(overview.table), "张秀英")
    assert seen[2:6] == ["100.5", "★", "一星级志愿者", "还差 199.5 小时达二星级志愿者"]
    assert "★ 一星级 <b>2</b> 人" in overview.summary.text()

    # --- 3. 记录与更正 (the clerk): a correction down to 1 h — refused without a reason, then asked for ----
    open_page(clerk_win, hours_tab, ledger)
    ledger.search.setText(ACTIVITY)
    ledger.table.selectRow(0)
    record_id = ledger.selected_id()
    assert ledger.correct_button.isEnabled()
    rows_before = count(db, ServiceRecord)
    refusal = {}

    def correct(dialog: CorrectionDialog) -> int:
        assert dialog.windowTitle() == "申请更正：张秀英"
        assert (dialog.starts.time(), dialog.ends.time(), dialog.minutes.value()) == (QTime(9, 0), QTime(11, 0), 2.0)
        dialog.ends.setTime(QTime(10, 0))
        assert dialog.minutes.value() == 1.0  # the hours follow the times
        dialog.accept()  # 提交更正, with no reason
        refusal.update(text=dialog.error.text(), style=dialog.error.styleSheet(), open=dialog.result() == 0,
                       rows=count(db, ServiceRecord))
        dialog.reason.setPlainText("签到表核对：10:00 就离开了")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, CorrectionDialog, correct)
    ledger.correct_button.click()
    assert refusal["text"].startswith("请填写更正原因") and RED in refusal["style"]
    assert refusal["open"] and refusal["rows"] == rows_before  # nothing written by the refusal
    assert ledger.status.text() == f"已提交更正：张秀英，{YESTERDAY.isoformat()}。等待站长/管理员审批。"
    [line] = texts(ledger.table)
    assert line[5:7] == ["2", "已计入（更正待审批）"]  # the original counts until the correction is approved
    assert ledger.count_label.text() == "共 1 条，其中 1 条待审批"
    assert not ledger.correct_button.isEnabled()  # one pending correction at a time
    assert count(db, ServiceRecord) == rows_before + 1

    # The clerk cannot approve it.
    pending_for_clerk = hours_tab.pending
    open_page(clerk_win, hours_tab, pending_for_clerk)
    assert pending_for_clerk.table.rowCount() == 1 and not pending_for_clerk.approve_button.isEnabled()

    # --- 4. 待审批 (the station head): approve; the award is flagged -------------------------------------
    pending = admin_win.hours.pending
    open_page(admin_win, admin_win.hours, pending)
    assert pending.count_label.text() == "共 1 条待审批"
    [item] = texts(pending.table)
    assert item[:4] == ["更正", "张秀英", YESTERDAY.isoformat(), ACTIVITY]
    assert "2 小时" in item[4] and "1 小时" in item[5] and item[7] == "签到表核对：10:00 就离开了"
    assert item[8] == "林录入"
    pending.table.selectRow(0)

    def approve(dialog: DecisionDialog) -> int:
        dialog.note.setPlainText("与签到表核对无误")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, DecisionDialog, approve)
    pending.approve_button.click()
    assert pending.status.text() == f"已批准：张秀英，{YESTERDAY.isoformat()}，更正。"
    assert pending.count_label.text() == "没有待审批的记录"

    review = awards.review
    open_page(admin_win, awards, review)
    assert review.count_label.text() == "待复核的星级认定 1 条"
    [flagged] = texts(review.table)
    assert flagged[0] == "张秀英" and flagged[2] == certificate
    assert flagged[3:4] + flagged[5:8] == ["一星级志愿者", "100.5", "99.5", "未达星级"]
    assert "签到表核对：10:00 就离开了" in flagged[8]

    open_page(clerk_win, hours_tab, ledger)
    ledger.search.setText(ACTIVITY)
    [line] = texts(ledger.table)
    assert line[5:7] == ["1（原 2）", "已计入"] and ledger.count_label.text() == "共 1 条，其中 0 条待审批"

    # --- 5. 回馈 (the clerk): redeem; the balance falls, the level stays; a double click redeems once ------
    bank = clerk_win.timebank
    account = bank.account
    open_page(clerk_win, bank, account)
    assert clerk_win.tabs.tabText(clerk_win.tabs.currentIndex()) == "回馈"
    account.search.setText("张秀英")
    assert account.select_volunteer(zhang)
    assert account.balance_text() == "可用余额 99.5 小时"
    assert account.figures.text() == "累计服务 99.5 小时　已兑换 0 小时"
    stars_before = account.stars.text()
    assert stars_before.startswith("星级：未达星级") and "★" not in stars_before  # 99.5 h: no star
    clicks = {}

    def redeem_with_a_double_click(dialog: RedeemDialog) -> int:
        dialog.item.setCurrentIndex(dialog.item.findText("维修家电（1 小时/次）"))
        dialog.provider.setText("便民维修服务队")
        clicks["cost"] = dialog.before_after.text()
        dialog.show()
        # A double click as two clicks in a row (QTest's mouseDClick gives a QPushButton no click at all).
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        clicks["saved"] = dialog.saved is not None  # the clicks redeemed
        dialog.accept()  # and a second save, as a retry would, reaches the same request
        return dialog.result()

    answer(monkeypatch, RedeemDialog, redeem_with_a_double_click)
    account.redeem_button.click()
    assert clicks["saved"]
    assert clicks["cost"] == "兑换前 99.5 小时　本次 1 小时　兑换后 98.5 小时"
    assert account.balance_text() == "可用余额 98.5 小时"
    assert account.figures.text() == "累计服务 99.5 小时　已兑换 1 小时"
    assert account.stars.text() == stars_before
    assert account.history.rowCount() == 1
    assert [account.history.item(0, c).text() for c in (1, 4, 5, 6, 7)] == ["兑换", "维修家电", "1", "−1", "便民维修服务队"]
    assert account.status.text().startswith("已兑换：维修家电 × 1，1 小时，凭证 SQ0101-HK")
    assert count(db, TimeBankEntry, TimeBankEntry.volunteer_id == zhang) == 1

    # A one-star volunteer redeems 30 h: the balance falls below 100 h, the star stays.
    account.search.setText("李建国")
    assert account.select_volunteer(li)
    assert account.balance_text() == "可用余额 120 小时"
    assert account.stars.text() == "星级：★☆☆☆☆ 一星级志愿者（按累计服务时长，兑换不影响星级）"

    def redeem_clinics(dialog: RedeemDialog) -> int:
        dialog.item.setCurrentIndex(dialog.item.findText("健康义诊（3 小时/次）"))
        dialog.quantity.setValue(10)
        dialog.provider.setText("医疗服务队")
        dialog.ok.click()
        return dialog.result()

    answer(monkeypatch, RedeemDialog, redeem_clinics)
    account.redeem_button.click()
    assert account.balance_text() == "可用余额 90 小时"
    assert account.figures.text() == "累计服务 120 小时　已兑换 30 小时"
    assert account.stars.text() == "星级：★☆☆☆☆ 一星级志愿者（按累计服务时长，兑换不影响星级）"
    open_page(admin_win, awards, overview)
    assert row_of(view_texts(overview.table), "李建国")[2:5] == ["120", "★", "一星级志愿者"]

    # --- 6. A row changed behind the program's back; 系统 → 校验台账… names it ------------------------------
    reports: list[dict] = []

    def look(dialog: VerifyDialog) -> int:
        reports.append({"result": dialog.result.text(), "details": dialog.details.text(),
                        "problems": [dialog.problems.item(i).text() for i in range(dialog.problems.count())],
                        "problems_shown": dialog.problems.isVisibleTo(dialog)})
        dialog.reject()
        return 0

    answer(monkeypatch, VerifyDialog, look)
    assert admin_win.verify_action.text() == "校验台账…"
    admin_win.verify_action.trigger()
    assert reports[-1]["result"] == "✔ 台账完整" and reports[-1]["problems"] == []

    with db.session() as session:
        session.execute(text("UPDATE service_records SET minutes = 600, delta_minutes = 600 WHERE id = :id"),
                        {"id": record_id})

    admin_win.verify_action.trigger()
    report = reports[-1]
    assert report["result"] == "✘ 发现 1 处问题：台账在程序之外被改动过"
    assert report["problems"] == [f"台账第 {seq} 条（服务记录）的内容与它的哈希不符：这条记录在程序之外被改动过。"]
    assert report["problems_shown"]

    # --- What the database holds at the end ----------------------------------------------------------
    with db.session(write=False) as session:
        kinds = session.execute(
            select(ServiceRecord.kind, ServiceRecord.volunteer_id, ServiceRecord.minutes, ServiceRecord.reason)
            .where(ServiceRecord.seq > past_rows).order_by(ServiceRecord.seq)).all()
        assert kinds == [("record", zhang, 600, ""), ("correction", zhang, 60, "签到表核对：10:00 就离开了"),
                         ("decision", zhang, 0, "与签到表核对无误")]  # the absent volunteer has no record
        awards_now = session.execute(
            select(StarAward.volunteer_id, StarAward.level, StarAward.review_status).order_by(StarAward.id)).all()
        assert awards_now == [(li, 1, ""), (zhang, 1, "flagged")]  # flagged, never deleted
        entries = session.execute(
            select(TimeBankEntry.volunteer_id, TimeBankEntry.kind, TimeBankEntry.minutes).order_by(TimeBankEntry.id)
        ).all()
        assert entries == [(zhang, "redeem", 60), (li, "redeem", 1800)]  # one redemption for the double click
        postings = session.execute(select(TimeBankPosting.account, func.sum(TimeBankPosting.minutes))
                                   .group_by(TimeBankPosting.account).order_by(TimeBankPosting.account)).all()
        assert postings == [("station", 1860), ("volunteer", -1860)]  # double entry: the sides balance
