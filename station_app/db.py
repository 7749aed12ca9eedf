"""Opening the database: engines, units of work, and start-up upgrades.

SQLite is the default (one file, WAL, foreign keys on, durable commits). Any SQLAlchemy
URL works; PostgreSQL is the city-wide mode. At start-up an older schema is upgraded with
Alembic after a copy of the SQLite file is kept; a schema from a newer program is refused
and left untouched.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .errors import DatabaseProblem
from .i18n import _

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "station_app:migrations")
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    """An engine with the connection settings this program relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)

    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:  # noqa: ANN001
        # Let SQLAlchemy, not pysqlite, decide where transactions begin (SQLAlchemy's
        # documented recipe: makes SAVEPOINT and transactional DDL work).
        dbapi_conn.isolation_level = None
        with closing(dbapi_conn.cursor()) as cur:
            cur.execute("PRAGMA foreign_keys=ON")
            # FULL makes each commit durable in WAL mode too (survives a power cut).
            cur.execute("PRAGMA synchronous=FULL")

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


class Database:
    """An open database: hands out units of work (one per user action)."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite writers take the write lock up front, so two writers never deadlock.
        writer_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else self.engine
        self._writer = sessionmaker(writer_engine, expire_on_commit=False)

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error, always closes."""
        factory = self._writer if write else self._reader
        session = factory()
        try:
            yield session
            if write:
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: no program tables yet
    head: str

    @property
    def is_empty(self) -> bool:
        return self.current is None

    @property
    def needs_upgrade(self) -> bool:
        return self.current is not None and self.current != self.head


def _check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not a healthy SQLite database, without writing to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseProblem(
            _("文件 {path} 不是本程序的数据库（或已损坏），程序没有改动它。请检查文件路径，或从备份恢复。").format(
                path=path
            )
        )
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            result = conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseProblem(
            _("数据库文件 {path} 已损坏，无法打开（{detail}）。程序没有改动它，请从备份恢复。").format(
                path=path, detail=exc
            )
        ) from exc
    if not result or result[0] != "ok":
        raise DatabaseProblem(
            _("数据库文件 {path} 的完整性检查未通过，程序没有改动它。请从备份恢复。").format(path=path)
        )


def schema_state(engine: Engine) -> SchemaState:
    head = head_revision()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        if current is None:
            tables = set(inspect(conn).get_table_names())
            if tables:
                raise DatabaseProblem(
                    _("这个数据库里已有其他程序的数据表，不是本程序的数据库，程序没有改动它。")
                )
    return SchemaState(current=current, head=head)


def backup_sqlite(path: Path, target: Path) -> Path:
    """Copy a live SQLite database consistently (the backup API, never a file copy)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(str(path))) as src, closing(sqlite3.connect(str(target))) as dst:
        src.backup(dst)
    return target


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run migrations in one transaction (SQLite and PostgreSQL both have transactional DDL)."""
    cfg = alembic_config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # Batch migrations recreate tables, so foreign keys are checked after, not during.
            # The pragma only works outside a transaction: set it on the raw connection.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
                    raise DatabaseProblem(_("数据库升级后外键检查未通过，已撤销升级。"))
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


def open_database(url: str, *, backup_dir: Path | None = None) -> Database:
    """Open (creating or upgrading as needed) the database at ``url``.

    Raises DatabaseProblem, with a message for the user, when the database is corrupt,
    unreachable, not ours, or from a newer version of the program; it is then left as it was.
    """
    path = sqlite_path(url)
    if path is not None:
        _check_sqlite_file(path)
    engine = make_engine(url)
    try:
        state = schema_state(engine)
        known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        if state.current is not None and state.current not in known:
            raise DatabaseProblem(
                _("这个数据库由更新版本的程序创建（结构版本 {rev}），当前程序无法使用它。请安装新版本的程序；数据库没有被改动。").format(
                    rev=state.current
                )
            )
        if state.needs_upgrade:
            if path is not None:
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                target = (backup_dir or path.parent) / f"{path.stem}-before-upgrade-{state.current}-{stamp}.db"
                backup_sqlite(path, target)
                log.info("kept a copy of the database before upgrading it: %s", target)
            else:
                log.warning("upgrading a server database; back it up with the server's own tools first")
            upgrade(engine)
        elif state.is_empty:
            upgrade(engine)
        if path is not None:
            # Only now that the file is known to be ours: WAL is stored in the file itself.
            with engine.connect() as conn:
                conn.connection.dbapi_connection.execute("PRAGMA journal_mode=WAL")
    except DatabaseProblem:
        engine.dispose()
        raise
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise DatabaseProblem(
            _("无法打开数据库：{detail}").format(detail=str(getattr(exc, "orig", exc)).strip())
        ) from exc
    return Database(url, engine)
