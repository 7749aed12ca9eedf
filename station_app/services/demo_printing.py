"""Print-centre demo data: a station seal, and the certificates a station would have printed so far.

- the seal: a red round 公章-style image drawn here (the station's name around a star), with a
  transparent background, set as the station's seal;
- star certificates for every award confirmed before the latest round, each printed a few days after
  its confirmation, so 未打印 lists only the latest round; one of them reprinted a month later (lost);
- certificates for last year's honours, printed the week after;
- two 志愿服务记录证明 for this year's busiest volunteers (积分入学 applications).

Everything goes through ``certificates`` as the print centre does; only the drawing of PDFs is skipped.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime, time, timedelta
from importlib.resources import as_file

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Station
from ..resources import resource_path
from . import certificates as certs
from . import chain, templates
from .auth import Actor
from .hours import counted_minutes

SEAL_SIZE = 480
SEAL_RED = (200, 22, 29, 235)


def seal_image(station_name: str, size: int = SEAL_SIZE) -> bytes:
    """A round red seal with ``station_name`` around the top and a star in the middle, as PNG bytes."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = size / 2
    ring = size * 0.035
    draw.ellipse((ring, ring, size - ring, size - ring), outline=SEAL_RED, width=int(ring))
    # the star
    outer, inner = size * 0.17, size * 0.068
    points = []
    for n in range(10):
        radius = outer if n % 2 == 0 else inner
        angle = -math.pi / 2 + n * math.pi / 5
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    draw.polygon(points, fill=SEAL_RED)
    with as_file(resource_path("fonts", "wqy-microhei.ttc")) as path:
        font = ImageFont.truetype(str(path), int(size * 0.105))
        small = ImageFont.truetype(str(path), int(size * 0.07))
    # the name around the top, from about 8 o'clock to 4 o'clock, each character upright to the centre
    text = station_name[:16]
    span = math.radians(min(250, 20 * len(text) + 40))
    radius = size * 0.36
    for n, ch in enumerate(text):
        angle = -math.pi / 2 - span / 2 + span * (n + 0.5) / len(text)
        glyph = Image.new("RGBA", (int(size * 0.14), int(size * 0.14)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=SEAL_RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        x = centre + radius * math.cos(angle) - glyph.width / 2
        y = centre + radius * math.sin(angle) - glyph.height / 2
        image.alpha_composite(glyph, (int(x), int(y)))
    draw.text((centre, centre + size * 0.27), "志愿服务专用章", font=small, fill=SEAL_RED, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0)).astimezone()


def build_printing_demo(session: Session, admin: Actor, today: date, *, password: str) -> None:
    """Add the seal and the issued certificates to a demo station (inside the demo's unit of work)."""
    station = session.get(Station, admin.station_id)
    templates.set_seal(session, admin, seal_image(station.name))
    key = chain.unlock_signing_key(session, admin, password)

    awards = sorted(certs.award_choices(session, admin), key=lambda a: (a.confirmed_on, a.certificate_no))
    awards = [a for a in awards if a.review_status in ("", "kept")]
    if awards:
        latest = awards[-1].confirmed_on
        printed = [a for a in awards if a.confirmed_on < latest]
        by_day: dict[date, list[int]] = {}
        for a in printed:
            by_day.setdefault(a.confirmed_on, []).append(a.award_id)
        for day, ids in sorted(by_day.items()):
            on = min(day + timedelta(days=3), today)
            certs.record_issued(session, admin, certs.star_certificates(session, admin, key, ids, today=on), now=_at(on))
        if printed:  # one certificate lost and printed again a month later
            lost = printed[len(printed) // 2]
            on = min(lost.confirmed_on + timedelta(days=33), today)
            again = certs.star_certificates(session, admin, key, [lost.award_id], today=on)
            certs.record_issued(session, admin, again, now=_at(on, 15))

    last_year = certs.honour_choices(session, admin, year=today.year - 1)
    for h in sorted(last_year, key=lambda h: h.awarded_on):
        on = min(h.awarded_on + timedelta(days=7), today)
        certs.record_issued(session, admin, certs.honour_certificates(session, admin, key, [h.honour_id], today=on),
                            now=_at(on, 11))

    start = date(today.year, 1, 1)
    issued_on = today - timedelta(days=7)
    if issued_on >= start:
        minutes = counted_minutes(session, admin.station_id, until=issued_on)
        made = 0
        for volunteer_id, _total in sorted(minutes.items(), key=lambda item: (-item[1], item[0])):
            try:
                p = certs.record_certificate(session, admin, key, volunteer_id, start, issued_on, today=issued_on)
            except ValidationError:  # nothing counted this year
                continue
            certs.record_issued(session, admin, [p], now=_at(issued_on, 16))
            made += 1
            if made == 2:
                break


__all__ = ["build_printing_demo", "seal_image"]
