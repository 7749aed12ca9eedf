"""The A4 recruitment poster: its text reads back from the PDF and its Chinese fonts are embedded."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from station_app.reports.poster import PosterData, recruitment_poster

DATA = PosterData(
    station_name="康华花园物业志愿服务站",
    station_address="中山市石岐街道康华路1号",
    title="银龄关爱·家电义修志愿者招募",
    project_name="银龄关爱",
    project_category="帮扶行动",
    project_goal="为小区 12 户空巢老人提供每月一次的上门家电检修和用电安全检查。",
    requirements="熟悉常见家电维修；有耐心，能与老人沟通。\n服务时请自带工具 & 注意安全 <务必>。",
    skills=["家电维修", "电工"],
    age_range="18 至 65 周岁",
    service_times="周六上午；每月第一个周六 9:00–11:00",
    slots=6,
    deadline=date(2027, 1, 15),
    contact_name="陈站长",
    contact_phone="0760-88123456",
    published_on=date(2026, 12, 1),
)


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    # Compare without the spaces a text extractor may put between CJK glyphs.
    return reader, "".join("".join(page.extract_text() for page in reader.pages).split())


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Base font name → whether its TrueType program (FontFile2) is in the file."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            found[str(font["/BaseFont"])] = bool(descriptor and "/FontFile2" in descriptor.get_object())
    return found


def test_one_a4_page_with_the_notice_in_chinese():
    reader, text = text_of(recruitment_poster(DATA))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(A4[0]), round(A4[1]))
    for expected in ("康华花园物业志愿服务站", "志愿者招募", "银龄关爱·家电义修志愿者招募", "帮扶行动", "空巢老人",
                     "家电维修、电工", "18至65周岁", "周六上午", "6人", "2027年1月15日", "陈站长",
                     "0760-88123456", "报名方式", "自带工具&注意安全<务必>", "发布日期：2026-12-01"):
        assert expected in text, expected


def test_fonts_are_embedded():
    reader, _text = text_of(recruitment_poster(DATA))
    fonts = embedded_fonts(reader)
    assert any("WenQuanYiMicroHei" in name for name in fonts) and any("LXGWWenKai" in name for name in fonts)
    assert all(fonts.values()), fonts  # every font the page uses is in the file


def test_rare_characters_fall_back_to_wenkai():
    """Micro Hei lacks 䶮; a contact named 王䶮 still prints (in WenKai), not as a blank box."""
    data = PosterData(**{**DATA.__dict__, "contact_name": "王䶮", "title": "招募：王䶮老师的书法课助教"})
    _reader, text = text_of(recruitment_poster(data))
    assert "王䶮" in text and "王䶮老师的书法课助教" in text


def test_long_text_still_fits_one_page():
    data = PosterData(**{**DATA.__dict__, "requirements": "认真负责，按时到岗。" * 120})
    reader, text = text_of(recruitment_poster(data))
    assert len(reader.pages) == 1 and "2027年1月15日" in text


def test_same_input_same_bytes_and_written_to_a_path(tmp_path: Path):
    target = tmp_path / "海报.pdf"
    first = recruitment_poster(DATA, target)
    assert target.read_bytes() == first == recruitment_poster(DATA)  # rl_config.invariant in conftest


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")
def test_renders_with_poppler(tmp_path: Path):
    pdf = tmp_path / "poster.pdf"
    recruitment_poster(DATA, pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "poster")], check=True)
    [png] = tmp_path.glob("poster*.png")
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize("markup", ["{t}", "<font color='red'>报名方式：</font>{t}"], ids=["one style", "mixed"])
def test_no_line_of_a_paragraph_starts_with_chinese_punctuation(markup: str):
    """ReportLab's wrap rules lack ，；：！？; a poster line must not begin with one of them."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from station_app.reports.cjk import enable_chinese_line_breaking
    from station_app.reports.fonts import KAI, register_fonts

    register_fonts()
    enable_chinese_line_breaking()
    style = ParagraphStyle("t", fontName=KAI, fontSize=12, leading=16, wordWrap="CJK")
    text = markup.format(t="请于十二月二十九日前到康华花园物业志愿服务站报名，名额有限，报满即止；" * 6)
    for width in range(100, 400, 7):
        para = Paragraph(text, style)
        para.wrap(width, 1000)
        lines = para.blPara.lines
        if para.blPara.kind == 0:
            starts = ["".join(words)[:1] for _extra, words in lines]
        else:
            starts = ["".join(getattr(w, "text", "") for w in line.words)[:1] for line in lines]
        assert not any(s in "，；：！？" for s in starts), (width, starts)
