"""The wording of printed documents (文书模板) and the station's seal (印章), kept as administrator data.

Each kind of document has a default template in ``resources/data/print_templates.json``; a station
overrides any field, stored as a setting (``print.template.<kind>``, only the fields that differ from
the default, so an unchanged field follows a better default in a later version). Templates hold
placeholders — Chinese names in braces such as ``{姓名}`` — that :func:`fill` replaces to give the
:class:`~station_app.reports.documents.Wording` a report draws.

The seal is a PNG with transparency, at most 600 px on its long side, stored base64 under ``print.seal``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import string
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..i18n import _
from ..models import StationSetting
from ..reports.documents import Wording
from ..resources import load_json
from . import audit
from . import settings as settings_svc
from .auth import Actor, Permission, require

KINDS = ("star", "honour", "record", "honour_roll")
KIND_LABELS = {
    "star": _("星级志愿者证书"),
    "honour": _("荣誉证书"),
    "record": _("志愿服务记录证明"),
    "honour_roll": _("光荣榜"),
}
FIELDS = ("title", "subtitle", "body", "issuer", "signatory", "footer", "accent")
FIELD_LABELS = {
    "title": _("标题"),
    "subtitle": _("副标题"),
    "body": _("正文"),
    "issuer": _("颁发单位"),
    "signatory": _("签发人"),
    "footer": _("页脚说明"),
    "accent": _("主色"),
}
TEXT_FIELDS = tuple(f for f in FIELDS if f != "accent")
MULTILINE_FIELDS = ("body", "issuer")  # a newline starts a new paragraph / line
MAX_BODY_LENGTH = 1000
MAX_FIELD_LENGTH = 200

_STATION = _("本站点的名称")
_HEAD = _("站长（站点联系人）的姓名")
_YEAR = _("颁发年份，如 2026")
_NUMBER = _("证书编号，如 SQ0101-XJ2026-0001")

PLACEHOLDERS: dict[str, dict[str, str]] = {
    "star": {
        "姓名": _("志愿者的姓名"),
        "志愿者编号": _("志愿者编号，如 SQ0101-00012"),
        "星级": _("星级，如 三星级"),
        "星级名称": _("星级的全称，如 三星级志愿者"),
        "累计时长": _("认定时累计的服务时长（小时），如 312.5"),
        "认定日期": _("星级认定的日期，如 2026年11月30日"),
        "站点": _STATION,
        "证书编号": _NUMBER,
        "站长": _HEAD,
        "年": _YEAR,
    },
    "honour": {
        "称号": _("荣誉称号，如 年度优秀志愿者"),
        "获得者": _("获得者的名称：志愿者姓名、服务队或项目名称"),
        "获得者类别": _("获得者的类别：志愿者、服务队或服务项目"),
        "颁发日期": _("授予荣誉的日期，如 2026年11月30日"),
        "事迹": _("嘉许时填写的事迹简介"),
        "颁发单位": _("嘉许时填写的颁发单位，如 仁厚社区居民委员会"),
        "站点": _STATION,
        "证书编号": _NUMBER,
        "站长": _HEAD,
        "年": _YEAR,
    },
    "record": {
        "姓名": _("志愿者的姓名"),
        "志愿者编号": _("志愿者编号，如 SQ0101-00012"),
        "起始日期": _("证明期间的第一天，如 2026年1月1日"),
        "截止日期": _("证明期间的最后一天，如 2026年11月30日"),
        "总时长": _("期间内计入的服务时长（小时），如 86.5"),
        "记录条数": _("期间内的服务记录条数"),
        "站点": _STATION,
        "证书编号": _("证明编号"),
        "开具日期": _("开具证明的日期，如 2026年11月30日"),
        "站长": _HEAD,
        "年": _YEAR,
    },
    "honour_roll": {
        "年度": _("光荣榜的年度，如 2026"),
        "站点": _STATION,
        "站长": _HEAD,
        "制表日期": _("制作光荣榜的日期，如 2026年11月30日"),
    },
}

_SAMPLE_COMMON = {"站点": "康华花园物业志愿服务站", "站长": "王建国", "年": "2026"}
_SAMPLES: dict[str, dict[str, str]] = {
    "star": {
        "姓名": "张晓明", "志愿者编号": "SQ0101-00012", "星级": "三星级", "星级名称": "三星级志愿者",
        "累计时长": "312.5", "认定日期": "2026年11月30日", "证书编号": "SQ0101-XJ2026-0008",
    },
    "honour": {
        "称号": "年度优秀志愿者", "获得者": "张晓明", "获得者类别": "志愿者", "颁发日期": "2026年12月5日",
        "事迹": "三年来坚持每周为辖区空巢老人送餐、陪护，热心调解邻里纠纷，深受居民好评。",
        "颁发单位": "仁厚社区居民委员会", "证书编号": "SQ0101-JX2026-0003",
    },
    "record": {
        "姓名": "张晓明", "志愿者编号": "SQ0101-00012", "起始日期": "2026年1月1日",
        "截止日期": "2026年11月30日", "总时长": "86.5", "记录条数": "37", "证书编号": "SQ0101-JL2026-0015",
        "开具日期": "2026年11月30日",
    },
    "honour_roll": {"年度": "2026", "制表日期": "2026年12月20日"},
}

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_FORMATTER = string.Formatter()


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError(_("不认识的文书种类：{k}。").format(k=kind), field="kind")


def _setting_key(kind: str) -> str:
    return f"print.template.{kind}"


@cache
def _defaults() -> dict[str, dict[str, str]]:
    templates = load_json("print_templates.json")["templates"]
    return {kind: {f: str(templates[kind][f]) for f in FIELDS} for kind in KINDS}


def default_template(kind: str) -> dict[str, str]:
    """The bundled wording of ``kind`` (a fresh dict the caller may change)."""
    _check_kind(kind)
    return dict(_defaults()[kind])


@dataclass(frozen=True)
class Template:
    """A kind's wording as the station uses it: its overrides merged over the default."""

    kind: str
    fields: dict[str, str]
    is_default: bool  # no field overridden


# --- checking ---------------------------------------------------------------------------
def _available(kind: str) -> str:
    return "、".join(f"{{{name}}}" for name in PLACEHOLDERS[kind])


def _check_field(kind: str, name: str, value: str) -> None:
    label = FIELD_LABELS[name]
    if name == "accent":
        if not _COLOUR.fullmatch(value):
            raise ValidationError(
                _("主色“{v}”不是颜色，请写成 # 加 6 位十六进制数字，如 #b22222。").format(v=value), field=name
            )
        red, green, blue = (int(value[i:i + 2], 16) for i in (1, 3, 5))
        if 0.299 * red + 0.587 * green + 0.114 * blue > 200:
            raise ValidationError(_("主色 {v} 太浅，印在白纸上看不清，请选深一些的颜色。").format(v=value), field=name)
        return
    if name == "title" and not value.strip():
        raise ValidationError(_("标题不能为空。"), field=name)
    limit = MAX_BODY_LENGTH if name == "body" else MAX_FIELD_LENGTH
    if len(value) > limit:
        raise ValidationError(
            _("{f}有 {n} 个字，最多 {m} 个字。").format(f=label, n=len(value), m=limit), field=name
        )
    if "\n" in value and name not in MULTILINE_FIELDS:
        raise ValidationError(_("{f}不能换行。").format(f=label), field=name)
    if "｛" in value or "｝" in value:
        raise ValidationError(
            _("{f}中用了全角大括号“｛ ｝”，占位符要用半角大括号，如 {{姓名}}。").format(f=label), field=name
        )
    try:
        parts = list(_FORMATTER.parse(value))
    except ValueError:
        raise ValidationError(
            _("{f}中的大括号不成对：占位符要写成 {{姓名}} 这样，左右大括号各一个；"
              "要印出大括号本身，请连写两个：{{{{ 或 }}}}。").format(f=label),
            field=name,
        ) from None
    known = PLACEHOLDERS[kind]
    for _literal, field_name, format_spec, conversion in parts:
        if field_name is None:
            continue
        written = "{" + field_name + ("!" + conversion if conversion else "") + (
            ":" + format_spec if format_spec else "") + "}"
        if not field_name.strip():
            raise ValidationError(
                _("{f}中有空的大括号 {{}}，请在大括号中写占位符的名字，如 {{姓名}}。").format(f=label), field=name
            )
        if "." in field_name or "[" in field_name:
            raise ValidationError(
                _("{f}中的 {w} 写法不对：大括号中只写占位符的名字，不能带“.”或“[ ]”。可用的占位符：{a}").format(
                    f=label, w=written, a=_available(kind)),
                field=name,
            )
        if conversion or format_spec:
            raise ValidationError(
                _("{f}中的 {w} 写法不对：大括号中只写占位符的名字，不能带“!”或“:”。可用的占位符：{a}").format(
                    f=label, w=written, a=_available(kind)),
                field=name,
            )
        if field_name not in known and field_name.strip() in known:
            raise ValidationError(
                _("{f}中的 {w} 多了空格，请写成 {{{n}}}。").format(f=label, w=written, n=field_name.strip()),
                field=name,
            )
        if field_name not in known:
            raise ValidationError(
                _("{f}中的占位符 {w} 不认识。可用的占位符：{a}").format(f=label, w=written, a=_available(kind)),
                field=name,
            )


def _complete(kind: str, fields: dict[str, str]) -> dict[str, str]:
    """``fields`` with the ones left out taken from the default; an unknown field name is a programming error."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown template fields: {sorted(unknown)}")
    complete = default_template(kind)
    complete.update(fields)
    return complete


def check_template(kind: str, fields: dict[str, str]) -> None:
    """Refuse (ValidationError, in Chinese, naming the field) wording that could not be printed.

    Fields left out of ``fields`` are the default's.
    """
    _check_kind(kind)
    for name, value in _normalised(_complete(kind, fields)).items():
        _check_field(kind, name, value)


def _normalised(fields: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, value in fields.items():
        value = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        if name in MULTILINE_FIELDS:
            value = "\n".join(line.rstrip() for line in value.split("\n"))
        out[name] = value.lower() if name == "accent" else value
    return out


# --- storing ----------------------------------------------------------------------------
def _stored(session: Session, station_id: int, kind: str) -> dict[str, str]:
    raw = settings_svc.get_json(session, station_id, _setting_key(kind), {})
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if k in FIELDS and isinstance(v, str)}


def get_template(session: Session, station_id: int, kind: str) -> Template:
    """The wording the station prints ``kind`` with.

    A stored field that no longer passes the checks (say, a placeholder a later version dropped)
    falls back to the default, so printing never fails on it.
    """
    fields = default_template(kind)
    overridden = False
    for name, value in _stored(session, station_id, kind).items():
        try:
            _check_field(kind, name, value)
        except ValidationError:
            continue
        if value != fields[name]:
            fields[name] = value
            overridden = True
    return Template(kind, fields, not overridden)


def _delete_setting(session: Session, station_id: int, key: str) -> bool:
    row = session.get(StationSetting, (station_id, key))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def save_template(session: Session, actor: Actor, kind: str, fields: dict[str, str]) -> None:
    """Store the station's wording of ``kind`` (administrators: 修改站点信息). Fields left out keep the default."""
    require(actor, Permission.MANAGE_STATION)
    _check_kind(kind)
    new = _normalised(_complete(kind, fields))
    check_template(kind, new)
    station_id = actor.station_id or 0
    before = get_template(session, station_id, kind).fields
    default = default_template(kind)
    overrides = {name: value for name, value in new.items() if value != default[name]}
    if overrides:
        settings_svc.set_json(session, station_id, _setting_key(kind), overrides)
    else:
        _delete_setting(session, station_id, _setting_key(kind))
    changes = audit.diff(before, new)
    if changes:
        audit.record(
            session, actor, "update", "station", actor.station_id,
            summary=_("修改文书模板：{k}").format(k=KIND_LABELS[kind]), changes=changes,
        )


def reset_template(session: Session, actor: Actor, kind: str) -> None:
    """Go back to the bundled wording of ``kind``."""
    require(actor, Permission.MANAGE_STATION)
    _check_kind(kind)
    station_id = actor.station_id or 0
    before = get_template(session, station_id, kind).fields
    if _delete_setting(session, station_id, _setting_key(kind)):
        audit.record(
            session, actor, "update", "station", actor.station_id,
            summary=_("文书模板恢复默认：{k}").format(k=KIND_LABELS[kind]),
            changes=audit.diff(before, default_template(kind)),
        )


# --- filling ----------------------------------------------------------------------------
def fill(template: Template, values: dict[str, str]) -> Wording:
    """The template's wording with every placeholder replaced.

    ``values`` must hold every placeholder of the kind (a missing one is a programming error:
    KeyError); values are inserted as they are, never read as placeholders themselves.
    """
    missing = [name for name in PLACEHOLDERS[template.kind] if name not in values]
    if missing:
        raise KeyError(f"no value for placeholders {missing} of the {template.kind} template")
    mapping = {name: str(value) for name, value in values.items()}
    texts = {name: template.fields[name].format_map(mapping) for name in TEXT_FIELDS}
    return Wording(accent=template.fields["accent"], **texts)


def sample_values(kind: str) -> dict[str, str]:
    """Realistic values for a preview of ``kind`` (every placeholder of it)."""
    _check_kind(kind)
    values = {**_SAMPLE_COMMON, **_SAMPLES[kind]}
    return {name: values[name] for name in PLACEHOLDERS[kind]}


# --- the seal ---------------------------------------------------------------------------
SEAL_KEY = "print.seal"
MAX_SEAL_FILE_BYTES = 5 * 1024 * 1024
MAX_SEAL_SOURCE_PIXELS = 4000  # on either side of the chosen file
SEAL_PIXELS = 600  # the long side of the stored image, at most


@dataclass(frozen=True)
class SealInfo:
    width: int
    height: int
    has_transparency: bool  # False: the seal would hide the text under it (a scanned JPEG)


def _refuse(message: str) -> ValidationError:
    return ValidationError(message + _("印章没有更改。"), field="seal")


def _seal_image(data: bytes) -> Image.Image:
    """The chosen file as an RGBA image no larger than SEAL_PIXELS, or a Chinese refusal."""
    if not data:
        raise _refuse(_("所选文件是空的，"))
    if len(data) > MAX_SEAL_FILE_BYTES:
        raise _refuse(_("所选文件有 {n:.1f} MB，超过了 5 MB，请选择较小的图片，").format(n=len(data) / 1024 / 1024))
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise _refuse(_("所选图片的像素太多，超过了 {m}×{m} 像素，请先缩小后再选择，").format(m=MAX_SEAL_SOURCE_PIXELS)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse(_("所选文件不是图片（无法识别的格式），")) from None
    width, height = image.size
    if width <= 0 or height <= 0:
        raise _refuse(_("所选图片的宽或高为 0，"))
    if width > MAX_SEAL_SOURCE_PIXELS or height > MAX_SEAL_SOURCE_PIXELS:
        raise _refuse(
            _("所选图片有 {w}×{h} 像素，超过了 {m} 像素，请先缩小后再选择，").format(w=width, h=height, m=MAX_SEAL_SOURCE_PIXELS)
        )
    if getattr(image, "is_animated", False) or getattr(image, "n_frames", 1) > 1:
        raise _refuse(_("所选图片是动画，印章需要一张静态图片，"))
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGBA")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _refuse(_("所选图片已损坏，无法读取，")) from None
    image.thumbnail((SEAL_PIXELS, SEAL_PIXELS), Image.Resampling.LANCZOS)
    return image


def _info(image: Image.Image) -> SealInfo:
    alpha_low, _high = image.getchannel("A").getextrema()
    return SealInfo(image.width, image.height, alpha_low < 255)


def _describe(png: bytes | None) -> str | None:
    if png is None:
        return None
    digest = hashlib.sha256(png).hexdigest()[:12]
    try:
        info = _info(Image.open(io.BytesIO(png)).convert("RGBA"))
    except (OSError, ValueError):
        return f"PNG sha256:{digest}"
    return f"{info.width}×{info.height} PNG sha256:{digest}"


def set_seal(session: Session, actor: Actor, data: bytes) -> SealInfo:
    """Store the chosen image file as the station's seal; returns what was stored.

    Anything but a still image up to 5 MB and 4000×4000 px is refused and the old seal kept.
    An image without transparency is accepted, but ``has_transparency`` is False so the screen
    can warn that the seal would hide the text under it.
    """
    require(actor, Permission.MANAGE_STATION)
    image = _seal_image(data)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    station_id = actor.station_id or 0
    before = _describe(seal_png(session, station_id))
    settings_svc.set_text(session, station_id, SEAL_KEY, base64.b64encode(png).decode("ascii"))
    info = _info(image)
    audit.record(
        session, actor, "update", "station", actor.station_id,
        summary=_("设置印章图片（{w}×{h} 像素）").format(w=info.width, h=info.height),
        changes={"seal": [before, _describe(png)]},
    )
    return info


def seal_png(session: Session, station_id: int) -> bytes | None:
    """The station's seal as PNG bytes (RGBA), or None when none is set."""
    text = settings_svc.get_text(session, station_id, SEAL_KEY)
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def seal_info(session: Session, station_id: int) -> SealInfo | None:
    png = seal_png(session, station_id)
    if png is None:
        return None
    try:
        return _info(Image.open(io.BytesIO(png)).convert("RGBA"))
    except (OSError, ValueError, UnidentifiedImageError):
        return None


def clear_seal(session: Session, actor: Actor) -> None:
    """Remove the station's seal (documents print without one)."""
    require(actor, Permission.MANAGE_STATION)
    station_id = actor.station_id or 0
    before = _describe(seal_png(session, station_id))
    if _delete_setting(session, station_id, SEAL_KEY):
        audit.record(
            session, actor, "update", "station", actor.station_id,
            summary=_("清除印章图片"), changes={"seal": [before, None]},
        )
