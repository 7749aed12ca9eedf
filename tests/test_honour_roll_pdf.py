"""光荣榜 (A3 portrait poster): the header, sections in order with their names, empty sections left out,
"本年度暂无上榜人员" for an empty roll, a long roll over two sheets, embedded fonts, rare names, not blank."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import reportlab.rl_config
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A3

from station_app.reports.documents import HonourRoll, RollEntry, RollSection, Wording
from station_app.reports.honour_roll import honour_roll

from .test_poster import embedded_fonts
from .test_record_certificate_pdf import fonts_of

reportlab.rl_config.invariant = 1

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("建国", "小红", "志强", "秀英", "丽", "伟", "芳", "敏", "静", "海燕", "德华", "桂兰", "子轩", "欣怡", "浩然")
HEADINGS = ("年度优秀志愿者", "最美志愿者", "优秀服务队", "五星级志愿者")
TEAMS = ("银龄关爱服务队", "康华花园环境卫士志愿服务队", "健康义诊队", "小候鸟课后托管队", "平安巡逻队", "文明劝导队")
SHOTS = Path("/tmp/shots")

WORDING = Wording(
    title="2026年度志愿服务光荣榜", subtitle="弘扬志愿精神　共建美好家园",
    body="2026年，服务站广大志愿者积极投身社区服务。为表彰先进、树立典型，经评议并公示，现将名单予以公布。",
    issuer="康华花园物业志愿服务站", footer="以上名单已于服务站公示七日，无异议。",
)


def people(n: int, start: int) -> list[RollEntry]:
    """n distinct names (a numeric suffix past the first hundred or so isn't needed here)."""
    names = [SURNAMES[k % 20] + GIVEN[(k // 20 + k) % 15] for k in range(start, start + n)]
    assert len(set(names)) == n
    return [RollEntry(name, ("三星级 · 312.5 小时", "入户探访 48 次", "")[k % 3]) for k, name in enumerate(names)]


def roll(sizes: tuple[int, ...], *, empty_section: bool = True) -> HonourRoll:
    sections = []
    start = 0
    for heading, n in zip(HEADINGS, sizes, strict=True):
        if heading == "优秀服务队":
            entries = [RollEntry(TEAMS[k % len(TEAMS)] + ("" if k < len(TEAMS) else str(k)), "服务 86 次 · 1024 小时")
                       for k in range(n)]
        else:
            entries = people(n, start)
            start += n
        sections.append(RollSection(heading, entries))
    if empty_section:
        sections.insert(1, RollSection("优秀志愿服务项目", []))
    return HonourRoll(wording=WORDING, year=2026, sections=sections, station_name="康华花园物业志愿服务站",
                      made_on=date(2026, 12, 28))


def pages_text(path: Path) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(str(path))
    return reader, ["".join(page.extract_text().split()) for page in reader.pages]


def test_a_roll_of_four_sections_fits_one_a3_sheet_in_order(tmp_path):
    doc = roll((8, 8, 6, 8))
    path = honour_roll(doc, tmp_path / "roll.pdf")
    assert path == tmp_path / "roll.pdf"
    reader, texts = pages_text(path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(A3[0]), round(A3[1]))  # A3 portrait
    text = texts[0]
    for expected in ("2026年度志愿服务光荣榜", "弘扬志愿精神共建美好家园", "康华花园物业志愿服务站", "为表彰先进、树立典型",
                     "以上名单已于服务站公示七日，无异议。", "2026年12月28日", "三星级", "312.5小时", "入户探访48次"):
        assert expected in text, expected
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)  # the sections in the order given
    assert "优秀志愿服务项目" not in text  # an empty section is left out
    for section in doc.sections:
        for entry in section.entries:
            assert entry.name in text, entry.name
    # Each name under its own section's ribbon.
    assert positions[0] < text.index(doc.sections[0].entries[0].name) < positions[1]
    assert positions[3] < text.index(doc.sections[-1].entries[-1].name)
    assert text.index("2026年12月28日") > positions[3]  # issuer and date close the roll
    assert "第1页" not in text  # a single sheet isn't numbered


def test_many_names_flow_onto_a_second_sheet_with_the_header_continued(tmp_path):
    doc = roll((24, 20, 8, 28))
    reader, texts = pages_text(honour_roll(doc, tmp_path / "big.pdf"))
    assert len(reader.pages) == 2
    assert "2026年度志愿服务光荣榜（续）" in texts[1] and "（续）" not in texts[0]
    for n, text in enumerate(texts, start=1):
        assert f"第{n}页共2页" in text
    joined = "".join(texts)
    names = [entry.name for section in doc.sections for entry in section.entries]
    assert len(names) == 80 and all(name in joined for name in names)
    assert "2026年12月28日" in texts[-1]


def test_a_roll_with_nobody_on_it_says_so(tmp_path):
    doc = HonourRoll(wording=WORDING, year=2026, sections=[RollSection("年度优秀志愿者", []), RollSection("五星级志愿者", [])],
                     station_name="康华花园物业志愿服务站", made_on=date(2026, 12, 28))
    reader, texts = pages_text(honour_roll(doc, tmp_path / "empty.pdf"))
    assert len(reader.pages) == 1
    assert "本年度暂无上榜人员" in texts[0] and "2026年度志愿服务光荣榜" in texts[0]
    assert "年度优秀志愿者" not in texts[0] and "五星级志愿者" not in texts[0]
    no_sections = HonourRoll(wording=WORDING, year=2026, sections=[], station_name="服务站", made_on=date(2026, 12, 28))
    assert "本年度暂无上榜人员" in pages_text(honour_roll(no_sections, tmp_path / "none.pdf"))[1][0]


def test_fonts_are_embedded_and_a_rare_name_prints_in_wenkai(tmp_path):
    doc = roll((3, 2, 2, 3))
    sections = list(doc.sections)
    sections[0] = RollSection(sections[0].heading, [RollEntry("王䶮", "五星级 · 1580 小时"), *sections[0].entries])
    doc = HonourRoll(doc.wording, doc.year, sections, doc.station_name, doc.made_on)
    reader, texts = pages_text(honour_roll(doc, tmp_path / "rare.pdf"))
    fonts = embedded_fonts(reader)
    assert any("WenQuanYiMicroHei" in name for name in fonts) and any("LXGWWenKai" in name for name in fonts)
    assert all(fonts.values()), fonts
    assert "王䶮" in texts[0]
    used = fonts_of(reader, "䶮")
    assert used and all("LXGWWenKai" in name for name in used), used


def test_the_sheet_renders_red_and_gold_not_blank(tmp_path):
    pdf = honour_roll(roll((8, 8, 6, 8)), tmp_path / "roll.pdf")
    if shutil.which("pdftoppm") is not None:
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(tmp_path / "page")], check=True)
        image = Image.open(tmp_path / "page.png").convert("RGB")
    else:
        pdfium = pytest.importorskip("pypdfium2", reason="neither pdftoppm nor pypdfium2 to render with")
        image = pdfium.PdfDocument(str(pdf))[0].render(scale=40 / 72).to_pil().convert("RGB")
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SHOTS / "honour_roll_page1.png")
    data = image.tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    red = sum(1 for r, g, b in pixels if r > 150 and g < 70 and b < 70)
    assert red > len(pixels) * 0.08  # the header band and the ribbons
    dark = sum(1 for r, g, b in pixels if r + g + b < 450)
    assert dark > len(pixels) * 0.01  # names and text
