"""The 回馈 tab driven as a person would: find a volunteer, redeem, reverse, print, the station ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from station_app.models import ServiceItem, TimeBankEntry
from station_app.services.auth import Role
from station_app.ui.common import AppContext
from station_app.ui.demand.menu import MenuItemDialog, MenuPage
from station_app.ui.demand.projects import ReasonDialog
from station_app.ui.timebank.dialogs import ReceiptFileDialog, RedeemDialog
from station_app.ui.timebank.tab import TimeBankTab

from .conftest import add_user, setup_station
from .ledger_factory import add_record
from .schedule_factory import make_volunteer
from .shots import shot
from .test_signin import pages_text

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


@pytest.fixture
def volunteer(ctx):
    vid = make_volunteer(ctx.db, ctx.actor, "李志愿")
    make_volunteer(ctx.db, ctx.actor, "王阿姨")
    add_record(ctx.db, ctx.actor, vid, 100 * 60)  # 100 h: one star
    return vid


@pytest.fixture
def tab(qtbot, ctx, volunteer):
    widget = TimeBankTab(ctx)
    widget.resize(1200, 720)
    qtbot.addWidget(widget)
    return widget


def answer(monkeypatch, dialog_class, act):
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def entries(ctx) -> int:
    with ctx.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(TimeBankEntry))


def choose(tab, volunteer: int) -> None:
    page = tab.account
    page.search.setText("李志")
    assert page.select_volunteer(volunteer)


def test_redeem_through_the_dialog_the_balance_falls_and_the_stars_stay(tab, ctx, volunteer, monkeypatch):
    page = tab.account
    assert not page.redeem_button.isEnabled()  # nobody chosen yet
    choose(tab, volunteer)
    assert page.balance_text() == "可用余额 100 小时"
    assert "★☆☆☆☆" in page.stars.text() and "一星级志愿者" in page.stars.text()
    assert page.redeem_button.isEnabled() and not page.reverse_button.isEnabled()
    seen = {}

    def fill(dialog: RedeemDialog) -> int:
        dialog.item.setCurrentIndex(dialog.item.findText("健康义诊（3 小时/次）"))
        dialog.quantity.setValue(2)
        dialog.provider.setText("医疗服务队")
        dialog.note.setText("陪母亲体检")
        seen["cost"] = dialog.before_after.text()
        dialog.show()
        shot(dialog, "bank_redeem_dialog")
        dialog.ok.click()
        dialog.ok.click()  # a double click: the second finds the button disabled
        dialog.accept()  # and even a second save reaches the same token
        return dialog.result()

    answer(monkeypatch, RedeemDialog, fill)
    page.redeem_button.click()
    assert seen["cost"] == "兑换前 100 小时　本次 6 小时　兑换后 94 小时"
    assert entries(ctx) == 1
    assert page.balance_text() == "可用余额 94 小时"
    assert "累计服务 100 小时　已兑换 6 小时" == page.figures.text()
    assert "★☆☆☆☆" in page.stars.text()  # the star level stays
    assert page.history.rowCount() == 1
    assert [page.history.item(0, c).text() for c in (1, 4, 5, 6, 7)] == ["兑换", "健康义诊", "2", "−6", "医疗服务队"]
    assert "凭证 SQ0101-HK" in page.status.text()
    assert page.print_button.isEnabled() and page.reverse_button.isEnabled()  # the new entry is selected
    shot(tab, "bank_account")


def test_too_much_is_refused_in_the_dialog_and_nothing_changes(tab, ctx, volunteer, monkeypatch):
    choose(tab, volunteer)
    seen = {}

    def fill(dialog: RedeemDialog) -> int:
        dialog.item.setCurrentIndex(dialog.item.findText("健康义诊（3 小时/次）"))
        dialog.quantity.setValue(34)  # 102 h
        dialog.provider.setText("医疗服务队")
        seen["cost"] = dialog.before_after.text()
        dialog.ok.click()
        seen["error"] = dialog.error.text()
        seen["enabled"] = dialog.ok.isEnabled()
        dialog.show()
        shot(dialog, "bank_redeem_refused")
        dialog.reject()
        return dialog.result()

    answer(monkeypatch, RedeemDialog, fill)
    tab.account.redeem_button.click()
    assert seen["cost"].endswith("兑换后 -2 小时（余额不足）")
    assert seen["error"] == "余额不足：李志愿 可用 100 小时，本次兑换需要 102 小时。"
    assert seen["enabled"]  # a refusal gives the button back
    assert entries(ctx) == 0 and tab.account.balance_text() == "可用余额 100 小时"


def test_reverse_then_print_the_reversal_receipt(tab, ctx, volunteer, monkeypatch, tmp_path):
    page = tab.account
    choose(tab, volunteer)
    answer(monkeypatch, RedeemDialog, lambda d: (d.item.setCurrentIndex(d.item.findText("维修家电（1 小时/次）")),
                                                 d.provider.setText("张师傅家电维修店"), d.accept(), d.result())[-1])
    page.redeem_button.click()
    assert page.balance_text() == "可用余额 99 小时"
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: "登记错了志愿者"))
    page.reverse_button.click()
    assert page.balance_text() == "可用余额 100 小时"
    assert [page.history.item(r, 1).text() for r in range(2)] == ["冲正", "兑换"]
    assert page.history.item(0, 9).text().endswith("：登记错了志愿者")
    assert page.history.item(1, 9).text().startswith("已冲正（")
    page.history.selectRow(1)
    assert not page.reverse_button.isEnabled()  # reversed once, never again
    page.history.selectRow(0)
    assert not page.reverse_button.isEnabled()  # a reversal is never reversed
    target = tmp_path / "冲正凭证.pdf"
    monkeypatch.setattr(ReceiptFileDialog, "ask", classmethod(lambda cls, parent, suggested: str(target)))
    page.print_button.click()
    _reader, [text] = pages_text(target)
    assert "志愿服务时长冲正凭证" in text and "冲正原因登记错了志愿者" in text and "冲正后余额100小时" in text
    assert str(target) in page.status.text()

    ledger = tab.ledger
    tab.show_page(ledger)
    assert ledger.table.rowCount() == 2
    assert [ledger.table.item(r, 6).text() for r in range(2)] == ["+1", "−1"]
    assert "本期 2 笔（兑换 1 笔，冲正 1 笔），站点账户本期 0 小时" in ledger.totals.text()
    shot(tab, "bank_ledger")


def test_a_viewer_sees_the_account_but_cannot_redeem(qtbot, ctx, volunteer):
    viewer = add_user(ctx.db, ctx.actor, "viewer", Role.VIEWER)
    widget = TimeBankTab(AppContext(db=ctx.db, actor=viewer))
    qtbot.addWidget(widget)
    choose(widget, volunteer)
    assert widget.account.balance_text() == "可用余额 100 小时"
    assert not widget.account.redeem_button.isEnabled()
    assert "办理时长兑换" in widget.account.redeem_button.toolTip()


# --- the menu's price field ----------------------------------------------------------------------
def test_the_menu_dialog_asks_for_a_price_in_quarter_hours(qtbot, ctx, monkeypatch):
    page = MenuPage(ctx)
    qtbot.addWidget(page)
    seen = {}

    def fill(dialog: MenuItemDialog) -> int:
        assert not dialog.redeem_hours.isEnabled()
        dialog.category.setCurrentIndex(dialog.category.findData("help"))
        dialog.name.setText("上门送餐")
        dialog.hours.setValue(0)
        dialog.minutes.setValue(50)
        dialog.redeemable.setChecked(True)
        seen["prefilled"] = dialog.redeem_hours.value()  # the typical 50 min, up to the quarter
        dialog.redeem_hours.setValue(0.3)
        dialog.accept()
        seen["error"] = dialog.error.text()
        dialog.redeem_hours.setValue(1.5)
        shot(dialog, "bank_menu_price")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, MenuItemDialog, fill)
    page.add_button.click()
    assert seen["prefilled"] == 1.0
    assert seen["error"].startswith("兑换价应为 0.25 小时（15 分钟）的整数倍")
    with ctx.db.session(write=False) as session:
        assert session.scalar(select(ServiceItem.redeem_minutes).where(ServiceItem.name == "上门送餐")) == 90
    row = page.shown_names().index("上门送餐")
    assert page.table.item(row, page.HEADERS.index("时长兑换")).text() == "可兑换 1.5 小时"
