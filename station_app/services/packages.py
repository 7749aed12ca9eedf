"""Transfer packages (转移包): one volunteer's file, a selection, or a whole station, signed and carried
to another database.

The file
    ``*.zsvpkg`` is a zip holding ``manifest.json``, one JSON Lines part per kind of row
    (``PART_NAMES``) and ``signature``: the origin station's Ed25519 signature over the exact bytes of
    the manifest. The manifest names the format version, the program version, a package id (uuid4),
    the scope (volunteer / selection / station), the origin station (code, name, town, community,
    public key), when it was made, and for every part its SHA-256 and row count. So a changed byte
    anywhere is caught: in a part (zip CRC, then its SHA-256), in the manifest or the signature (the
    signature no longer verifies).

    Evidence rows (service records with their corrections and decisions, star awards, honours,
    time-bank entries with their postings) travel as their hashed content exactly as the origin's
    chain hashed it (``chain.content_of``), with the origin id, ``seq``, ``prev_hash`` and
    ``entry_hash``: the importer recomputes each origin hash from the content and refuses a package
    whose rows do not hash to what they claim.

Verifying (``open_package`` then ``check_origin``), refused with the reason and nothing written
    not a zip or a changed byte; a missing or an unknown part; a newer format version; a package of
    this station itself; an origin key not trusted here (``UntrustedKey`` carries the fingerprint, so
    an administrator can compare it by phone and ``trust_key`` it once, audited); a station code
    already trusted with a DIFFERENT key.

Merging (``import_package``: one transaction; ``preview`` tells beforehand what it would do)
    - volunteer / selection → the importing user's station. A volunteer is matched by ID number; a
      matched volunteer keeps our value of every differing field unless the user chose theirs. A new
      volunteer gets a local volunteer number (the origin number is kept in the notes).
      Service records, corrections and decisions are appended to the local chain as new evidence,
      with the same minutes and ``delta_minutes`` (so they count toward star levels here) and the
      origin (station code, seq, hash) in the reason column; corrections and decisions point at the
      local copies of their targets. Training, star awards, honours and time-bank entries become
      read-only ``TransferredHistory``.
      Time bank: the transferred records make the volunteer's earned minutes here include what they
      earned there; what they already redeemed there is carried over as ONE entry of kind
      ``transfer`` per import (postings: volunteer −redeemed, station +redeemed), so the balance here
      equals the balance they had there. A later package carries only the entries not carried yet.
    - station → a copy of the whole station (matched by code, or created with its town and
      community, ``imported_at`` set, its public key in ``station_keys``). Its chain is rebuilt link
      by link in the origin's order, so each link keeps its origin ``seq`` and ``chain.verify_chain``
      of the copy passes; the hashes are the copy's own (the hashed content names local ids), the
      origin head is kept with the import. A later package of the same station adds only the links
      after that head, and is refused when its chain up to there is not the one imported before.
    Every row added is remembered in ``transfer_links`` by (station, origin code, kind, origin key),
    so importing the same package twice adds nothing. Each import is a ``PackageImport`` and audited.
"""

from __future__ import annotations

import hashlib
import heapq
import io
import json
import os
import struct
import uuid
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Date, DateTime, func, insert, select
from sqlalchemy.orm import Session

from .. import __version__
from ..errors import NotFound, StationError, ValidationError
from ..i18n import _
from ..models import (
    City,
    Community,
    Honour,
    HonourTitle,
    PackageImport,
    ServiceRecord,
    Skill,
    StarAward,
    Station,
    StationKey,
    Team,
    TeamMember,
    TimeBankEntry,
    TimeBankPosting,
    Town,
    TrainingEnrolment,
    TrainingSession,
    TransferLink,
    TransferredHistory,
    TrustedStationKey,
    Volunteer,
    utcnow,
    volunteer_skills,
)
from ..models.base import UTCDateTime
from . import audit, chain
from .auth import Actor, Permission, require
from .hours import hours_text, level_name
from .masking import mask_id_number, mask_phone
from .pinyin import name_keys
from .records import skills_named

FORMAT = "station-app/transfer-package"
FORMAT_VERSION = 1
SUFFIX = ".zsvpkg"
MANIFEST = "manifest.json"
SIGNATURE = "signature"
SCOPES = ("volunteer", "selection", "station")
SCOPE_LABELS = {"volunteer": _("一名志愿者"), "selection": _("选定的志愿者"), "station": _("整个站点")}

CHAINED_PARTS = {
    "service_records.jsonl": ServiceRecord,
    "star_awards.jsonl": StarAward,
    "honours.jsonl": Honour,
    "time_bank_entries.jsonl": TimeBankEntry,
}
PART_NAMES = ("volunteers.jsonl", "teams.jsonl", "training.jsonl", *CHAINED_PARTS)
PART_LABELS = {
    "volunteers.jsonl": _("志愿者"),
    "teams.jsonl": _("服务队"),
    "training.jsonl": _("培训"),
    "service_records.jsonl": _("服务记录"),
    "star_awards.jsonl": _("星级认定"),
    "honours.jsonl": _("嘉许"),
    "time_bank_entries.jsonl": _("时长兑换"),
}
# What a transfer link or a history row is about; also the keys of the preview's counts.
KIND_OF_TABLE = {"service_records": "record", "star_awards": "star", "honours": "honour",
                 "time_bank_entries": "redemption"}
KIND_LABELS = {
    "volunteer": _("志愿者"),
    "matched": _("已有的志愿者（身份证号相同，已匹配）"),
    "team": _("服务队"),
    "record": _("服务记录（含更正、审批）"),
    "training": _("培训"),
    "star": _("星级认定"),
    "honour": _("嘉许"),
    "redemption": _("兑换"),
    "link": _("台账条目"),
}
COUNT_ORDER = ("volunteer", "matched", "team", "record", "link", "training", "star", "honour", "redemption")
HISTORY_LABELS = {"training": _("培训"), "star": _("星级"), "honour": _("嘉许"), "redemption": _("兑换")}
TRANSFER_ENTRY_KIND = "transfer"  # the time-bank entry that carries over what was redeemed elsewhere

VOLUNTEER_FIELDS = (
    "volunteer_no", "name", "gender", "birth_date", "id_number", "phone", "political_status", "is_owner",
    "building", "unit", "room", "is_backbone", "emergency_contact", "emergency_phone", "availability", "status",
    "status_reason", "applied_at", "reviewed_at", "registered_on", "notes", "created_at",
)
# Fields a matched volunteer may differ in; the user keeps ours or takes theirs, one by one.
DIFF_FIELDS = {
    "name": _("姓名"),
    "phone": _("联系电话"),
    "political_status": _("政治面貌"),
    "is_owner": _("业主"),
    "building": _("楼栋"),
    "unit": _("单元"),
    "room": _("房号"),
    "is_backbone": _("骨干"),
    "emergency_contact": _("紧急联系人"),
    "emergency_phone": _("紧急联系人电话"),
    "availability": _("服务时间"),
    "skills": _("服务技能"),
}
TEAM_FIELDS = ("name", "kind", "org_type", "org_name", "contact_name", "contact_phone", "description", "active")
_BATCH = 5000
# What reading a damaged zip can raise: a flipped byte in a header can name an unknown compression
# method, an encryption flag, a length that runs past the end …
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError,
               struct.error, KeyError)
_SMALL_IN = 900  # below this, a selection is filtered with IN (…); above, rows are filtered as they stream


# --- errors and plain data ---------------------------------------------------------------------
class PackageRefused(StationError):
    """The package cannot be imported; the message says why. Nothing was written."""


class UntrustedKey(StationError):
    """The origin station's key is not trusted here yet: compare the fingerprint, then ``trust_key``."""

    def __init__(self, info: PackageInfo) -> None:
        super().__init__(
            _("转移包来自 {n}（{c}），本站还没有信任它的签名密钥。\n密钥指纹：{f}\n"
              "请打电话与对方站点核对这串指纹，一致后由管理员信任一次。").format(
                n=info.origin_name, c=info.origin_code, f=info.fingerprint)
        )
        self.info = info
        self.origin_code = info.origin_code
        self.origin_name = info.origin_name
        self.public_key = info.public_key
        self.fingerprint = info.fingerprint


class ImportCancelled(StationError):
    def __init__(self) -> None:
        super().__init__(_("已取消，没有导入任何内容。"))


@dataclass(frozen=True)
class PackageInfo:
    """What the manifest says, after the package was verified."""

    path: Path
    package_id: str
    scope: str
    format_version: int
    program_version: str
    created_at: datetime
    created_by: str
    origin_code: str
    origin_name: str
    origin_town: str
    origin_community: str
    origin_city: str
    public_key: str
    sha256: str
    counts: dict[str, int]
    chain_count: int = 0
    chain_head: str = chain.GENESIS
    origin: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return chain.fingerprint(self.public_key)

    @property
    def scope_label(self) -> str:
        return SCOPE_LABELS.get(self.scope, self.scope)

    def lines(self, part: str) -> Iterator[dict[str, Any]]:
        """The part's rows, streamed (the zip checks each part's CRC as it is read to its end)."""
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(part) as raw:
                for line in io.TextIOWrapper(raw, encoding="utf-8"):
                    if line.strip():
                        yield json.loads(line)
        except _ZIP_ERRORS as exc:
            raise PackageRefused(_("读取转移包的“{p}”部分时出错：文件已损坏或被改动过。").format(
                p=PART_LABELS.get(part, part))) from exc


@dataclass(frozen=True)
class ExportResult:
    path: Path
    package_id: str
    scope: str
    counts: dict[str, int]
    size: int


@dataclass(frozen=True)
class FieldDiff:
    field: str
    label: str
    ours: str
    theirs: str


@dataclass
class VolunteerPlan:
    """One volunteer of the package and what importing would do with them."""

    origin_id: int
    origin_no: str
    name: str
    id_masked: str
    verdict: str  # new / matched (same ID number here) / linked (imported before) / elsewhere
    local_id: int | None = None
    local_no: str = ""
    diffs: list[FieldDiff] = field(default_factory=list)
    new: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    minutes: int = 0  # counted minutes the new records add
    carried: int = 0  # time-bank postings carried over (≤ 0: redeemed there)

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS.get(self.verdict, self.verdict)


VERDICT_LABELS = {
    "new": _("新增"),
    "matched": _("身份证号相同，已匹配"),
    "linked": _("以前导入过"),
    "elsewhere": _("已在本库其他站点登记"),
}


@dataclass
class Preview:
    info: PackageInfo
    target_name: str  # the station the rows go to (for a station package: its copy)
    station_copy: bool
    copy_exists: bool = False
    already_imported: bool = False  # this very package was imported here before
    volunteers: list[VolunteerPlan] = field(default_factory=list)
    new: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        """The preview as text (the CLI prints it; the dialog shows it above the table)."""
        i = self.info
        out = [
            _("转移包：{s}，来自 {n}（{c}，{t}{m}），{d} 导出").format(
                s=i.scope_label, n=i.origin_name, c=i.origin_code, t=i.origin_town, m=i.origin_community,
                d=i.created_at.astimezone().strftime("%Y-%m-%d %H:%M")),
            _("导入到：{t}").format(t=self.target_name + (_("（站点副本，只读）") if self.station_copy else "")),
        ]
        if self.already_imported:
            out.append(_("这个转移包以前已经导入过：再次导入不会增加任何内容。"))
        for kind in COUNT_ORDER:
            new, skipped = self.new.get(kind, 0), self.skipped.get(kind, 0)
            if new or skipped:
                text = (_("{k}：{n}") if kind == "matched" else _("{k}：新增 {n}")).format(k=KIND_LABELS[kind], n=new)
                if skipped:
                    text += _("，已导入过，跳过 {s}").format(s=skipped)
                out.append(text)
        for v in self.volunteers:
            line = f"  {v.name}（{v.origin_no or _('无编号')}，{v.id_masked}）：{v.verdict_label}"
            if v.local_no:
                line += _("，本站编号 {n}").format(n=v.local_no)
            if v.new.get("record"):
                line += _("；服务记录 {n} 条，计入时长 {h} 小时").format(n=v.new["record"], h=hours_text(v.minutes))
            if v.carried:
                line += _("；在原站已兑换 {h} 小时（结转）").format(h=hours_text(-v.carried))
            out.append(line)
            for d in v.diffs:
                out.append(_("    {f}：本站“{o}”，转入“{t}”").format(f=d.label, o=d.ours, t=d.theirs))
        return out


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    station_id: int
    added: dict[str, int]
    skipped: dict[str, int]
    volunteer_ids: list[int]

    def lines(self) -> list[str]:
        out = []
        for kind in COUNT_ORDER:
            n, s = self.added.get(kind, 0), self.skipped.get(kind, 0)
            if n or s:
                out.append((_("{k}：{n}") if kind == "matched" else _("{k}：新增 {n}")).format(k=KIND_LABELS[kind], n=n)
                           + (_("，已导入过，跳过 {s}").format(s=s) if s else ""))
        if not any(self.added.values()):
            out.insert(0, _("没有新内容：转移包里的一切以前都已导入过。"))
        return out


@dataclass(frozen=True)
class HistoryRow:
    kind: str
    kind_label: str
    occurred_on: date
    title: str
    origin: str


Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


# --- helpers -------------------------------------------------------------------------------------
def _iso(value: Any) -> Any:  # noqa: ANN401
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _dumps(obj: Any) -> str:  # noqa: ANN401
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _station_of(session: Session, station_id: int) -> Station:
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound(_("找不到这个站点。"))
    return station


def _origin_of(session: Session, station: Station) -> dict[str, str]:
    community = session.get(Community, station.community_id)
    town = session.get(Town, community.town_id) if community else None
    city = session.get(City, town.city_id) if town else None
    return {
        "code": station.code, "name": station.name, "address": station.address,
        "contact_person": station.contact_person, "contact_phone": station.contact_phone,
        "community": community.name if community else "", "town": town.name if town else "",
        "city": city.name if city else "",
    }


def _converters(model: type) -> dict[str, Callable[[Any], Any]]:
    """How a column's JSON value becomes the Python value the column takes (dates are ISO text)."""
    out: dict[str, Callable[[Any], Any]] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        kind = column.type
        if isinstance(kind, (UTCDateTime, DateTime)):
            out[column.key] = lambda v: None if v is None else datetime.fromisoformat(v)
        elif isinstance(kind, Date):
            out[column.key] = lambda v: None if v is None else date.fromisoformat(v)
    return out


def _check_cancel(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled()


# --- exporting -----------------------------------------------------------------------------------
class _PartWriter:
    """One JSON Lines part streamed into the zip, hashed and counted as it is written."""

    def __init__(self, zf: zipfile.ZipFile, name: str) -> None:
        self.name = name
        self.stream = zf.open(name, "w", force_zip64=True)
        self.digest = hashlib.sha256()
        self.rows = 0
        self.buffer: list[str] = []

    def write(self, obj: dict[str, Any]) -> None:
        self.buffer.append(_dumps(obj))
        self.rows += 1
        if len(self.buffer) >= 2000:
            self._drain()

    def _drain(self) -> None:
        if self.buffer:
            data = ("\n".join(self.buffer) + "\n").encode("utf-8")
            self.digest.update(data)
            self.stream.write(data)
            self.buffer.clear()

    def close(self) -> dict[str, Any]:
        self._drain()
        self.stream.close()
        return {"sha256": self.digest.hexdigest(), "rows": self.rows}


def _chain_rows(
    session: Session, model: type, station_id: int, volunteer_ids: set[int] | None
) -> Iterator[dict[str, Any]]:
    """The station's links of one table in chain order, as hashed content plus the link columns."""
    table = model.__table__  # type: ignore[attr-defined]
    hashed = chain._hashed_columns(model)  # the chain's own list: what travels is exactly what was hashed
    extra = [c.key for c in table.columns if c.key not in hashed and c.key not in ("id", "prev_hash", "entry_hash")]
    query = select(table).where(table.c.station_id == station_id)
    filter_here = None
    if volunteer_ids is not None:
        if len(volunteer_ids) <= _SMALL_IN:
            query = query.where(table.c.volunteer_id.in_(sorted(volunteer_ids)))
        else:
            filter_here = volunteer_ids
    query = query.order_by(table.c.seq)
    postings: dict[int, list[list[Any]]] = {}
    if model is TimeBankEntry:
        for entry_id, account, vid, minutes in session.execute(
            select(TimeBankPosting.entry_id, TimeBankPosting.account, TimeBankPosting.volunteer_id,
                   TimeBankPosting.minutes).where(TimeBankPosting.station_id == station_id)
        ):
            postings.setdefault(entry_id, []).append([account, vid, minutes])
    name = table.name
    for row in session.execute(query.execution_options(yield_per=_BATCH)).mappings():
        if filter_here is not None and row["volunteer_id"] not in filter_here:
            continue
        content = {key: chain._plain(row[key]) for key in hashed}
        content["table"] = name
        out = {"id": row["id"], "prev": row["prev_hash"], "hash": row["entry_hash"], "c": content}
        if extra:
            out["x"] = {key: _iso(row[key]) for key in extra}
        if model is TimeBankEntry:
            out["postings"] = postings.get(row["id"], [])
        yield out


def export_package(
    session: Session, actor: Actor, key: Ed25519PrivateKey, path: str | Path, *,
    volunteer_ids: Sequence[int] = (), whole_station: bool = False, progress: Progress | None = None,
    cancelled: Cancelled | None = None, now: datetime | None = None,
) -> ExportResult:
    """Write a signed transfer package of some volunteers (their complete files) or the whole station.

    The file is written beside ``path`` and renamed into place when complete, so a failed or
    cancelled export never leaves a half package under the chosen name.
    """
    require(actor, Permission.EXPORT_PACKAGES)
    station = _station_of(session, actor.station_id)
    public_hex = chain.station_public_key(session, station.id)
    if public_hex is None or chain._raw_public(key) != public_hex:
        raise StationError(_("这把密钥不是本站的签名密钥。"))
    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    ids: set[int] | None = None
    if whole_station:
        scope = "station"
    else:
        ids = set(volunteer_ids)
        if not ids:
            raise ValidationError(_("请选择要导出的志愿者。"), field="volunteer_ids")
        found = set()
        id_list = sorted(ids)
        for start in range(0, len(id_list), _SMALL_IN):
            found.update(session.scalars(select(Volunteer.id).where(
                Volunteer.id.in_(id_list[start:start + _SMALL_IN]), Volunteer.station_id == station.id)))
        if found != ids:
            raise NotFound(_("有的志愿者不存在或不属于本站，无法导出。"))
        scope = "volunteer" if len(ids) == 1 else "selection"
    total = sum(
        session.scalar(select(func.count()).select_from(m).where(m.station_id == station.id)) or 0  # type: ignore[attr-defined]
        for m in CHAINED_PARTS.values()
    ) if scope == "station" else 0
    done = 0
    temp = path.with_name(path.name + ".part")
    parts: dict[str, dict[str, Any]] = {}
    try:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            # volunteers, with their skills and team memberships
            w = _PartWriter(zf, "volunteers.jsonl")
            skills: dict[int, list[str]] = {}
            for vid, name in session.execute(
                select(volunteer_skills.c.volunteer_id, Skill.name).join(Skill, Skill.id == volunteer_skills.c.skill_id)
                .join(Volunteer, Volunteer.id == volunteer_skills.c.volunteer_id)
                .where(Volunteer.station_id == station.id)
            ):
                skills.setdefault(vid, []).append(name)
            memberships: dict[int, list[list[Any]]] = {}
            for vid, team_name, joined in session.execute(
                select(TeamMember.volunteer_id, Team.name, TeamMember.joined_on).join(Team, Team.id == TeamMember.team_id)
                .where(Team.station_id == station.id)
            ):
                memberships.setdefault(vid, []).append([team_name, joined.isoformat()])
            vtable = Volunteer.__table__
            for row in session.execute(
                select(vtable).where(vtable.c.station_id == station.id).order_by(vtable.c.id)
                .execution_options(yield_per=_BATCH)
            ).mappings():
                if ids is not None and row["id"] not in ids:
                    continue
                out = {"id": row["id"], **{k: _iso(row[k]) for k in VOLUNTEER_FIELDS}}
                out["skills"] = sorted(skills.get(row["id"], []))
                out["teams"] = memberships.get(row["id"], [])
                w.write(out)
            parts[w.name] = w.close()
            # teams: a whole station only
            w = _PartWriter(zf, "teams.jsonl")
            if scope == "station":
                for team in session.scalars(select(Team).where(Team.station_id == station.id).order_by(Team.id)):
                    w.write({"id": team.id, **{k: getattr(team, k) for k in TEAM_FIELDS},
                             "created_at": _iso(team.created_at)})
            parts[w.name] = w.close()
            # training: enrolments of sessions that were held, with the session
            w = _PartWriter(zf, "training.jsonl")
            tq = (
                select(TrainingEnrolment, TrainingSession)
                .join(TrainingSession, TrainingSession.id == TrainingEnrolment.session_id)
                .where(TrainingSession.station_id == station.id, TrainingSession.status == "held")
                .order_by(TrainingEnrolment.id)
            )
            for enrolment, ts in session.execute(tq):
                if ids is not None and enrolment.volunteer_id not in ids:
                    continue
                w.write({
                    "id": enrolment.id, "volunteer_id": enrolment.volunteer_id, "attendance": enrolment.attendance,
                    "credited_minutes": enrolment.credited_minutes,
                    "session": {"id": ts.id, "kind": ts.kind, "topic": ts.topic, "trainer": ts.trainer,
                                "place": ts.place, "starts_at": _iso(ts.starts_at), "ends_at": _iso(ts.ends_at),
                                "credit_minutes": ts.credit_minutes},
                })
            parts[w.name] = w.close()
            # the evidence chain, table by table, each in chain order
            for part, model in CHAINED_PARTS.items():
                w = _PartWriter(zf, part)
                for row in _chain_rows(session, model, station.id, ids):
                    if model is Honour and ids is not None and row["c"]["volunteer_id"] is None:
                        continue
                    w.write(row)
                    done += 1
                    if done % _BATCH == 0:
                        _check_cancel(cancelled)
                        if progress is not None:
                            progress(done, total)
                parts[w.name] = w.close()
            count, head = chain.head_of(session, station.id)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "program_version": __version__,
                "package_id": str(uuid.uuid4()),
                "scope": scope,
                "created_at": (now or utcnow()).isoformat(),
                "created_by": actor.display_name,
                "origin": {**_origin_of(session, station), "public_key": public_hex},
                "chain": {"count": count, "head": head},
                "parts": parts,
            }
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            zf.writestr(MANIFEST, manifest_bytes)
            zf.writestr(SIGNATURE, key.sign(manifest_bytes).hex() + "\n")
            zf.comment = SEAL_MARK + b"0" * SEAL_HEX
        _seal(temp, key)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise StationError(_("无法写入 {f}：{e}").format(f=path, e=exc.strerror or exc)) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(total, total)
    counts = {name: p["rows"] for name, p in parts.items()}
    audit.record(
        session, actor, "export_package", "station", station.id,
        summary=_("导出转移包（{s}）：志愿者 {v} 名，服务记录 {r} 条").format(
            s=SCOPE_LABELS[scope], v=counts["volunteers.jsonl"], r=counts["service_records.jsonl"]),
        changes={"package_id": [None, manifest["package_id"]], "scope": [None, scope]},
    )
    return ExportResult(path, manifest["package_id"], scope, counts, path.stat().st_size)


# --- the seal: every byte of the file ----------------------------------------------------------------
# The manifest's signature covers the content; the zip's framing (headers, the central directory,
# the padding bits of a compressed stream) is not content. So the zip comment, the file's last bytes,
# carries a second signature over the SHA-256 of everything before it: a changed byte anywhere is caught.
SEAL_MARK = b"zsvpkg-seal-v1:"
SEAL_HEX = 128


def _digest_before_seal(path: Path) -> tuple[Any, int]:
    size = path.stat().st_size
    digest = hashlib.sha256()
    left = size - SEAL_HEX
    with path.open("rb") as fh:
        while left > 0:
            chunk = fh.read(min(1 << 20, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return digest, size


def _seal(path: Path, key: Ed25519PrivateKey) -> None:
    digest, size = _digest_before_seal(path)
    with path.open("r+b") as fh:
        fh.seek(size - SEAL_HEX)
        fh.write(key.sign(digest.digest()).hex().encode("ascii"))


def _check_seal(path: Path, public_hex: str) -> str:
    """Verify the seal; returns the SHA-256 of the whole file (kept with the import)."""
    digest, size = _digest_before_seal(path)
    with path.open("rb") as fh:
        fh.seek(max(0, size - SEAL_HEX - len(SEAL_MARK)))
        tail = fh.read()
    try:
        if not tail.startswith(SEAL_MARK) or len(tail) != len(SEAL_MARK) + SEAL_HEX:
            raise ValueError
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            bytes.fromhex(tail[len(SEAL_MARK):].decode("ascii")), digest.digest())
    except (ValueError, UnicodeDecodeError, InvalidSignature) as exc:
        raise _refuse(_("转移包被改动过：文件的校验签名不符（有字节被改动、截断或追加），不能导入。")) from exc
    whole = digest.copy()
    whole.update(tail[len(SEAL_MARK):])
    return whole.hexdigest()


# --- reading and verifying -----------------------------------------------------------------------
def _refuse(message: str) -> PackageRefused:
    return PackageRefused(message)


def open_package(path: str | Path) -> PackageInfo:
    """Read and verify a package file without touching any database; refuses with the reason."""
    path = Path(path)
    if not path.is_file():
        raise _refuse(_("找不到文件：{f}").format(f=path))
    try:
        zf = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        raise _refuse(_("{f} 不是转移包（不是有效的压缩文件），或文件已损坏。").format(f=path.name)) from exc
    with zf:
        names = zf.namelist()
        if MANIFEST not in names or SIGNATURE not in names:
            raise _refuse(_("{f} 不是转移包：缺少清单或签名。").format(f=path.name))
        try:
            manifest_bytes = zf.read(MANIFEST)
            signature_text = zf.read(SIGNATURE).decode("ascii").strip()
        except _ZIP_ERRORS as exc:
            raise _refuse(_("转移包已损坏或被改动过：清单或签名读不出来。")) from exc
        try:
            manifest = json.loads(manifest_bytes)
            if not isinstance(manifest, dict):
                raise ValueError
        except ValueError as exc:
            raise _refuse(_("转移包已损坏或被改动过：清单不是有效的 JSON。")) from exc
        if manifest.get("format") != FORMAT:
            raise _refuse(_("{f} 不是本系统的转移包。").format(f=path.name))
        version = manifest.get("format_version")
        if not isinstance(version, int) or version < 1:
            raise _refuse(_("转移包已损坏：格式版本不对。"))
        if version > FORMAT_VERSION:
            raise _refuse(
                _("这个转移包由更新版本的程序导出（程序 {p}，格式第 {v} 版；本程序 {m} 只认第 {n} 版）。"
                  "请先升级本程序，再导入。").format(
                    p=manifest.get("program_version", "?"), v=version, m=__version__, n=FORMAT_VERSION)
            )
        origin = manifest.get("origin") or {}
        public_hex = str(origin.get("public_key", ""))
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
                bytes.fromhex(signature_text), manifest_bytes)
        except (ValueError, InvalidSignature) as exc:
            raise _refuse(_("签名不符：转移包在导出之后被改动过（或不完整），不能导入。请让对方重新导出。")) from exc
        declared = manifest.get("parts") or {}
        for name in PART_NAMES:
            if name not in declared:
                raise _refuse(_("转移包不完整：清单里缺少“{p}”部分。").format(p=PART_LABELS[name]))
            if name not in names:
                raise _refuse(_("转移包不完整：缺少“{p}”部分（{f}）。请让对方重新导出。").format(
                    p=PART_LABELS[name], f=name))
        unknown = (set(declared) | set(names)) - set(PART_NAMES) - {MANIFEST, SIGNATURE}
        if unknown:
            raise _refuse(_("转移包里有不认识的部分：{u}。可能由别的程序生成或被改动过。").format(
                u="、".join(sorted(unknown))))
        for name in PART_NAMES:
            digest = hashlib.sha256()
            try:
                with zf.open(name) as raw:
                    for chunk in iter(lambda: raw.read(1 << 20), b""):  # noqa: B023
                        digest.update(chunk)
            except _ZIP_ERRORS as exc:
                raise _refuse(_("转移包已损坏或被改动过：“{p}”部分读不出来（校验失败）。").format(
                    p=PART_LABELS[name])) from exc
            if digest.hexdigest() != declared[name].get("sha256"):
                raise _refuse(_("转移包被改动过：“{p}”部分与签名时的内容不一致，不能导入。").format(p=PART_LABELS[name]))
    whole = _check_seal(path, public_hex)
    scope = manifest.get("scope")
    if scope not in SCOPES:
        raise _refuse(_("转移包的范围不认识：{s}").format(s=scope))
    try:
        created_at = datetime.fromisoformat(manifest["created_at"])
        chain_info = manifest.get("chain") or {}
        return PackageInfo(
            path=path, package_id=str(manifest["package_id"]), scope=scope, format_version=version,
            program_version=str(manifest.get("program_version", "")), created_at=created_at,
            created_by=str(manifest.get("created_by", "")), origin_code=str(origin["code"]),
            origin_name=str(origin["name"]), origin_town=str(origin.get("town", "")),
            origin_community=str(origin.get("community", "")), origin_city=str(origin.get("city", "")),
            public_key=public_hex, sha256=whole,
            counts={name: int(declared[name].get("rows", 0)) for name in PART_NAMES},
            chain_count=int(chain_info.get("count", 0)), chain_head=str(chain_info.get("head", chain.GENESIS)),
            origin=dict(origin),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _refuse(_("转移包的清单缺少必要的内容（站点、时间或编号）。")) from exc


# --- trust ---------------------------------------------------------------------------------------
def _known_key(session: Session, code: str) -> list[str]:
    """Keys this database already holds for a station code: trusted ones, and a local station's own."""
    keys = list(session.scalars(select(TrustedStationKey.public_key).where(TrustedStationKey.origin_code == code)))
    station_id = session.scalar(select(Station.id).where(Station.code == code))
    if station_id is not None:
        own = chain.station_public_key(session, station_id)
        if own:
            keys.append(own)
    return keys


def trusted_keys(session: Session, code: str) -> list[tuple[str, str]]:
    """(station name, public key hex) of the keys trusted for a station code (certificate checks)."""
    return [(name, key) for name, key in session.execute(
        select(TrustedStationKey.origin_name, TrustedStationKey.public_key).where(TrustedStationKey.origin_code == code)
    )]


def check_origin(session: Session, actor: Actor, info: PackageInfo) -> None:
    """Refuse a package of this very station, or one whose station key is unknown or not the one trusted."""
    require(actor, Permission.IMPORT_PACKAGES)
    if actor.station_id is not None:
        own = _station_of(session, actor.station_id)
        if own.code == info.origin_code or chain.station_public_key(session, own.id) == info.public_key:
            raise _refuse(_("这是本站自己导出的转移包，不能导入本站。"))
    if actor.station_id is None and info.scope != "station":
        raise _refuse(_("市级管理员只能导入整站转移包；个人转移包请由接收站点导入。"))
    known = _known_key(session, info.origin_code)
    if info.public_key in known:
        return
    if known:
        raise _refuse(
            _("警告：转移包自称来自 {n}（{c}），但签名密钥与本站以前信任的该站密钥不同！\n"
              "这个包可能是伪造的，也可能是对方重装系统后换了密钥。已拒绝导入。\n"
              "请打电话与对方站长核实；确认后请联系系统管理员处理。\n包的密钥指纹：{f}").format(
                n=info.origin_name, c=info.origin_code, f=info.fingerprint)
        )
    other = session.scalar(select(TrustedStationKey).where(TrustedStationKey.public_key == info.public_key))
    if other is not None:
        raise _refuse(_("这把密钥本站信任为 {n}（{c}）的，但转移包自称来自 {m}（{d}）。已拒绝导入。").format(
            n=other.origin_name, c=other.origin_code, m=info.origin_name, d=info.origin_code))
    raise UntrustedKey(info)


def _normal_fingerprint(text: str) -> str:
    return "".join(text.split()).replace("-", "").upper()


def trust_key(session: Session, actor: Actor, info: PackageInfo, *, fingerprint: str | None = None) -> bool:
    """Trust the package's origin key (once, audited). ``fingerprint``, when given, must match the key's.

    Returns False when the key was trusted already.
    """
    require(actor, Permission.IMPORT_PACKAGES)
    if fingerprint is not None and _normal_fingerprint(fingerprint) != _normal_fingerprint(info.fingerprint):
        raise ValidationError(
            _("输入的指纹与转移包的密钥指纹不一致，没有信任。包的指纹是：{f}").format(f=info.fingerprint),
            field="fingerprint",
        )
    known = _known_key(session, info.origin_code)
    if info.public_key in known:
        return False
    if known:
        raise _refuse(_("本站已经信任了 {c} 的另一把密钥，不能再信任这一把。").format(c=info.origin_code))
    if actor.station_id is not None and _station_of(session, actor.station_id).code == info.origin_code:
        raise _refuse(_("这是本站自己的编号，不能作为其他站点信任。"))
    row = TrustedStationKey(
        origin_code=info.origin_code, origin_name=info.origin_name[:100], public_key=info.public_key,
        trusted_by_id=actor.user_id, trusted_by_name=actor.display_name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "trust_key", "trusted_key", row.id,
        summary=_("信任 {n}（{c}）的签名密钥，指纹 {f}").format(n=info.origin_name, c=info.origin_code,
                                                         f=info.fingerprint)[:200],
    )
    return True


# --- planning (the preview, and the first half of an import) ------------------------------------
def _existing_links(session: Session, station_id: int, code: str, kind: str) -> dict[str, int | None]:
    return dict(session.execute(
        select(TransferLink.origin_key, TransferLink.local_id).where(
            TransferLink.station_id == station_id, TransferLink.origin_code == code, TransferLink.kind == kind)
    ).all())


def _shown(field_name: str, value: Any, reveal: bool) -> str:  # noqa: ANN401
    from .volunteers import POLITICAL_STATUSES, describe_availability

    if value is None or value == "" or value == []:
        return _("（空）")
    if field_name in ("phone", "emergency_phone"):
        return str(value) if reveal else mask_phone(str(value))
    if field_name in ("building", "unit", "room") and not reveal:
        return "***"
    if field_name == "political_status":
        return POLITICAL_STATUSES.get(value, value)
    if field_name in ("is_owner", "is_backbone"):
        return _("是") if value else _("否")
    if field_name == "availability":
        return describe_availability(int(value))
    if field_name == "skills":
        return "、".join(value)
    return str(value)


def _ours(volunteer: Volunteer, field_name: str) -> Any:  # noqa: ANN401
    if field_name == "skills":
        return sorted(s.name for s in volunteer.skills)
    return getattr(volunteer, field_name)


def _diffs(volunteer: Volunteer, theirs: dict[str, Any], reveal: bool) -> list[FieldDiff]:
    out = []
    for name, label in DIFF_FIELDS.items():
        ours = _ours(volunteer, name)
        their = sorted(theirs.get(name) or []) if name == "skills" else theirs.get(name)
        if (ours or None) != (their or None):
            out.append(FieldDiff(name, label, _shown(name, ours, reveal), _shown(name, their, reveal)))
    return out


@dataclass
class _Plan:
    info: PackageInfo
    station_id: int | None  # None: a station copy still to be made
    station_copy: bool
    volunteers: list[VolunteerPlan]
    package_rows: dict[int, dict[str, Any]]  # origin volunteer id → its row
    origin_head: tuple[int, str] = (0, chain.GENESIS)  # station copy: the origin head imported before
    already_imported: bool = False


def _copy_station(session: Session, info: PackageInfo) -> Station | None:
    station = session.scalar(select(Station).where(Station.code == info.origin_code))
    if station is None:
        return None
    if station.imported_at is None:
        count, _head = chain.head_of(session, station.id)
        has_people = session.scalar(select(Volunteer.id).where(Volunteer.station_id == station.id).limit(1))
        if count or has_people:
            raise _refuse(_("本库已有编号为 {c} 的站点“{n}”，它在本库中直接工作（不是导入的副本），"
                            "不能用整站转移包覆盖它。").format(c=station.code, n=station.name))
    return station


def _last_origin_head(session: Session, station_id: int) -> tuple[int, str]:
    summaries = session.scalars(
        select(PackageImport.summary).where(PackageImport.station_id == station_id, PackageImport.scope == "station")
        .order_by(PackageImport.id.desc())
    )
    for text in summaries:
        head = json.loads(text).get("origin_head")
        if head:
            return int(head[0]), str(head[1])
    return 0, chain.GENESIS


def _plan(session: Session, actor: Actor, info: PackageInfo) -> _Plan:
    check_origin(session, actor, info)
    reveal = actor.can(Permission.REVEAL_PERSONAL)
    station_copy = info.scope == "station"
    if station_copy:
        station = _copy_station(session, info)
        station_id = station.id if station else None
    else:
        station_id = actor.station_id
    already = station_id is not None and session.scalar(
        select(PackageImport.id).where(PackageImport.station_id == station_id,
                                       PackageImport.package_id == info.package_id).limit(1)) is not None
    links = _existing_links(session, station_id, info.origin_code, "volunteer") if station_id else {}
    rows: dict[int, dict[str, Any]] = {row["id"]: row for row in info.lines("volunteers.jsonl")}
    by_id = {v.id: v for v in _volunteers_where(session, Volunteer.id, [i for i in links.values() if i])}
    by_number = {v.id_number: v for v in _volunteers_where(
        session, Volunteer.id_number, [r["id_number"] for r in rows.values()])}
    plans = []
    for row in rows.values():
        plan = VolunteerPlan(origin_id=row["id"], origin_no=row.get("volunteer_no") or "", name=row["name"],
                             id_masked=mask_id_number(row["id_number"]), verdict="new")
        local_id = links.get(str(row["id"]))
        existing = by_id.get(local_id) if local_id else None
        if existing is None:
            existing = by_number.get(row["id_number"])
            if existing is not None:
                plan.verdict = "matched"
        else:
            plan.verdict = "linked"
        if existing is not None:
            if existing.station_id != station_id:
                if not station_copy:
                    owner = _station_of(session, existing.station_id)
                    raise _refuse(
                        _("{n}（{i}）已在本库的 {s}（{c}）登记，同一身份证号不能在两个站点各登记一次。"
                          "请在 {s} 导入，或先在那里办理转出。").format(
                            n=row["name"], i=plan.id_masked, s=owner.name, c=owner.code))
                plan.verdict = "elsewhere" if plan.verdict == "matched" else plan.verdict
            plan.local_id, plan.local_no = existing.id, existing.volunteer_no or ""
            if not station_copy:
                plan.diffs = _diffs(existing, row, reveal)
        plans.append(plan)
    origin_head = _last_origin_head(session, station_id) if station_copy and station_id else (0, chain.GENESIS)
    if station_copy and origin_head[0] > info.chain_count:
        raise _refuse(_("这个整站转移包比本库已导入的还旧（台账 {n} 条，已导入到第 {m} 条），不能导入。").format(
            n=info.chain_count, m=origin_head[0]))
    return _Plan(info, station_id, station_copy, plans, rows, origin_head, already)


def _volunteers_where(session: Session, column: Any, values: Sequence[Any]) -> list[Volunteer]:  # noqa: ANN401
    out: list[Volunteer] = []
    values = list(values)
    for start in range(0, len(values), _SMALL_IN):
        out += session.scalars(select(Volunteer).where(column.in_(values[start:start + _SMALL_IN])))
    return out


def _merged_links(info: PackageInfo) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every chained row of the package in the origin's chain order: (table name, row)."""
    def stream(part: str, table: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for row in info.lines(part):
            yield table, row

    streams = [stream(part, model.__tablename__) for part, model in CHAINED_PARTS.items()]  # type: ignore[attr-defined]
    return heapq.merge(*streams, key=lambda item: item[1]["c"]["seq"])


def preview(session: Session, actor: Actor, info: PackageInfo) -> Preview:
    """What importing would add and skip, per volunteer, with the fields that differ. Writes nothing."""
    plan = _plan(session, actor, info)
    target = (info.origin_name if plan.station_copy else _station_of(session, actor.station_id).name)
    result = Preview(info, target, plan.station_copy, copy_exists=plan.station_id is not None,
                     already_imported=plan.already_imported, volunteers=plan.volunteers)
    for v in plan.volunteers:
        if v.verdict == "linked":
            result.skipped["volunteer"] += 1
        else:
            result.new["volunteer" if v.verdict == "new" else "matched"] += 1
    if plan.station_copy:
        imported = plan.origin_head[0]
        result.new["link"] = max(0, info.chain_count - imported)
        result.skipped["link"] = min(imported, info.chain_count)
        result.new["team"] = info.counts["teams.jsonl"]
        _count_training(session, plan, result)
        return result
    by_origin = {v.origin_id: v for v in plan.volunteers}
    station_id = plan.station_id
    assert station_id is not None
    for kind in ("record", "star", "honour", "redemption"):
        known = _existing_links(session, station_id, info.origin_code, kind)
        table = next(t for t, k in KIND_OF_TABLE.items() if k == kind)
        part = f"{table}.jsonl"
        for row in info.lines(part):
            content = row["c"]
            v = by_origin.get(content.get("volunteer_id"))
            if v is None:
                continue
            if f"{content['seq']}:{row['hash']}" in known:
                v.skipped[kind] += 1
                result.skipped[kind] += 1
                continue
            v.new[kind] += 1
            result.new[kind] += 1
            if kind == "record":
                v.minutes += int(content.get("delta_minutes") or 0)
            elif kind == "redemption":
                v.carried += sum(p[2] for p in row.get("postings", []) if p[0] == "volunteer")
    _count_training(session, plan, result)
    return result


def _count_training(session: Session, plan: _Plan, result: Preview) -> None:
    known = (_existing_links(session, plan.station_id, plan.info.origin_code, "training")
             if plan.station_id is not None else {})
    by_origin = {v.origin_id: v for v in plan.volunteers}
    for row in plan.info.lines("training.jsonl"):
        v = by_origin.get(row["volunteer_id"])
        target = result.skipped if str(row["id"]) in known else result.new
        target["training"] += 1
        if v is not None:
            (v.skipped if str(row["id"]) in known else v.new)["training"] += 1


# --- importing -----------------------------------------------------------------------------------
class _ChainWriter:
    """Appends links to a station's chain in bulk, exactly as ``chain.append`` would one by one.

    ``add`` takes a row's hashed content (plain JSON values, as ``chain.content_of`` gives them),
    sets the station, the next ``seq``, the previous hash and the link hash, and queues the row;
    rows are inserted in batches (``executemany``), and their ids read back by ``seq``. The chain head
    is locked first and moved at the end (``finish``), in the caller's transaction.
    """

    def __init__(self, session: Session, station_id: int) -> None:
        self.session = session
        self.station_id = station_id
        self.head = chain.lock_head(session, station_id)
        self.count, self.hash = self.head.count, self.head.head_hash
        self.pending: dict[type, list[dict[str, Any]]] = {}
        self.queued = 0
        self.ids: dict[str, dict[int, int]] = {}
        self.columns = {m: chain._hashed_columns(m) for m in chain.CHAINED}
        self.defaults = {m: _defaults(m) for m in chain.CHAINED}
        self.convert = {m: _converters(m) for m in chain.CHAINED}
        self.allocators = {m: _Ids(session, m.__table__) for m in chain.CHAINED}  # type: ignore[attr-defined]

    def add(self, model: type, content: dict[str, Any], unhashed: dict[str, Any] | None = None) -> int:
        seq = self.count + 1
        defaults = self.defaults[model]
        hashed = {key: content.get(key, defaults.get(key)) for key in self.columns[model]}
        hashed["station_id"] = self.station_id
        hashed["seq"] = seq
        hashed["table"] = model.__tablename__  # type: ignore[attr-defined]
        entry_hash = chain.link_hash(self.hash, hashed)
        convert = self.convert[model]
        row = {key: (convert[key](value) if key in convert else value)
               for key, value in hashed.items() if key != "table"}
        row["prev_hash"] = self.hash
        row["entry_hash"] = entry_hash
        row["id"] = self.allocators[model].next()
        self.ids.setdefault(model.__tablename__, {})[seq] = row["id"]  # type: ignore[attr-defined]
        if unhashed:
            row.update(unhashed)
        self.pending.setdefault(model, []).append(row)
        self.count, self.hash = seq, entry_hash
        self.queued += 1
        if self.queued >= _BATCH:
            self.flush()
        return seq

    def flush(self) -> None:
        for model, rows in self.pending.items():
            if not rows:
                continue
            self.session.execute(insert(model.__table__), rows)  # type: ignore[attr-defined]
        self.pending = {}
        self.queued = 0

    def local_id(self, table: str, seq: int) -> int:
        found = self.ids.get(table, {}).get(seq)
        if found is None:
            model = next(m for m in chain.CHAINED if m.__tablename__ == table)  # type: ignore[attr-defined]
            found = self.session.scalar(select(model.id).where(model.station_id == self.station_id, model.seq == seq))
            if found is None:
                raise _refuse(_("转移包内的台账引用了不存在的条目，不能导入。"))
        return found

    def finish(self) -> None:
        self.flush()
        self.head.count, self.head.head_hash = self.count, self.hash
        self.session.flush()


class _Ids:
    """Ids for rows inserted in bulk, known before the insert (a correction's hash names its target's id).

    SQLite: the next rowids after the table's largest (the writer holds the database's write lock).
    PostgreSQL: taken from the table's own sequence in blocks, so other writers never collide.
    """

    BLOCK = 5000

    def __init__(self, session: Session, table: Any) -> None:  # noqa: ANN401
        self.session = session
        self.table = table
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.free: list[int] = []
        self.last: int | None = None

    def next(self) -> int:
        if self.sqlite:
            if self.last is None:
                self.last = int(self.session.scalar(select(func.coalesce(func.max(self.table.c.id), 0))) or 0)
            self.last += 1
            return self.last
        if not self.free:
            self.free = list(self.session.scalars(
                select(func.nextval(func.pg_get_serial_sequence(self.table.name, "id")))
                .select_from(func.generate_series(1, self.BLOCK))
            ))
            self.free.reverse()
        return self.free.pop()


def _defaults(model: type) -> dict[str, Any]:
    out = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        if column.default is not None and not callable(column.default.arg):
            out[column.key] = column.default.arg
    return out


def _verify_link(row: dict[str, Any], part_label: str) -> None:
    """The origin's link hash over the row's content: the row is what the origin's chain holds."""
    if chain.link_hash(row["prev"], row["c"]) != row["hash"]:
        raise _refuse(_("转移包中{p}第 {s} 条的内容与它在原站台账中的哈希不符，不能导入。").format(
            p=part_label, s=row["c"].get("seq")))


def _add_volunteers(session: Session, actor: Actor, station: Station, rows: list[dict[str, Any]],
                    info: PackageInfo, *, keep_number: bool) -> dict[int, int]:
    """Insert the package's new volunteers in bulk; returns origin id → local id.

    In a station copy a volunteer keeps the origin number (unless it is taken here); in a station of
    this database a registered volunteer gets the next local number, the origin one noted.
    """
    if not rows:
        return {}
    taken: set[str] = set()
    if keep_number:
        numbers = [r["volunteer_no"] for r in rows if r.get("volunteer_no")]
        taken = {v.volunteer_no for v in _volunteers_where(session, Volunteer.volunteer_no, numbers)}
    now = utcnow()
    values_list = []
    for row in rows:
        values = {k: row.get(k) for k in VOLUNTEER_FIELDS}
        for key in ("birth_date", "registered_on"):
            values[key] = date.fromisoformat(values[key]) if values[key] else None
        for key in ("applied_at", "reviewed_at", "created_at"):
            values[key] = datetime.fromisoformat(values[key]) if values[key] else None
        origin_no = values.pop("volunteer_no")
        number = None
        if keep_number:
            number = origin_no if origin_no and origin_no not in taken else None
        elif origin_no:
            number = f"{station.code}-{station.next_volunteer_seq:06d}"
            station.next_volunteer_seq += 1
        if number != origin_no:
            note = _("从 {n}（{c}）转入，原编号 {no}").format(n=info.origin_name, c=info.origin_code,
                                                       no=origin_no or _("无"))
            values["notes"] = ((values["notes"] or "") + "\n" + note).strip()
        initials, full = name_keys(values["name"])
        values.update(
            station_id=station.id, volunteer_no=number, name_initials=initials, name_pinyin=full,
            id_tail=values["id_number"][-4:], applied_at=values["applied_at"] or now,
            created_at=values["created_at"] or now, updated_at=now, version=1, notes=values["notes"] or "",
            status_reason=values["status_reason"] or "",
        )
        values_list.append(values)
    session.execute(insert(Volunteer.__table__), values_list)
    local_by_number = {v.id_number: v.id for v in _volunteers_where(
        session, Volunteer.id_number, [r["id_number"] for r in rows])}
    out = {row["id"]: local_by_number[row["id_number"]] for row in rows}
    names = sorted({name for row in rows for name in row.get("skills") or []})
    if names:
        skills = skills_named(session, names)
        session.flush()
        skill_ids = {skill.name: skill.id for skill in skills}
        session.execute(insert(volunteer_skills), [
            {"volunteer_id": out[row["id"]], "skill_id": skill_ids[name]}
            for row in rows for name in sorted(set(row.get("skills") or []))])
    for row in rows:
        audit.record(session, actor, "create", "volunteer", out[row["id"]],
                     summary=_("转移包导入志愿者：{n}（来自 {c}）").format(n=row["name"], c=info.origin_code))
    return out


def _take_theirs(session: Session, actor: Actor, volunteer: Volunteer, row: dict[str, Any],
                 fields: Iterable[str]) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name in fields:
        if name not in DIFF_FIELDS:
            continue
        old = _ours(volunteer, name)
        new = sorted(row.get(name) or []) if name == "skills" else row.get(name)
        if (old or None) == (new or None):
            continue
        if name == "skills":
            volunteer.skills = skills_named(session, new)
        else:
            setattr(volunteer, name, new)
            if name == "name":
                volunteer.name_initials, volunteer.name_pinyin = name_keys(new)
        changes[name] = [old, new]
    return changes


def _origin_note(info: PackageInfo, row: dict[str, Any]) -> str:
    return _("转入：{c} 台账第 {s} 条，哈希 {h}").format(c=info.origin_code, s=row["c"]["seq"], h=row["hash"])


def _history_title(table: str, c: dict[str, Any]) -> tuple[str, date]:
    if table == "star_awards":
        return _("{l}（证书 {n}）").format(l=level_name(int(c["level"])), n=c["certificate_no"]), \
            date.fromisoformat(c["confirmed_on"])
    if table == "honours":
        return _("{t}（{i}）").format(t=c["title"], i=c["issuer"]), date.fromisoformat(c["awarded_on"])
    label = _("冲正") if c.get("kind") == "reversal" else _("兑换")
    return _("{k}：{s} ×{q}，{h} 小时").format(k=label, s=c["service_name"], q=c["quantity"],
                                           h=hours_text(int(c["minutes"]))), date.fromisoformat(c["received_on"])


def import_package(
    session: Session, actor: Actor, info: PackageInfo, *,
    resolutions: dict[int, Iterable[str]] | None = None, progress: Progress | None = None,
    cancelled: Cancelled | None = None, today: date | None = None,
) -> ImportResult:
    """Merge a verified package in the caller's unit of work (one transaction: all or nothing).

    ``resolutions`` maps an origin volunteer id to the fields where the package's value is taken
    (every other differing field keeps ours).
    """
    plan = _plan(session, actor, info)
    if _check_seal(info.path, info.public_key) != info.sha256:
        raise _refuse(_("转移包文件在核验之后被改动或替换了，请重新选择文件导入。"))
    today = today or date.today()
    resolutions = resolutions or {}
    added: Counter = Counter()
    skipped: Counter = Counter()
    total = sum(info.counts[p] for p in CHAINED_PARTS) or 1
    # the station the rows go to
    if plan.station_copy:
        station = _ensure_copy(session, info, plan)
    else:
        station = _station_of(session, actor.station_id)
    record = PackageImport(
        station_id=station.id, package_id=info.package_id, origin_code=info.origin_code, scope=info.scope,
        sha256=info.sha256, made_at=info.created_at, imported_by_id=actor.user_id,
        imported_by_name=actor.display_name, summary="{}",
    )
    session.add(record)
    session.flush()
    links: list[dict[str, Any]] = []

    def link(kind: str, key: str, local_id: int | None) -> None:
        links.append({"station_id": station.id, "origin_code": info.origin_code, "kind": kind,
                      "origin_key": key, "local_id": local_id, "package_import_id": record.id})
        if len(links) >= _BATCH:
            session.execute(insert(TransferLink.__table__), links)
            links.clear()

    # volunteers
    local_of: dict[int, int] = {}
    copy_members: dict[int, list[list[Any]]] = {}
    new_ids = _add_volunteers(session, actor, station, [plan.package_rows[v.origin_id] for v in plan.volunteers
                                                        if v.local_id is None], info, keep_number=plan.station_copy)
    for v in plan.volunteers:
        row = plan.package_rows[v.origin_id]
        if v.local_id is None:
            v.local_id = new_ids[v.origin_id]
            added["volunteer"] += 1
            in_copy = plan.station_copy
        else:
            volunteer = session.get(Volunteer, v.local_id)
            assert volunteer is not None
            if v.verdict == "linked":
                skipped["volunteer"] += 1
            else:
                added["matched"] += 1
            fields: Iterable[str] = ()
            in_copy = plan.station_copy and volunteer.station_id == station.id
            if in_copy:
                fields = DIFF_FIELDS  # a copy mirrors its origin
                volunteer.status, volunteer.status_reason = row["status"], row.get("status_reason") or ""
            elif not plan.station_copy:
                fields = set(resolutions.get(v.origin_id, ())) & {d.field for d in v.diffs}
            changes = _take_theirs(session, actor, volunteer, row, fields)
            if changes and not plan.station_copy:
                audit.record(session, actor, "update", "volunteer", volunteer.id,
                             summary=_("按转移包更新资料：{n}").format(n=volunteer.name), changes=changes)
        if v.verdict != "linked":
            link("volunteer", str(v.origin_id), v.local_id)
        local_of[v.origin_id] = v.local_id
        if in_copy:
            copy_members[v.local_id] = row.get("teams") or []
    if plan.station_copy:
        _copy_teams(session, info, station, copy_members, added)
    # training → read-only history
    known_training = _existing_links(session, station.id, info.origin_code, "training")
    history: list[dict[str, Any]] = []
    from .training import TRAINING_KIND_LABELS, TrainingKind

    for row in info.lines("training.jsonl"):
        key = str(row["id"])
        vid = local_of.get(row["volunteer_id"])
        if key in known_training or vid is None:
            skipped["training"] += vid is not None
            continue
        s = row["session"]
        try:
            kind_label = TRAINING_KIND_LABELS[TrainingKind(s["kind"])]
        except ValueError:
            kind_label = s["kind"]
        history.append({
            "station_id": station.id, "volunteer_id": vid, "kind": "training", "origin_code": info.origin_code,
            "origin_name": info.origin_name[:100], "occurred_on": datetime.fromisoformat(s["starts_at"]).date(),
            "title": f"{kind_label}：{s['topic']}"[:200], "detail": _dumps(row), "package_import_id": record.id,
        })
        link("training", key, vid)
        added["training"] += 1
    # the evidence chain
    _check_cancel(cancelled)
    writer = _ChainWriter(session, station.id)
    if plan.station_copy:
        _import_copy_chain(session, actor, info, plan, station, writer, local_of, added, skipped, progress, cancelled)
    else:
        _import_volunteer_chain(session, actor, info, station, writer, local_of, link, history, added, skipped,
                                progress, cancelled, today, record.id)
    if history:
        session.execute(insert(TransferredHistory.__table__), history)
    if links:
        session.execute(insert(TransferLink.__table__), links)
    summary = {"added": dict(added), "skipped": dict(skipped)}
    if plan.station_copy:
        summary["origin_head"] = [info.chain_count, info.chain_head]
    record.summary = _dumps(summary)
    audit.record(
        session, actor, "import_package", "package_import", record.id,
        summary=_("导入转移包（{s}）：来自 {n}（{c}），新增志愿者 {v} 名、台账 {r} 条").format(
            s=info.scope_label, n=info.origin_name, c=info.origin_code, v=added["volunteer"],
            r=added["record"] + added["link"])[:200],
        changes={"package_id": [None, info.package_id]},
    )
    if progress is not None:
        progress(total, total)
    session.flush()
    return ImportResult(record.id, station.id, dict(added), dict(skipped),
                        [v.local_id for v in plan.volunteers if v.local_id is not None])


def _import_volunteer_chain(
    session: Session, actor: Actor, info: PackageInfo, station: Station, writer: _ChainWriter,
    local_of: dict[int, int], link: Callable[[str, str, int | None], None], history: list[dict[str, Any]],
    added: Counter, skipped: Counter, progress: Progress | None, cancelled: Cancelled | None, today: date,
    import_id: int,
) -> None:
    known = {kind: _existing_links(session, station.id, info.origin_code, kind)
             for kind in ("record", "star", "honour", "redemption")}
    record_ref: dict[int, tuple[str, int]] = {}  # origin record id → ("seq", local seq) or ("id", local id)
    pending_links: list[tuple[str, int]] = []  # (origin key, local seq) of records whose ids come with a flush
    carried: Counter = Counter()  # local volunteer id → time-bank postings carried over
    total = sum(info.counts[p] for p in CHAINED_PARTS) or 1
    done = 0
    for table, row in _merged_links(info):
        done += 1
        if done % _BATCH == 0:
            _check_cancel(cancelled)
            if progress is not None:
                progress(done, total)
        c = row["c"]
        vid = local_of.get(c.get("volunteer_id"))
        if vid is None:
            continue
        kind = KIND_OF_TABLE[table]
        _verify_link(row, KIND_LABELS[kind])
        key = f"{c['seq']}:{row['hash']}"
        if kind == "record":
            if key in known["record"]:
                skipped["record"] += 1
                record_ref[row["id"]] = ("id", known["record"][key])
                continue
            content = dict(c)
            content["volunteer_id"] = vid
            for ref in ("activity_id", "assignment_id", "service_item_id", "recipient_id"):
                content[ref] = None
            content["recorder_id"] = actor.user_id
            if c.get("target_id") is not None:
                target = record_ref.get(c["target_id"])
                if target is None:
                    raise _refuse(_("转移包中第 {s} 条更正或审批找不到它针对的记录，不能导入。").format(s=c["seq"]))
                content["target_id"] = target[1] if target[0] == "id" else writer.local_id("service_records", target[1])
            note = _origin_note(info, row)
            content["reason"] = f"{c.get('reason') or ''}（{note}）" if c.get("reason") else note
            seq = writer.add(ServiceRecord, content)
            record_ref[row["id"]] = ("seq", seq)
            pending_links.append((key, seq))
            added["record"] += 1
            continue
        if key in known[kind]:
            skipped[kind] += 1
            continue
        title, occurred = _history_title(table, c)
        history.append({
            "station_id": station.id, "volunteer_id": vid, "kind": kind, "origin_code": info.origin_code,
            "origin_name": info.origin_name[:100], "occurred_on": occurred, "title": title[:200],
            "detail": _dumps({**row, "c": c}), "package_import_id": import_id,
        })
        link(kind, key, None)
        added[kind] += 1
        if kind == "redemption":
            carried[vid] += sum(p[2] for p in row.get("postings", []) if p[0] == "volunteer")
    # the time bank: what was redeemed there, carried over as one entry per volunteer
    carry_seqs = []
    for vid, minutes in carried.items():
        if minutes == 0:
            continue
        seq = writer.add(TimeBankEntry, {
            "kind": TRANSFER_ENTRY_KIND, "volunteer_id": vid, "reverses_id": None, "service_item_id": None,
            "service_name": _("在 {n} 的兑换结转").format(n=info.origin_name)[:100], "quantity": 1,
            "minutes": abs(minutes), "provider": info.origin_name[:100], "received_on": today.isoformat(),
            "note": _("转移包 {p}：在原站已兑换（含冲正）合计 {h} 小时，结转到本站，余额与原站一致。").format(
                p=info.package_id[:8], h=hours_text(-minutes)),
            "receipt_no": _carry_number(session, station, today, len(carry_seqs)),
            "request_token": uuid.uuid4().hex, "recorder_id": actor.user_id, "recorder_name": actor.display_name,
            "entered_at": utcnow().isoformat(timespec="microseconds"),
        })
        carry_seqs.append((vid, minutes, seq))
    writer.finish()
    for key, seq in pending_links:
        link("record", key, writer.local_id("service_records", seq))
    postings = []
    for vid, minutes, seq in carry_seqs:
        entry_id = writer.local_id("time_bank_entries", seq)
        postings += [
            {"entry_id": entry_id, "account": "volunteer", "volunteer_id": vid, "station_id": station.id,
             "minutes": minutes},
            {"entry_id": entry_id, "account": "station", "volunteer_id": None, "station_id": station.id,
             "minutes": -minutes},
        ]
    if postings:
        session.execute(insert(TimeBankPosting.__table__), postings)


def _carry_number(session: Session, station: Station, today: date, offset: int) -> str:
    prefix = f"{station.code}-ZR{today.year}-"
    issued = session.scalar(select(func.count()).select_from(TimeBankEntry).where(
        TimeBankEntry.station_id == station.id, TimeBankEntry.receipt_no.like(f"{prefix}%"))) or 0
    return f"{prefix}{issued + offset + 1:05d}"


def _ensure_copy(session: Session, info: PackageInfo, plan: _Plan) -> Station:
    if plan.station_id is not None:
        station = _station_of(session, plan.station_id)
        # The copy is as recent as the newest package it holds: when that package was made, not imported.
        station.imported_at = max(station.imported_at or info.created_at, info.created_at)
        if session.get(StationKey, station.id) is None:
            session.add(StationKey(station_id=station.id, public_key=info.public_key))
        return station
    o = info.origin
    city = session.scalar(select(City).where(City.name == (info.origin_city or _("未知城市"))))
    if city is None:
        city = City(name=info.origin_city or _("未知城市"))
        session.add(city)
        session.flush()
    town = session.scalar(select(Town).where(Town.city_id == city.id, Town.name == (info.origin_town or "—")))
    if town is None:
        town = Town(city_id=city.id, name=info.origin_town or "—")
        session.add(town)
        session.flush()
    community = session.scalar(select(Community).where(Community.town_id == town.id,
                                                       Community.name == (info.origin_community or "—")))
    if community is None:
        community = Community(town_id=town.id, name=info.origin_community or "—")
        session.add(community)
        session.flush()
    station = Station(
        community_id=community.id, name=info.origin_name, code=info.origin_code, address=o.get("address", ""),
        contact_person=o.get("contact_person", ""), contact_phone=o.get("contact_phone", ""),
        next_volunteer_seq=1, imported_at=info.created_at,
    )
    session.add(station)
    session.flush()
    session.add(StationKey(station_id=station.id, public_key=info.public_key))
    session.flush()
    return station


def _copy_teams(session: Session, info: PackageInfo, station: Station, members: dict[int, list[list[Any]]],
                added: Counter) -> None:
    teams = {t.name: t for t in session.scalars(select(Team).where(Team.station_id == station.id))}
    for row in info.lines("teams.jsonl"):
        team = teams.get(row["name"])
        if team is None:
            team = Team(station_id=station.id, **{k: row[k] for k in TEAM_FIELDS})
            session.add(team)
            teams[team.name] = team
            added["team"] += 1
        else:
            for k in TEAM_FIELDS:
                setattr(team, k, row[k])
    session.flush()
    if not members:
        return
    ids = list(members)
    for start in range(0, len(ids), _SMALL_IN):
        session.execute(TeamMember.__table__.delete().where(TeamMember.volunteer_id.in_(ids[start:start + _SMALL_IN])))
    rows = [{"team_id": teams[name].id, "volunteer_id": vid, "joined_on": date.fromisoformat(joined)}
            for vid, pairs in members.items() for name, joined in pairs if name in teams]
    if rows:
        session.execute(insert(TeamMember.__table__), rows)


def _import_copy_chain(
    session: Session, actor: Actor, info: PackageInfo, plan: _Plan, station: Station, writer: _ChainWriter,
    local_of: dict[int, int], added: Counter, skipped: Counter, progress: Progress | None,
    cancelled: Cancelled | None,
) -> None:
    imported, imported_head = plan.origin_head
    if writer.count != imported:
        raise _refuse(_("本库中 {c} 的副本台账（{n} 条）与以前导入的记录（{m} 条）对不上，不能继续导入。").format(
            c=info.origin_code, n=writer.count, m=imported))
    titles = {t.name: t.id for t in session.scalars(select(HonourTitle).where(HonourTitle.station_id == station.id))}
    teams = dict(session.execute(select(Team.name, Team.id).where(Team.station_id == station.id)).all())
    team_names: dict[int, str] = {row["id"]: row["name"] for row in info.lines("teams.jsonl")}
    origin_seq: dict[str, dict[int, int]] = {"service_records": {}, "time_bank_entries": {}}
    postings: list[tuple[int, list[list[Any]]]] = []
    prev, expected = chain.GENESIS, 1
    total = sum(info.counts[p] for p in CHAINED_PARTS) or 1
    done = 0

    def write_postings() -> None:
        rows = []
        for seq, items in postings:
            entry_id = writer.ids["time_bank_entries"][seq]
            for account, vid, minutes in items:
                rows.append({"entry_id": entry_id, "account": account,
                             "volunteer_id": local_of.get(vid) if vid is not None else None,
                             "station_id": station.id, "minutes": minutes})
        postings.clear()
        if rows:
            session.execute(insert(TimeBankPosting.__table__), rows)

    for table, row in _merged_links(info):
        done += 1
        if done % _BATCH == 0:
            _check_cancel(cancelled)
            if progress is not None:
                progress(done, total)
        c = row["c"]
        seq = c["seq"]
        if seq != expected or row["prev"] != prev:
            raise _refuse(_("整站转移包的台账不连续（第 {s} 条），不能导入。").format(s=seq))
        _verify_link(row, KIND_LABELS[KIND_OF_TABLE[table]])
        prev, expected = row["hash"], seq + 1
        if table in origin_seq:
            origin_seq[table][row["id"]] = seq
        if seq == imported and row["hash"] != imported_head:
            raise _refuse(_("这个整站转移包的台账与以前导入的不一致（第 {s} 条不同）：原站的台账被重建过，"
                            "或这是另一套数据。已拒绝导入。").format(s=seq))
        if seq <= imported:
            skipped["link"] += 1
            continue
        content = dict(c)
        if content.get("volunteer_id") is not None:
            content["volunteer_id"] = local_of[content["volunteer_id"]]
        if table == "service_records":
            for ref in ("activity_id", "assignment_id", "service_item_id", "recipient_id"):
                content[ref] = None
            content["recorder_id"] = actor.user_id
            if c.get("target_id") is not None:
                content["target_id"] = writer.local_id("service_records", origin_seq[table][c["target_id"]])
        elif table == "star_awards":
            content["confirmed_by_id"] = actor.user_id
        elif table == "honours":
            name = c["title"]
            if name not in titles:
                title = HonourTitle(station_id=station.id, name=name, target_kind=c["target_kind"], active=True)
                session.add(title)
                session.flush()
                titles[name] = title.id
            content["title_id"] = titles[name]
            content["team_id"] = teams.get(team_names.get(c.get("team_id"))) if c.get("team_id") else None
            content["project_id"] = None
            content["recorder_id"] = actor.user_id
        else:
            content["service_item_id"] = None
            content["recorder_id"] = actor.user_id
            if c.get("reverses_id") is not None:
                content["reverses_id"] = writer.local_id("time_bank_entries", origin_seq[table][c["reverses_id"]])
        model = next(m for m in chain.CHAINED if m.__tablename__ == table)  # type: ignore[attr-defined]
        extra = _review_state(row["x"]) if table == "star_awards" and row.get("x") else None
        writer.add(model, content, extra)
        if table == "time_bank_entries":
            postings.append((seq, row.get("postings", [])))
        added["link"] += 1
    if expected - 1 != info.chain_count or prev != info.chain_head:
        raise _refuse(_("整站转移包的台账与清单不符（应有 {n} 条），不能导入。").format(n=info.chain_count))
    writer.finish()
    write_postings()


def _review_state(extra: dict[str, Any]) -> dict[str, Any]:
    reviewed = extra.get("reviewed_at")
    return {"review_status": extra.get("review_status") or "", "review_note": extra.get("review_note") or "",
            "reviewed_at": datetime.fromisoformat(reviewed) if reviewed else None}


# --- what the volunteer's file shows -------------------------------------------------------------
def transferred_history(session: Session, actor: Actor, volunteer_id: int) -> list[HistoryRow]:
    """What the volunteer did at other stations (training, stars, honours, redemptions), newest first."""
    require(actor, Permission.VIEW)
    rows = session.execute(
        select(TransferredHistory.kind, TransferredHistory.occurred_on, TransferredHistory.title,
               TransferredHistory.origin_name, TransferredHistory.origin_code)
        .where(TransferredHistory.volunteer_id == volunteer_id, TransferredHistory.station_id == actor.station_id)
        .order_by(TransferredHistory.occurred_on.desc(), TransferredHistory.id.desc())
    )
    return [HistoryRow(kind, HISTORY_LABELS.get(kind, kind), on, title, f"{name}（{code}）")
            for kind, on, title, name, code in rows]


def default_file_name(session: Session, actor: Actor, volunteer_ids: Sequence[int], whole_station: bool,
                      today: date | None = None) -> str:
    """A file name for the save dialog: station code, who, date."""
    station = _station_of(session, actor.station_id)
    day = (today or date.today()).strftime("%Y%m%d")
    if whole_station:
        who = _("整站")
    elif len(volunteer_ids) == 1:
        v = session.get(Volunteer, volunteer_ids[0])
        who = v.name if v is not None and v.station_id == station.id else _("志愿者")
    else:
        who = _("{n}名志愿者").format(n=len(volunteer_ids))
    return f"{station.code}-{who}-{day}{SUFFIX}"
