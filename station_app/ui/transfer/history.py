"""The volunteer file's section of what they did at other stations (read-only, from transfer packages)."""

from __future__ import annotations

from html import escape

from ...i18n import _
from ...services.packages import HistoryRow


def transferred_html(rows: list[HistoryRow]) -> str:
    """Training, star levels, honours and redemptions at other stations; empty when there are none."""
    if not rows:
        return ""
    heading = f"<h3 style='margin-bottom:2px'>{escape(_('在其他站点的记录'))}</h3>"
    note = f"<p style='color:#888'>{escape(_('随转移包转入，只读。服务时长已计入本站台账。'))}</p>"
    body = "".join(
        "<tr>"
        f"<td style='padding-right:10px;white-space:nowrap'>{r.occurred_on.isoformat()}</td>"
        f"<td style='padding-right:10px;white-space:nowrap'>{escape(r.kind_label)}</td>"
        f"<td style='padding-right:10px'>{escape(r.title)}</td>"
        f"<td style='color:#555'>{escape(r.origin)}</td>"
        "</tr>"
        for r in rows
    )
    return f"{heading}{note}<table cellspacing='0'>{body}</table>"
