"""Validation of what people type: ID numbers (GB 11643-1999), phones, names, dates.

Pure functions, no Qt, no database. Every failure raises ValidationError with a message
that tells station staff what is wrong and what is expected.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum import numdb

from ..errors import ValidationError
from ..i18n import _

# Province-level prefixes (GB/T 2260), plus 83 (台湾居民居住证) and 91 is not used for
# resident cards; 71/81/82 appear on cards and permits of Taiwan, Hong Kong and Macao residents.
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
     "71", "81", "82", "83"}
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class IdNumberInfo:
    number: str
    birth_date: date
    gender: str  # "男" or "女"
    region_code: str
    region_known: bool  # whether the 6-digit code is in the current region database
    region_name: str | None


def _nfkc(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw or "")


def normalize_id_number(raw: str) -> str:
    """Full-width to half-width, no spaces or hyphens, upper-case X."""
    return re.sub(r"[\s\-]", "", _nfkc(raw)).upper()


def region_of(code: str) -> str | None:
    """The place a 6-digit region code stood for, or None if the region table lacks it.

    Unlike stdnum's get_birth_place this does not ask that the code existed in the birth
    year: cards are issued (and re-issued) with the code current at issue, so people born
    before 1988 in 中山 carry 442000. A code the table lacks is no reason to refuse a card.
    """
    found = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    county = found.get("county")
    if not county:
        return None
    names = [re.sub(r"^\[[^\]]*\]", "", c) for c in county.split(",")]
    return " ".join(v for v in (found.get("province"), found.get("prefecture"), names[-1]) if v)


def _fail(message: str) -> ValidationError:
    return ValidationError(message, field="id_number")


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumberInfo:
    """Check an 18-character resident ID number and read what it says."""
    number = normalize_id_number(raw)
    if not number:
        raise _fail(_("身份证号不能为空。"))
    if len(number) == 15 and number.isdigit():
        raise _fail(_("这是15位旧身份证号，请换算为18位新号码后再登记。"))
    if len(number) != 18:
        raise _fail(_("身份证号应为18位，现在是 {n} 位。").format(n=len(number)))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise _fail(_("身份证号前17位必须是数字，最后一位是数字或 X。"))
    if number[:2] not in PROVINCE_CODES:
        raise _fail(_("身份证号开头的地区码 {code} 不存在，请核对前两位。").format(code=number[:6]))
    digits = number[6:14]
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _fail(
            _("身份证号中的出生日期 {d} 不存在，请核对第7至14位。").format(d=digits)
        ) from None
    today = today or date.today()
    if birth > today:
        raise _fail(_("身份证号中的出生日期 {d} 晚于今天，请核对。").format(d=birth.isoformat()))
    if birth < EARLIEST_BIRTH:
        raise _fail(_("身份证号中的出生日期 {d} 早于1900年，请核对。").format(d=birth.isoformat()))
    expected = _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS)) % 11]
    if number[17] != expected:
        raise _fail(_("身份证号校验位不正确，请核对最后一位和其余各位是否抄错。"))
    region_name = region_of(number[:6])
    return IdNumberInfo(
        number=number,
        birth_date=birth,
        gender="男" if int(number[16]) % 2 else "女",
        region_code=number[:6],
        region_known=region_name is not None,
        region_name=region_name,
    )


def check_id_matches(info: IdNumberInfo, *, gender: str | None, birth_date: date | None) -> None:
    """A typed gender or birth date must agree with the ID number."""
    if gender and gender != info.gender:
        raise ValidationError(
            _("所填性别“{typed}”与身份证号显示的“{real}”不一致，请核对。").format(typed=gender, real=info.gender),
            field="gender",
        )
    if birth_date and birth_date != info.birth_date:
        raise ValidationError(
            _("所填出生日期 {typed} 与身份证号中的 {real} 不一致，请核对。").format(
                typed=birth_date.isoformat(), real=info.birth_date.isoformat()
            ),
            field="birth_date",
        )


def age_on(birth_date: date, on: date) -> int:
    """Full years of age on a day."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


# --- phones -------------------------------------------------------------------------------------
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})(?:(?:-|转|#|ext\.?)(\d{1,6}))?")


def normalize_phone(raw: str) -> str:
    text = _nfkc(raw).strip()
    return re.sub(r"[\s()（）]", "", text)


def validate_phone(raw: str) -> str:
    """A mainland mobile (13812345678) or a landline with area code (0760-88123456[-123])."""
    text = normalize_phone(raw)
    if not text:
        raise ValidationError(_("电话号码不能为空。"), field="phone")
    compact = text.replace("-", "")
    for prefix in ("+86", "0086", "86"):
        if compact.startswith(prefix) and len(compact) == len(prefix) + 11:
            compact = compact[len(prefix):]
            break
    if _MOBILE.fullmatch(compact):
        return compact
    if compact.startswith("1") and compact.isdigit():
        raise ValidationError(
            _("手机号码应为以 13–19 开头的11位数字，现在是 {n} 位。").format(n=len(compact)), field="phone"
        )
    if text.isdigit() and len(text) in (7, 8):
        raise ValidationError(_("座机号码请加上区号，例如中山为 0760-88123456。"), field="phone")
    match = _LANDLINE.fullmatch(text)
    if match and "-" not in text[: len(match.group(1)) + 1] and text.isdigit():
        # No separator: 010 and 02x area codes are three digits, all others four.
        area_len = 3 if text[:2] in ("01", "02") else 4
        area, local = text[:area_len], text[area_len:]
        if 7 <= len(local) <= 8:
            return f"{area}-{local}"
        match = None
    if match:
        area, local, ext = match.groups()
        expected_area = 3 if area[:2] in ("01", "02") else 4
        if len(area) == expected_area:
            return f"{area}-{local}" + (f"-{ext}" if ext else "")
    raise ValidationError(
        _("电话号码格式不正确：手机为11位数字，座机为区号加7–8位号码（如 0760-88123456）。"), field="phone"
    )


# --- names and dates ----------------------------------------------------------------------------
_DOT_VARIANTS = str.maketrans({"•": "·", "．": "·", "・": "·", "‧": "·", "∙": "·", "•": "·", ".": "·"})


def validate_name(raw: str, *, field: str = "name", label: str = "姓名") -> str:
    """Chinese, rare CJK (incl. Extension B+), Latin letters, the middle dot, inner spaces."""
    text = (raw or "").replace("\u3000", " ").strip()
    text = re.sub(r" {2,}", " ", text).translate(_DOT_VARIANTS)
    if not text:
        raise ValidationError(_("{label}不能为空。").format(label=label), field=field)
    if len(text) > 50:
        raise ValidationError(_("{label}不能超过 50 个字。").format(label=label), field=field)
    for ch in text:
        if ch in " ·":
            continue
        category = unicodedata.category(ch)
        if category.startswith("L"):
            continue
        raise ValidationError(
            _("{label}中不能有“{ch}”，只能是汉字、字母和间隔号“·”。").format(label=label, ch=ch), field=field
        )
    return text


_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def parse_date(raw: str, *, label: str) -> date:
    """2024-02-29, 2024/2/29, 2024.2.29, 20240229, 2024年2月29日 (full-width digits too)."""
    text = _nfkc(raw).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise ValidationError(
                    _("{label}：{y}年{m}月{d}日不存在，请核对。").format(label=label, y=year, m=month, d=day),
                    field=None,
                ) from None
    raise ValidationError(
        _("{label}“{text}”无法识别，请按 2024-01-31 的格式填写。").format(label=label, text=raw.strip()), field=None
    )
