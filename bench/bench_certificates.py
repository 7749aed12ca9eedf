"""Certificate benchmark: 1,000 star certificates into one PDF, next to a bare ReportLab canvas loop.

Run:  QT_QPA_PLATFORM=offscreen python bench/bench_certificates.py [--count 1000]

The documents are what the print centre hands the renderer for a batch of newly confirmed
volunteers: names from the demo's name lists (some with characters only the fallback font has),
levels 1–5, hours, a signed QR payload each (a real Ed25519 signature), the station's seal PNG
(the demo's) and the default wording filled in.

Target (issue 6): the batch as one PDF within 2× of the same pages drawn by a bare canvas loop,
and under 15 s on this machine. The bare loop draws the same content with no layout logic: the two
frames and corner lines, title, subtitle, the name, five star paths, the level, the body split into
fixed lines, the facts line, the number and date, the seal image and the QR code, in the same
embedded fonts. Its QR code is drawn three ways, all reported: encoded by segno and drawn as one
path (what the renderer does: the target's comparison), ReportLab's own encoder drawn as one path,
and the documented ReportLab way (``QrCodeWidget`` in a ``Drawing`` through ``renderPDF.draw``).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import segno  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from reportlab.graphics import renderPDF  # noqa: E402
from reportlab.graphics.barcode.qr import QrCodeWidget  # noqa: E402
from reportlab.graphics.shapes import Drawing  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import A4, landscape  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from station_app.reports.batch import render  # noqa: E402
from station_app.reports.certificates import STAR  # noqa: E402
from station_app.reports.documents import Stamp, StarCertificate  # noqa: E402
from station_app.reports.fonts import HEI, KAI, register_fonts  # noqa: E402
from station_app.resources import load_json  # noqa: E402
from station_app.services import templates  # noqa: E402
from station_app.services.certificates import STAR as STAR_KIND  # noqa: E402
from station_app.services.certificates import cn_date, sign_payload  # noqa: E402
from station_app.services.demo_printing import seal_image  # noqa: E402
from station_app.services.hours import STAR_THRESHOLD_HOURS, hours_text, level_name  # noqa: E402

TARGET_RATIO = 2.0
TARGET_SECONDS = 15.0
STATION = "康华花园物业志愿服务站"
RARE = ("䶮", "𠮷", "堃", "喆")


def documents(count: int, seed: int = 2014) -> list[StarCertificate]:
    rng = random.Random(seed)
    names = load_json("demo_names.json")
    surnames = list(names["surnames"])
    given = [g for by_age in names["given_names"].values() for group in by_age.values() for g in group]
    key = Ed25519PrivateKey.generate()
    seal = seal_image(STATION)
    template = templates.Template(STAR_KIND, templates.default_template(STAR_KIND), True)
    docs = []
    for n in range(count):
        name = rng.choice(surnames) + (rng.choice(RARE) if n % 50 == 0 else rng.choice(given))
        level = rng.choice((1, 1, 1, 1, 2, 2, 3, 4, 5))
        minutes = STAR_THRESHOLD_HOURS[level - 1] * 60 + rng.randrange(0, 90 * 60, 15)
        on = date(2026, 11, 30) - timedelta(days=rng.randrange(0, 60))
        number = f"SQ0101-XJ2026-{n + 1:04d}"
        volunteer_no = f"SQ0101-{n + 1:06d}"
        payload = sign_payload(key, STAR_KIND, "SQ0101", {
            "certificate_no": number, "name": name, "volunteer_no": volunteer_no, "level": level,
            "minutes": minutes, "confirmed_on": on.isoformat(),
        })
        wording = templates.fill(template, {
            "姓名": name, "志愿者编号": volunteer_no, "星级": level_name(level)[:3], "星级名称": level_name(level),
            "累计时长": hours_text(minutes), "认定日期": cn_date(on), "站点": STATION, "证书编号": number,
            "站长": "陈志明", "年": "2026",
        })
        docs.append(StarCertificate(
            stamp=Stamp(number, on, payload, seal, ""), wording=wording, name=name, volunteer_no=volunteer_no,
            level=level, level_name=level_name(level), hours_text=hours_text(minutes), confirmed_on=on,
            station_name=STATION,
        ))
    return docs


# --- the bare loop ---------------------------------------------------------------------------------
def _qr_by_drawing(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(payload, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)


def _qr_as_path(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(payload, barLevel="M")
    widget.qr.make()
    _modules_path(c, widget.qr.modules, x, y, size)


def _qr_segno_path(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    _modules_path(c, segno.make(payload, error="m", micro=False, boost_error=False).matrix, x, y, size)


def _modules_path(c: Canvas, modules, x: float, y: float, size: float) -> None:  # noqa: ANN001
    cell = size / len(modules)
    path = c.beginPath()
    for row, line in enumerate(modules):
        for col, dark in enumerate(line):
            if dark:
                path.rect(x + col * cell, y + size - (row + 1) * cell, cell, cell)
    c.drawPath(path, stroke=0, fill=1)


def bare_loop(docs: list[StarCertificate], path: Path, qr) -> None:  # noqa: ANN001
    register_fonts()
    width, height = landscape(A4)
    c = Canvas(str(path), pagesize=(width, height))
    red, gold, grey = colors.HexColor("#b22222"), colors.HexColor("#d4a017"), colors.HexColor("#999999")
    seal = ImageReader(BytesIO(docs[0].stamp.seal_png))
    for doc in docs:
        c.setStrokeColor(red)
        c.setLineWidth(3)
        c.rect(11.5 * mm, 11.5 * mm, width - 23 * mm, height - 23 * mm)
        c.setLineWidth(0.8)
        c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
        for cx, cy in ((20, 20), (20, 190), (277, 20), (277, 190)):
            c.line(cx * mm - 10 * mm, cy * mm, cx * mm + 10 * mm, cy * mm)
            c.line(cx * mm, cy * mm - 10 * mm, cx * mm, cy * mm + 10 * mm)
        c.setFillColor(red)
        c.setFont(HEI, 34)
        c.drawCentredString(width / 2, height - 42 * mm, doc.wording.title)
        c.setFont(HEI, 9)
        c.drawCentredString(width / 2, height - 50 * mm, doc.wording.subtitle)
        c.setFillColor(colors.black)
        c.setFont(KAI if any(ch in RARE for ch in doc.name) else HEI, 30)
        c.drawCentredString(width / 2, height - 72 * mm, doc.name)
        c.setFont(HEI, 9)
        c.drawCentredString(width / 2, height - 80 * mm, f"志愿者编号：{doc.volunteer_no}　累计服务时长：{doc.hours_text} 小时")
        for i in range(5):
            c.setFillColor(gold if i < doc.level else colors.white)
            c.setStrokeColor(gold if i < doc.level else grey)
            p = c.beginPath()
            cx, cy = width / 2 + (i - 2) * 12 * mm, height - 92 * mm
            for k, (sx, sy) in enumerate(STAR):
                (p.moveTo if k == 0 else p.lineTo)(cx + 5 * mm * sx, cy + 5 * mm * sy)
            p.close()
            c.drawPath(p, stroke=1, fill=1)
        c.setFillColor(red)
        c.setFont(HEI, 15)
        c.drawCentredString(width / 2, height - 104 * mm, doc.level_name)
        c.setFillColor(colors.black)
        c.setFont(KAI, 12.5)
        body = doc.wording.body.replace("\n", "")
        for k in range(0, len(body), 42):
            c.drawString(50 * mm, height - (118 + k // 42 * 7) * mm, body[k : k + 42])
        c.setFont(HEI, 8)
        c.drawString(62 * mm, 40 * mm, f"证书编号：{doc.stamp.certificate_no}")
        c.drawString(62 * mm, 35 * mm, f"发证日期：{cn_date(doc.confirmed_on)}")
        c.setFont(HEI, 12)
        c.drawRightString(width - 40 * mm, 42 * mm, doc.station_name)
        c.drawRightString(width - 40 * mm, 36 * mm, cn_date(doc.confirmed_on))
        c.drawRightString(width - 40 * mm, 30 * mm, doc.wording.signatory)
        c.drawImage(seal, width - 85 * mm, 24 * mm, 38 * mm, 38 * mm, mask="auto")
        c.setFillColor(colors.black)
        qr(c, doc.stamp.qr_payload, 28 * mm, 24 * mm, 28 * mm)
        c.setFont(HEI, 7)
        c.drawCentredString(width / 2, 18 * mm, doc.wording.footer)
        c.showPage()
    c.save()


def timed(fn) -> float:  # noqa: ANN001
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    docs = documents(args.count)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # warm-up: fonts registered and parsed once for all three
        render([(d.stamp.certificate_no, d) for d in docs[:5]], folder / "warm.pdf", one_file=True)
        bare_loop(docs[:5], folder / "warm-bare.pdf", _qr_as_path)

        ours = timed(lambda: render([(d.stamp.certificate_no, d) for d in docs], folder / "ours.pdf", one_file=True))
        segno_loop = timed(lambda: bare_loop(docs, folder / "bare-segno.pdf", _qr_segno_path))
        path_loop = timed(lambda: bare_loop(docs, folder / "bare-path.pdf", _qr_as_path))
        drawing_loop = timed(lambda: bare_loop(docs, folder / "bare-drawing.pdf", _qr_by_drawing))
        sizes = {name: (folder / name).stat().st_size / 1e6
                 for name in ("ours.pdf", "bare-segno.pdf", "bare-path.pdf", "bare-drawing.pdf")}

    ratio = ours / segno_loop
    print(f"{args.count:,} star certificates, one PDF ({sizes['ours.pdf']:.1f} MB):")
    print(f"  print centre (batch.render)                     {ours:7.2f} s")
    print(f"  bare canvas loop, QR by segno as one path       {segno_loop:7.2f} s   ({sizes['bare-segno.pdf']:.1f} MB)   "
          f"ratio {ratio:4.2f}×  (target ≤ {TARGET_RATIO}×)")
    print(f"  bare canvas loop, ReportLab QR as one path      {path_loop:7.2f} s   ({sizes['bare-path.pdf']:.1f} MB)   "
          f"ratio {ours / path_loop:4.2f}×")
    print(f"  bare canvas loop, ReportLab QR via renderPDF    {drawing_loop:7.2f} s   ({sizes['bare-drawing.pdf']:.1f} MB)   "
          f"ratio {ours / drawing_loop:4.2f}×")
    limit = TARGET_SECONDS * args.count / 1000
    print(f"  per certificate {ours / args.count * 1000:.1f} ms; the batch {ours:.1f} s (target ≤ {limit:.0f} s)")
    ok = ratio <= TARGET_RATIO and ours <= limit
    print("\nall targets met" if ok else "\nsome targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
