"""Certificates: what each prints, who may print it, the signed QR payload, and the record of issues.

- **What prints.** A star certificate prints a confirmed star award (never one under review or
  revoked); an honour certificate an honour; a service record certificate (志愿服务记录证明) a
  volunteer's counted service in a period with their training and honours; the honour roll a year's
  honours and star awards. Numbers: star awards and honours carry theirs from when they were
  confirmed; a record certificate takes the next ``{station}-JL{year}-{n:04d}`` when it is made.
- **The QR payload** is short readable text, signed with the station's Ed25519 key (issue 5)::

      ZSV1|S|SQ0101|SQ0101-XJ2026-0001|张晓明|SQ0101-00012|3|18750|2026-11-30|<signature>

  the version, the kind (S star, H honour, R record), the station code, then the kind's fields, and
  the signature (base64url, 86 characters) over the UTF-8 of everything before it including the
  last ``|``. :func:`verify_payload` needs only the station's public key, so a certificate is checked
  offline; a changed hour count, name or number breaks the signature.
- **Issues.** Every print is recorded (:class:`~station_app.models.CertificateIssue`) with what the
  paper said, so a reprint draws the same certificate again, marked on the paper as a reprint.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..errors import StationError, ValidationError
from ..i18n import _
from ..models import CertificateIssue, Honour, StarAward, Station, Volunteer, utcnow
from ..reports import documents as docs
from ..reports.documents import (
    HonourCertificate,
    HonourLine,
    HonourRoll,
    RecordCertificate,
    RecordLine,
    RollEntry,
    RollSection,
    Stamp,
    StarCertificate,
    TrainingLine,
)
from . import chain, templates
from .audit import record as audit_record
from .auth import Actor, Permission, require
from .hours import IN_FORCE, counted_for, hours_text, ledger_lines, level_name, star_level
from .masking import mask_id_number
from .records import like_escape, load_for_station
from .training import volunteer_training_history

Document = StarCertificate | HonourCertificate | RecordCertificate | HonourRoll

STAR, HONOUR, RECORD, ROLL = "star", "honour", "record", "honour_roll"
KIND_LABELS = {
    STAR: _("星级志愿者证书"),
    HONOUR: _("荣誉证书"),
    RECORD: _("志愿服务记录证明"),
    ROLL: _("光荣榜"),
}
DOCUMENT_CLASSES = {STAR: StarCertificate, HONOUR: HonourCertificate, RECORD: RecordCertificate, ROLL: HonourRoll}
TARGET_LABELS = {"volunteer": _("志愿者"), "team": _("服务队"), "project": _("志愿服务项目")}
NOT_FOUND_VOLUNTEER = _("找不到这名志愿者（可能已被删除或不属于本站）。")
MAX_PERIOD_YEARS = 50


# --- the rows the print centre lists ---------------------------------------------------------------
@dataclass(frozen=True)
class Printable:
    """One document ready to draw: the GUI lists it, a batch renders it, ``record_issued`` books it."""

    kind: str  # STAR / HONOUR / RECORD / ROLL
    certificate_no: str  # "" for the honour roll
    label: str  # what a list shows: "张三 · 三星级志愿者 · SQ0101-XJ2026-0001"
    file_stem: str  # a file name without suffix: "SQ0101-XJ2026-0001_张三"
    document: Document
    copy: int  # 1 for a first print, 2… for reprints (the paper says so)
    subject: str = ""
    volunteer_id: int | None = None
    star_award_id: int | None = None
    honour_id: int | None = None


@dataclass(frozen=True)
class AwardChoice:
    """A confirmed star award in the print centre's list."""

    award_id: int
    volunteer_id: int
    name: str
    volunteer_no: str
    level: int
    level_name: str
    hours_text: str
    confirmed_on: date
    certificate_no: str
    times_printed: int  # 0 = never printed
    review_status: str  # '' / flagged / kept (revoked ones are not offered)


@dataclass(frozen=True)
class HonourChoice:
    honour_id: int
    title: str
    target_kind_label: str
    target_name: str
    awarded_on: date
    certificate_no: str
    times_printed: int


@dataclass(frozen=True)
class IssueRow:
    """One line of 打印记录."""

    issue_id: int
    kind: str
    kind_label: str
    certificate_no: str
    subject: str  # the person's / team's / project's name
    copy: int  # 1 = first print, 2… = reprint
    issued_at: datetime
    issued_by: str


@dataclass(frozen=True)
class Verification:
    """What a scanned or typed QR payload certifies, or why it is not valid."""

    valid: bool
    reason: str  # "" when valid; otherwise the Chinese reason
    kind_label: str = ""  # 星级志愿者证书 …
    facts: tuple[tuple[str, str], ...] = ()  # (label, value): 证书编号, 姓名, 星级, 累计时长 …
    station: str = ""  # the issuing station's name and code
    on_record: str = ""  # "本站已于 2026-12-01 打印（共 2 次）" / "本机没有这张证书的打印记录"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _times_printed(session: Session, column, ids: Sequence[int]) -> dict[int, int]:  # noqa: ANN001
    found: dict[int, int] = {}
    ids = list(ids)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        query = select(column, func.count()).where(column.in_(chunk)).group_by(column)
        found.update(dict(session.execute(query).all()))
    return found


def award_choices(session: Session, actor: Actor, *, unprinted_only: bool = False, search: str = "") -> list[AwardChoice]:
    """Confirmed star awards in force or under review, newest first; revoked ones are not offered."""
    require(actor, Permission.VIEW)
    query = (
        select(StarAward, Volunteer.name, Volunteer.volunteer_no)
        .join(Volunteer, Volunteer.id == StarAward.volunteer_id)
        .where(StarAward.station_id == actor.station_id, StarAward.review_status != "revoked")
        .order_by(StarAward.confirmed_on.desc(), StarAward.seq.desc())
    )
    text = search.strip()
    if text:
        pattern = f"%{like_escape(text)}%"
        query = query.where(or_(
            Volunteer.name.like(pattern, escape="\\"), Volunteer.volunteer_no.like(pattern, escape="\\"),
            Volunteer.name_initials.like(pattern, escape="\\"), StarAward.certificate_no.like(pattern, escape="\\"),
        ))
    if unprinted_only:
        printed = select(CertificateIssue.star_award_id).where(
            CertificateIssue.station_id == actor.station_id, CertificateIssue.star_award_id.is_not(None)
        )
        query = query.where(StarAward.id.not_in(printed))
    rows = session.execute(query).all()
    times = _times_printed(session, CertificateIssue.star_award_id, [a.id for a, _n, _v in rows])
    return [
        AwardChoice(
            a.id, a.volunteer_id, name, no or "", a.level, level_name(a.level), hours_text(a.minutes_at_award),
            a.confirmed_on, a.certificate_no, times.get(a.id, 0), a.review_status,
        )
        for a, name, no in rows
    ]


def honour_choices(session: Session, actor: Actor, *, year: int | None = None) -> list[HonourChoice]:
    require(actor, Permission.VIEW)
    query = select(Honour).where(Honour.station_id == actor.station_id)
    if year is not None:
        query = query.where(Honour.awarded_on >= date(year, 1, 1), Honour.awarded_on <= date(year, 12, 31))
    honours = list(session.scalars(query.order_by(Honour.awarded_on.desc(), Honour.seq.desc())))
    times = _times_printed(session, CertificateIssue.honour_id, [h.id for h in honours])
    return [
        HonourChoice(h.id, h.title, TARGET_LABELS.get(h.target_kind, h.target_kind), h.target_name, h.awarded_on,
                     h.certificate_no, times.get(h.id, 0))
        for h in honours
    ]


# --- the signed payload ---------------------------------------------------------------------------
PAYLOAD_VERSION = "ZSV1"
KIND_CODES = {STAR: "S", HONOUR: "H", RECORD: "R"}
CODE_KINDS = {code: kind for kind, code in KIND_CODES.items()}
# After version, kind code and station code: the kind's fields, in order.
PAYLOAD_FIELDS = {
    STAR: ("certificate_no", "name", "volunteer_no", "level", "minutes", "confirmed_on"),
    HONOUR: ("certificate_no", "title", "target", "awarded_on"),
    RECORD: ("certificate_no", "name", "volunteer_no", "period_from", "period_to", "minutes", "records", "issued_on"),
}
FIELD_LABELS = {
    "certificate_no": _("证书编号"), "name": _("姓名"), "volunteer_no": _("志愿者编号"), "level": _("星级"),
    "minutes": _("服务时长"), "confirmed_on": _("认定日期"), "title": _("荣誉称号"), "target": _("获得者"),
    "awarded_on": _("颁发日期"), "period_from": _("起始日期"), "period_to": _("截止日期"), "records": _("服务记录"),
    "issued_on": _("开具日期"),
}
SIGNATURE_CHARS = 86  # base64url of 64 bytes, unpadded


def _field(value: object) -> str:
    """A payload field: one line, and never the separator (a full-width bar stands in for ``|``)."""
    return " ".join(str(value).split()).replace("|", "｜")


def sign_payload(key: Ed25519PrivateKey, kind: str, station_code: str, values: dict[str, object]) -> str:
    fields = [PAYLOAD_VERSION, KIND_CODES[kind], _field(station_code)]
    fields += [_field(values[name]) for name in PAYLOAD_FIELDS[kind]]
    body = "|".join(fields) + "|"
    signature = base64.urlsafe_b64encode(key.sign(body.encode("utf-8"))).decode().rstrip("=")
    return body + signature


def _shown(name: str, value: str) -> str:
    if name == "level" and value.isdigit():
        return level_name(int(value))
    if name == "minutes" and value.lstrip("-").isdigit():
        return _("{h} 小时").format(h=hours_text(int(value)))
    if name == "records" and value.isdigit():
        return _("{n} 条").format(n=value)
    return value


def _invalid(reason: str, **kw) -> Verification:  # noqa: ANN003
    return Verification(False, reason, **kw)


def verify_payload(session: Session, text: str) -> Verification:
    """Check a scanned or typed payload against the issuing station's public key; say what it certifies."""
    payload = (text or "").strip()
    if not payload:
        return _invalid(_("没有输入二维码内容。请用扫码枪扫描证书上的二维码，或把内容粘贴进来。"))
    parts = payload.split("|")
    if parts[0] != PAYLOAD_VERSION:
        if parts[0].startswith("ZSV"):
            return _invalid(_("这张证书由更新版本的程序签发（{v}），请升级本程序后再核验。").format(v=parts[0][:8]))
        return _invalid(_("这不是本系统证书的二维码内容（应以 {v}| 开头）。").format(v=PAYLOAD_VERSION))
    kind = CODE_KINDS.get(parts[1]) if len(parts) > 1 else None
    if kind is None:
        return _invalid(_("二维码内容不完整或证书类别不认识，无法核验。"))
    expected = 3 + len(PAYLOAD_FIELDS[kind]) + 1
    if len(parts) != expected:
        return _invalid(_("二维码内容不完整：应有 {n} 段，实际 {m} 段。可能扫描不全，请重新扫描。").format(
            n=expected, m=len(parts)))
    station_code, values, signature = parts[2], dict(zip(PAYLOAD_FIELDS[kind], parts[3:-1], strict=True)), parts[-1]
    kind_label = KIND_LABELS[kind]
    facts = tuple((FIELD_LABELS[name], _shown(name, value)) for name, value in values.items())
    station = session.scalar(select(Station).where(Station.code == station_code))
    if station is None:
        # Another station's certificate: its key may be trusted here through a transfer package.
        from .packages import trusted_keys

        trusted = trusted_keys(session, station_code)
        for name, key_hex in trusted:
            if _signed_by(key_hex, payload, signature):
                return Verification(True, "", kind_label, facts, f"{name}（{station_code}）",
                                    _("签发站点的密钥已由本站信任（导入转移包时核对过指纹）；本机没有它的打印记录。"))
        if trusted:
            return _invalid(
                _("签名不符：二维码内容与签发时不一致（可能被改动过，或扫描有误）。这张证书不能作为有效证明。"),
                kind_label=kind_label, facts=facts, station=f"{trusted[0][0]}（{station_code}）",
            )
        return _invalid(
            _("签发站点 {c} 不在本机的数据库中，没有它的公钥，无法核验。请到签发站点核验，或先导入该站点的公钥。").format(
                c=station_code),
            kind_label=kind_label, facts=facts, station=station_code,
        )
    station_text = f"{station.name}（{station.code}）"
    public_hex = chain.station_public_key(session, station.id)
    if public_hex is None:
        return _invalid(_("站点 {s} 还没有签名密钥，无法核验它的证书。").format(s=station_text),
                        kind_label=kind_label, facts=facts, station=station_text)
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        if len(signature) != SIGNATURE_CHARS or len(raw) != 64:
            raise ValueError
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            raw, payload[: payload.rfind("|") + 1].encode("utf-8"))
    except (ValueError, InvalidSignature):
        return _invalid(
            _("签名不符：二维码内容与签发时不一致（可能被改动过，或扫描有误）。这张证书不能作为有效证明。"),
            kind_label=kind_label, facts=facts, station=station_text,
        )
    return Verification(True, "", kind_label, facts, station_text, _on_record(session, station.id, kind, values))


def _signed_by(public_hex: str, payload: str, signature: str) -> bool:
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        if len(signature) != SIGNATURE_CHARS or len(raw) != 64:
            return False
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            raw, payload[: payload.rfind("|") + 1].encode("utf-8"))
    except (ValueError, InvalidSignature):
        return False
    return True


def _on_record(session: Session, station_id: int, kind: str, values: dict[str, str]) -> str:
    number = values["certificate_no"]
    issues = session.execute(
        select(CertificateIssue.issued_at, CertificateIssue.copy)
        .where(CertificateIssue.station_id == station_id, CertificateIssue.certificate_no == number)
        .order_by(CertificateIssue.issued_at)
    ).all()
    notes = []
    if issues:
        first = issues[0].issued_at.astimezone().date().isoformat()
        notes.append(_("本站于 {d} 首次打印这张证书，共打印 {n} 次。").format(d=first, n=len(issues)))
    else:
        notes.append(_("本机没有这张证书的打印记录（可能在另一台电脑上打印）。"))
    if kind == STAR:
        status = session.scalar(select(StarAward.review_status).where(StarAward.certificate_no == number))
        if status == "revoked":
            notes.append(_("注意：这项星级认定已在复核后撤销，证书不再有效。"))
        elif status == "flagged":
            notes.append(_("注意：这项星级认定正在复核中。"))
    return "".join(notes)


# --- building the documents -----------------------------------------------------------------------
def _station(session: Session, actor: Actor) -> Station:
    station = session.get(Station, actor.station_id)
    assert station is not None
    return station


def _common_values(station: Station, day: date) -> dict[str, str]:
    return {"站点": station.name, "站长": station.contact_person or "", "年": str(day.year)}


def _copy_of(session: Session, number: str) -> int:
    return (session.scalar(select(func.count()).where(CertificateIssue.certificate_no == number)) or 0) + 1


def copy_note(copy: int, on: date) -> str:
    return "" if copy <= 1 else _("补打 · 第 {n} 次打印 · {d}").format(n=copy, d=on.isoformat())


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def safe_stem(*parts: str) -> str:
    return "_".join(_UNSAFE.sub("-", p).strip("-") for p in parts if p)[:120] or "document"


def _filled(template: templates.Template, values: dict[str, str]) -> docs.Wording:
    """The template filled in; a paragraph left empty (an honour without a citation) is dropped."""
    wording = templates.fill(template, values)
    body = "\n".join(line for line in wording.body.split("\n") if line.strip())
    return dataclasses.replace(wording, body=body)


def _wording(session: Session, station_id: int, kind: str, values: dict[str, str]) -> docs.Wording:
    return _filled(templates.get_template(session, station_id, kind), values)


def _require_printing(actor: Actor) -> None:
    require(actor, Permission.PRINT_CERTIFICATES)


def star_certificates(
    session: Session, actor: Actor, key: Ed25519PrivateKey, award_ids: Sequence[int], *, today: date | None = None
) -> list[Printable]:
    """Star certificates for these confirmed awards, in the order given."""
    _require_printing(actor)
    today = today or date.today()
    station = _station(session, actor)
    seal = templates.seal_png(session, station.id)
    template = templates.get_template(session, station.id, STAR)
    awards = {a.id: a for a in _load_many(session, actor, StarAward, award_ids)}
    people = {v.id: v for v in _load_many(session, actor, Volunteer, {a.volunteer_id for a in awards.values()})}
    printables = []
    for award_id in award_ids:
        award = awards.get(award_id)
        if award is None:
            raise ValidationError(_("找不到这项星级认定（可能不属于本站）。"))
        volunteer = people[award.volunteer_id]
        if award.review_status == "revoked":
            raise ValidationError(_("{n}的{l}认定已在复核后撤销，不能打印证书。").format(
                n=volunteer.name, l=level_name(award.level)))
        if award.review_status == "flagged":
            raise ValidationError(_("{n}的{l}认定正在复核，复核保留后才能打印证书。").format(
                n=volunteer.name, l=level_name(award.level)))
        hours = hours_text(award.minutes_at_award)
        values = {
            **_common_values(station, award.confirmed_on), "姓名": volunteer.name,
            "志愿者编号": volunteer.volunteer_no or "", "星级": _("{n}星级").format(n="一二三四五"[award.level - 1]),
            "星级名称": level_name(award.level), "累计时长": hours, "认定日期": cn_date(award.confirmed_on),
            "证书编号": award.certificate_no,
        }
        payload = sign_payload(key, STAR, station.code, {
            "certificate_no": award.certificate_no, "name": volunteer.name, "volunteer_no": volunteer.volunteer_no or "",
            "level": award.level, "minutes": award.minutes_at_award, "confirmed_on": award.confirmed_on.isoformat(),
        })
        copy = _copy_of(session, award.certificate_no)
        document = StarCertificate(
            stamp=Stamp(award.certificate_no, award.confirmed_on, payload, seal, copy_note(copy, today)),
            wording=_filled(template, values), name=volunteer.name, volunteer_no=volunteer.volunteer_no or "",
            level=award.level, level_name=level_name(award.level), hours_text=hours, confirmed_on=award.confirmed_on,
            station_name=station.name,
        )
        printables.append(Printable(
            STAR, award.certificate_no, f"{volunteer.name} · {level_name(award.level)} · {award.certificate_no}",
            safe_stem(award.certificate_no, volunteer.name), document, copy, volunteer.name, volunteer.id, award.id,
        ))
    return printables


def star_certificate_for(
    session: Session, actor: Actor, key: Ed25519PrivateKey, volunteer_id: int, *, today: date | None = None
) -> Printable:
    """The certificate of a volunteer's highest confirmed level in force; refused when there is none."""
    _require_printing(actor)
    volunteer = load_for_station(session, actor, Volunteer, volunteer_id, NOT_FOUND_VOLUNTEER)
    award = session.scalar(
        select(StarAward)
        .where(StarAward.volunteer_id == volunteer.id, StarAward.review_status.in_(IN_FORCE))
        .order_by(StarAward.level.desc(), StarAward.confirmed_on.desc())
        .limit(1)
    )
    if award is None:
        minutes = counted_for(session, actor.station_id, volunteer.id)
        level = star_level(minutes)
        hint = (_("已满足{l}的时长，请先在“星级与嘉许”中认定。").format(l=level_name(level)) if level
                else _("满 100 小时可认定一星级。"))
        raise ValidationError(_("{n}还没有认定的星级（累计服务 {h} 小时），不能打印星级证书。{hint}").format(
            n=volunteer.name, h=hours_text(minutes), hint=hint))
    return star_certificates(session, actor, key, [award.id], today=today)[0]


def honour_certificates(
    session: Session, actor: Actor, key: Ed25519PrivateKey, honour_ids: Sequence[int], *, today: date | None = None
) -> list[Printable]:
    _require_printing(actor)
    today = today or date.today()
    station = _station(session, actor)
    seal = templates.seal_png(session, station.id)
    template = templates.get_template(session, station.id, HONOUR)
    honours = {h.id: h for h in _load_many(session, actor, Honour, honour_ids)}
    printables = []
    for honour_id in honour_ids:
        h = honours.get(honour_id)
        if h is None:
            raise ValidationError(_("找不到这项嘉许（可能不属于本站）。"))
        kind_label = TARGET_LABELS.get(h.target_kind, h.target_kind)
        values = {
            **_common_values(station, h.awarded_on), "称号": h.title, "获得者": h.target_name, "获得者类别": kind_label,
            "颁发日期": cn_date(h.awarded_on), "事迹": h.citation, "颁发单位": h.issuer or station.name,
            "证书编号": h.certificate_no,
        }
        payload = sign_payload(key, HONOUR, station.code, {
            "certificate_no": h.certificate_no, "title": h.title, "target": h.target_name,
            "awarded_on": h.awarded_on.isoformat(),
        })
        copy = _copy_of(session, h.certificate_no)
        document = HonourCertificate(
            stamp=Stamp(h.certificate_no, h.awarded_on, payload, seal, copy_note(copy, today)),
            wording=_filled(template, values), honour_title=h.title, target_name=h.target_name,
            target_kind=h.target_kind, awarded_on=h.awarded_on, citation=h.citation, station_name=station.name,
        )
        printables.append(Printable(
            HONOUR, h.certificate_no, f"{h.target_name} · {h.title} · {h.certificate_no}",
            safe_stem(h.certificate_no, h.target_name), document, copy, h.target_name, h.volunteer_id, None, h.id,
        ))
    return printables


def _load_many(session: Session, actor: Actor, model: type, ids) -> list:  # noqa: ANN001
    ids = list(ids)
    rows = []
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        rows.extend(session.scalars(select(model).where(model.id.in_(chunk), model.station_id == actor.station_id)))
    return rows


_HOME = re.compile(r"(\d+\s*(?:栋|幢|座|号楼))\s*(?:\d+\s*单元)?\s*\d{2,5}\s*(?:室|房|号)?")


def public_place(place: str) -> str:
    """A service place as a proof prints it: a home's unit and room are left out, the building stays.

    Home visits are recorded at the address of the person served (often an elderly person living
    alone); a proof goes to schools and offices, and the building says enough about the service.
    """
    return _HOME.sub(r"\1", place).strip()


def check_period(period_from: date, period_to: date, today: date) -> None:
    if period_to < period_from:
        raise ValidationError(_("截止日期 {e} 早于起始日期 {s}。").format(
            e=period_to.isoformat(), s=period_from.isoformat()), field="period_to")
    if period_to > today:
        raise ValidationError(_("截止日期 {e} 在今天之后：证明只能写到今天为止的服务。").format(
            e=period_to.isoformat()), field="period_to")
    if period_to.year - period_from.year > MAX_PERIOD_YEARS:
        raise ValidationError(_("起止日期相隔太久，请检查年份。"), field="period_from")


def record_number(session: Session, station: Station, year: int) -> str:
    """The next service record certificate number of the year, serialised by the chain-head lock."""
    chain.lock_head(session, station.id)
    prefix = f"{station.code}-JL{year}-"
    made = session.scalar(
        select(func.count()).where(
            CertificateIssue.station_id == station.id, CertificateIssue.copy == 1,
            CertificateIssue.certificate_no.like(f"{like_escape(prefix)}%", escape="\\"),
        )
    )
    return f"{prefix}{(made or 0) + 1:04d}"


def record_certificate(
    session: Session, actor: Actor, key: Ed25519PrivateKey, volunteer_id: int, period_from: date, period_to: date,
    *, today: date | None = None,
) -> Printable:
    """志愿服务记录证明 of a volunteer's counted service between two dates (both included).

    Takes a new certificate number: record it with :func:`record_issued` in the same unit of work.
    """
    _require_printing(actor)
    today = today or date.today()
    check_period(period_from, period_to, today)
    station = _station(session, actor)
    v = load_for_station(session, actor, Volunteer, volunteer_id, NOT_FOUND_VOLUNTEER)
    lines = [
        line for line in ledger_lines(session, station.id, volunteer_ids=[v.id], date_from=period_from,
                                      date_to=period_to)
        if line.counted_minutes > 0
    ]
    if not lines:
        raise ValidationError(_("{n}在 {s} 至 {e} 期间没有计入的服务记录，无法开具服务记录证明。").format(
            n=v.name, s=period_from.isoformat(), e=period_to.isoformat()))
    total = sum(line.counted_minutes for line in lines)
    history = volunteer_training_history(session, actor, v.id)
    trainings = [
        TrainingLine(row.starts_at.date(), row.topic, row.kind_label, hours_text(row.credited_minutes))
        for row in reversed(history.rows)
        if row.credited_minutes > 0 and period_from <= row.starts_at.date() <= period_to
    ]
    honours: list[HonourLine] = []
    for a in session.scalars(select(StarAward).where(
            StarAward.volunteer_id == v.id, StarAward.review_status.in_(IN_FORCE),
            StarAward.confirmed_on <= period_to).order_by(StarAward.confirmed_on)):
        honours.append(HonourLine(a.confirmed_on, level_name(a.level), station.name, a.certificate_no))
    for h in session.scalars(select(Honour).where(
            Honour.volunteer_id == v.id, Honour.awarded_on <= period_to).order_by(Honour.awarded_on)):
        honours.append(HonourLine(h.awarded_on, h.title, h.issuer, h.certificate_no))
    honours.sort(key=lambda line: line.awarded_on)
    number = record_number(session, station, today.year)
    values = {
        **_common_values(station, today), "姓名": v.name, "志愿者编号": v.volunteer_no or "",
        "起始日期": cn_date(period_from), "截止日期": cn_date(period_to), "总时长": hours_text(total),
        "记录条数": str(len(lines)), "证书编号": number, "开具日期": cn_date(today),
    }
    payload = sign_payload(key, RECORD, station.code, {
        "certificate_no": number, "name": v.name, "volunteer_no": v.volunteer_no or "",
        "period_from": period_from.isoformat(), "period_to": period_to.isoformat(), "minutes": total,
        "records": len(lines), "issued_on": today.isoformat(),
    })
    document = RecordCertificate(
        stamp=Stamp(number, today, payload, templates.seal_png(session, station.id), ""),
        wording=_wording(session, station.id, RECORD, values), name=v.name, gender=v.gender,
        id_number_masked=mask_id_number(v.id_number), volunteer_no=v.volunteer_no or "", registered_on=v.registered_on,
        period_from=period_from, period_to=period_to, total_hours_text=hours_text(total), record_count=len(lines),
        lines=[RecordLine(line.service_date, line.content, public_place(line.place), hours_text(line.counted_minutes))
               for line in lines],
        trainings=trainings, honours=honours, station_name=station.name,
        person_in_charge=station.contact_person or "", handler=actor.display_name, contact=station.contact_phone or "",
    )
    return Printable(
        RECORD, number, f"{v.name} · {period_from.isoformat()} 至 {period_to.isoformat()} · {number}",
        safe_stem(number, v.name), document, 1, v.name, v.id,
    )


def honour_roll(session: Session, actor: Actor, year: int, *, today: date | None = None) -> Printable:
    """光荣榜 of a year: its honours by title, then the star levels confirmed that year, highest first."""
    require(actor, Permission.VIEW)
    if not 2000 <= year <= 2100:
        raise ValidationError(_("年份应在 2000–2100 之间。"), field="year")
    today = today or date.today()
    station = _station(session, actor)
    first, last = date(year, 1, 1), date(year, 12, 31)
    sections: list[RollSection] = []
    by_title: dict[str, list[RollEntry]] = {}
    for h in session.scalars(select(Honour).where(
            Honour.station_id == station.id, Honour.awarded_on >= first, Honour.awarded_on <= last,
    ).order_by(Honour.awarded_on, Honour.seq)):
        # A card has room for a few words: what a team or project is; a person's name says enough.
        detail = TARGET_LABELS.get(h.target_kind, "") if h.target_kind != "volunteer" else ""
        by_title.setdefault(h.title, []).append(RollEntry(h.target_name, detail))
    sections += [RollSection(title, entries) for title, entries in by_title.items()]
    by_level: dict[int, list[RollEntry]] = {}
    for award, name in session.execute(
        select(StarAward, Volunteer.name).join(Volunteer, Volunteer.id == StarAward.volunteer_id).where(
            StarAward.station_id == station.id, StarAward.confirmed_on >= first, StarAward.confirmed_on <= last,
            StarAward.review_status.in_(IN_FORCE),
        ).order_by(StarAward.confirmed_on, StarAward.seq)
    ):
        by_level.setdefault(award.level, []).append(
            RollEntry(name, _("累计 {h} 小时").format(h=hours_text(award.minutes_at_award))))
    sections += [RollSection(level_name(level), by_level[level]) for level in sorted(by_level, reverse=True)]
    values = {"年度": str(year), "站点": station.name, "站长": station.contact_person or "", "制表日期": cn_date(today)}
    document = HonourRoll(_wording(session, station.id, ROLL, values), year, sections, station.name, today)
    return Printable(ROLL, "", _("{y}年光荣榜").format(y=year), safe_stem(_("光荣榜"), str(year)), document, 1)


# --- issues: recording prints and reprinting ------------------------------------------------------
def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None  # the seal: the current one is drawn on a reprint
    return value


def _typed(hint, value):  # noqa: ANN001, ANN202 - rebuilds what _plain wrote
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [h for h in typing.get_args(hint) if h is not type(None)]
        return _typed(options[0], value)
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_typed(item, v) for v in value]
    if hint is date:
        return date.fromisoformat(value)
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint, vars(docs))
        return hint(**{name: _typed(hints[name], v) for name, v in value.items() if name in hints})
    return value


def document_json(document: Document) -> str:
    return json.dumps(_plain(document), ensure_ascii=False, separators=(",", ":"))


def document_from_json(kind: str, text: str) -> Document:
    return _typed(DOCUMENT_CLASSES[kind], json.loads(text))


def record_issued(
    session: Session, actor: Actor, printables: Sequence[Printable], *, now: datetime | None = None
) -> int:
    """Book what was printed (the honour roll is not a certificate and is not booked); returns the count."""
    _require_printing(actor)
    booked = 0
    for p in printables:
        if p.kind == ROLL:
            continue
        taken = session.scalar(select(func.count()).where(
            CertificateIssue.certificate_no == p.certificate_no, CertificateIssue.copy == p.copy))
        if taken:
            raise StationError(_("证书 {n} 的第 {c} 次打印刚被别人登记过，请重新生成后再打印。").format(
                n=p.certificate_no, c=p.copy))
        session.add(CertificateIssue(
            station_id=actor.station_id, kind=p.kind, certificate_no=p.certificate_no, copy=p.copy,
            subject=p.subject[:100], volunteer_id=p.volunteer_id, star_award_id=p.star_award_id, honour_id=p.honour_id,
            payload=p.document.stamp.qr_payload, content=document_json(p.document),
            issued_at=now or utcnow(), issued_by_id=actor.user_id, issued_by_name=actor.display_name,
        ))
        booked += 1
    session.flush()
    if booked:
        kinds = sorted({p.kind for p in printables if p.kind != ROLL})
        audit_record(session, actor, "print", "certificate_issues", None,
                     summary=_("打印{k} {n} 份").format(k="、".join(KIND_LABELS[k] for k in kinds), n=booked))
    return booked


def issued_list(
    session: Session, actor: Actor, *, kind: str | None = None, search: str = "", limit: int = 2000
) -> list[IssueRow]:
    require(actor, Permission.VIEW)
    query = select(CertificateIssue).where(CertificateIssue.station_id == actor.station_id)
    if kind:
        query = query.where(CertificateIssue.kind == kind)
    text = search.strip()
    if text:
        pattern = f"%{like_escape(text)}%"
        query = query.where(or_(CertificateIssue.subject.like(pattern, escape="\\"),
                                CertificateIssue.certificate_no.like(pattern, escape="\\")))
    rows = session.scalars(query.order_by(CertificateIssue.issued_at.desc(), CertificateIssue.id.desc()).limit(limit))
    return [
        IssueRow(i.id, i.kind, KIND_LABELS.get(i.kind, i.kind), i.certificate_no, i.subject, i.copy, i.issued_at,
                 i.issued_by_name)
        for i in rows
    ]


def reprint(session: Session, actor: Actor, issue_id: int, *, today: date | None = None) -> Printable:
    """The certificate of an earlier print, drawn again as it was, marked as a reprint on the paper."""
    _require_printing(actor)
    today = today or date.today()
    issue = load_for_station(session, actor, CertificateIssue, issue_id, _("找不到这条打印记录。"))
    if issue.kind == STAR and issue.star_award_id is not None:
        award = session.get(StarAward, issue.star_award_id)
        if award is not None and award.review_status == "revoked":
            raise ValidationError(_("这项星级认定已在复核后撤销，不能补打证书。"))
    document = document_from_json(issue.kind, issue.content)
    copy = _copy_of(session, issue.certificate_no)
    stamp = dataclasses.replace(
        document.stamp, seal_png=templates.seal_png(session, actor.station_id), copy_note=copy_note(copy, today))
    document = dataclasses.replace(document, stamp=stamp)
    return Printable(
        issue.kind, issue.certificate_no, f"{issue.subject} · {KIND_LABELS.get(issue.kind, '')} · {issue.certificate_no}",
        safe_stem(issue.certificate_no, issue.subject, _("补打{n}").format(n=copy)), document, copy, issue.subject,
        issue.volunteer_id, issue.star_award_id, issue.honour_id,
    )
