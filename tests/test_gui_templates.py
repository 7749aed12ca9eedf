"""文书模板与印章 driven as an administrator would: reword a certificate, mistype a placeholder, set the seal."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from station_app.services import templates as svc
from station_app.services.auth import Role
from station_app.ui import common
from station_app.ui.common import AppContext
from station_app.ui.printing import templates_dialog
from station_app.ui.printing.templates_dialog import TemplatesDialog

from .conftest import add_user, setup_station
from .shots import shot

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


def open_dialog(qtbot, ctx) -> TemplatesDialog:
    dialog = TemplatesDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def stored(ctx, kind: str = "star") -> svc.Template:
    with ctx.db.session(write=False) as session:
        return svc.get_template(session, ctx.actor.station_id, kind)


def seal_file(tmp_path, name: str = "seal.png") -> str:
    """A round red seal on a transparent background, as a station would scan and clean it up."""
    image = Image.new("RGBA", (800, 800), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 40, 760, 760), outline=(200, 20, 20, 230), width=36)
    draw.regular_polygon((400, 400, 150), 5, rotation=90, fill=(200, 20, 20, 230))
    path = tmp_path / name
    image.save(path)
    return str(path)


def test_change_the_star_title_save_and_reopen(qtbot, ctx):
    dialog = open_dialog(qtbot, ctx)
    assert dialog.kind() == "star" and dialog.edits["title"].text() == "星级志愿者证书"
    assert "张晓明同志" in dialog.preview_text.text()  # the body filled with sample data
    assert "{姓名}" in dialog.placeholders.item(0).text()
    dialog.edits["title"].setText("星级志愿者荣誉证书")
    assert "星级志愿者荣誉证书" in dialog.preview_text.text()
    assert dialog.state_label.text() == "有修改尚未保存"
    dialog.save_button.click()
    assert dialog.error.text() == ""
    assert stored(ctx).fields["title"] == "星级志愿者荣誉证书"
    dialog.close()

    again = open_dialog(qtbot, ctx)
    assert again.edits["title"].text() == "星级志愿者荣誉证书"
    assert again.state_label.text() == "使用本站修改过的文字"


def test_an_unknown_placeholder_shows_in_red_and_nothing_is_saved(qtbot, ctx):
    dialog = open_dialog(qtbot, ctx)
    dialog.edits["body"].setPlainText("{姓名}同志，生日 {生日}，特发此证。")
    assert "模板有误" in dialog.preview_text.text()
    dialog.save_button.click()
    assert "正文中的占位符 {生日} 不认识" in dialog.error.text()
    assert "{姓名}、{志愿者编号}" in dialog.error.text()
    assert not dialog.error.isHidden()
    shot(dialog, "templates_dialog_error")
    assert stored(ctx).is_default


def test_double_click_inserts_the_placeholder_where_the_cursor_is(qtbot, ctx):
    dialog = open_dialog(qtbot, ctx)
    dialog.kind_combo.setCurrentIndex(svc.KINDS.index("honour"))
    assert dialog.kind() == "honour" and dialog.edits["title"].text() == "荣誉证书"
    footer = dialog.edits["footer"]
    footer.setFocus()
    qtbot.waitUntil(footer.hasFocus)
    footer.setText("编号：")
    number = next(dialog.placeholders.item(i) for i in range(dialog.placeholders.count())
                  if dialog.placeholders.item(i).text().startswith("{证书编号}"))
    dialog.placeholders.itemDoubleClicked.emit(number)
    assert footer.text() == "编号：{证书编号}"
    assert "编号：SQ0101-JX2026-0003" in dialog.preview_text.text()


def test_reset_to_default_after_confirming(qtbot, ctx, monkeypatch):
    with ctx.db.session() as session:
        svc.save_template(session, ctx.actor, "star", {"title": "旧标题"})
    dialog = open_dialog(qtbot, ctx)
    assert dialog.edits["title"].text() == "旧标题"
    monkeypatch.setattr(templates_dialog, "confirm", lambda *a: False)
    dialog.reset_button.click()
    assert stored(ctx).fields["title"] == "旧标题"
    monkeypatch.setattr(templates_dialog, "confirm", lambda *a: True)
    dialog.reset_button.click()
    assert stored(ctx).is_default and dialog.edits["title"].text() == "星级志愿者证书"


def test_set_the_seal_from_a_file(qtbot, ctx, monkeypatch, tmp_path):
    dialog = open_dialog(qtbot, ctx)
    assert dialog.seal_preview.text() == "未设置印章" and not dialog.clear_seal_button.isEnabled()
    monkeypatch.setattr(TemplatesDialog, "ask_seal_file", staticmethod(lambda parent=None: seal_file(tmp_path)))
    dialog.choose_seal_button.click()
    assert not dialog.seal_preview.pixmap().isNull()
    assert dialog.seal_note.text() == "600×600 像素，透明背景。"
    assert dialog.clear_seal_button.isEnabled()
    with ctx.db.session(write=False) as session:
        assert svc.seal_info(session, ctx.actor.station_id) == svc.SealInfo(600, 600, True)
    shot(dialog, "templates_dialog")


def test_an_opaque_seal_is_kept_with_a_warning_and_a_text_file_is_refused(qtbot, ctx, monkeypatch, tmp_path):
    jpeg = tmp_path / "scan.jpg"
    Image.new("RGB", (300, 300), "white").save(jpeg, format="JPEG")
    fake = tmp_path / "not-a-seal.png"
    fake.write_text("这是一个文本文件", encoding="utf-8")
    dialog = open_dialog(qtbot, ctx)
    monkeypatch.setattr(TemplatesDialog, "ask_seal_file", staticmethod(lambda parent=None: str(jpeg)))
    dialog.choose_seal_button.click()
    assert "没有透明背景，盖在文字上会遮住文字" in dialog.seal_note.text()
    shot(dialog, "templates_dialog_opaque_seal")
    errors: list[str] = []
    monkeypatch.setattr(common, "show_error", lambda parent, message, title=None: errors.append(message))
    monkeypatch.setattr(TemplatesDialog, "ask_seal_file", staticmethod(lambda parent=None: str(fake)))
    dialog.choose_seal_button.click()
    assert errors == ["所选文件不是图片（无法识别的格式），印章没有更改。"]
    with ctx.db.session(write=False) as session:
        assert svc.seal_info(session, ctx.actor.station_id) == svc.SealInfo(300, 300, False)
    assert "没有透明背景" in dialog.seal_note.text()


def test_clear_the_seal(qtbot, ctx, monkeypatch):
    buffer = io.BytesIO()
    Image.new("RGBA", (100, 100), (200, 0, 0, 100)).save(buffer, format="PNG")
    with ctx.db.session() as session:
        svc.set_seal(session, ctx.actor, buffer.getvalue())
    dialog = open_dialog(qtbot, ctx)
    monkeypatch.setattr(templates_dialog, "confirm", lambda *a: True)
    dialog.clear_seal_button.click()
    assert dialog.seal_preview.text() == "未设置印章"
    with ctx.db.session(write=False) as session:
        assert svc.seal_png(session, ctx.actor.station_id) is None


def test_a_clerk_sees_the_wording_but_cannot_change_it(qtbot, ctx):
    clerk = add_user(ctx.db, ctx.actor, "clerk", Role.CLERK)
    dialog = open_dialog(qtbot, AppContext(db=ctx.db, actor=clerk, station_name=ctx.station_name))
    assert dialog.readonly_note.isVisible() and "只能查看" in dialog.readonly_note.text()
    assert all(edit.isReadOnly() for edit in dialog.edits.values())
    assert not any(b.isEnabled() for b in (dialog.save_button, dialog.reset_button,
                                           dialog.choose_seal_button, dialog.clear_seal_button))
    assert "张晓明同志" in dialog.preview_text.text()
    shot(dialog, "templates_dialog_readonly")
