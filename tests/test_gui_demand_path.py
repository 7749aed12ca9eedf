"""The whole demand path through the main window, as station staff would walk it:
a household with two key groups → a visit finding two needs from the menu → a project designed
from them → a recruitment notice → two applicants (one a new resident) → their review → the
Monday overview showing the needs matched."""

from __future__ import annotations

import pytest

from station_app.services import volunteers as vol_svc
from station_app.ui.common import AppContext
from station_app.ui.demand.projects import ProjectDialog
from station_app.ui.demand.recipients import RecipientDialog
from station_app.ui.demand.recruitment import ApplyDialog, NewResidentDialog, RecruitmentDialog
from station_app.ui.demand.visit_dialog import VisitDialog
from station_app.ui.main_window import MainWindow
from station_app.ui.roster.review_dialog import ReviewDialog
from station_app.ui.rows_model import view_texts

from .conftest import setup_station
from .idnumbers import make_id

pytestmark = pytest.mark.gui


def answer(monkeypatch, dialog_class, act):
    """A person filling the dialog in: exec() runs ``act`` instead of a modal loop."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def texts(table) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def cell(table, row_label: str, column_label: str) -> str:
    rows = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    columns = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    item = table.item(rows.index(row_label), columns.index(column_label))
    return item.text() if item else ""


@pytest.fixture
def window(qtbot, db):
    admin = setup_station(db)
    with db.session() as session:
        liang = vol_svc.register_volunteer(session, admin, vol_svc.VolunteerInput(
            name="梁志强", id_number=make_id("442000", "19800101", "111"), phone="13800001111",
            skills=["家电维修"]))
    with db.session() as session:
        vol_svc.review_volunteer(session, admin, liang, approve=True)
    win = MainWindow(AppContext(db=db, actor=admin, station_name="康华花园物业志愿服务站"))
    qtbot.addWidget(win)
    win.liang = liang
    return win


def test_from_a_household_visit_to_matched_needs(window, monkeypatch):
    demand = window.demand
    window.tabs.setCurrentWidget(demand)
    overview = demand.overview
    demand.show_page(overview)
    assert overview.unmet.value.text() == "0"

    # 1. A household with two key groups.
    def add_household(dialog: RecipientDialog) -> int:
        dialog.name.setText("何婆婆")
        dialog.gender.setCurrentIndex(dialog.gender.findData("女"))
        dialog.birth_date.setText("1941-06-18")
        dialog.building.setText("5栋")
        dialog.unit.setText("2单元")
        dialog.room.setText("301")
        dialog.guardian_name.setText("何志明")
        dialog.guardian_relation.setText("儿子")
        dialog.guardian_phone.setText("13926905678")
        dialog.check_key_groups(["空巢老人", "残疾人"])
        dialog.accept()
        return dialog.result()

    recipients = demand.recipients
    demand.show_page(recipients)
    answer(monkeypatch, RecipientDialog, add_household)
    recipients.add_button.click()
    [household] = view_texts(recipients.table)
    assert household[0] == "何婆婆" and household[3] == "空巢老人、残疾人"
    assert "139****5678" in household[4]  # the guardian's phone, masked

    # 2. A home visit that finds two needs from the menu.
    def visit(dialog: VisitDialog) -> int:
        dialog.method.setCurrentIndex(dialog.method.findData("home"))
        dialog.findings.setPlainText("腿脚不便，冰箱坏了，水电费一直由邻居代交。")
        dialog.add_need_row(item_id=item_id("维修家电"))
        dialog.add_need_row(item_id=item_id("代交水电费"))
        dialog.accept()
        return dialog.result()

    def item_id(name: str) -> int:
        from station_app.services.catalogue import list_menu

        with window.ctx.db.session(write=False) as session:
            return next(i.id for i in list_menu(session, window.ctx.actor) if i.name == name)

    recipients.select_recipient(recipients.rows[0].id)
    answer(monkeypatch, VisitDialog, visit)
    recipients.visit_button.click()
    assert "发现需求 2 项" in recipients.detail.toPlainText()

    demand.show_page(overview)
    assert overview.unmet.value.text() == "2"
    groups = overview.groups_table
    assert cell(groups, "空巢老人", "便民行动") == "2" and cell(groups, "残疾人", "便民行动") == "2"
    assert cell(groups, "合计（每条需求计一次）", "合计") == "2"

    # 3. A project designed from the two needs, from the needs page's button.
    needs = demand.needs
    demand.show_page(needs)
    need_ids = [r.id for r in needs.rows]
    assert [r.what for r in needs.rows] == ["维修家电", "代交水电费"]
    needs.select_needs(need_ids)

    def design(dialog: ProjectDialog) -> int:
        assert dialog.chosen_needs() == need_ids
        dialog.name.setText("邻里帮·家电义修")
        dialog.lead.setText("林晓敏")
        dialog.goal.setPlainText("为行动不便的老人上门修家电、代交水电费。")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, ProjectDialog, design)
    needs.project_button.click()
    projects = demand.projects
    assert demand.pages.currentWidget() is projects
    [project] = texts(projects.table)
    assert project[0] == "邻里帮·家电义修" and project[5] == "共 2 条，未完成 2 条"

    # 4. Its recruitment notice.
    def publish(dialog: RecruitmentDialog) -> int:
        dialog.title.setText("招募家电义修志愿者")
        dialog.skills.setText("家电维修")
        dialog.min_age.setValue(18)
        dialog.max_age.setValue(65)
        dialog.slots.setValue(4)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, RecruitmentDialog, publish)
    projects.recruit_button.click()

    # 5. Two applicants: a registered volunteer, and a resident who is not one yet.
    recruitment = demand.recruitment
    demand.show_page(recruitment)
    recruitment.table.selectRow(0)

    def registered(dialog: ApplyDialog) -> int:
        dialog.search.setText("梁志强")
        assert dialog.select_volunteer(window.liang)
        dialog.accept()
        return dialog.result()

    def new_resident(dialog: NewResidentDialog) -> int:
        dialog.name.setText("陈建国")
        dialog.id_number.setText(make_id("442000", "19700505", "135"))
        dialog.phone.setText("13726901234")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, ApplyDialog, registered)
    recruitment.apply_button.click()
    answer(monkeypatch, NewResidentDialog, new_resident)
    recruitment.new_resident_button.click()
    applicants = texts(recruitment.applicants)
    assert [(a[0], a[2]) for a in applicants] == [("梁志强", "已注册"), ("陈建国", "申请中")]
    assert recruitment.applicants_label.text() == "报名情况：已报 2 / 4 人"

    # 6. The new resident is reviewed on the roster, like any application.
    roster = window.roster
    window.tabs.setCurrentWidget(roster)
    roster.refresh()
    with window.ctx.db.session(write=False) as session:
        new_id = next(r.id for r in vol_svc.roster_rows(
            session, window.ctx.actor, vol_svc.roster_ids(session, window.ctx.actor, vol_svc.RosterFilter())).values()
            if r.name == "陈建国")
    assert roster.select_volunteer(new_id)
    answer(monkeypatch, ReviewDialog, lambda d: (d.approve_button.click(), d.result())[1])
    roster.review_button.click()
    assert "SQ0101-000002" in roster.detail.toPlainText()

    window.tabs.setCurrentWidget(demand)
    demand.show_page(recruitment)
    recruitment.table.selectRow(0)
    assert [(a[0], a[2]) for a in texts(recruitment.applicants)] == [("梁志强", "已注册"), ("陈建国", "已注册")]

    # 7. Monday: the two needs are matched, nothing waits.
    demand.show_page(overview)
    assert overview.unmet.value.text() == "0"
    assert overview.matched.value.text() == "100%"
    assert cell(overview.groups_table, "空巢老人", "便民行动") == ""
