"""Transfer packages between two databases: round trip, idempotence, refusals, trust, matching, copies.

The origin is a second station in its own SQLite file; the receiving station is the ``db`` fixture
(SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from station_app.db import Database, open_database
from station_app.errors import PermissionDenied, StationError, ValidationError
from station_app.models import (
    AuditEntry,
    PackageImport,
    ServiceItem,
    ServiceRecord,
    Station,
    TimeBankEntry,
    TrainingEnrolment,
    TrainingSession,
    TransferLink,
    TransferredHistory,
    Volunteer,
)
from station_app.services import certificates, chain, honours, stars
from station_app.services import packages as pkg
from station_app.services import timebank as bank
from station_app.services import volunteers as vol_svc
from station_app.services.auth import Actor, Role, authenticate
from station_app.services.hours import counted_for, star_level
from station_app.services.ledger import line_history
from station_app.services.stations import StationSetup, initialise_station

from .conftest import ADMIN_PASSWORD, add_user
from .idnumbers import make_id
from .ledger_factory import add_correction, add_record

HOUR = 60
WANG_ID = make_id("442000", "19750312", "021")
LI_ID = make_id("442000", "19880706", "032")


def make_station(database: Database, code: str, name: str) -> Actor:
    with database.session() as session:
        initialise_station(session, StationSetup(
            city="中山市", town="东区街道", community="竹苑社区", station_name=name, station_code=code,
            address="中山市东区竹苑路8号", contact_person="周站长", contact_phone="0760-88991234",
            admin_username="admin", admin_display_name="周站长", admin_password=ADMIN_PASSWORD,
            admin_password_confirm=ADMIN_PASSWORD))
    with database.session() as session:
        return authenticate(session, "admin", ADMIN_PASSWORD)


def register(database: Database, admin: Actor, name: str, id_number: str, *, phone: str = "13800138000",
             building: str = "3栋", skills: tuple[str, ...] = ("理发",)) -> int:
    with database.session() as session:
        vid = vol_svc.register_volunteer(session, admin, vol_svc.VolunteerInput(
            name=name, id_number=id_number, phone=phone, building=building, unit="2单元", room="301",
            skills=list(skills), political_status="masses"))
        vol_svc.review_volunteer(session, admin, vid, approve=True)
    return vid


@dataclass
class Origin:
    db: Database
    admin: Actor
    wang: int
    li: int
    corrected: int


def fill_origin(database: Database, admin: Actor) -> Origin:
    """王芳: 60 h + 50 h corrected to 45 h (105 h, one star confirmed), an honour, a redemption, a training."""
    wang = register(database, admin, "王芳", WANG_ID, phone="13900001111")
    li = register(database, admin, "李明", LI_ID)
    day = date.today() - timedelta(days=30)
    add_record(database, admin, wang, 60 * HOUR, on=day)
    corrected = add_record(database, admin, wang, 50 * HOUR, on=day + timedelta(days=3))
    add_correction(database, admin, corrected, 45 * HOUR)
    add_record(database, admin, li, 2 * HOUR, on=day)
    with database.session() as session:
        stars.confirm_award(session, admin, wang, 1, date.today())
        title = next(t for t in honours.list_titles(session, admin) if t.target_kind == "volunteer")
        honours.award_honour(session, admin, honours.HonourInput(title.id, wang, date.today(), "竹苑社区居委会"))
        item = session.scalar(select(ServiceItem.id).where(ServiceItem.station_id == admin.station_id,
                                                           ServiceItem.name == "维修家电"))
        bank.redeem(session, admin, bank.RedeemInput(volunteer_id=wang, service_item_id=item, provider="便民服务队",
                                                     received_on=date.today(), request_token=uuid.uuid4().hex))
        training = TrainingSession(
            station_id=admin.station_id, kind="pre_service", topic="岗前培训：志愿服务礼仪", trainer="社工小陈",
            place="活动室", starts_at=datetime.combine(day, datetime.min.time()) + timedelta(hours=14),
            ends_at=datetime.combine(day, datetime.min.time()) + timedelta(hours=16), credit_minutes=120,
            capacity=30, status="held")
        session.add(training)
        session.flush()
        session.add(TrainingEnrolment(session_id=training.id, volunteer_id=wang, attendance="present",
                                      credited_minutes=120))
    return Origin(database, admin, wang, li, corrected)


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    database = open_database(f"sqlite:///{tmp_path / 'origin.db'}", backup_dir=tmp_path / "origin-backups")
    yield fill_origin(database, make_station(database, "SQ0202", "竹苑物业志愿服务站"))
    database.dispose()


def export(o: Origin, path: Path, volunteers: list[int] | None = None, *, station: bool = False) -> Path:
    with o.db.session() as session:
        key = chain.unlock_signing_key(session, o.admin, ADMIN_PASSWORD)
        return pkg.export_package(session, o.admin, key, path, volunteer_ids=volunteers or [],
                                  whole_station=station).path


def trust(db: Database, actor: Actor, path: Path) -> pkg.PackageInfo:
    info = pkg.open_package(path)
    with db.session() as session:
        pkg.trust_key(session, actor, info, fingerprint=info.fingerprint)
    return info


def do_import(db: Database, actor: Actor, path: Path, **kw) -> pkg.ImportResult:
    info = pkg.open_package(path)
    with db.session() as session:
        return pkg.import_package(session, actor, info, **kw)


def counts(db: Database) -> dict[str, int]:
    """Everything an import could add, counted."""
    with db.session(write=False) as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in (
            Volunteer, ServiceRecord, TimeBankEntry, TransferLink, TransferredHistory, PackageImport, Station)}


@dataclass(frozen=True)
class Local:
    id: int
    station_id: int
    volunteer_no: str
    phone: str
    building: str
    notes: str


def local(db: Database, id_number: str) -> Local:
    with db.session(write=False) as session:
        v = session.scalar(select(Volunteer).where(Volunteer.id_number == id_number))
        return Local(v.id, v.station_id, v.volunteer_no, v.phone, v.building, v.notes)


# --- round trip -----------------------------------------------------------------------------------
def test_round_trip_carries_hours_history_and_balance(db, admin, origin, tmp_path):
    path = export(origin, tmp_path / "two", [origin.wang, origin.li])
    assert path.name == "two.zsvpkg"
    info = pkg.open_package(path)
    assert info.scope == "selection" and info.origin_code == "SQ0202"
    with db.session() as session, pytest.raises(pkg.UntrustedKey) as exc:
        pkg.check_origin(session, admin, info)
    with origin.db.session(write=False) as session:
        origin_key = chain.station_public_key(session, origin.admin.station_id)
    assert exc.value.fingerprint == chain.fingerprint(origin_key)
    assert exc.value.fingerprint in exc.value.message
    trust(db, admin, path)

    with db.session(write=False) as session:
        before = pkg.preview(session, admin, info)
    assert [v.verdict for v in before.volunteers] == ["new", "new"]
    assert before.new["record"] == 5  # 3 records, a correction and its decision
    assert (before.new["training"], before.new["star"], before.new["honour"], before.new["redemption"]) == (1, 1, 1, 1)
    result = do_import(db, admin, path)
    assert result.added["volunteer"] == 2 and result.added["record"] == 5

    wang = local(db, WANG_ID)
    assert wang.station_id == admin.station_id and wang.volunteer_no.startswith("SQ0101-")
    with origin.db.session(write=False) as session:
        origin_no = session.get(Volunteer, origin.wang).volunteer_no
        origin_balance = bank.balance(session, origin.admin, origin.wang).balance
    assert origin_no in wang.notes
    with db.session(write=False) as session:
        assert counted_for(session, admin.station_id, wang.id) == 105 * HOUR
        assert star_level(counted_for(session, admin.station_id, wang.id)) == 1
        assert bank.balance(session, admin, wang.id).balance == origin_balance < 105 * HOUR
        assert chain.verify_chain(session, admin.station_id).ok
        history = pkg.transferred_history(session, admin, wang.id)
        assert {h.kind for h in history} == {"training", "star", "honour", "redemption"}
        assert all(h.origin == "竹苑物业志愿服务站（SQ0202）" for h in history)
        # the corrected record keeps its correction and the decision, pointing at the local copies
        copied = session.scalar(select(ServiceRecord).where(ServiceRecord.volunteer_id == wang.id,
                                                            ServiceRecord.minutes == 50 * HOUR))
        steps = [h.kind for h in line_history(session, admin, copied.id)]
        assert steps == ["record", "correction", "decision"]
        assert "SQ0202 台账第" in copied.reason
        imports = session.scalars(select(AuditEntry.action).where(AuditEntry.action.in_(
            ["trust_key", "import_package"]))).all()
        assert sorted(imports) == ["import_package", "trust_key"]


def test_importing_the_same_package_twice_adds_nothing(db, admin, origin, tmp_path):
    path = export(origin, tmp_path / "wang.zsvpkg", [origin.wang])
    trust(db, admin, path)
    do_import(db, admin, path)
    after_first = counts(db)
    with db.session(write=False) as session:
        again = pkg.preview(session, admin, pkg.open_package(path))
    assert again.already_imported and not again.new["record"] and again.skipped["record"] == 4
    assert "已导入过，跳过 4" in "\n".join(again.lines())
    second = do_import(db, admin, path)
    assert not second.added.get("record") and not second.added.get("volunteer")
    after_second = counts(db)
    assert after_second.pop("package_imports") == after_first.pop("package_imports") + 1
    assert after_second == after_first


def test_a_later_package_adds_only_the_new_records(db, admin, origin, tmp_path):
    first = export(origin, tmp_path / "a.zsvpkg", [origin.wang])
    trust(db, admin, first)
    do_import(db, admin, first)
    add_record(origin.db, origin.admin, origin.wang, 3 * HOUR, on=date.today() - timedelta(days=2))
    result = do_import(db, admin, export(origin, tmp_path / "b.zsvpkg", [origin.wang]))
    assert result.added["record"] == 1 and result.skipped["record"] == 4
    with db.session(write=False) as session:
        assert counted_for(session, admin.station_id, local(db, WANG_ID).id) == 108 * HOUR


# --- refusals -------------------------------------------------------------------------------------
def test_a_flipped_byte_anywhere_is_refused(db, admin, origin, tmp_path):
    path = export(origin, tmp_path / "wang.zsvpkg", [origin.wang])
    trust(db, admin, path)
    data = path.read_bytes()
    before = counts(db)
    offsets = [*range(0, len(data), max(1, len(data) // 60)), len(data) - 200, len(data) - 1]
    for n, offset in enumerate(offsets):
        bad = tmp_path / f"bad{n}.zsvpkg"
        bad.write_bytes(data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1:])
        with pytest.raises(pkg.PackageRefused):
            do_import(db, admin, bad)
    assert counts(db) == before


def rebuilt(path: Path, target: Path, *, drop: str = "", manifest=None, key=None) -> Path:  # noqa: ANN001
    """The package with a member left out, or its manifest changed (and re-signed with ``key``)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            if name == drop or (manifest is not None and name in (pkg.MANIFEST, pkg.SIGNATURE)):
                continue
            out.writestr(name, src.read(name))
        if manifest is not None:
            data = json.dumps(manifest(json.loads(src.read(pkg.MANIFEST))), ensure_ascii=False).encode()
            out.writestr(pkg.MANIFEST, data)
            out.writestr(pkg.SIGNATURE, key.sign(data).hex())
    return target


def test_a_missing_part_an_unknown_part_and_a_newer_format_are_refused(db, admin, origin, tmp_path):
    path = export(origin, tmp_path / "wang.zsvpkg", [origin.wang])
    trust(db, admin, path)
    with origin.db.session() as session:
        key = chain.unlock_signing_key(session, origin.admin, ADMIN_PASSWORD)
    before = counts(db)
    with pytest.raises(pkg.PackageRefused, match="缺少“培训”部分"):
        pkg.open_package(rebuilt(path, tmp_path / "missing.zsvpkg", drop="training.jsonl"))

    def newer(m):  # noqa: ANN001, ANN202
        return {**m, "format_version": pkg.FORMAT_VERSION + 1, "program_version": "9.0"}

    with pytest.raises(pkg.PackageRefused, match="更新版本的程序导出.*请先升级"):
        pkg.open_package(rebuilt(path, tmp_path / "newer.zsvpkg", manifest=newer, key=key))

    def unknown(m):  # noqa: ANN001, ANN202
        return {**m, "parts": {**m["parts"], "secrets.jsonl": {"sha256": "0" * 64, "rows": 0}}}

    with pytest.raises(pkg.PackageRefused, match="不认识的部分"):
        pkg.open_package(rebuilt(path, tmp_path / "unknown.zsvpkg", manifest=unknown, key=key))
    with pytest.raises(pkg.PackageRefused, match="不是转移包"):
        not_zip = tmp_path / "notes.zsvpkg"
        not_zip.write_text("这不是转移包", encoding="utf-8")
        pkg.open_package(not_zip)
    assert counts(db) == before


def test_own_package_is_refused(db, admin, tmp_path):
    vid = register(db, admin, "陈静", make_id("442000", "19900101", "045"))
    with db.session() as session:
        key = chain.unlock_signing_key(session, admin, ADMIN_PASSWORD)
        path = pkg.export_package(session, admin, key, tmp_path / "own", volunteer_ids=[vid]).path
    with pytest.raises(pkg.PackageRefused, match="本站自己导出"):
        do_import(db, admin, path)


def test_untrusted_key_needs_an_administrator_and_the_right_fingerprint(db, admin, origin, tmp_path):
    path = export(origin, tmp_path / "wang.zsvpkg", [origin.wang])
    info = pkg.open_package(path)
    clerk = add_user(db, admin, "clerk", Role.CLERK)
    with db.session() as session, pytest.raises(PermissionDenied):
        pkg.trust_key(session, clerk, info)
    with db.session() as session, pytest.raises(ValidationError, match="指纹.*不一致"):
        pkg.trust_key(session, admin, info, fingerprint="0000 1111 2222 3333 4444 5555 6666 7777")
    with pytest.raises(pkg.UntrustedKey):
        do_import(db, admin, path)
    assert counts(db)["volunteers"] == 0
    with db.session() as session:  # typed as read on the phone: lower case, groups of four
        assert pkg.trust_key(session, admin, info, fingerprint=info.fingerprint.lower())
    assert do_import(db, admin, path).added["volunteer"] == 1


def test_a_trusted_code_with_a_different_key_is_refused_loudly(db, admin, origin, tmp_path):
    trust(db, admin, export(origin, tmp_path / "real.zsvpkg", [origin.wang]))
    impostor_db = open_database(f"sqlite:///{tmp_path / 'impostor.db'}")
    try:
        impostor = fill_origin(impostor_db, make_station(impostor_db, "SQ0202", "竹苑物业志愿服务站"))
        fake = export(impostor, tmp_path / "fake.zsvpkg", [impostor.wang])
    finally:
        impostor_db.dispose()
    before = counts(db)
    with pytest.raises(pkg.PackageRefused, match="密钥与本站以前信任的该站密钥不同"):
        do_import(db, admin, fake)
    with db.session() as session, pytest.raises(pkg.PackageRefused):
        pkg.trust_key(session, admin, pkg.open_package(fake))
    assert counts(db) == before


def test_a_cancelled_import_leaves_nothing(db, admin, origin, tmp_path):
    path = export(origin, tmp_path / "wang.zsvpkg", [origin.wang])
    trust(db, admin, path)
    before = counts(db)
    with pytest.raises(pkg.ImportCancelled):
        do_import(db, admin, path, cancelled=lambda: True)
    assert counts(db) == before


# --- matching ---------------------------------------------------------------------------------------
def test_a_matched_volunteer_keeps_ours_unless_theirs_is_chosen(db, admin, origin, tmp_path):
    here = register(db, admin, "王芳", WANG_ID, phone="13511112222", building="9栋", skills=("理发", "维修"))
    add_record(db, admin, here, 50 * HOUR)
    path = export(origin, tmp_path / "wang.zsvpkg", [origin.wang])
    info = trust(db, admin, path)
    with db.session(write=False) as session:
        plan = pkg.preview(session, admin, info)
    [v] = plan.volunteers
    assert v.verdict == "matched" and v.local_id == here
    assert {d.field: (d.ours, d.theirs) for d in v.diffs} == {
        "phone": ("13511112222", "13900001111"), "building": ("9栋", "3栋"), "skills": ("理发、维修", "理发")}
    do_import(db, admin, path, resolutions={origin.wang: {"phone"}})
    wang = local(db, WANG_ID)
    assert (wang.id, wang.phone, wang.building) == (here, "13900001111", "9栋")
    with db.session(write=False) as session:
        # 50 h here + 105 h transferred: the star level here counts both
        assert stars.find(session, admin, here).level == 1
        assert counted_for(session, admin.station_id, here) == 155 * HOUR
        change = session.scalar(select(AuditEntry).where(AuditEntry.action == "update",
                                                         AuditEntry.entity_id == here))
        assert set(change.changes) == {"phone"}


def test_a_volunteer_registered_at_another_station_of_this_database_is_refused(db, admin, origin, tmp_path):
    station_path = export(origin, tmp_path / "station.zsvpkg", station=True)
    trust(db, admin, station_path)
    do_import(db, admin, station_path)  # the copy holds 王芳 now
    before = counts(db)
    with pytest.raises(pkg.PackageRefused, match="已在本库的 竹苑物业志愿服务站"):
        do_import(db, admin, export(origin, tmp_path / "wang.zsvpkg", [origin.wang]))
    assert counts(db) == before


# --- station copies -----------------------------------------------------------------------------
def test_a_station_copy_keeps_the_origin_chain_and_grows_with_later_packages(db, admin, origin, tmp_path):
    path = export(origin, tmp_path / "station.zsvpkg", station=True)
    trust(db, admin, path)
    result = do_import(db, admin, path)
    with origin.db.session(write=False) as session:
        origin_count, _head = chain.head_of(session, origin.admin.station_id)
    assert result.added["link"] == origin_count == 8  # 4 records, correction, decision, award, honour, redemption - 1
    with db.session(write=False) as session:
        copy = session.scalar(select(Station).where(Station.code == "SQ0202"))
        assert copy.imported_at is not None and copy.id == result.station_id
        report = chain.verify_chain(session, copy.id)
        assert report.ok and report.count == origin_count
        assert report.public_key == chain.station_public_key(session, copy.id)
        wang = session.scalar(select(Volunteer).where(Volunteer.id_number == WANG_ID))
        assert wang.station_id == copy.id and wang.volunteer_no.startswith("SQ0202-")
        assert counted_for(session, copy.id, wang.id) == 105 * HOUR
        assert chain.verify_chain(session, admin.station_id).ok  # our own chain untouched
    # a later package adds only the new links; the same package again adds nothing
    assert not do_import(db, admin, path).added.get("link")
    add_record(origin.db, origin.admin, origin.li, 4 * HOUR, on=date.today() - timedelta(days=1))
    later = do_import(db, admin, export(origin, tmp_path / "later.zsvpkg", station=True))
    assert later.added["link"] == 1 and later.skipped["link"] == origin_count
    with db.session(write=False) as session:
        assert chain.verify_chain(session, result.station_id).ok


def test_a_station_package_with_a_different_past_is_refused(db, admin, origin, tmp_path):
    # a twin of the origin (same station, same key) that will tell a different story from here on
    origin.db.dispose()
    shutil.copy(tmp_path / "origin.db", tmp_path / "twin.db")
    twin_db = open_database(f"sqlite:///{tmp_path / 'twin.db'}")
    twin = Origin(twin_db, origin.admin, origin.wang, origin.li, origin.corrected)
    yesterday = date.today() - timedelta(days=1)
    add_record(origin.db, origin.admin, origin.li, HOUR, on=yesterday)
    trust(db, admin, export(origin, tmp_path / "station.zsvpkg", station=True))
    do_import(db, admin, tmp_path / "station.zsvpkg")
    add_record(twin_db, twin.admin, twin.li, 2 * HOUR, on=yesterday)  # the same position, other content
    add_record(twin_db, twin.admin, twin.li, 3 * HOUR, on=yesterday - timedelta(days=1))
    rebuilt_path = export(twin, tmp_path / "rebuilt.zsvpkg", station=True)
    twin_db.dispose()
    before = counts(db)
    with pytest.raises(pkg.PackageRefused, match="与以前导入的不一致"):
        do_import(db, admin, rebuilt_path)
    assert counts(db) == before


def test_certificates_of_a_trusted_station_verify_here(db, admin, origin, tmp_path):
    with origin.db.session() as session:
        key = chain.unlock_signing_key(session, origin.admin, ADMIN_PASSWORD)
    payload = certificates.sign_payload(key, certificates.STAR, "SQ0202", {
        "certificate_no": "SQ0202-XJ2026-0001", "name": "王芳", "volunteer_no": "SQ0202-000001", "level": 1,
        "minutes": 105 * HOUR, "confirmed_on": date.today().isoformat()})
    with db.session(write=False) as session:
        assert not certificates.verify_payload(session, payload).valid
    trust(db, admin, export(origin, tmp_path / "wang.zsvpkg", [origin.wang]))
    with db.session(write=False) as session:
        result = certificates.verify_payload(session, payload)
        assert result.valid and "SQ0202" in result.station
        forged = certificates.verify_payload(session, payload.replace("王芳", "王方"))
        assert not forged.valid and "签名不符" in forged.reason


def test_exporting_needs_the_station_key_and_the_permission(db, admin, origin, tmp_path):
    clerk = add_user(db, admin, "clerk", Role.CLERK)
    vid = register(db, admin, "陈静", make_id("442000", "19900101", "045"))
    with db.session() as session:
        key = chain.unlock_signing_key(session, admin, ADMIN_PASSWORD)
        with pytest.raises(PermissionDenied):
            pkg.export_package(session, clerk, key, tmp_path / "x", volunteer_ids=[vid])
    with origin.db.session() as session:
        other_key = chain.unlock_signing_key(session, origin.admin, ADMIN_PASSWORD)
    with db.session() as session, pytest.raises(StationError, match="不是本站的签名密钥"):
        pkg.export_package(session, admin, other_key, tmp_path / "x", volunteer_ids=[vid])
    assert not (tmp_path / "x.zsvpkg").exists() and not list(tmp_path.glob("*.part"))


# --- the command line --------------------------------------------------------------------------------
def run_cli(monkeypatch, capsys, argv: list[str], stdin: str = ADMIN_PASSWORD + "\n") -> tuple[int, str, str]:  # noqa: ANN001
    import io
    import sys

    from station_app.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_command_line_export_then_import_with_trust(monkeypatch, capsys, origin, tmp_path):
    origin_url = f"sqlite:///{tmp_path / 'origin.db'}"
    home_url = f"sqlite:///{tmp_path / 'home.db'}"
    home = open_database(home_url)
    try:
        make_station(home, "SQ0101", "康华花园物业志愿服务站")
    finally:
        home.dispose()
    with origin.db.session(write=False) as session:
        number = session.get(Volunteer, origin.wang).volunteer_no
    out_file = tmp_path / "wang.zsvpkg"
    code, out, _err = run_cli(monkeypatch, capsys, ["--database", origin_url, "export-package", "--as", "admin",
                                                    "--password-stdin", "--volunteer", number, "-o", str(out_file)])
    assert code == 0 and "服务记录 4 条" in out and out_file.exists()
    login = ["--database", home_url, "import-package", str(out_file), "--as", "admin", "--password-stdin"]
    code, out, _err = run_cli(monkeypatch, capsys, login)
    info = pkg.open_package(out_file)
    assert code == 1 and info.fingerprint in out and "--trust" in out
    code, out, _err = run_cli(monkeypatch, capsys, [*login, "--dry-run", "--trust", info.fingerprint])
    assert code == 0 and "服务记录（含更正、审批）：新增 4" in out and "试运行" in out
    code, out, _err = run_cli(monkeypatch, capsys, login)
    assert code == 1  # the dry run trusted nothing
    code, out, _err = run_cli(monkeypatch, capsys, [*login, "--trust", info.fingerprint.replace(" ", "")])
    assert code == 0 and "已导入" in out
    code, out, _err = run_cli(monkeypatch, capsys, login)
    assert code == 0 and "没有新内容" in out
    bad = tmp_path / "bad.zsvpkg"
    data = out_file.read_bytes()
    bad.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    code, _out, err = run_cli(monkeypatch, capsys, [*login[:3], str(bad), *login[4:]])
    assert code == 2 and "转移包" in err


def test_a_city_administrator_imports_an_offline_station_and_the_dashboard_counts_it(db, admin, origin, tmp_path):
    """The city's shared database takes an offline station's package; the station shows, labelled, in the totals."""
    from station_app.services import city

    with db.session() as session:
        user_id = city.first_city_admin(session, city="中山市", username="city", display_name="市志愿者联合会",
                                        password=ADMIN_PASSWORD)
    city_admin = Actor(user_id, "city", "市志愿者联合会", Role.CITY, None)
    personal = export(origin, tmp_path / "wang.zsvpkg", [origin.wang])
    path = export(origin, tmp_path / "station.zsvpkg", station=True)
    trust(db, city_admin, path)
    with pytest.raises(StationError, match="只能导入整站转移包"):
        do_import(db, city_admin, personal)
    result = do_import(db, city_admin, path)
    year = (date.today() - timedelta(days=30)).year  # the year the origin's hours were served in
    with db.session(write=False) as session:
        dash = city.dashboard(session, city_admin, year)
    with origin.db.session(write=False) as session:  # the hours of that year in the origin's own ledger
        served = session.scalar(select(func.sum(ServiceRecord.delta_minutes)).where(
            ServiceRecord.station_id == origin.admin.station_id,
            ServiceRecord.service_date.between(date(year, 1, 1), date(year, 12, 31))))
    offline = next(s for s in dash.stations if s.code == "SQ0202")
    assert offline.station_id == result.station_id and "离线站点" in offline.note
    assert offline.imported_at == pkg.open_package(path).created_at  # "截至" the package's own date
    assert offline.figures.minutes == served > 0 and offline.figures.volunteers == 2
    assert offline.figures.stars.get(1) == 1
    assert dash.figures.minutes == sum(s.figures.minutes for s in dash.stations)
    assert dash.figures.volunteers == sum(s.figures.volunteers for s in dash.stations)
