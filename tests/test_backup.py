"""Backups of the SQLite database: consistent while written to, rotated, restored, refused, checked at start-up."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from station_app.db import Database, make_engine, open_database, upgrade
from station_app.errors import PermissionDenied, StationError
from station_app.models import AuditEntry, Volunteer
from station_app.services import backup
from station_app.services.auth import Role, create_user
from station_app.services.volunteers import VolunteerInput, register_volunteer

from .conftest import add_user, setup_station
from .idnumbers import make_id


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def station(tmp_path: Path):
    """A set-up station with two volunteers; yields (database, admin, file)."""
    path = tmp_path / "station.db"
    db = open_database(url_of(path), backup_dir=tmp_path / "backups")
    admin = setup_station(db)
    with db.session() as session:
        for name, seq in (("张三丰", "123"), ("李秀英", "246")):
            register_volunteer(session, admin, VolunteerInput(name=name, id_number=make_id("442000", "19900101", seq),
                                                              phone="13812345678"))
    yield db, admin, path
    db.dispose()


def count(path: Path, sql: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchone()[0]


def usernames(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return sorted(r[0] for r in conn.execute("SELECT username FROM users"))


PAIR = ("INSERT INTO audit_log (at, username, action, entity, summary, changes) "
        "VALUES ('2026-01-01 00:00:00.000000', 'writer', 'test', 'pair', ?, '{}')")


# --- consistent copies ---------------------------------------------------------------------------
def test_backup_while_another_connection_holds_a_write_transaction(station):
    db, _admin, path = station
    before = count(path, "SELECT count(*) FROM audit_log")
    writer = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(PAIR, ("uncommitted",))
        info = backup.make_backup(path)  # does not wait for the writer, does not see its rows
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert info.kind == backup.MANUAL and info.path.parent == path.parent / "backups"
    assert (info.station_name, info.volunteers) == ("康华花园物业志愿服务站", 2)
    assert count(info.path, "SELECT count(*) FROM audit_log") == before
    assert backup.check_backup_file(info.path).revision == info.revision
    assert not Path(str(info.path) + "-wal").exists()  # a self-contained single file
    after = backup.make_backup(path)
    assert count(after.path, "SELECT count(*) FROM audit_log WHERE summary = 'uncommitted'") == 1


def test_backups_taken_while_writers_commit_are_each_consistent(station):
    """Each transaction writes two rows: every copy holds whole transactions only (an even count)."""
    _db, _admin, path = station
    stop, started = threading.Event(), threading.Event()

    def write() -> None:
        with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as conn:
            for n in range(2000):
                if stop.is_set():
                    return
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(PAIR, (f"pair-{n}",))
                conn.execute(PAIR, (f"pair-{n}",))
                conn.execute("COMMIT")
                started.set()

    thread = threading.Thread(target=write)
    thread.start()
    assert started.wait(30)
    try:
        copies = [backup.make_backup(path, now=datetime(2026, 3, 1, 9, 0, n)) for n in range(6)]
    finally:
        stop.set()
        thread.join(30)
    counts = [count(c.path, "SELECT count(*) FROM audit_log WHERE entity = 'pair'") for c in copies]
    assert len(set(counts)) > 1, counts  # the copies were taken while the writer was committing
    assert all(n % 2 == 0 for n in counts), counts
    assert counts == sorted(counts)
    for c in copies:
        assert backup.check_backup_file(c.path).station_name == "康华花园物业志愿服务站"


def test_backup_now_needs_the_permission_and_is_audited(station):
    db, admin, path = station
    clerk = add_user(db, admin, "clerk", Role.CLERK)
    with pytest.raises(PermissionDenied, match="备份和恢复数据库"):
        backup.backup_now(db, clerk)
    assert backup.list_backups(path) == []
    info = backup.backup_now(db, admin)
    assert [b.path for b in backup.list_backups(path)] == [info.path]
    with db.session(write=False) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "backup")).one()
        assert entry.username == "admin" and info.path.name in entry.summary


def test_backup_to_a_chosen_file(station, tmp_path):
    db, admin, path = station
    info = backup.backup_now(db, admin, to=tmp_path / "U盘" / "康华花园")
    assert info.path == tmp_path / "U盘" / "康华花园.db" and info.volunteers == 2
    assert backup.list_backups(path) == []  # not in the backups folder
    with pytest.raises(StationError, match="数据库文件本身"):
        backup.backup_now(db, admin, to=path)


def test_server_database_is_the_servers_job(pg_url):
    database = open_database(pg_url)
    try:
        admin = setup_station(database)
        with pytest.raises(StationError, match="pg_dump"):
            backup.backup_now(database, admin)
        assert backup.automatic_backup(pg_url) is None
        with pytest.raises(StationError, match="pg_dump"):
            backup.restore(pg_url, Path("whatever.db"), admin)
    finally:
        database.dispose()


# --- automatic copies and rotation ---------------------------------------------------------------
def test_rotation_keeps_the_newest_ten_and_one_a_month_for_a_year(station):
    _db, _admin, path = station
    folder = path.parent / "backups"
    template = backup.make_backup(path, now=datetime(2020, 1, 1)).path
    now = datetime(2026, 6, 15, 18, 0)
    days = [now - timedelta(days=d) for d in range(400)]
    for day in days:
        shutil.copyfile(template, folder / f"station-auto-{day:%Y%m%d-%H%M%S}.db")
    kept_forever = [
        folder / "station-manual-20250101-120000.db",
        folder / "station-before-upgrade-0005-20250102-120000.db",
        folder / "station-replaced-20250103-120000.db",
        folder / "demo-auto-20240101-120000.db",  # another database's copy
    ]
    for extra in kept_forever:
        shutil.copyfile(template, extra)

    removed = backup.rotate(path, now)

    autos = {b.made_at for b in backup.list_backups(path) if b.kind == backup.AUTO}
    newest_ten = set(days[:10])
    month_ends = set()
    for months_back in range(12):
        y, m = divmod(now.year * 12 + now.month - 1 - months_back, 12)
        month_ends.add(max(d for d in days if (d.year, d.month) == (y, m + 1)))
    assert autos == newest_ten | month_ends
    assert len(autos) == 10 + 11  # this month's newest is among the ten
    assert len(removed) == 400 - len(autos)
    assert all(p.exists() for p in kept_forever) and template.exists()


def test_automatic_backup_once_a_day_at_start_and_always_at_close(station):
    _db, _admin, path = station
    url = url_of(path)
    start = datetime(2026, 5, 1, 8, 0)
    first = backup.automatic_backup(url, now=start)
    assert first is not None and first.kind == backup.AUTO
    assert backup.automatic_backup(url, now=start + timedelta(hours=20)) is None  # started again the same day
    at_close = backup.automatic_backup(url, now=start + timedelta(hours=20, minutes=5), at_close=True)
    assert at_close is not None
    next_day = backup.automatic_backup(url, now=start + timedelta(hours=45))
    assert next_day is not None
    assert [b.kind for b in backup.list_backups(path)] == [backup.AUTO] * 3


def test_no_automatic_backup_of_a_station_not_yet_set_up(tmp_path):
    path = tmp_path / "station.db"
    open_database(url_of(path)).dispose()
    assert backup.automatic_backup(url_of(path)) is None
    assert backup.list_backups(path) == []


# --- restore -------------------------------------------------------------------------------------
def test_restore_round_trip_keeps_the_replaced_file(station):
    db, admin, path = station
    saved = backup.backup_now(db, admin)
    with db.session() as session:  # work done after the backup
        create_user(session, admin, username="later", display_name="后来的录入员", role=Role.CLERK,
                    password="password-1", station_id=admin.station_id)
    db.dispose()  # as the dialog does: the old engine is closed first

    result = backup.restore(url_of(path), saved.path, admin)

    assert result.restored.path == saved.path
    assert result.replaced.parent == path.parent / "backups" and "-replaced-" in result.replaced.name
    assert usernames(path) == ["admin"]
    assert usernames(result.replaced) == ["admin", "later"]  # the replaced database, kept whole
    assert backup.check_backup_file(result.replaced).kind == backup.REPLACED
    reopened = open_database(url_of(path))
    try:
        with reopened.session(write=False) as session:
            assert session.scalar(select(func.count(Volunteer.id))) == 2
            entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "restore")).one()
            assert entry.username == "admin" and entry.station_id == admin.station_id
            assert saved.path.name in entry.summary and result.replaced.name in entry.summary
    finally:
        reopened.dispose()
    # The replaced file can itself be restored: nothing is lost.
    backup.restore(url_of(path), result.replaced, admin)
    assert usernames(path) == ["admin", "later"]


def test_restore_needs_the_permission(station):
    db, admin, path = station
    saved = backup.backup_now(db, admin)
    viewer = add_user(db, admin, "viewer", Role.VIEWER)
    db.dispose()
    with pytest.raises(PermissionDenied):
        backup.restore(url_of(path), saved.path, viewer)
    assert usernames(path) == ["admin", "viewer"]


def test_an_older_backup_is_upgraded_after_it_is_restored(station, tmp_path):
    db, admin, path = station
    older = tmp_path / "older.db"
    engine = make_engine(url_of(older))
    upgrade(engine, "0005")
    engine.dispose()
    db.dispose()
    backup.restore(url_of(path), older, admin)
    assert count(path, "SELECT count(*) FROM alembic_version WHERE version_num = '0006'") == 1
    assert [b.kind for b in backup.list_backups(path)].count(backup.UPGRADE) == 1


def test_a_restored_copy_that_cannot_be_opened_is_put_back(station):
    db, admin, path = station
    saved = backup.backup_now(db, admin)
    with closing(sqlite3.connect(saved.path)) as conn, conn:
        # Claims an older version but already has the newer tables: its upgrade fails.
        conn.execute("UPDATE alembic_version SET version_num = '0005'")
    with db.session() as session:
        create_user(session, admin, username="later", display_name="后来的录入员", role=Role.CLERK,
                    password="password-1", station_id=admin.station_id)
    db.dispose()
    with pytest.raises(StationError, match="已换回原来的数据库"):
        backup.restore(url_of(path), saved.path, admin)
    assert usernames(path) == ["admin", "later"]
    assert backup.integrity_check(path).ok


def _text_file(folder: Path) -> Path:
    p = folder / "名单.db"
    p.write_text("姓名,电话\n张三,13812345678\n", encoding="utf-8")
    return p


def _corrupt_copy(folder: Path, good: Path) -> Path:
    p = folder / "corrupt.db"
    data = bytearray(good.read_bytes())
    page = 4096
    data[page * 2: page * 6] = bytes(range(256)) * (page * 4 // 256)  # pages overwritten, header intact
    p.write_bytes(bytes(data))
    return p


def _foreign_sqlite(folder: Path) -> Path:
    p = folder / "orders.db"
    with closing(sqlite3.connect(p)) as conn, conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
        conn.execute("INSERT INTO orders (item) VALUES ('大米')")
    return p


def _newer_copy(folder: Path, good: Path) -> Path:
    p = folder / "from-the-future.db"
    shutil.copyfile(good, p)
    with closing(sqlite3.connect(p)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    return p


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda folder, good: _text_file(folder), "不是 SQLite 数据库文件"),
        (lambda folder, good: _corrupt_copy(folder, good), "已损坏"),
        (lambda folder, good: _foreign_sqlite(folder), "不是本程序的备份"),
        (lambda folder, good: _newer_copy(folder, good), "更新版本的程序创建（结构版本 0099）"),
        (lambda folder, good: folder / "missing.db", "找不到文件"),
    ],
    ids=["text-file", "corrupt", "foreign-sqlite", "newer-version", "missing"],
)
def test_a_file_that_is_not_a_good_backup_is_refused_and_nothing_changes(station, tmp_path, make, reason):
    db, admin, path = station
    good = backup.make_backup(path, to=tmp_path / "elsewhere" / "good").path
    source = make(tmp_path, good)
    db.dispose()
    before = sha256(path)
    listed = backup.list_backups(path)

    with pytest.raises(StationError, match=reason):
        backup.check_backup_file(source)
    with pytest.raises(StationError, match=reason):
        backup.restore(url_of(path), source, admin)

    assert sha256(path) == before
    assert backup.list_backups(path) == listed  # no replaced copy made
    assert usernames(path) == ["admin"]


def test_restoring_the_database_onto_itself_is_refused(station):
    db, admin, path = station
    db.dispose()
    with pytest.raises(StationError, match="本身"):
        backup.restore(url_of(path), path, admin)


# --- start-up checks -----------------------------------------------------------------------------
def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096 * 2: 4096 * 5] = b"\xff" * (4096 * 3)
    path.write_bytes(bytes(data))


def test_integrity_failure_is_explained_with_the_newest_good_backup(station):
    db, admin, path = station
    good = backup.make_backup(path, backup.AUTO, now=datetime(2026, 4, 1, 18, 30))
    bad = backup.make_backup(path, backup.AUTO, now=datetime(2026, 4, 2, 18, 30))
    _damage(bad.path)  # the newest copy is damaged too: it is passed over
    db.dispose()
    assert backup.integrity_check(path).ok
    _damage(path)
    before = sha256(path)

    report = backup.integrity_check(path)

    assert not report.ok and report.problems
    assert report.newest_good is not None and report.newest_good.path == good.path
    text = report.explanation
    assert str(path) in text and good.path.name in text and "2026-04-01 18:30" in text
    assert "恢复" in text and "康华花园物业志愿服务站" in text and "志愿者 2 人" in text
    assert sha256(path) == before  # the check only reads

    # Restoring at start-up: the damaged file is kept whole (moved aside), the good copy takes its place.
    result = backup.restore(url_of(path), report.newest_good.path, damaged=True)
    assert sha256(result.replaced) == before
    assert backup.integrity_check(path).ok
    assert count(path, "SELECT count(*) FROM volunteers") == 2
    assert count(path, "SELECT count(*) FROM audit_log WHERE action = 'restore'") == 1


def test_integrity_failure_without_any_backup_says_what_to_do(tmp_path):
    path = tmp_path / "station.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200 + b"not a database" * 300)
    report = backup.integrity_check(path)
    assert not report.ok and report.newest_good is None
    assert "没有可用的备份" in report.explanation and "station-app restore" in report.explanation


def test_foreign_key_damage_is_reported(station):
    db, _admin, path = station
    db.dispose()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("UPDATE volunteers SET station_id = 999")
    report = backup.integrity_check(path)
    assert not report.ok
    assert "外键检查未通过" in report.problems[0] and "volunteers" in report.problems[0]


def test_a_missing_or_new_database_passes_the_check(tmp_path):
    assert backup.integrity_check(tmp_path / "station.db").ok


# --- network shares ------------------------------------------------------------------------------
PROC_MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
//nas/station /mnt/nas cifs rw,vers=3.0 0 0
nas:/export /srv/share nfs4 rw 0 0
chen@laptop:/data /home/chen/remote fuse.sshfs rw 0 0
/dev/sdb1 /mnt/nas/local\\040disk ext4 rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""
MAC_MOUNT = """\
/dev/disk1s1 on / (apfs, local, journaled)
//chen@nas._smb._tcp.local/station on /Volumes/station (smbfs, nodev, nosuid, mounted by chen)
nas:/export on /Volumes/nfs (nfs)
"""


@pytest.mark.parametrize(
    ("where", "mounts", "network"),
    [
        ("/mnt/nas/station.db", PROC_MOUNTS, "cifs"),
        ("/srv/share/站点/station.db", PROC_MOUNTS, "nfs4"),
        ("/home/chen/remote/station.db", PROC_MOUNTS, "fuse.sshfs"),
        ("/home/chen/station.db", PROC_MOUNTS, None),
        ("/mnt/nas/local disk/station.db", PROC_MOUNTS, None),  # a local disk mounted inside the share
        ("/mnt/nasty/station.db", PROC_MOUNTS, None),  # not under /mnt/nas
        ("/Volumes/station/station.db", MAC_MOUNT, "smbfs"),
        ("/Volumes/nfs/station.db", MAC_MOUNT, "nfs"),
        ("/Users/chen/station.db", MAC_MOUNT, None),
    ],
)
def test_network_share_detected_from_the_mount_table(where, mounts, network):
    warning = backup.network_share_warning(where, system="Linux", mounts=mounts)
    if network is None:
        assert warning is None
    else:
        assert warning is not None and f"（{network}）" in warning
        assert "WAL" in warning and "本机硬盘" in warning and where in warning


def test_network_share_detected_on_windows():
    local = lambda root: 3  # noqa: E731 - DRIVE_FIXED
    remote = lambda root: 4  # noqa: E731 - DRIVE_REMOTE
    assert "共享文件夹" in backup.network_share_warning(r"\\nas\station\station.db", system="Windows")
    assert "Z:" in backup.network_share_warning(r"Z:\StationApp\station.db", system="Windows", drive_type=remote)
    assert backup.network_share_warning(r"C:\Users\chen\station.db", system="Windows", drive_type=local) is None


def test_this_machines_temporary_folder_is_not_a_share(tmp_path):
    assert backup.network_share_warning(tmp_path / "station.db") is None


def test_backups_of_other_databases_in_the_folder_are_not_listed(tmp_path):
    path = tmp_path / "station.db"
    db: Database = open_database(url_of(path))
    setup_station(db)
    db.dispose()
    other = tmp_path / "demo.db"
    open_database(url_of(other)).dispose()
    backup.make_backup(path)
    backup.make_backup(other)
    assert [b.path.name.split("-")[0] for b in backup.list_backups(path)] == ["station"]
