"""Opening the database: migrations match the models, bad files are refused untouched,
older databases are upgraded after a backup, and units of work are all-or-nothing."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from station_app import db as db_module
from station_app.db import Database, SchemaState, alembic_config, head_revision, open_database, upgrade
from station_app.errors import DatabaseProblem
from station_app.models import Base, City, Volunteer
from station_app.services.volunteers import VolunteerInput, register_volunteer

from .conftest import setup_station
from .idnumbers import complete as make_id


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_station_db(path: Path) -> None:
    """A database at head holding a station and one volunteer, closed again."""
    database = open_database(sqlite_url(path))
    admin = setup_station(database)
    with database.session() as session:
        register_volunteer(session, admin, VolunteerInput(
            name="张三丰", id_number=make_id("44200019900101123"), phone="13812345678"))
    database.dispose()


def revisions() -> list[str]:
    return [rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()]


# --- schema ------------------------------------------------------------------------------------
def test_fresh_database_matches_models(db: Database):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_fresh_database_is_at_head(db: Database):
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_single_migration_head():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"


def test_sqlite_connection_settings(sqlite_db: Database):
    with sqlite_db.session() as session:
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL: commits survive a power cut


def test_sqlite_foreign_keys_enforced(sqlite_db: Database):
    """A town pointing at a city that does not exist is refused, not stored."""
    from sqlalchemy.exc import IntegrityError

    from station_app.models import Town

    with pytest.raises(IntegrityError), sqlite_db.session() as session:
        session.add(Town(city_id=9999, name="无名镇"))
        session.flush()


# --- refusing databases ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "journal_mode",
    ["wal", "delete"],
)
def test_newer_sqlite_database_refused_untouched(tmp_path: Path, journal_mode: str):
    """A newer program's file is left byte for byte as it was (whatever its journal mode)."""
    path = tmp_path / "station.db"
    make_station_db(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA journal_mode={journal_mode}")
        with conn:
            conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    before = sha256(path)

    with pytest.raises(DatabaseProblem) as excinfo:
        open_database(sqlite_url(path), backup_dir=tmp_path / "backups")

    assert "更新版本" in excinfo.value.message
    assert "ffff_from_the_future" in excinfo.value.message
    assert sha256(path) == before
    assert not (tmp_path / "backups").exists()


def test_newer_database_refused_untouched(db_url: str, tmp_path: Path):
    """Same on any server: the revision stays as the newer program left it."""
    database = open_database(db_url)
    with database.session() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    database.dispose()

    with pytest.raises(DatabaseProblem, match="更新版本"):
        open_database(db_url, backup_dir=tmp_path / "backups")

    database = Database(db_url)
    with database.session(write=False) as session:
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() == "ffff_from_the_future"
    database.dispose()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(os.urandom(8192), id="random-bytes"),
        pytest.param("名单,电话\n张三,13812345678\n".encode(), id="csv-text"),
        pytest.param(b"SQLite format 3", id="header-only-text"),
    ],
)
def test_not_a_database_refused_untouched(tmp_path: Path, content: bytes):
    path = tmp_path / "station.db"
    path.write_bytes(content)

    with pytest.raises(DatabaseProblem) as excinfo:
        open_database(sqlite_url(path))

    assert "不是本程序的数据库" in excinfo.value.message
    assert path.read_bytes() == content


@pytest.mark.parametrize("damage", ["truncated", "overwritten-page", "header-only"])
def test_damaged_sqlite_file_refused_untouched(tmp_path: Path, damage: str):
    path = tmp_path / "station.db"
    make_station_db(path)
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    if damage == "truncated":  # e.g. a copy that stopped half-way
        data = data[: len(data) // 2]
    elif damage == "overwritten-page":  # a bad sector in the middle of the tables
        data[page_size * 2 : page_size * 2 + 1500] = b"\xab" * 1500
    else:
        data = data[:100]
    path.write_bytes(bytes(data))

    with pytest.raises(DatabaseProblem) as excinfo:
        open_database(sqlite_url(path))

    assert "损坏" in excinfo.value.message or "完整性检查" in excinfo.value.message
    assert path.read_bytes() == bytes(data)


def test_other_programs_database_refused_untouched(tmp_path: Path):
    path = tmp_path / "station.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('张三', '13812345678')")
    before = sha256(path)

    with pytest.raises(DatabaseProblem, match="其他程序的数据表"):
        open_database(sqlite_url(path))

    assert sha256(path) == before
    with closing(sqlite3.connect(path)) as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == {"contacts"}


# --- upgrading older databases -----------------------------------------------------------------
@pytest.mark.parametrize("old_revision", [r for r in revisions() if r != head_revision()])
def test_every_older_revision_upgrades_to_head(tmp_path: Path, old_revision: str):
    """A database left at any earlier revision is backed up, then brought to head matching the models.

    (Today 0001 is the only revision, so pytest reports this as an empty parameter set.)
    """
    path = tmp_path / "station.db"
    database = Database(sqlite_url(path))
    upgrade(database.engine, old_revision)
    database.dispose()

    database = open_database(sqlite_url(path), backup_dir=tmp_path / "backups")
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []
    database.dispose()
    assert len(list((tmp_path / "backups").glob(f"station-before-upgrade-{old_revision}-*.db"))) == 1


def test_older_database_backed_up_before_upgrade_and_data_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """With one revision there is no real older schema yet: the database reports itself one
    revision behind (schema_state patched) so the backup-then-upgrade path runs for real."""
    path = tmp_path / "station.db"
    make_station_db(path)
    real_head = head_revision()
    upgrades: list[str] = []
    real_upgrade = db_module.upgrade

    def older_state(engine):
        return SchemaState(current=real_head, head="ffff_next")

    def spy_upgrade(engine, revision="head"):
        # The backup must already exist when the upgrade starts.
        upgrades.append(revision)
        assert list((tmp_path / "backups").glob("*.db")), "upgrade started before a backup was kept"
        real_upgrade(engine, revision)

    monkeypatch.setattr(db_module, "schema_state", older_state)
    monkeypatch.setattr(db_module, "upgrade", spy_upgrade)

    database = open_database(sqlite_url(path), backup_dir=tmp_path / "backups")
    with database.session(write=False) as session:
        assert session.scalar(select(Volunteer.name)) == "张三丰"
    database.dispose()

    assert upgrades == ["head"]
    backups = list((tmp_path / "backups").glob(f"station-before-upgrade-{real_head}-*.db"))
    assert len(backups) == 1
    with closing(sqlite3.connect(backups[0])) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT name, phone FROM volunteers").fetchall() == [("张三丰", "13812345678")]
        assert conn.execute("SELECT code FROM stations").fetchall() == [("SQ0101",)]
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(real_head,)]


def test_current_database_opened_without_backup(tmp_path: Path):
    path = tmp_path / "station.db"
    make_station_db(path)
    database = open_database(sqlite_url(path), backup_dir=tmp_path / "backups")
    database.dispose()
    assert not (tmp_path / "backups").exists()


def test_server_database_upgrade_warns_instead_of_copying(pg_url: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture):
    open_database(pg_url).dispose()
    monkeypatch.setattr(db_module, "schema_state", lambda engine: SchemaState(current=head_revision(), head="ffff"))
    with caplog.at_level(logging.WARNING, logger="station_app.db"):
        open_database(pg_url, backup_dir=tmp_path / "backups").dispose()
    assert "back it up" in caplog.text
    assert not (tmp_path / "backups").exists()


# --- units of work ---------------------------------------------------------------------------------
def _cities(database: Database) -> list[str]:
    with database.session(write=False) as session:
        return sorted(session.scalars(select(City.name)))


def test_error_in_unit_of_work_writes_nothing(db: Database):
    with pytest.raises(RuntimeError), db.session() as session:
        session.add(City(name="中山市"))
        session.flush()
        session.add(City(name="珠海市"))
        raise RuntimeError("the user's action failed half-way")
    assert _cities(db) == []


def test_unit_of_work_commits_on_success(db: Database):
    with db.session() as session:
        session.add(City(name="中山市"))
    assert _cities(db) == ["中山市"]


def test_read_only_unit_of_work_keeps_nothing(db: Database):
    with db.session(write=False) as session:
        session.add(City(name="中山市"))
        session.flush()
    assert _cities(db) == []


def test_savepoint_rolls_back_only_the_inner_part(db: Database):
    with db.session() as session:
        session.add(City(name="中山市"))
        session.flush()
        with pytest.raises(RuntimeError), session.begin_nested():
            session.add(City(name="珠海市"))
            session.flush()
            raise RuntimeError("inner step failed")
        with session.begin_nested():
            session.add(City(name="江门市"))
        assert session.scalar(select(func.count()).select_from(City)) == 2
    assert _cities(db) == sorted(["中山市", "江门市"])
