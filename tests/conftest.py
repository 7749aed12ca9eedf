"""Shared fixtures: a fresh database per test, on SQLite and (where there is one) PostgreSQL."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import time_machine
from reportlab import rl_config
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from station_app.db import Database, open_database
from station_app.services.auth import Actor, Role, create_user
from station_app.services.stations import StationSetup, initialise_station

rl_config.invariant = 1

PG_URL = os.environ.get("STATION_APP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
ADMIN_PASSWORD = "station-2014"

# The suite runs for minutes. Modules take "today" when they are imported, and a run that crossed
# midnight saw it change under them (a visit "tomorrow" became today). The clock starts at 10:00 of
# the day the run starts and keeps ticking, so every test of one run lives on one date.
_one_day = time_machine.travel(datetime.combine(date.today(), time(10, 0)), tick=True)


def pytest_configure(config: pytest.Config) -> None:
    _one_day.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    _one_day.stop()
    previews = sys.modules.get("station_app.ui.printing.pdf_pages")
    if previews is not None:  # as the program does at exit: previews left open by widgets under test
        previews.close_all()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test does touches the real user data directory."""
    monkeypatch.setenv("STATION_APP_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("STATION_APP_DATABASE_URL", raising=False)


def _pg_available() -> str | None:
    """None if PostgreSQL answers, else the reason it does not."""
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]


_pg_reason: list[str | None] = []


@contextmanager
def pg_schema() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards (skips where there is none)."""
    if not _pg_reason:
        _pg_reason.append(_pg_available())
    if _pg_reason[0] is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable: {_pg_reason[0]}")
        pytest.skip(f"no PostgreSQL at {PG_URL}: {_pg_reason[0]}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'station.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> Iterator[Database]:
    database = open_database(db_url, backup_dir=tmp_path / "backups")
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """SQLite only: for GUI tests and file-level behaviour."""
    database = open_database(f"sqlite:///{tmp_path / 'station.db'}", backup_dir=tmp_path / "backups")
    yield database
    database.dispose()


def setup_station(database: Database) -> Actor:
    """A station set up as on first start; returns its administrator."""
    with database.session() as session:
        station_id = initialise_station(
            session,
            StationSetup(
                city="中山市", town="石岐街道", community="仁厚社区", station_name="康华花园物业志愿服务站",
                station_code="SQ0101", address="中山市石岐街道康华路1号", contact_person="陈站长",
                contact_phone="0760-88123456", admin_username="admin", admin_display_name="陈站长",
                admin_password=ADMIN_PASSWORD, admin_password_confirm=ADMIN_PASSWORD,
            ),
        )
    with database.session() as session:
        from sqlalchemy import select

        from station_app.models import User

        user = session.scalar(select(User).where(User.username == "admin"))
        return Actor(user.id, user.username, user.display_name, Role.ADMIN, station_id)


def add_user(database: Database, admin: Actor, username: str, role: Role) -> Actor:
    with database.session() as session:
        user_id = create_user(session, admin, username=username, display_name=username, role=role,
                              password="password-1", station_id=admin.station_id)
    return Actor(user_id, username, username, role, admin.station_id)


@pytest.fixture
def admin(db: Database) -> Actor:
    return setup_station(db)


@pytest.fixture
def clerk(db: Database, admin: Actor) -> Actor:
    return add_user(db, admin, "clerk", Role.CLERK)


@pytest.fixture
def viewer(db: Database, admin: Actor) -> Actor:
    return add_user(db, admin, "viewer", Role.VIEWER)
