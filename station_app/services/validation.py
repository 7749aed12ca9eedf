"""Validation of what people type: ID numbers (GB 11643-1999), phones, names, dates.

Pure functions, no Qt, no database. Every failure raises :class:`ValidationError` with a
message that tells station staff what is wrong and what is expected.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from ..errors import ValidationError
from ..i18n import _

# --- resident ID numbers ------------------------------------------------------------------------

#: Province-level codes of GB/T 2260 (mainland provinces, 71 台湾省, 81 香港, 82 澳门), plus 83,
#: the address code of residence permits for Taiwan residents (港澳台居民居住证 use 810000,
#: 820000 and 830000). Foreign permanent residents' ID cards (2023 edition) start with "9"
#: followed by the province code of the issuing office; they are handled separately.
PROVINCE_CODES = frozenset(
    {
        *(str(n) for n in range(11, 16)),
        *(str(n) for n in range(21, 24)),
        *(str(n) for n in range(31, 38)),
        *(str(n) for n in range(41, 47)),
        *(str(n) for n in range(50, 55)),
        *(str(n) for n in range(61, 66)),
        "71",
        "81",
        "82",
        "83",
    }
)
#: Earliest birth date accepted on an ID number.
EARLIEST_BIRTH = date(1900, 1, 1)

# Names for codes the region database does not carry.
_EXTRA_REGION_NAMES = {"830000": "台湾地区"}
# Prefecture entries that add nothing to a place name.
_FILLER_PREFECTURES = ("市辖区", "县", "省直辖县级行政单位", "省直辖县级行政区划", "自治区直辖县级行政区划")


@dataclass(frozen=True)
class IdNumberInfo:
    """What a valid 18-character ID number says about its holder."""

    number: str
    birth_date: date
    gender: str  # "男" or "女"
    region_code: str
    region_known: bool  # whether stdnum's region database knows the 6-digit code
    region_name: str | None


def _nfkc(raw: str | None) -> str:
    return unicodedata.normalize("NFKC", raw or "")


def _is_ascii_digits(text: str) -> bool:
    """True for 0-9 only (str.isdigit also accepts other scripts' digits, e.g. "٣")."""
    return text.isascii() and text.isdigit()


def normalize_id_number(raw: str) -> str:
    """Return ``raw`` compacted: half-width, no whitespace or hyphens, upper-case ``X``.

    Nothing is validated here; see :func:`parse_id_number`.
    """
    return re.sub(r"[\s\-]", "", _nfkc(raw)).upper()


def _county_name(county: str, year: int | None) -> str:
    """Pick the name valid in ``year`` from a database entry like ``[-1991]东郊区,[1992-]东丽区``."""
    names: list[tuple[int | None, int | None, str]] = []
    for entry in county.split(","):
        match = re.fullmatch(r"\[(\d*)-(\d*)\](.*)", entry)
        if match:
            start, end, name = match.groups()
            names.append((int(start) if start else None, int(end) if end else None, name))
        else:
            names.append((None, None, entry))
    if year is not None:
        for start, end, name in names:
            if (start is None or start <= year) and (end is None or year <= end):
                return name
    return names[-1][2]


@functools.lru_cache(maxsize=4096)
def _region_info(code: str) -> tuple[tuple[str, str], ...]:
    # stdnum walks its region tree on every call (~0.2 ms); a roster repeats a few codes thousands of times.
    return tuple((k, v) for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items())


def _lookup(code: str) -> dict[str, str]:
    return dict(_region_info(code))


def region_of(code: str, year: int | None = None) -> str | None:
    """The place a 6-digit region code stands for, or None if the region database lacks it.

    Unlike stdnum's ``get_birth_place`` this does not require that the code existed in the
    birth year: people keep the code of the place where their number was first assigned, and
    codes are created and abolished over time. ``year`` only chooses between names the same
    code had at different times.
    """
    found = _lookup(code)
    county = found.get("county")
    if not county:
        return _EXTRA_REGION_NAMES.get(code)
    county_name = _county_name(county, year)
    if code[2:] == "0000":  # the province (or 香港, 澳门) itself
        return county_name
    parts = [found.get("province", "")]
    if code[4:] != "00":
        prefecture = _lookup(code[:4] + "00").get("county")
        if prefecture:
            prefecture_name = _county_name(prefecture, year)
            if prefecture_name not in _FILLER_PREFECTURES:
                parts.append(prefecture_name)
    if county_name not in parts:
        parts.append(county_name)
    return "".join(p for p in parts if p) or None


def _id_error(message: str) -> ValidationError:
    return ValidationError(message, field="id_number")


def _has_valid_region_prefix(number: str) -> bool:
    if number[0] == "9":  # foreign permanent resident: 9 + province of the issuing office
        return number[1:3] in PROVINCE_CODES
    return number[:2] in PROVINCE_CODES


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumberInfo:
    """Validate an 18-character ID number (GB 11643-1999) and read what it says.

    Checks length, format, the province-level region code, the birth date (a real date,
    not before 1900, not after ``today``) and the ISO 7064 MOD 11-2 check character. A
    6-digit region code missing from the region database is accepted (``region_known``
    is then False). Raises :class:`ValidationError` with ``field="id_number"``.
    """
    number = normalize_id_number(raw)
    if not number:
        raise _id_error(_("请填写身份证号。"))
    if len(number) == 15 and _is_ascii_digits(number):
        raise _id_error(_("这是15位旧身份证号，请换算为18位新号码后再填写（可查看新身份证或户口簿）。"))
    if len(number) != 18:
        raise _id_error(_("身份证号应为18位，现在是 {n} 位，请核对。").format(n=len(number)))
    if not _is_ascii_digits(number[:17]):
        raise _id_error(_("身份证号前17位应全部是数字，请核对。"))
    if not (_is_ascii_digits(number[17]) or number[17] == "X"):
        raise _id_error(_("身份证号最后一位应为数字或字母 X，现在是“{c}”。").format(c=number[17]))
    if not _has_valid_region_prefix(number):
        raise _id_error(_("身份证号前两位 {code} 不是有效的省级地区代码，请核对开头几位。").format(code=number[:2]))
    digits = number[6:14]
    try:
        birth = ric.get_birth_date(number)
    except InvalidComponent:
        raise _id_error(_("身份证号中的出生日期 {d} 不存在，请核对第7至14位。").format(d=digits)) from None
    today = today or date.today()
    if birth > today:
        raise _id_error(_("身份证号中的出生日期 {d} 晚于今天，请核对第7至14位。").format(d=birth.isoformat()))
    if birth < EARLIEST_BIRTH:
        raise _id_error(_("身份证号中的出生日期 {d} 早于1900年，请核对第7至14位。").format(d=birth.isoformat()))
    if number[17] != ric.calc_check_digit(number):
        raise _id_error(_("身份证号校验位不正确，请核对最后一位（也可能是前面某一位抄错了）。"))
    region_code = number[:6]
    region_known = bool(_lookup(region_code).get("county"))
    return IdNumberInfo(
        number=number,
        birth_date=birth,
        gender="男" if int(number[16]) % 2 else "女",
        region_code=region_code,
        region_known=region_known,
        region_name=region_of(region_code, birth.year),
    )


def check_id_matches(info: IdNumberInfo, *, gender: str | None, birth_date: date | None) -> None:
    """Raise :class:`ValidationError` if a typed gender or birth date contradicts the ID number.

    ``None`` (or an empty gender) means "not typed" and is never a contradiction.
    """
    if gender and gender != info.gender:
        raise ValidationError(
            _("所填性别“{typed}”与身份证号显示的性别“{real}”不一致，请核对。").format(typed=gender, real=info.gender),
            field="gender",
        )
    if birth_date is not None and birth_date != info.birth_date:
        raise ValidationError(
            _("所填出生日期 {typed} 与身份证号中的出生日期 {real} 不一致，请核对。").format(
                typed=birth_date.isoformat(), real=info.birth_date.isoformat()
            ),
            field="birth_date",
        )


def age_on(birth_date: date, on: date) -> int:
    """Age in full years on the day ``on`` (someone born on 29 February turns a year older on 1 March)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


# --- phone numbers ------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_COUNTRY_CODE = re.compile(r"\(?\s*(?:\+|00)\s*86\s*\)?[\s\-]*")
_EXTENSION = re.compile(r"\s*(?:转|分机|#|ext\.?)\s*", re.IGNORECASE)
_PHONE_SEPARATORS = re.compile(r"[\s\-()]+")


def _phone_hint() -> str:
    return _("手机号码为1开头的11位数字，座机号码为区号加7–8位号码（如 0760-88123456）。")


def _phone_error(message: str) -> ValidationError:
    return ValidationError(message, field="phone")


def _landline_area_length(digits: str) -> int:
    """010 and 020–029 are three-digit area codes; all others have four digits."""
    return 3 if digits[1] in "12" else 4


def _parse_landline(text: str, digits: str, extension: str | None) -> str:
    """Split a landline (``text`` starts with the area code) into area code, number, extension."""
    if len(digits) < 3:
        raise _phone_error(_("电话号码 {p} 太短。").format(p=digits) + _phone_hint())
    if digits[1] == "0":
        raise _phone_error(_("暂时只能登记中国大陆的电话号码。") + _phone_hint())
    area_len = _landline_area_length(digits)
    # Skip past the area code, whatever separators the user put in it.
    seen = 0
    position = 0
    while seen < area_len and position < len(text):
        seen += text[position] in "0123456789"
        position += 1
    area = digits[:area_len]
    groups = [g for g in _PHONE_SEPARATORS.split(text[position:]) if g]
    local = ""
    while groups and len(local) < 7:
        local += groups.pop(0)
    if not 7 <= len(local) <= 8:
        raise _phone_error(
            _("座机号码在区号 {area} 后面应为7–8位数字，现在是 {n} 位，请核对。").format(area=area, n=len(local))
        )
    if groups:
        if extension is not None or len(groups) > 1:
            raise _phone_error(_("电话号码无法识别。") + _phone_hint())
        extension = groups[0]
    if extension is not None and not re.fullmatch(r"[0-9]{1,6}", extension):
        raise _phone_error(_("分机号应为1–6位数字，现在是“{ext}”。").format(ext=extension))
    return f"{area}-{local}" + (f"-{extension}" if extension else "")


def validate_phone(raw: str) -> str:
    """Validate a mainland mobile or landline number and return its normalised form.

    Mobiles come back as 11 digits (``13812345678``); a leading +86, 0086 or 86 and any
    spaces, hyphens and parentheses are dropped. Landlines need their area code and come
    back as ``0760-88123456``, with an extension (typed after 转, # or -) as
    ``0760-88123456-123``. Raises :class:`ValidationError` with ``field="phone"``.
    """
    text = _nfkc(raw).translate(_DASHES).strip()
    if not text:
        raise _phone_error(_("请填写电话号码。"))
    international = False
    if match := _COUNTRY_CODE.match(text):
        international = True
        text = text[match.end() :]
    extension: str | None = None
    if match := _EXTENSION.search(text):
        extension = text[match.end() :]
        text = text[: match.start()]
    if bad := re.search(r"[^0-9\s\-()]", text):
        raise _phone_error(
            _("电话号码中不能有“{c}”，请只填写数字（区号和号码之间可以用“-”隔开）。").format(c=bad.group())
        )
    digits = re.sub(r"[^0-9]", "", text)
    if not digits:
        raise _phone_error(_("请填写电话号码。"))
    if not international and len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    if digits[0] == "1":
        if extension is not None:
            raise _phone_error(_("手机号码不能带分机号，请核对。"))
        if len(digits) != 11:
            raise _phone_error(_("手机号码应为11位数字，现在是 {n} 位，请核对。").format(n=len(digits)))
        if not _MOBILE.fullmatch(digits):
            raise _phone_error(_("手机号码 {p} 不存在：第二位应为3至9，请核对。").format(p=digits))
        return digits
    if international and digits[0] != "0":  # +86 760 88123456: the trunk 0 is left out abroad
        text, digits = "0" + text, "0" + digits
    if digits[0] == "0":
        return _parse_landline(text, digits, extension)
    if len(digits) in (7, 8):
        raise _phone_error(_("座机号码请加上区号，例如中山为 0760（写成 0760-88123456）。"))
    raise _phone_error(_("电话号码 {p} 无法识别。").format(p=digits) + _phone_hint())


def normalize_phone(raw: str) -> str:
    """Return the normalised form of a phone number, or a tidied copy if it is not valid.

    Never raises: meant for searching and comparing numbers typed in different ways.
    """
    try:
        return validate_phone(raw)
    except ValidationError:
        return re.sub(r"\s+", " ", _nfkc(raw)).strip()


# --- names --------------------------------------------------------------------------------------

MAX_NAME_LENGTH = 50
_MIDDLE_DOT = "·"
# Look-alikes of the interpunct in ethnic-minority and foreign names (阿卜杜拉·买买提).
_DOT_VARIANTS = str.maketrans(
    {c: _MIDDLE_DOT for c in ".\u2022\u2027\u2219\u22c5\u30fb\uff0e\uff65\u0387\u16eb\u2e31\ufe52\u00b7"}
)
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# CJK ideograph blocks, matched by range so that characters newer than Python's Unicode
# tables (e.g. Extension I) are not refused.
_CJK_RANGES = (
    (0x3400, 0x4DBF),  # Extension A (䶮)
    (0x4E00, 0x9FFF),  # Unified Ideographs
    (0xF900, 0xFAFF),  # Compatibility Ideographs
    (0x20000, 0x3FFFF),  # Extensions B–J and the compatibility supplement (𠮷)
)


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return ch == "〇" or any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def _is_non_cjk_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and not _is_cjk(ch)


def _fold_width(text: str) -> str:
    """Full-width ASCII and the ideographic space to half-width; CJK characters stay untouched.

    (NFKC/NFC would also replace compatibility ideographs, which can be part of a real name.)
    """
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else " " if c == "\u3000" else c for c in text)


def validate_name(raw: str, *, field: str = "name", label: str = "姓名") -> str:
    """Validate a person's name and return it tidied up.

    Accepts Chinese characters (rare ones too, e.g. 𠮷, 䶮), letters, the middle dot "·"
    (look-alikes such as "•" and "．" become "·"), single spaces inside foreign names and
    hyphens or apostrophes between letters of foreign names (Jean-Pierre, O'Brien).
    Spaces between Chinese characters (used to pad two-character names) are removed.
    Digits, punctuation and control characters are refused; at most 50 characters.
    """
    text = _INVISIBLE.sub("", _fold_width(raw or "")).strip()
    text = text.translate(_DOT_VARIANTS)
    text = re.sub(r"[^\S\r\n]+", " ", text)  # one plain space for any run of spaces or tabs
    text = re.sub(r" ?· ?", _MIDDLE_DOT, text)
    # Drop spaces between two CJK characters ("张  三" -> "张三").
    chars = list(text)
    text = "".join(
        c
        for i, c in enumerate(chars)
        if not (c == " " and 0 < i < len(chars) - 1 and _is_cjk(chars[i - 1]) and _is_cjk(chars[i + 1]))
    )
    if not text:
        raise ValidationError(_("请填写{label}。").format(label=label), field=field)
    if len(text) > MAX_NAME_LENGTH:
        raise ValidationError(
            _("{label}太长：最多 {max} 个字，现在是 {n} 个。").format(label=label, max=MAX_NAME_LENGTH, n=len(text)),
            field=field,
        )
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if ch == " " or ch == _MIDDLE_DOT or _is_cjk(ch) or category.startswith("L"):
            continue
        if ch in "-'" and 0 < i < len(text) - 1 and _is_non_cjk_letter(text[i - 1]) and _is_non_cjk_letter(text[i + 1]):
            continue  # Jean-Pierre, O'Brien
        if category.startswith("M") and i > 0:  # accents, variation selectors
            continue
        if category == "Nd" or category == "No":
            raise ValidationError(_("{label}中不能有数字“{ch}”，请核对。").format(label=label, ch=ch), field=field)
        if category.startswith("C") or ch.isspace():
            raise ValidationError(
                _("{label}中不能有换行、制表符等看不见的控制字符，请重新输入。").format(label=label), field=field
            )
        raise ValidationError(
            _("{label}中不能有“{ch}”：只能填写汉字、字母和间隔号“·”。").format(label=label, ch=ch), field=field
        )
    if text[0] == _MIDDLE_DOT or text[-1] == _MIDDLE_DOT:
        raise ValidationError(_("{label}的开头和结尾不能是间隔号“·”，请核对。").format(label=label), field=field)
    if _MIDDLE_DOT * 2 in text:
        raise ValidationError(_("{label}中不能连续出现两个间隔号“·”，请核对。").format(label=label), field=field)
    return text


# --- dates --------------------------------------------------------------------------------------

MIN_YEAR = 1900
MAX_YEAR = 2100
_DATE_PATTERNS = (
    re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"),
    re.compile(r"([0-9]{4})(年)([0-9]{1,2})月([0-9]{1,2})日?"),
    re.compile(r"([0-9]{4})()([0-9]{2})([0-9]{2})"),
)


def parse_date(raw: str, *, label: str, field: str | None = None) -> date:
    """Parse a typed date: 2024-02-29, 2024/2/29, 2024.2.29, 20240229 or 2024年2月29日.

    Full-width digits and spaces are tolerated. Years must lie between 1900 and 2100.
    Raises :class:`ValidationError` (with ``field``) naming ``label`` and saying what is wrong.
    """
    text = re.sub(r"\s+", "", _nfkc(raw))
    if not text:
        raise ValidationError(_("请填写{label}。").format(label=label), field=field)
    for pattern in _DATE_PATTERNS:
        if match := pattern.fullmatch(text):
            year_text, month, day = match.group(1), int(match.group(3)), int(match.group(4))
            year = int(year_text)
            break
    else:
        raise ValidationError(
            _("{label}“{text}”无法识别，请按 2024-01-31、2024/1/31、2024年1月31日 或 20240131 的格式填写。").format(
                label=label, text=(raw or "").strip()
            ),
            field=field,
        )
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("{label}的年份 {y} 不对，应在 {lo} 至 {hi} 年之间。").format(
                label=label, y=year_text, lo=MIN_YEAR, hi=MAX_YEAR
            ),
            field=field,
        )
    if not 1 <= month <= 12:
        raise ValidationError(_("{label}的月份 {m} 不对，应为1至12月。").format(label=label, m=month), field=field)
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise ValidationError(
            _("{label}：{y}年{m}月{d}日不存在（{y}年{m}月只有{n}天）。").format(
                label=label, y=year, m=month, d=day, n=days_in_month
            ),
            field=field,
        )
    return date(year, month, day)


# --- small field helpers the services share -----------------------------------------------------
def as_date(value: date | str | None, *, label: str, field: str | None = None) -> date:
    """A date from a form: a ``date`` as it is (a ``datetime`` by its day), or text via :func:`parse_date`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_date(value or "", label=label, field=field)


def clean_text(text: str | None, *, label: str, field: str, max_len: int) -> str:
    """Stripped text, refused with a message naming ``label`` when longer than ``max_len``."""
    text = (text or "").strip()
    if len(text) > max_len:
        raise ValidationError(_("{label}不能超过 {n} 个字。").format(label=label, n=max_len), field=field)
    return text


def optional_phone(raw: str | None, *, label: str, field: str) -> str:
    """A phone that may be left empty (""), else checked by :func:`validate_phone`; errors name ``label``."""
    if not (raw or "").strip():
        return ""
    try:
        return validate_phone(raw)
    except ValidationError as exc:
        raise ValidationError(label + _("：") + exc.message, field=field) from exc


# Skills typed in one box: "家电维修、电工, 急救" (Chinese or Western commas, 、, semicolons, spaces).
SKILL_SEPARATORS = re.compile(r"[,，、;；\s]+")


def split_skills(text: str | None) -> list[str]:
    """The skill names typed in one box, in order, empty pieces dropped."""
    return [s for s in SKILL_SEPARATORS.split(text or "") if s]
