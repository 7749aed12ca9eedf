"""The roster tab's own buttons, end to end (dialogs answered as a person would)."""

from __future__ import annotations

import pytest

from station_app.services import volunteers as svc
from station_app.ui.common import AppContext
from station_app.ui.roster.review_dialog import ReviewDialog, StatusDialog
from station_app.ui.roster.tab import RosterTab
from station_app.ui.roster.volunteer_dialog import VolunteerDialog

from .conftest import setup_station
from .idnumbers import make_id

pytestmark = pytest.mark.gui


@pytest.fixture
def tab(qtbot, db):
    admin = setup_station(db)
    widget = RosterTab(AppContext(db=db, actor=admin))
    qtbot.addWidget(widget)
    return widget


def answer(monkeypatch, dialog_class, act):
    """Replace a dialog's exec() with a person filling it in; act returns the dialog's result."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def test_add_button_registers_and_selects_the_new_volunteer(tab, monkeypatch):
    tab.status_filter.setCurrentIndex(tab.status_filter.findData("registered"))  # hides applicants

    def fill(dialog: VolunteerDialog) -> int:
        dialog.name.setText("何丽华")
        dialog.id_number.setText(make_id("442000", "19580809", "246"))
        dialog.phone.setText("13726901234")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, VolunteerDialog, fill)
    tab.add_button.click()
    # Hidden by the filter, but the detail panel shows what was just saved.
    assert tab.model.rowCount() == 0
    assert "何丽华" in tab.detail.toPlainText() and "申请中" in tab.detail.toPlainText()


def test_review_then_suspend_then_resume_keeps_the_number(tab, monkeypatch):
    ctx = tab.ctx
    with ctx.db.session() as session:
        volunteer_id = svc.register_volunteer(
            session, ctx.actor, svc.VolunteerInput(name="冯建华", id_number=make_id("442000", "19700101", "135"),
                                                   phone="13800001111"))
    tab.refresh()
    assert tab.select_volunteer(volunteer_id)
    answer(monkeypatch, ReviewDialog, lambda d: (d.approve_button.click(), d.result())[1])
    tab.review_button.click()
    assert "SQ0101-000001" in tab.detail.toPlainText()
    assert not tab.review_button.isEnabled()

    def change_status(target: str, reason: str) -> None:
        def fill(dialog: StatusDialog) -> int:
            dialog.target.setCurrentIndex(dialog.target.findData(target))
            dialog.reason.setPlainText(reason)
            dialog.accept()
            return dialog.result()

        answer(monkeypatch, StatusDialog, fill)
        tab.status_button.click()

    change_status("suspended", "外出务工半年")
    assert "暂停" in tab.detail.toPlainText() and "外出务工半年" in tab.detail.toPlainText()
    change_status("registered", "已返回小区")
    text = tab.detail.toPlainText()
    assert "已注册" in text and "SQ0101-000001" in text


def test_duplicate_from_the_add_button_jumps_to_the_existing_record(tab, monkeypatch):
    ctx = tab.ctx
    number = make_id("442000", "19660606", "357")
    with ctx.db.session() as session:
        existing = svc.register_volunteer(session, ctx.actor, svc.VolunteerInput(name="苏美玲", id_number=number,
                                                                                 phone="13900002222"))
    tab.search.setText("zzz")  # the existing record is filtered out
    tab.apply_filter()

    def fill(dialog: VolunteerDialog) -> int:
        monkeypatch.setattr(dialog, "ask_open_existing", lambda message: True)
        dialog.name.setText("苏美玲")
        dialog.id_number.setText(number.lower())
        dialog.phone.setText("13900003333")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, VolunteerDialog, fill)
    tab.add_button.click()
    assert tab.search.text() == ""  # filters cleared to show it
    assert tab.selected_id() == existing
