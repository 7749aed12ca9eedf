"""The A4 sign-in sheet (签到表): text, sections, pages with the header repeated, masked phones, embedded fonts."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from station_app.reports.signin import BLANK_ROWS, SigninRow, SigninSection, SigninSheet, signin_sheet

from .test_poster import embedded_fonts

COLUMNS = ("序号", "姓名", "志愿者编号", "联系电话", "备注", "签到时间", "签退时间", "本人签名")
FACTS = [("培训主题", "健康义诊岗前培训：测血压、血糖与隐私保护"), ("类型", "岗前培训"), ("讲师", "梁医生（市人民医院）"),
         ("地点", "服务站活动室"), ("时间", "2031-03-08（周六）09:00–11:30"), ("培训时长", "2.5 小时")]


def rows(n: int, start: int = 0) -> list[SigninRow]:
    return [SigninRow(number=k + 1, name=f"志愿者{k + start:03d}", volunteer_no=f"SQ0101-{k + start:06d}",
                      phone="13812345678", note="骨干" if k % 10 == 0 else "") for k in range(n)]


def pages_text(path: Path) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(str(path))
    # Without the spaces a text extractor may put between CJK glyphs.
    return reader, ["".join(page.extract_text().split()) for page in reader.pages]


def test_one_short_list_fits_one_a4_page_with_facts_columns_and_blank_rows(tmp_path):
    sheet = SigninSheet("康华花园物业志愿服务站培训签到表", FACTS, [SigninSection("", rows(5))], footer="康华花园物业志愿服务站")
    path = signin_sheet(sheet, tmp_path / "sheet.pdf")
    assert path == tmp_path / "sheet.pdf"
    reader, texts = pages_text(path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(A4[0]), round(A4[1]))
    text = texts[0]
    assert "康华花园物业志愿服务站培训签到表" in text
    for label, value in FACTS:
        assert label in text and "".join(value.split()) in text, label
    assert "".join(COLUMNS) in text  # the header row, in order
    assert "志愿者000" in text and "SQ0101-000004" in text
    assert "138****5678" in text and "13812345678" not in text
    # Blank rows for walk-ins: numbered on after the last name, nothing else in them.
    blank = "".join(str(n) for n in range(6, 6 + BLANK_ROWS))
    assert text.split("SQ0101-000004", 1)[1].startswith("138****5678" + blank + "康华花园物业志愿服务站")
    assert "第1页共1页" in text


def test_a_long_list_continues_with_the_header_repeated_and_pages_counted(tmp_path):
    sheet = SigninSheet("培训签到表", FACTS, [SigninSection("", rows(60))], footer="签到表由服务站留存")
    reader, texts = pages_text(signin_sheet(sheet, tmp_path / "long.pdf"))
    total = len(reader.pages)
    assert total >= 3
    for n, text in enumerate(texts, start=1):
        assert "".join(COLUMNS) in text, n  # every page starts its table with the header row
        assert f"第{n}页共{total}页" in text
        assert "签到表由服务站留存" in text
    assert "培训签到表（续）" in texts[1]  # later pages say which sheet they continue
    assert all(f"SQ0101-{k:06d}" in "".join(texts) for k in range(60))
    assert texts[-1].split("SQ0101-000059", 1)[1].startswith("138****5678" + "".join(
        str(n) for n in range(61, 61 + BLANK_ROWS)))


def test_sections_each_with_their_heading_count_and_blank_rows(tmp_path):
    sheet = SigninSheet("中秋慰问活动签到表", [("活动", "“我们的节日”中秋慰问")], [
        SigninSection("上午班 09:00–12:00", rows(3)),
        SigninSection("下午班 14:00–17:00", rows(2, start=50)),
    ])
    _reader, texts = pages_text(signin_sheet(sheet, tmp_path / "shifts.pdf"))
    text = "".join(texts)
    morning, afternoon = text.index("上午班09:00–12:00共3人"), text.index("下午班14:00–17:00共2人")
    assert morning < text.index("志愿者000") < afternoon < text.index("志愿者050")
    assert text.count("".join(COLUMNS)) == 2


def test_fonts_are_embedded_and_rare_names_print(tmp_path):
    sheet = SigninSheet("培训签到表", FACTS, [SigninSection("", [SigninRow(1, "王䶮", "SQ0101-000001", "0760-88123456")])])
    reader, texts = pages_text(signin_sheet(sheet, tmp_path / "fonts.pdf"))
    fonts = embedded_fonts(reader)
    assert fonts and all(fonts.values()), fonts
    assert any("WenQuanYiMicroHei" in name for name in fonts)
    assert any("LXGWWenKai" in name for name in fonts)  # 䶮 falls back to WenKai
    assert "王䶮" in texts[0] and "0760-****3456" in texts[0]


def test_an_empty_sheet_still_prints_blank_rows(tmp_path):
    _reader, texts = pages_text(signin_sheet(SigninSheet("培训签到表", [], []), tmp_path / "empty.pdf"))
    assert texts[0] == "培训签到表" + "".join(COLUMNS) + "".join(str(n) for n in range(1, 1 + BLANK_ROWS)) + "第1页共1页"
