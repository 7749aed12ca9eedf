"""The landscape certificates (星级志愿者证书, 荣誉证书) and the batch renderer, read back from the PDFs."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from station_app.errors import ValidationError
from station_app.reports.batch import PrintCancelled, render, safe_stem
from station_app.reports.certificates import LOOK, qr_modules, write_certificates
from station_app.reports.documents import (
    HonourCertificate,
    HonourRoll,
    RecordCertificate,
    Stamp,
    StarCertificate,
    Wording,
)
from station_app.reports.fonts import HEI, KAI, GlyphMissing, check_printable, covers, missing_glyphs

from .test_poster import embedded_fonts

RARE = "䶮"  # WenKai has it, WenQuanYi Micro Hei does not
NONE = "𪚥"  # U+2A6A5: in neither bundled font


def seal_png() -> bytes:
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((6, 6, 194, 194), outline=(200, 20, 20, 220), width=10)
    draw.regular_polygon((100, 100, 40), 5, fill=(200, 20, 20, 220))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


SEAL = seal_png()

STAR_WORDING = Wording(
    title="星级志愿者证书",
    subtitle="STAR VOLUNTEER CERTIFICATE",
    body="张三同志积极参加社区志愿服务，累计服务时长312.5小时，经审核认定为三星级志愿者。\n特发此证，以资鼓励。",
    issuer="康华花园物业志愿服务站",
    signatory="站长：王建国",
    footer="扫描二维码可核验本证书",
)


def star(name: str = "张三", *, level: int = 3, level_name: str = "三星级志愿者", seal: bytes | None = SEAL,
         copy_note: str = "", number: str = "SQ0101-XJ2026-0001") -> StarCertificate:
    return StarCertificate(
        stamp=Stamp(number, date(2026, 12, 1), f"SVS1|{number}|sig-AbCdEf0123456789", seal, copy_note),
        wording=STAR_WORDING, name=name, volunteer_no="V2024-0031", level=level, level_name=level_name,
        hours_text="312.5", confirmed_on=date(2026, 11, 30), station_name="康华花园物业志愿服务站",
    )


def honour(target: str = "陈晓明", *, seal: bytes | None = SEAL) -> HonourCertificate:
    return HonourCertificate(
        stamp=Stamp("SQ0101-RY2026-0007", date(2026, 12, 5), "SVS1|SQ0101-RY2026-0007|sig-XyZ", seal),
        # the body as the service fills it: the template quotes the citation where it says {事迹}
        wording=Wording(title="荣誉证书", body="在2026年度社区志愿服务工作中表现突出，为建设和谐社区作出了积极贡献。\n特发此证，以资鼓励。",
                        issuer="康华花园物业志愿服务站"),
        honour_title="年度优秀志愿者", target_name=target, target_kind="volunteer", awarded_on=date(2026, 12, 5),
        citation="在2026年度社区志愿服务工作中表现突出，为建设和谐社区作出了积极贡献。",
        station_name="康华花园物业志愿服务站",
    )


def squeeze(text: str) -> str:
    return "".join(text.split())


def text_of(path: Path) -> tuple[PdfReader, str]:
    reader = PdfReader(path)
    return reader, squeeze("".join(page.extract_text() for page in reader.pages))


def fonts_of_text(reader: PdfReader, page: int = 0) -> dict[str, str]:
    """Each piece of text on the page → the base font it is drawn in."""
    pieces: dict[str, str] = {}

    def visit(text, _cm, _tm, font, _size):
        if text.strip() and font is not None:
            pieces[squeeze(text)] = str(font["/BaseFont"])

    reader.pages[page].extract_text(visitor_text=visit)
    return pieces


def render_page(path: Path, page: int = 0, scale: float = 1.0) -> Image.Image:
    """The page as an RGB image (pdfium, which the app bundles for its print preview)."""
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(str(path))
    try:
        return document[page].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()


@pytest.fixture(autouse=True)
def invariant():
    before = rl_config.invariant
    rl_config.invariant = 1
    yield
    rl_config.invariant = before


# --- fonts -----------------------------------------------------------------------------------------

def test_the_fonts_cover_what_style_md_says():
    assert not covers(HEI, RARE) and covers(KAI, RARE)
    assert not covers(HEI, "𠮷") and covers(KAI, "𠮷")
    assert missing_glyphs(f"张{RARE} {NONE}{NONE}三") == [NONE]
    assert missing_glyphs("康华花园 312.5 小时") == []


def test_check_printable_names_the_document_the_character_and_its_code_point():
    check_printable([("“李䶮”的证书", f"李{RARE}")])  # WenKai draws it: fine
    with pytest.raises(GlyphMissing) as caught:
        check_printable([("“张三”的证书", "张三"), ("“王𪚥”的证书", f"王{NONE}")])
    message = str(caught.value)
    assert message.startswith("“王𪚥”的证书中") and f"“{NONE}”（U+2A6A5）" in message
    assert caught.value.chars == [NONE]


# --- star certificates -------------------------------------------------------------------------------

def test_star_certificate_reads_back_one_landscape_page_per_person(tmp_path):
    docs = [star("张三"), star("欧阳娜娜娜", level=5, level_name="五星级志愿者", number="SQ0101-XJ2026-0002")]
    path = write_certificates(docs, tmp_path / "stars.pdf")
    reader, text = text_of(path)
    assert len(reader.pages) == 2
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (round(A4[1]), round(A4[0]))
    for expected in ("星级志愿者证书", "张三", "欧阳娜娜娜", "三星级志愿者", "五星级志愿者", "312.5", "小时",
                     "SQ0101-XJ2026-0001", "SQ0101-XJ2026-0002", "2026年11月30日", "2026年12月1日",
                     "康华花园物业志愿服务站", "站长：王建国", "扫码核验", "特发此证，以资鼓励。", "V2024-0031"):
        assert expected in text, expected
    assert "sig-AbCdEf" not in text  # the payload is in the QR code, not printed as text
    assert "补打" not in text  # a first print says nothing about copies
    assert reader.metadata.title.startswith("星级志愿者证书") and reader.metadata.creator == "Station App"


def test_fonts_are_embedded(tmp_path):
    reader, _text = text_of(write_certificates([star(), honour(seal=None)], tmp_path / "c.pdf"))
    fonts = embedded_fonts(reader)
    assert any("WenQuanYiMicroHei" in name for name in fonts)
    assert all(fonts.values()), fonts  # no Helvetica or any other font left unembedded


def test_a_rare_character_prints_in_wenkai(tmp_path):
    reader, text = text_of(write_certificates([star(f"李{RARE}")], tmp_path / "rare.pdf"))
    assert f"李{RARE}" in text
    drawn_in = fonts_of_text(reader)
    assert "LXGWWenKai" in drawn_in[f"李{RARE}"]  # Micro Hei would leave a blank
    assert "WenQuanYiMicroHei" in drawn_in["星级志愿者证书"]


def test_a_character_no_font_has_stops_before_anything_is_written(tmp_path):
    with pytest.raises(GlyphMissing) as caught:
        write_certificates([star("张三"), star(f"王{NONE}")], tmp_path / "bad.pdf")
    assert f"“王{NONE}”" in str(caught.value) and "U+2A6A5" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_reprint_says_so_on_the_paper(tmp_path):
    note = "补打 第 2 次打印 2026-12-01"
    _reader, text = text_of(write_certificates([star(copy_note=note)], tmp_path / "again.pdf"))
    assert squeeze(note) in text


def test_seal_is_drawn_with_its_transparency_or_a_place_is_left_for_one(tmp_path):
    sealed = write_certificates([star(), star(number="SQ0101-XJ2026-0002")], tmp_path / "sealed.pdf")
    reader, text = text_of(sealed)
    images = []
    for xobject in reader.pages[0]["/Resources"]["/XObject"].values():
        inner = xobject.get_object().get("/Resources", {}).get("/XObject", {})
        images += [x.get_object() for x in inner.values() if x.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 1 and "/SMask" in images[0]  # the PNG's alpha, not a white square
    assert "盖章处" not in text
    _reader, text = text_of(write_certificates([star(seal=None)], tmp_path / "unsealed.pdf"))
    assert "盖章处" in text


def test_the_qr_code_on_the_page_is_the_payload(tmp_path):
    doc = star()
    path = write_certificates([doc], tmp_path / "qr.pdf")
    modules = qr_modules(doc.stamp.qr_payload)
    scale = 8
    image = render_page(path, scale=scale).convert("L")
    _width, height = image.size
    box = LOOK["qr_size"] / (len(modules) + 2 * LOOK["qr_border"]) * scale
    left = LOOK["qr_x"] * scale + LOOK["qr_border"] * box
    top = height - (LOOK["qr_y"] + LOOK["qr_size"]) * scale + LOOK["qr_border"] * box
    seen = [[image.getpixel((int(left + (c + 0.5) * box), int(top + (r + 0.5) * box))) < 128
             for c in range(len(modules))] for r in range(len(modules))]
    assert seen == modules


def test_nothing_is_drawn_within_10_mm_of_the_edge_and_the_page_is_not_blank(tmp_path):
    path = write_certificates([star(copy_note="补打 第 2 次打印 2026-12-01"), honour()], tmp_path / "edge.pdf")
    for page in (0, 1):
        image = render_page(path, page, scale=2).convert("L")
        width, height = image.size
        edge = round(10 * mm * 2) - 1
        inside = image.crop((edge, edge, width - edge, height - edge))
        assert inside.getextrema()[0] < 100  # there is ink
        margin_ink = [image.crop(box).getextrema()[0] for box in
                      ((0, 0, width, edge), (0, height - edge, width, height),
                       (0, 0, edge, height), (width - edge, 0, width, height))]
        assert min(margin_ink) >= 250, margin_ink


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")
def test_pdftoppm_renders_a_page_with_ink(tmp_path):
    path = write_certificates([star()], tmp_path / "c.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    assert Image.open(tmp_path / "page.png").convert("L").getextrema()[0] < 100


def test_the_same_certificates_give_the_same_bytes(tmp_path):
    one = write_certificates([star(), honour()], tmp_path / "one.pdf").read_bytes()
    two = write_certificates([star(), honour()], tmp_path / "two.pdf").read_bytes()
    assert one == two


# --- honour certificates -----------------------------------------------------------------------------

def test_honour_certificate_reads_back(tmp_path):
    team = "康华花园“银龄关爱”家电义修志愿服务队"
    reader, text = text_of(write_certificates([honour(), honour(team, seal=None)], tmp_path / "h.pdf"))
    assert len(reader.pages) == 2
    for expected in ("荣誉证书", "授予", "陈晓明", squeeze(team), "年度优秀志愿者", "为建设和谐社区作出了积极贡献",
                     "特发此证，以资鼓励。", "2026年12月5日", "SQ0101-RY2026-0007", "康华花园物业志愿服务站"):
        assert expected in text, expected


# --- the batch renderer ------------------------------------------------------------------------------

def items(n: int) -> list[tuple[str, StarCertificate]]:
    names = ["张三", "李四", "王五", "赵六", "钱七"]
    return [(f"SQ0101-XJ2026-{i:04d}_{names[(i - 1) % 5]}", star(names[(i - 1) % 5], number=f"SQ0101-XJ2026-{i:04d}"))
            for i in range(1, n + 1)]


def test_per_person_files_with_safe_names(tmp_path):
    batch = items(3) + [('a/b\\c:d*e?f"g<h>i|j', star("孙八")), ("SQ0101-XJ2026-0001_张三", star("张三"))]
    calls: list[tuple[int, int]] = []
    paths = render(batch, tmp_path / "out", one_file=False, progress=lambda done, total: calls.append((done, total)))
    names = [p.name for p in paths]
    assert names == ["SQ0101-XJ2026-0001_张三.pdf", "SQ0101-XJ2026-0002_李四.pdf", "SQ0101-XJ2026-0003_王五.pdf",
                     "a_b_c_d_e_f_g_h_i_j.pdf", "SQ0101-XJ2026-0001_张三 (2).pdf"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(names)  # no temporary files left
    assert calls == [(i, 5) for i in range(1, 6)]
    _reader, text = text_of(paths[1])
    assert "李四" in text and "SQ0101-XJ2026-0002" in text and "SQ0101-XJ2026-0001" not in text
    assert safe_stem(" ..") == "证书"


def test_cancel_leaves_no_files_and_keeps_an_older_one(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    older = out / "SQ0101-XJ2026-0001_张三.pdf"
    older.write_bytes(b"printed yesterday")
    done: list[int] = []
    with pytest.raises(PrintCancelled) as caught:
        render(items(5), out, one_file=False, progress=lambda d, _t: done.append(d), cancelled=lambda: len(done) >= 2)
    assert str(caught.value) == "已取消，没有生成文件。"
    assert done == [1, 2]
    assert list(out.iterdir()) == [older] and older.read_bytes() == b"printed yesterday"


def test_one_file_reports_progress_per_certificate(tmp_path):
    calls: list[tuple[int, int]] = []
    target = tmp_path / "all.pdf"
    paths = render(items(4) + [("honour", honour())], target, one_file=True,
                   progress=lambda done, total: calls.append((done, total)))
    assert paths == [target] and calls == [(i, 5) for i in range(1, 6)]
    reader, text = text_of(target)
    assert len(reader.pages) == 5 and "赵六" in text and "钱七" not in text and "荣誉证书" in text
    assert list(tmp_path.iterdir()) == [target]


def test_one_file_cancelled_midway_leaves_nothing(tmp_path):
    done: list[int] = []
    with pytest.raises(PrintCancelled):
        render(items(4), tmp_path / "all.pdf", one_file=True, progress=lambda d, _t: done.append(d),
               cancelled=lambda: len(done) >= 2)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_glyph_anywhere_stops_the_batch_first(tmp_path):
    bad = replace(star("周九"), station_name=f"{NONE}华服务站")
    with pytest.raises(GlyphMissing) as caught:
        render(items(2) + [("x", bad)], tmp_path / "out", one_file=False)
    assert "“周九”的星级志愿者证书" in str(caught.value) and "U+2A6A5" in str(caught.value)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_records_and_rolls_are_files_of_their_own(tmp_path):
    record = RecordCertificate(
        stamp=Stamp("SQ0101-JL2026-0001", date(2026, 12, 1), "SVS1|x"), wording=Wording(title="志愿服务记录证明"),
        name="张三", gender="男", id_number_masked="4401**********123X", volunteer_no="V1", registered_on=None,
        period_from=date(2026, 1, 1), period_to=date(2026, 12, 1), total_hours_text="12", record_count=3,
    )
    roll = HonourRoll(wording=Wording(title="光荣榜"), year=2026, sections=[], station_name="康华",
                      made_on=date(2026, 12, 1))
    for doc in (record, roll):
        with pytest.raises(ValidationError):
            render([("a", star()), ("b", doc)], tmp_path / "all.pdf", one_file=True)
    assert list(tmp_path.iterdir()) == []
