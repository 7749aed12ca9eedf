"""Pinyin keys for searching names by initials (typing ``zsf`` finds 张三丰)."""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

# Surnames read differently from the character's everyday reading (单 shàn, 曾 zēng …).
# Compound surnames come first so they win over their first character.
_SURNAME_READINGS = {
    "长孙": ["zhang", "sun"],
    "尉迟": ["yu", "chi"],
    "万俟": ["mo", "qi"],
    "澹台": ["tan", "tai"],
    "单": ["shan"],
    "曾": ["zeng"],
    "区": ["ou"],
    "仇": ["qiu"],
    "解": ["xie"],
    "朴": ["piao"],
    "查": ["zha"],
    "盖": ["ge"],
    "覃": ["qin"],
    "缪": ["miao"],
    "翟": ["zhai"],
    "乐": ["yue"],
    "召": ["shao"],
    "员": ["yun"],
    "种": ["chong"],
    "秘": ["bi"],
    "尉": ["yu"],
    "繁": ["po"],
    "柏": ["bai"],
    "过": ["guo"],
}


def _syllables(name: str) -> list[str]:
    for surname, reading in _SURNAME_READINGS.items():
        if name.startswith(surname):
            return reading + _syllables_plain(name[len(surname):])
    return _syllables_plain(name)


def _syllables_plain(text: str) -> list[str]:
    out: list[str] = []
    for item in lazy_pinyin(text):
        # Chinese characters come back one syllable each; other runs come back whole, so
        # Latin words count as words and unknown characters are dropped.
        out.extend(re.findall(r"[a-z]+", item.lower()) if item.isascii() else [])
    return out


def name_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) in lower case, e.g. 张三丰 → ("zsf", "zhangsanfeng").

    Latin letters in the name (foreign names) count as they are; characters without a
    reading (rare ones pypinyin does not know, the middle dot) are skipped.
    """
    syllables = _syllables(name.strip())
    return "".join(s[0] for s in syllables), "".join(syllables)
