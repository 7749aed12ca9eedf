"""志愿服务记录证明 (A4 portrait): identity (ID masked as given), totals, records over pages with the header
repeated, trainings and honours (or "无"), the seal and QR block, page footers, embedded fonts, rare names."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
import reportlab.rl_config
from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from station_app.reports.documents import (
    HonourLine,
    RecordCertificate,
    RecordLine,
    Stamp,
    TrainingLine,
    Wording,
)
from station_app.reports.record_certificate import record_certificate

from .test_poster import embedded_fonts

reportlab.rl_config.invariant = 1

FULL_ID = "440103199001011234"  # never handed to the report: the service masks it
MASKED_ID = "4401**********1234"
NUMBER = "SQ0101-JL2026-0007"
HEADER = "序号日期服务内容服务地点时长（小时）"
SHOTS = Path("/tmp/shots")


def seal_png() -> bytes:
    """A small red ring with a star, on a transparent background."""
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 116, 116), outline=(210, 30, 30, 210), width=6)
    draw.polygon([(60, 30), (68, 52), (90, 52), (72, 66), (79, 88), (60, 74), (41, 88), (48, 66), (30, 52), (52, 52)],
                 fill=(210, 30, 30, 210))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def lines(n: int) -> list[RecordLine]:
    contents = ("“银龄关爱”入户探访独居老人", "社区环境整治与垃圾分类宣传", "健康义诊：测血压、血糖")
    return [RecordLine(date(2026, 1, 3) + timedelta(days=2 * k), f"{contents[k % 3]}（第{k + 1}次）",
                       "康华花园3栋" if k % 2 else "服务站活动室", "2" if k % 2 else "1.5") for k in range(n)]


def certificate(n: int = 5, *, name: str = "李秀英", seal: bytes | None = None, copy_note: str = "",
                trainings: bool = True, honours: bool = True) -> RecordCertificate:
    wording = Wording(
        title="志愿服务记录证明", subtitle="VOLUNTEER SERVICE RECORD CERTIFICATE",
        body=f"兹证明{name}系本站注册志愿者，于2026年1月1日至2026年12月31日期间参加志愿服务。\n特此证明。",
        footer="说明：本证明依据民政部《志愿服务记录与证明出具办法》出具，可扫码核验。",
    )
    stamp = Stamp(NUMBER, date(2026, 12, 1), f"RC|{NUMBER}|sig:3fa9c0d1e2b4", seal, copy_note)
    return RecordCertificate(
        stamp=stamp, wording=wording, name=name, gender="女", id_number_masked=MASKED_ID,
        volunteer_no="SQ0101-000123", registered_on=date(2023, 5, 20),
        period_from=date(2026, 1, 1), period_to=date(2026, 12, 31), total_hours_text="312.5", record_count=n,
        lines=lines(n),
        trainings=[TrainingLine(date(2026, 3, 8), "健康义诊岗前培训", "岗前培训", "2.5")] if trainings else [],
        honours=[HonourLine(date(2026, 12, 1), "三星级志愿者", "康华花园物业志愿服务站", "SQ0101-XJ2026-0003")]
        if honours else [],
        station_name="康华花园物业志愿服务站", person_in_charge="王建国", handler="李小红", contact="0760-88123456",
    )


def pages_text(path: Path) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(str(path))
    # Without the spaces a text extractor may put between CJK glyphs.
    return reader, ["".join(page.extract_text().split()) for page in reader.pages]


def fonts_of(reader: PdfReader, needle: str) -> set[str]:
    """The fonts the text runs containing ``needle`` are drawn in."""
    found: set[str] = set()

    def visit(text, _cm, _tm, font, _size) -> None:  # noqa: ANN001 - pypdf's visitor
        if needle in text and font is not None:
            found.add(str(font.get("/BaseFont")))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return found


def images_with_alpha(reader: PdfReader) -> int:
    count = 0
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image" and "/SMask" in obj:
                count += 1
    return count


def test_a_short_certificate_says_who_how_long_and_is_sealed(tmp_path):
    path = record_certificate(certificate(5, seal=seal_png()), tmp_path / "short.pdf")
    assert path == tmp_path / "short.pdf"
    reader, texts = pages_text(path)
    for page in reader.pages:  # A4 portrait
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (round(A4[0]), round(A4[1]))
    text = "".join(texts)
    for expected in ("志愿服务记录证明", "VOLUNTEERSERVICERECORDCERTIFICATE", f"证明编号：{NUMBER}",
                     "出具日期：2026年12月1日", "姓名李秀英", "性别女", f"身份证号{MASKED_ID}",
                     "志愿者编号SQ0101-000123", "注册日期2023年5月20日", "起止日期2026年1月1日至2026年12月31日",
                     "服务时长合计312.5小时", "服务记录共5条", "兹证明李秀英系本站注册志愿者", "特此证明。",
                     HEADER, "合计（共5条）312.5", "健康义诊岗前培训", "岗前培训", "三星级志愿者", "SQ0101-XJ2026-0003",
                     "负责人：王建国", "经办人：李小红", "联系电话：0760-88123456", "出具单位（盖章）",
                     "扫码核验", "民政部《志愿服务记录与证明出具办法》"):
        assert expected in text, expected
    assert texts[0].index("姓名") < texts[0].index("服务时长合计") < texts[0].index(HEADER)
    # Only the masked ID: no full 18-character ID number anywhere on the paper.
    assert FULL_ID not in text and not re.search(r"\d{17}[\dX]", text)
    for n, page_text in enumerate(texts, start=1):
        assert f"第{n}页共{len(texts)}页" in page_text and f"证明编号：{NUMBER}" in page_text
    # The seal is drawn with its transparency (an image with a soft mask), over the issuer's block.
    assert images_with_alpha(reader) == 1
    assert text.index("扫码核验") > text.index("三星级志愿者")  # the closing block comes last


def test_a_long_certificate_repeats_the_table_header_and_counts_pages(tmp_path):
    note = "补打　第2次打印　2026-12-05"
    doc = certificate(120, copy_note=note, trainings=False, honours=False)
    reader, texts = pages_text(record_certificate(doc, tmp_path / "long.pdf"))
    total = len(reader.pages)
    assert total > 1
    dated = re.compile(r"2026-\d\d-\d\d")
    for n, text in enumerate(texts, start=1):
        assert f"第{n}页共{total}页" in text and NUMBER in text, n
        text = text.replace("补打第2次打印2026-12-05", "")
        if dated.search(text):  # a page with records starts its table with the header row
            assert "服务内容" in text and text.index(HEADER) < dated.search(text).start(), n
        if n > 1:
            assert "志愿服务记录证明（续）" in text, n
    assert "（续）" not in texts[0]
    joined = "".join(texts)
    assert all(line.service_date.isoformat() in joined for line in doc.lines)
    assert "（第120次）" in joined and "合计（共120条）312.5" in joined and "服务记录共120条" in texts[0]
    # A reprint says so on page 1 only; no seal image means the marked place for one.
    assert "补打第2次打印2026-12-05" in texts[0] and all("补打" not in t for t in texts[1:])
    assert images_with_alpha(reader) == 0 and "（盖章处）" in texts[-1]
    assert "二、培训情况无三、嘉许与星级无" in joined
    assert "扫码核验" in texts[-1] and "说明：" in texts[-1]


def test_fonts_are_embedded_and_a_rare_name_prints_in_wenkai(tmp_path):
    reader, texts = pages_text(record_certificate(certificate(3, name="王䶮", seal=seal_png()), tmp_path / "rare.pdf"))
    fonts = embedded_fonts(reader)
    assert any("WenQuanYiMicroHei" in name for name in fonts) and any("LXGWWenKai" in name for name in fonts)
    assert all(fonts.values()), fonts  # every font the pages use is in the file
    assert "姓名王䶮" in texts[0]
    used = fonts_of(reader, "䶮")
    assert used and all("LXGWWenKai" in name for name in used), used


def test_the_same_input_gives_the_same_bytes(tmp_path):
    doc = certificate(8, seal=seal_png())
    first = record_certificate(doc, tmp_path / "a.pdf").read_bytes()
    assert record_certificate(doc, tmp_path / "b.pdf").read_bytes() == first


def render_first_page(pdf: Path, prefix: Path) -> Image.Image:
    if shutil.which("pdftoppm") is not None:
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
                       check=True)
        return Image.open(f"{prefix}.png").convert("RGB")
    pdfium = pytest.importorskip("pypdfium2", reason="neither pdftoppm nor pypdfium2 to render with")
    image = pdfium.PdfDocument(str(pdf))[0].render(scale=60 / 72).to_pil().convert("RGB")
    image.save(f"{prefix}.png")
    return image


def test_page_one_renders_with_ink_and_the_accent_title(tmp_path):
    pdf = record_certificate(certificate(5, seal=seal_png(), copy_note="补打　第2次打印"), tmp_path / "cert.pdf")
    image = render_first_page(pdf, tmp_path / "page1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SHOTS / "record_certificate_page1.png")
    pixels = list(image.convert("RGB").tobytes())
    pixels = list(zip(pixels[0::3], pixels[1::3], pixels[2::3], strict=True))
    inked = sum(1 for r, g, b in pixels if r + g + b < 600)
    assert inked > len(pixels) * 0.02  # not a blank page
    red = sum(1 for r, g, b in pixels if r > 150 and g < 90 and b < 90)
    assert red > 200  # the title (and the reprint box) in the accent colour


def test_the_template_s_signatory_line_replaces_the_plain_person_in_charge_line(tmp_path):
    from dataclasses import replace

    doc = certificate()
    doc = replace(doc, wording=replace(doc.wording, signatory="负责人：{}".format(doc.person_in_charge or "王建国")))
    _reader, texts = pages_text(record_certificate(doc, tmp_path / "signed.pdf"))
    assert "".join(texts).count("负责人：") == 1
