"""The roster as station staff use it: register, review, search, masking, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from station_app.models import AuditEntry, Station, Volunteer
from station_app.services.auth import Role
from station_app.services.volunteers import Status
from station_app.ui.common import AppContext
from station_app.ui.main_window import MainWindow
from station_app.ui.qt import Qt
from station_app.ui.roster.model import COLUMNS, RosterModel
from station_app.ui.roster.review_dialog import ReviewDialog, StatusDialog
from station_app.ui.roster.tab import RosterTab
from station_app.ui.roster.volunteer_dialog import VolunteerDialog

from .conftest import add_user, setup_station
from .idnumbers import make_id

pytestmark = pytest.mark.gui

ZSF_ID = make_id("442000", "19650312", "123")  # odd sequence: male


@pytest.fixture
def ctx(db):
    admin = setup_station(db)
    return AppContext(db=db, actor=admin, station_name="康华花园物业志愿服务站")


def column(key: str) -> int:
    return [c[0] for c in COLUMNS].index(key)


def fill(dialog: VolunteerDialog, *, name="张三丰", id_number=ZSF_ID, phone="13812345678") -> None:
    dialog.name.setText(name)
    dialog.id_number.setText(id_number)
    dialog.id_number.editingFinished.emit()
    dialog.phone.setText(phone)
    dialog.skills.setText("家电维修、急救")
    dialog.availability.boxes[(5, 0)].setChecked(True)  # Saturday morning
    dialog.availability.boxes[(6, 1)].setChecked(True)  # Sunday afternoon


def register(qtbot, ctx, **kwargs) -> int:
    dialog = VolunteerDialog(ctx)
    qtbot.addWidget(dialog)
    fill(dialog, **kwargs)
    dialog.accept()
    assert dialog.error.text() == ""
    assert dialog.saved_id is not None
    return dialog.saved_id


def table_text(tab: RosterTab, row: int, key: str) -> str:
    return tab.model.index(row, column(key)).data()


def test_register_review_and_find_by_pinyin(qtbot, ctx):
    tab = RosterTab(ctx)
    qtbot.addWidget(tab)
    assert tab.model.rowCount() == 0

    dialog = VolunteerDialog(ctx)
    qtbot.addWidget(dialog)
    fill(dialog)
    # The form reads gender, birth date and age from the number as soon as it is typed.
    assert "男" in dialog.id_hint.text() and "1965-03-12" in dialog.id_hint.text()
    dialog.accept()
    volunteer_id = dialog.saved_id
    assert volunteer_id is not None

    register(qtbot, ctx, name="李四", id_number=make_id("442000", "19880706", "224"), phone="13922223333")
    tab.refresh()
    assert tab.model.rowCount() == 2
    assert "1 名申请待审核" not in tab.count_label.text()
    assert "2 名申请待审核" in tab.count_label.text()
    tab.select_volunteer(volunteer_id)
    row = tab.model.row_of(volunteer_id)
    assert table_text(tab, row, "status") == "申请中"
    assert table_text(tab, row, "volunteer_no") == ""
    assert tab.review_button.isEnabled()

    review = ReviewDialog(ctx, volunteer_id)
    qtbot.addWidget(review)
    review.approve_button.click()
    assert review.volunteer_no == "SQ0101-000001"
    tab.refresh()
    row = tab.model.row_of(volunteer_id)
    assert table_text(tab, row, "status") == "已注册"
    assert table_text(tab, row, "volunteer_no") == "SQ0101-000001"
    assert "SQ0101-000001" in tab.detail.toPlainText()

    tab.search.setText("zsf")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert table_text(tab, 0, "name") == "张三丰"
    tab.search.setText("家电")  # a skill
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    tab.search.setText(ZSF_ID[-4:])  # ID-number tail
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert table_text(tab, 0, "name") == "张三丰"
    tab.search.setText("")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    tab.search.setText("ＺＳＦ")  # full-width, as a Chinese input method may type it
    tab.search.returnPressed.emit()  # Enter searches at once
    assert tab.model.rowCount() == 1 and table_text(tab, 0, "name") == "张三丰"


def test_personal_data_masked_and_reveal_audited(qtbot, ctx):
    volunteer_id = register(qtbot, ctx)
    tab = RosterTab(ctx)
    qtbot.addWidget(tab)
    tab.select_volunteer(volunteer_id)
    assert table_text(tab, 0, "id_number") == ZSF_ID[:6] + "********" + ZSF_ID[-4:]
    assert table_text(tab, 0, "phone") == "138****5678"
    assert ZSF_ID not in tab.detail.toPlainText()
    assert "13812345678" not in tab.detail.toPlainText()

    tab.reveal_button.click()
    assert ZSF_ID in tab.detail.toPlainText()
    assert "13812345678" in tab.detail.toPlainText()
    with ctx.db.session(write=False) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == volunteer_id)).all()
    assert "reveal" in actions


def test_viewer_cannot_register_or_reveal(qtbot, ctx):
    viewer = add_user(ctx.db, ctx.actor, "viewer", Role.VIEWER)
    register(qtbot, ctx)
    tab = RosterTab(AppContext(db=ctx.db, actor=viewer))
    qtbot.addWidget(tab)
    tab.table.selectRow(0)
    assert not tab.add_button.isEnabled()
    assert not tab.edit_button.isEnabled()
    assert not tab.review_button.isEnabled()
    assert tab.reveal_button.isHidden()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", ZSF_ID[:-1] + ("0" if ZSF_ID[-1] != "0" else "1"), "校验"),
        ("id_number", "44200019650230123X", "不存在"),
        ("phone", "1381234567", "11位"),
        ("name", "   ", "姓名"),
    ],
)
def test_bad_input_refused_with_message_and_nothing_saved(qtbot, ctx, field, value, message):
    dialog = VolunteerDialog(ctx)
    qtbot.addWidget(dialog)
    fill(dialog, **{field: value})
    dialog.accept()
    assert message in dialog.error.text()
    assert dialog.saved_id is None
    with ctx.db.session(write=False) as session:
        assert session.scalar(select(Volunteer.id)) is None


def test_gender_typed_against_id_number_refused(qtbot, ctx):
    dialog = VolunteerDialog(ctx)
    qtbot.addWidget(dialog)
    fill(dialog)
    dialog.gender.setCurrentText("女")
    dialog.accept()
    assert "性别" in dialog.error.text()
    assert dialog.saved_id is None


def test_duplicate_id_number_points_at_existing(qtbot, ctx, monkeypatch):
    first = register(qtbot, ctx)
    dialog = VolunteerDialog(ctx)
    qtbot.addWidget(dialog)
    # Same person, typed with a full-width digit and spaces: still the same ID number.
    typed = " " + chr(ord(ZSF_ID[0]) + 0xFEE0) + ZSF_ID[1:] + " "
    fill(dialog, name="张三丰", id_number=typed, phone="13900001111")
    monkeypatch.setattr(dialog, "ask_open_existing", lambda message: True)
    dialog.accept()
    assert "已经登记过" in dialog.error.text() and "张三丰" in dialog.error.text()
    assert dialog.open_existing == first
    with ctx.db.session(write=False) as session:
        assert len(session.scalars(select(Volunteer.id)).all()) == 1


def test_edit_keeps_version_and_status_change_needs_reason(qtbot, ctx):
    volunteer_id = register(qtbot, ctx)
    edit = VolunteerDialog(ctx, volunteer_id)
    qtbot.addWidget(edit)
    assert edit.id_number.text() == ZSF_ID  # editing shows the full number (an audited reveal)
    edit.phone.setText("0760 8812 3456")
    edit.accept()
    assert edit.error.text() == ""
    with ctx.db.session(write=False) as session:
        assert session.get(Volunteer, volunteer_id).phone == "0760-88123456"

    status = StatusDialog(ctx, volunteer_id, current=Status.APPLYING)
    qtbot.addWidget(status)
    status.accept()
    assert "原因" in status.error.text()
    status.reason.setPlainText("本人搬离小区")
    status.accept()
    with ctx.db.session(write=False) as session:
        assert session.get(Volunteer, volunteer_id).status == "withdrawn"


def test_roster_model_is_a_valid_qt_model(qtbot, qtmodeltester, ctx):
    for i in range(5):
        register(qtbot, ctx, name=f"王{'飞安丹波成'[i]}", id_number=make_id("442000", f"1970010{i + 1}", "101"),
                 phone=f"1381234000{i}")
    model = RosterModel(ctx)
    model.reload()
    assert model.rowCount() == 5
    qtmodeltester.check(model)
    model.sort(column("name"), Qt.SortOrder.DescendingOrder)
    names = [model.index(r, column("name")).data() for r in range(5)]
    assert names == ["王飞", "王丹", "王成", "王波", "王安"]  # by pinyin: fei, dan, cheng, bo, an


def test_main_window_tabs(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["需求菜单", "志愿者花名册", "培训", "活动排班", "时长录入", "星级与嘉许", "回馈", "台账与打印"]
    assert window.tabs.currentWidget() is window.roster
    assert window.tabs.widget(0) is window.demand
    assert window.tabs.widget(2) is window.training and window.tabs.widget(3) is window.schedule
    assert [window.tabs.widget(i) for i in range(4, 8)] == [window.hours, window.awards, window.timebank, window.ledger]
    assert window.verify_action.isEnabled()
    assert "康华花园物业志愿服务站" in window.statusBar().currentMessage()
    with ctx.db.session(write=False) as session:
        assert session.scalar(select(Station.code)) == "SQ0101"


def test_audit_log_screen_shows_changes_masked(qtbot, ctx):
    from station_app.ui.audit_dialog import AuditDialog

    volunteer_id = register(qtbot, ctx)
    edit = VolunteerDialog(ctx, volunteer_id)
    qtbot.addWidget(edit)
    edit.phone.setText("13987654321")
    edit.accept()
    dialog = AuditDialog(ctx)
    qtbot.addWidget(dialog)
    texts = [" ".join(dialog.table.item(r, c).text() for c in range(5)) for r in range(dialog.table.rowCount())]
    change = next(t for t in texts if "修改志愿者资料" in t)
    assert "138****5678 → 139****4321" in change
    assert "13987654321" not in " ".join(texts) and ZSF_ID not in " ".join(texts)
    assert any("查看完整信息" in t for t in texts)  # opening the edit form revealed the full data


def test_viewer_has_no_audit_log(qtbot, ctx):
    viewer = add_user(ctx.db, ctx.actor, "viewer", Role.VIEWER)
    window = MainWindow(AppContext(db=ctx.db, actor=viewer))
    qtbot.addWidget(window)
    assert not window.audit_action.isEnabled()
    assert not window.users_action.isEnabled()


def test_audit_log_names_schedule_changes_in_chinese():
    from station_app.ui.audit_dialog import describe_changes

    text = describe_changes({
        "kind": [None, "pre_service"], "role": ["member", "lead"], "override_reason": [None, "电话确认过"],
        "attendance": [None, {"李护士 SQ0101-000001": "present"}], "required_training": [None, "pre_service"],
    })
    assert text == ("类型： → 岗前培训；角色：队员 → 带队；仍然安排的理由： → 电话确认过；"
                    "出勤： → 李护士 SQ0101-000001 出席；所需培训： → 岗前培训")
