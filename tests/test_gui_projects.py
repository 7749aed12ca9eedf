"""项目 and 招募与报名 pages, driven through their own buttons (dialogs answered as a person would)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from station_app.services import volunteers as vol_svc
from station_app.services.needs import NeedInput, add_need
from station_app.ui.common import AppContext
from station_app.ui.demand import recruitment as rec_ui
from station_app.ui.demand.projects import ProjectDialog, ProjectsPage, ReasonDialog
from station_app.ui.demand.recruitment import (
    ApplyDialog,
    NewResidentDialog,
    RecruitmentDialog,
    RecruitmentPage,
)

from .conftest import setup_station
from .idnumbers import make_id
from .test_projects import make_recipient, menu_item

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


def answer(monkeypatch, dialog_class, act):
    """Replace a dialog's exec() with a person filling it in; act returns the dialog's result."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def table_texts(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def two_needs(ctx) -> list[int]:
    recipient = make_recipient(ctx.db, ctx.actor)
    with ctx.db.session() as session:
        return [
            add_need(session, ctx.actor, NeedInput(recipient, service_item_id=menu_item(ctx.db, ctx.actor, "维修家电"))),
            add_need(session, ctx.actor, NeedInput(recipient, free_text="帮忙代交水电费")),
        ]


def registered_volunteer(ctx, name: str, birth: str, seq: str) -> int:
    with ctx.db.session() as session:
        vid = vol_svc.register_volunteer(session, ctx.actor, vol_svc.VolunteerInput(
            name=name, id_number=make_id("442000", birth, seq), phone="13800001111"))
    with ctx.db.session() as session:
        vol_svc.review_volunteer(session, ctx.actor, vid, approve=True)
    return vid


def test_project_dialog_from_the_needs_page_refuses_then_saves(qtbot, ctx):
    needs = two_needs(ctx)
    dialog = ProjectDialog(ctx, needs)
    qtbot.addWidget(dialog)
    assert dialog.chosen_needs() == needs
    assert dialog.category.currentText() == "便民行动"  # suggested from the first menu need
    dialog.accept()  # nothing typed yet
    assert dialog.error.text() == "请填写项目名称。" and dialog.result() == 0
    dialog.name.setText("银龄关爱")
    dialog.lead.setText("林社工")
    dialog.ends_on.setDate(dialog.starts_on.date().addDays(-1))
    dialog.accept()
    assert "早于开始日期" in dialog.error.text() and dialog.result() == 0
    dialog.ends_on.setDate(dialog.starts_on.date().addDays(90))
    dialog.accept()
    assert dialog.result() == 1 and dialog.saved_id is not None


def test_edit_adds_a_need_to_the_project(qtbot, ctx, monkeypatch):
    needs = two_needs(ctx)
    first = ProjectDialog(ctx, needs[:1])
    qtbot.addWidget(first)
    first.name.setText("银龄关爱")
    first.lead.setText("林社工")
    first.accept()
    page = ProjectsPage(ctx)
    qtbot.addWidget(page)
    assert table_texts(page.table)[0][5] == "共 1 条，未完成 1 条"

    def edit(dialog: ProjectDialog) -> int:
        assert not dialog.tick_need(needs[0])  # already in the project: shown, not tickable
        assert dialog.tick_need(needs[1])
        dialog.name.setText("银龄关爱（一期）")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, ProjectDialog, edit)
    page.edit_button.click()
    assert table_texts(page.table)[0][0] == "银龄关爱（一期）"
    assert table_texts(page.table)[0][5] == "共 2 条，未完成 2 条"


def test_project_to_recruitment_to_applications_and_poster(qtbot, ctx, monkeypatch, tmp_path: Path):
    needs = two_needs(ctx)
    liang = registered_volunteer(ctx, "梁志强", "19800101", "111")
    projects = ProjectsPage(ctx)
    qtbot.addWidget(projects)
    assert not projects.edit_button.isEnabled()

    # 新建项目: tick the two unmet needs in the dialog's list.
    def design(dialog: ProjectDialog) -> int:
        assert dialog.chosen_needs() == []
        assert all(dialog.tick_need(n) for n in needs)
        dialog.name.setText("银龄关爱")
        dialog.category.setCurrentIndex(dialog.category.findData("help"))
        dialog.lead.setText("林社工")
        dialog.goal.setPlainText("为空巢老人上门检修家电、代交水电费")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, ProjectDialog, design)
    projects.add_button.click()
    [row] = table_texts(projects.table)
    assert row[0] == "银龄关爱" and row[1] == "帮扶行动"
    assert row[5] == "共 2 条，未完成 2 条" and row[6] == "进行中"
    assert [r[1] for r in table_texts(projects.needs_table)] == ["维修家电", "帮忙代交水电费"]
    assert {r[4] for r in table_texts(projects.needs_table)} == {"已对接"}

    # 发布招募 for the selected project; a first try with a past deadline is refused in the red line.
    def publish(dialog: RecruitmentDialog) -> int:
        assert dialog.project.currentText() == "银龄关爱"
        assert dialog.title.text() == "银龄关爱志愿者招募"  # suggested
        assert dialog.contact_phone.text() == "0760-88123456"  # the station's public number
        dialog.title.setText("家电义修志愿者招募")
        dialog.skills.setText("家电维修、电工")
        dialog.min_age.setValue(18)
        dialog.max_age.setValue(65)
        dialog.slots.setValue(5)
        good = dialog.deadline.date()
        dialog.deadline.setDate(good.addDays(-30))
        dialog.accept()
        assert "已经过去了" in dialog.error.text() and dialog.result() == 0
        dialog.deadline.setDate(good)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, RecruitmentDialog, publish)
    projects.recruit_button.click()
    assert "家电义修志愿者招募（招募中）" in projects.summary.text()

    page = RecruitmentPage(ctx)
    qtbot.addWidget(page)
    [notice] = table_texts(page.table)
    assert notice[:3] == ["家电义修志愿者招募", "银龄关爱", "0 / 5"] and notice[4] == "招募中"

    # 报名（已注册志愿者）: search, pick, save.
    def sign_up(dialog: ApplyDialog) -> int:
        dialog.search.setText("梁志强")
        assert dialog.select_volunteer(liang)
        dialog.note.setText("自带工具")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, ApplyDialog, sign_up)
    page.apply_button.click()
    assert page.applicants_label.text() == "报名情况：已报 1 / 5 人"

    # Applying twice is refused in the dialog, which stays open.
    def twice(dialog: ApplyDialog) -> int:
        dialog.search.setText("梁志强")
        dialog.select_volunteer(liang)
        dialog.accept()
        assert "不能重复报名" in dialog.error.text()
        return dialog.result()

    answer(monkeypatch, ApplyDialog, twice)
    page.apply_button.click()
    assert page.applicants.rowCount() == 1

    # 报名（新居民）: the roster's form; the resident joins the roster in 申请中.
    def new_resident(dialog: NewResidentDialog) -> int:
        dialog.name.setText("何丽华")
        dialog.id_number.setText(make_id("442000", "19780809", "246"))
        dialog.phone.setText("13726901234")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, NewResidentDialog, new_resident)
    page.new_resident_button.click()
    applicants = table_texts(page.applicants)
    assert [(a[0], a[2], a[5], a[6]) for a in applicants] == [
        ("梁志强", "已注册", "已注册志愿者", "已报名"), ("何丽华", "申请中", "新居民", "已报名")]
    assert applicants[1][1] == "（审核后发放）" and applicants[1][4] == "137****1234"
    assert table_texts(page.table)[0][2] == "2 / 5"
    with ctx.db.session(write=False) as session:
        counts = vol_svc.count_by_status(session, ctx.actor)
    assert counts[vol_svc.Status.APPLYING] == 1

    # 打印海报: the save dialog is answered with a path; the PDF is written there.
    target = tmp_path / "海报"
    monkeypatch.setattr(rec_ui.QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "PDF"))
    page.poster_button.click()
    pdf = tmp_path / "海报.pdf"
    text = "".join(PdfReader(str(pdf)).pages[0].extract_text().split())
    assert "家电义修志愿者招募" in text and "0760-88123456" in text
    assert str(pdf) in page.status.text()

    # 取消报名 with a reason frees the slot.
    page.applicants.selectRow(0)
    assert page.cancel_button.isEnabled()
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: "家中有事"))
    page.cancel_button.click()
    assert table_texts(page.applicants)[0][6] == "已取消：家中有事"
    assert page.applicants_label.text() == "报名情况：已报 1 / 5 人"

    # 结束招募: applications close with it.
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: "人员已招齐"))
    page.close_button.click()
    assert table_texts(page.table)[0][4] == "已结束"
    assert not page.apply_button.isEnabled() and not page.edit_button.isEnabled()
    assert page.poster_button.isEnabled()


def test_viewer_sees_but_cannot_act(qtbot, sqlite_db):
    from station_app.services.auth import Role

    from .conftest import add_user

    admin = setup_station(sqlite_db)
    viewer = add_user(sqlite_db, admin, "viewer", Role.VIEWER)
    ctx = AppContext(db=sqlite_db, actor=viewer)
    projects, page = ProjectsPage(ctx), RecruitmentPage(ctx)
    qtbot.addWidget(projects)
    qtbot.addWidget(page)
    assert not projects.add_button.isEnabled() and not page.publish_button.isEnabled()
