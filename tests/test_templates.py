"""Document wording (文书模板) and the station seal (印章) as administrator data: checks, storage, filling."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from station_app.db import Database
from station_app.errors import PermissionDenied, ValidationError
from station_app.models import AuditEntry, StationSetting
from station_app.reports.documents import Wording
from station_app.services import templates as svc
from station_app.services.auth import Actor


def template(db: Database, actor: Actor, kind: str = "star") -> svc.Template:
    with db.session(write=False) as session:
        return svc.get_template(session, actor.station_id, kind)


def stored_settings(db: Database) -> dict[str, str]:
    with db.session(write=False) as session:
        return {row.key: row.value for row in session.scalars(select(StationSetting))
                if row.key.startswith("print.")}


def last_audit(db: Database) -> tuple[str, str, dict]:
    with db.session(write=False) as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        return entry.summary, entry.username, dict(entry.changes)


def audit_summaries(db: Database) -> list[str]:
    with db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "station")
                                    .order_by(AuditEntry.id)))


def png(size: tuple[int, int], colour: tuple[int, int, int, int] = (200, 0, 0, 128), mode: str = "RGBA",
        fmt: str = "PNG") -> bytes:
    image = Image.new(mode, size, colour if mode == "RGBA" else colour[:3])
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("kind", svc.KINDS)
def test_every_default_is_valid_complete_and_fills_with_its_sample(kind: str):
    default = svc.default_template(kind)
    assert set(default) == set(svc.FIELDS)
    svc.check_template(kind, default)
    wording = svc.fill(svc.Template(kind, default, True), svc.sample_values(kind))
    assert wording.title == svc.KIND_LABELS[kind] == default["title"]
    assert "{" not in wording.body and "}" not in wording.body
    assert set(svc.sample_values(kind)) == set(svc.PLACEHOLDERS[kind])


def test_labels_cover_kinds_and_fields():
    assert tuple(svc.KIND_LABELS) == svc.KINDS
    assert svc.FIELD_LABELS == {"title": "标题", "subtitle": "副标题", "body": "正文", "issuer": "颁发单位",
                                "signatory": "签发人", "footer": "页脚说明", "accent": "主色"}


def test_a_new_station_prints_the_default(db: Database, admin: Actor):
    got = template(db, admin)
    assert got.is_default and got.fields == svc.default_template("star")


def test_save_get_reset_round_trip(db: Database, admin: Actor):
    with db.session() as session:
        svc.save_template(session, admin, "star", {"title": "  星级志愿者荣誉证书 ", "accent": "#1F3A68"})
    got = template(db, admin)
    assert not got.is_default
    assert got.fields["title"] == "星级志愿者荣誉证书" and got.fields["accent"] == "#1f3a68"
    assert got.fields["body"] == svc.default_template("star")["body"]
    assert template(db, admin, "honour").is_default  # other kinds untouched
    # only the changed fields are stored
    assert set(svc.settings_svc.json.loads(stored_settings(db)["print.template.star"])) == {"title", "accent"}
    with db.session() as session:
        svc.reset_template(session, admin, "star")
    assert template(db, admin).is_default
    assert "print.template.star" not in stored_settings(db)
    assert audit_summaries(db)[-2:] == ["修改文书模板：星级志愿者证书", "文书模板恢复默认：星级志愿者证书"]


def test_saving_the_default_text_stores_nothing(db: Database, admin: Actor):
    with db.session() as session:
        svc.save_template(session, admin, "record", svc.default_template("record"))
    assert stored_settings(db) == {}
    assert not any("文书模板" in s for s in audit_summaries(db))


def test_the_audit_row_names_the_field_changed(db: Database, admin: Actor):
    with db.session() as session:
        svc.save_template(session, admin, "honour", {"signatory": "主任：{站长}"})
    summary, username, changes = last_audit(db)
    assert summary == "修改文书模板：荣誉证书" and username == "admin"
    assert changes == {"signatory": ["站长：{站长}", "主任：{站长}"]}


def test_unknown_placeholder_refused_by_name_and_nothing_stored(db: Database, admin: Actor):
    with db.session() as session, pytest.raises(ValidationError) as refused:
        svc.save_template(session, admin, "star", {"body": "{姓名}，生日 {生日}，特发此证。"})
    assert "正文中的占位符 {生日} 不认识" in refused.value.message
    assert "{姓名}、{志愿者编号}" in refused.value.message
    assert refused.value.field == "body"
    assert stored_settings(db) == {} and template(db, admin).is_default


def test_a_placeholder_of_another_kind_is_unknown_here():
    with pytest.raises(ValidationError, match=r"占位符 \{称号\} 不认识"):
        svc.check_template("star", {"title": "{称号}"})
    svc.check_template("honour", {"title": "{称号}"})


@pytest.mark.parametrize(("body", "words"), [
    ("{姓名", "大括号不成对"),
    ("姓名}同志", "大括号不成对"),
    ("{}同志", "空的大括号"),
    ("{姓名.upper}", "不能带“.”"),
    ("{姓名[0]}", "不能带“.”"),
    ("{累计时长:.1f} 小时", "不能带“!”或“:”"),
    ("{姓名!r}", "不能带“!”或“:”"),
    ("｛姓名｝", "全角大括号"),
    ("{ 姓名 }", "多了空格"),
])
def test_bad_braces_refused(body: str, words: str):
    with pytest.raises(ValidationError, match=words) as refused:
        svc.check_template("star", {"body": body})
    assert refused.value.message.startswith("正文中")


def test_doubled_braces_print_as_braces():
    fields = {**svc.default_template("star"), "body": "{{编号}} {姓名}"}
    svc.check_template("star", fields)
    assert svc.fill(svc.Template("star", fields, False), svc.sample_values("star")).body == "{编号} 张晓明"


@pytest.mark.parametrize(("fields", "words"), [
    ({"title": "  "}, "标题不能为空"),
    ({"body": "字" * 1001}, "正文有 1001 个字，最多 1000 个字"),
    ({"footer": "字" * 201}, "页脚说明有 201 个字，最多 200 个字"),
    ({"title": "第一行\n第二行"}, "标题不能换行"),
    ({"accent": "red"}, "不是颜色"),
    ({"accent": "#fffff0"}, "太浅"),
])
def test_other_bad_fields_refused(fields: dict[str, str], words: str):
    with pytest.raises(ValidationError, match=words):
        svc.check_template("star", fields)


def test_unknown_kind_refused():
    with pytest.raises(ValidationError, match="不认识的文书种类"):
        svc.check_template("diploma", {})


def test_clerk_may_not_change_wording_or_seal(db: Database, admin: Actor, clerk: Actor):
    with db.session() as session:
        with pytest.raises(PermissionDenied):
            svc.save_template(session, clerk, "star", {"title": "我的证书"})
        with pytest.raises(PermissionDenied):
            svc.reset_template(session, clerk, "star")
        with pytest.raises(PermissionDenied):
            svc.set_seal(session, clerk, png((100, 100)))
        with pytest.raises(PermissionDenied):
            svc.clear_seal(session, clerk)
    assert stored_settings(db) == {}
    assert template(db, clerk).is_default  # but the clerk's prints use the station's wording


def test_fill_gives_the_wording_and_needs_every_placeholder(db: Database, admin: Actor):
    with db.session() as session:
        svc.save_template(session, admin, "star", {"subtitle": "{年}年度", "signatory": "站长：{站长}（签章）"})
    values = svc.sample_values("star") | {"姓名": "李{年}", "站长": "陈站长"}
    wording = svc.fill(template(db, admin), values)
    assert wording == Wording(
        title="星级志愿者证书", subtitle="2026年度",
        body="李{年}同志（志愿者编号 SQ0101-00012）积极参与社区志愿服务，累计服务时长 312.5 小时，"
             "经康华花园物业志愿服务站审核，于 2026年11月30日 认定为三星级志愿者。\n特发此证，以资鼓励。",
        issuer="康华花园物业志愿服务站", signatory="站长：陈站长（签章）",
        footer="依据《中山市社区志愿服务行动方案》志愿者星级认定制度颁发，扫描二维码可核验证书真伪。",
        accent="#b22222",
    )
    del values["证书编号"]  # not used by this wording, still required
    with pytest.raises(KeyError, match="证书编号"):
        svc.fill(template(db, admin), values)


def test_a_stored_field_that_no_longer_checks_falls_back_to_the_default(db: Database, admin: Actor):
    with db.session() as session:
        svc.settings_svc.set_json(session, admin.station_id, "print.template.star",
                                  {"title": "好证书", "body": "{旧占位符}"})
    got = template(db, admin)
    assert got.fields["title"] == "好证书"
    assert got.fields["body"] == svc.default_template("star")["body"]


# --- the seal ---------------------------------------------------------------------------
def test_a_png_with_transparency_is_stored_and_round_trips(db: Database, admin: Actor):
    with db.session(write=False) as session:
        assert svc.seal_png(session, admin.station_id) is None and svc.seal_info(session, admin.station_id) is None
    with db.session() as session:
        info = svc.set_seal(session, admin, png((320, 300)))
    assert info == svc.SealInfo(320, 300, True)
    with db.session(write=False) as session:
        stored = svc.seal_png(session, admin.station_id)
        assert svc.seal_info(session, admin.station_id) == info
    image = Image.open(io.BytesIO(stored))
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (320, 300))
    assert image.getpixel((10, 10)) == (200, 0, 0, 128)
    summary, _username, changes = last_audit(db)
    assert summary == "设置印章图片（320×300 像素）"
    assert changes["seal"][0] is None and changes["seal"][1].startswith("320×300 PNG sha256:")


def test_a_jpeg_is_accepted_but_reported_as_opaque(db: Database, admin: Actor):
    with db.session() as session:
        info = svc.set_seal(session, admin, png((200, 200), mode="RGB", fmt="JPEG"))
    assert info == svc.SealInfo(200, 200, False)
    with db.session(write=False) as session:
        assert Image.open(io.BytesIO(svc.seal_png(session, admin.station_id))).format == "PNG"


def test_a_large_image_is_scaled_to_600_px(db: Database, admin: Actor):
    with db.session() as session:
        info = svc.set_seal(session, admin, png((2400, 1200)))
    assert (info.width, info.height) == (600, 300)
    with db.session(write=False) as session:
        assert Image.open(io.BytesIO(svc.seal_png(session, admin.station_id))).size == (600, 300)


def gif_animation() -> bytes:
    frames = [Image.new("RGB", (50, 50), c) for c in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


@pytest.mark.parametrize(("data", "words"), [
    ("这不是图片，只是改了扩展名的文本文件。".encode(), "所选文件不是图片（无法识别的格式），印章没有更改。"),
    (b"", "所选文件是空的"),
    (png((4001, 10)), "4001×10 像素，超过了 4000 像素"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024), "超过了 5 MB"),
    (gif_animation(), "动画"),
    (png((300, 300))[:200], "已损坏"),
])
def test_a_bad_file_is_refused_and_the_old_seal_kept(db: Database, admin: Actor, data: bytes, words: str):
    good = png((100, 100))
    with db.session() as session:
        svc.set_seal(session, admin, good)
    with db.session(write=False) as session:
        before = svc.seal_png(session, admin.station_id)
    with db.session() as session, pytest.raises(ValidationError, match=words) as refused:
        svc.set_seal(session, admin, data)
    assert refused.value.message.endswith("印章没有更改。")
    with db.session(write=False) as session:
        assert svc.seal_png(session, admin.station_id) == before


def test_clear_seal(db: Database, admin: Actor):
    with db.session() as session:
        svc.set_seal(session, admin, png((100, 100)))
    with db.session() as session:
        svc.clear_seal(session, admin)
    with db.session(write=False) as session:
        assert svc.seal_png(session, admin.station_id) is None
    assert audit_summaries(db)[-1] == "清除印章图片"
