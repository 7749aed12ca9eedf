"""Chinese line breaking for ReportLab paragraphs (``wordWrap="CJK"``).

ReportLab keeps a character that may not start a line (。、）」…) at the end of the line
before, but its list was made for Japanese and lacks the full-width punctuation Chinese text
uses most: ，；：！？ and ％. Without them a line of a poster can begin with "，". The list is
a module-level string, copied into the two modules that wrap (one-style paragraphs go through
``textsplit.wordSplit``, mixed ones through ``paragraph.cjkFragSplit``) and read on every wrap,
so adding to both once is enough.
"""

from __future__ import annotations

from reportlab.lib import textsplit
from reportlab.platypus import paragraph

CHINESE_CANNOT_START = "，；：！？％·》〉」』】〕"


def enable_chinese_line_breaking() -> None:
    for module in (textsplit, paragraph):
        missing = "".join(c for c in CHINESE_CANNOT_START if c not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing
