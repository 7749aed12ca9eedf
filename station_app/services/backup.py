"""Backups of the SQLite database: consistent copies, rotation, restore, and the start-up checks.

Copies are made with SQLite's online backup API only (never a file copy of a live database): it
reads one consistent snapshot while the program, or another connection, keeps working. Each copy
is written under a temporary name, turned into a self-contained single file (journal mode DELETE),
checked with ``PRAGMA quick_check`` and only then given its name, so a half-written or bad copy
never looks like a backup.

Where: a ``backups`` folder beside the database file (for the default database that is the
``backups`` folder of the data directory, where start-up upgrades keep their copies too). Names
tell what a copy is: ``<stem>-auto-<stamp>.db``, ``<stem>-manual-<stamp>.db``,
``<stem>-before-upgrade-<rev>-<stamp>.db`` (made by ``db.open_database``) and
``<stem>-replaced-<stamp>.db`` (the database a restore replaced). ``<stamp>`` is local time,
``YYYYmmdd-HHMMSS``.

Rotation (automatic copies only): the newest ``KEEP_NEWEST`` are kept, and besides them the newest
automatic copy of each of the last ``KEEP_MONTHS`` calendar months (this one included); the rest
are deleted. Manual, before-upgrade and replaced copies are never deleted by the program.

A PostgreSQL database (the city-wide mode) is backed up by the server's administrator with
``pg_dump``; here every function that would copy or restore says so and does nothing.

Permissions: ``backup_now`` and ``restore`` with an actor need ``Permission.BACKUP`` and are audited.
The file-level functions (``make_backup``, ``restore_file``) are for callers that already work at
the file level: the command line and the start-up dialog, where whoever runs them can read and
replace the file anyway (and a damaged database may not let anyone log in).
"""

from __future__ import annotations

import getpass
import logging
import os
import platform
import re
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PureWindowsPath

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ..db import SQLITE_HEADER, Database, alembic_config, open_database, sqlite_path
from ..errors import DatabaseProblem, StationError
from ..i18n import _
from . import audit
from .auth import Actor, Permission, Role, require

log = logging.getLogger(__name__)

AUTO = "auto"
MANUAL = "manual"
UPGRADE = "before-upgrade"
REPLACED = "replaced"
KIND_LABELS = {
    AUTO: _("自动备份"),
    MANUAL: _("手动备份"),
    UPGRADE: _("升级前的副本"),
    REPLACED: _("恢复前被替换的数据库"),
}

KEEP_NEWEST = 10  # automatic copies always kept
KEEP_MONTHS = 12  # and the newest automatic copy of each of the last 12 months
AUTO_INTERVAL = timedelta(days=1)  # a start-up copy when the newest automatic one is older than this

STAMP_FORMAT = "%Y%m%d-%H%M%S"
_NAME = re.compile(
    r"^(?P<stem>.+?)-(?P<kind>auto|manual|replaced|before-upgrade-(?P<rev>[^-]+))"
    r"-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.db$"
)
# Tables only this program's database has (with alembic's version table).
OUR_TABLES = frozenset({"alembic_version", "stations", "volunteers", "users", "audit_log"})


# --- where ---------------------------------------------------------------------------------------
def sqlite_file(url: str) -> Path:
    """The database file behind ``url``; a server database is refused with what to do instead."""
    if make_url(url).get_backend_name() != "sqlite":
        raise StationError(
            _("当前使用的是服务器数据库（PostgreSQL，全市共用模式）：备份由服务器管理员负责，"
              "请用 pg_dump 定期备份（例如 pg_dump -Fc -f station.dump 数据库名），用 pg_restore 恢复。"
              "本程序不复制也不恢复服务器数据库。")
        )
    path = sqlite_path(url)
    if path is None:
        raise StationError(_("内存数据库没有文件，无法备份。"))
    return path


def backup_dir_for(db_path: Path) -> Path:
    """The ``backups`` folder beside the database file."""
    return db_path.parent / "backups"


# --- what a copy is ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # AUTO, MANUAL, UPGRADE, REPLACED, or "" for a file chosen by the user
    made_at: datetime  # local time
    size: int  # bytes
    station_name: str | None = None
    volunteers: int | None = None
    revision: str | None = None
    problem: str | None = None  # why the file cannot be restored (list_backups only)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, _("备份文件"))

    @property
    def size_text(self) -> str:
        return size_text(self.size)


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _parse_name(path: Path) -> tuple[str, str, datetime] | None:
    """(stem, kind, time) from a backup file's name, or None for other files."""
    m = _NAME.match(path.name)
    if m is None:
        return None
    try:
        made = datetime.strptime(m["stamp"], STAMP_FORMAT)
    except ValueError:
        return None
    kind = UPGRADE if m["rev"] else m["kind"]
    return m["stem"], kind, made


def _connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _read_details(path: Path) -> tuple[str | None, str | None, int | None]:
    """(revision, home station name, its volunteers) read from a copy; raises sqlite3 errors."""
    with closing(_connect_ro(path)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not OUR_TABLES <= tables:
            return None, None, None
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        columns = {r[1] for r in conn.execute("PRAGMA table_info(stations)")}
        home = "WHERE imported_at IS NULL " if "imported_at" in columns else ""
        station = conn.execute(f"SELECT id, name FROM stations {home}ORDER BY id LIMIT 1").fetchone()
        volunteers = None
        if station is not None:
            volunteers = conn.execute("SELECT count(*) FROM volunteers WHERE station_id = ?", (station[0],)).fetchone()[0]
        return (revision[0] if revision else None), (station[1] if station else None), volunteers


def _info(path: Path, kind: str, made: datetime) -> BackupInfo:
    size = path.stat().st_size
    try:
        revision, station, volunteers = _read_details(path)
    except sqlite3.DatabaseError as exc:
        return BackupInfo(path, kind, made, size, problem=_("无法读取：{e}").format(e=exc))
    problem = None if revision else _("不是本程序的数据库")
    return BackupInfo(path, kind, made, size, station, volunteers, revision, problem)


def list_backups(db_path: Path, backup_dir: Path | None = None) -> list[BackupInfo]:
    """The copies of this database in its backups folder, newest first."""
    folder = backup_dir or backup_dir_for(db_path)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.db"):
        parsed = _parse_name(path)
        if parsed is None or parsed[0] != db_path.stem or not path.is_file():
            continue
        found.append(_info(path, parsed[1], parsed[2]))
    return sorted(found, key=lambda b: (b.made_at, b.path.name), reverse=True)


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_backup_file(path: Path) -> BackupInfo:
    """The file's details if it can be restored; otherwise StationError with the reason (nothing written)."""
    path = Path(path)
    if not path.is_file():
        raise StationError(_("找不到文件 {f}。").format(f=path))
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise StationError(
            _("文件 {f} 不是本程序的备份：它不是 SQLite 数据库文件（可能是表格、文档或其他文件）。").format(f=path.name)
        )
    try:
        with closing(_connect_ro(path)) as conn:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
    except sqlite3.DatabaseError as exc:
        raise StationError(_("备份文件 {f} 已损坏，无法读取（{e}），不能用它恢复。").format(f=path.name, e=exc)) from exc
    if result != ["ok"]:
        raise StationError(
            _("备份文件 {f} 已损坏（完整性检查未通过：{d}），不能用它恢复。").format(f=path.name, d="；".join(result)[:200])
        )
    try:
        revision, station, volunteers = _read_details(path)
    except sqlite3.DatabaseError as exc:
        raise StationError(_("备份文件 {f} 无法读取（{e}），不能用它恢复。").format(f=path.name, e=exc)) from exc
    if revision is None:
        raise StationError(
            _("文件 {f} 是一个 SQLite 数据库，但不是本程序的备份（没有本程序的数据表），不能用它恢复。").format(f=path.name)
        )
    if revision not in known_revisions():
        raise StationError(
            _("备份文件 {f} 由更新版本的程序创建（结构版本 {rev}），当前程序无法使用它。请先安装新版本的程序再恢复。").format(
                f=path.name, rev=revision
            )
        )
    parsed = _parse_name(path)
    kind, made = (parsed[1], parsed[2]) if parsed else ("", datetime.fromtimestamp(path.stat().st_mtime))
    return BackupInfo(path, kind, made, path.stat().st_size, station, volunteers, revision)


# --- making copies -------------------------------------------------------------------------------
def _target(folder: Path, stem: str, kind: str, now: datetime) -> Path:
    base = f"{stem}-{kind}-{now.strftime(STAMP_FORMAT)}"
    target = folder / f"{base}.db"
    n = 2
    while target.exists():
        target = folder / f"{base}-{n}.db"
        n += 1
    return target


def _copy(source: Path, target: Path) -> None:
    """A consistent, checked, self-contained copy of ``source`` at ``target`` (all or nothing)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(str(source), timeout=30)) as src, closing(sqlite3.connect(str(partial))) as dst:
            src.backup(dst)  # one step: one read transaction, one consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            check = dst.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise StationError(_("数据库的完整性检查未通过，备份没有完成。请用“系统 → 备份与恢复”从较早的备份恢复。"))
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise StationError(_("备份没有完成：{e}").format(e=exc)) from exc
    except OSError as exc:
        raise StationError(_("无法写入备份文件 {f}：{e}").format(f=target, e=exc.strerror or exc)) from exc
    finally:
        for leftover in (partial, Path(str(partial) + "-journal")):
            with suppress(OSError):
                leftover.unlink(missing_ok=True)


def make_backup(db_path: Path, kind: str = MANUAL, *, to: Path | None = None, now: datetime | None = None,
                backup_dir: Path | None = None) -> BackupInfo:
    """Copy the database (file level: no permission check, no audit). ``to``: a file of the user's choosing."""
    if not db_path.is_file() or db_path.stat().st_size == 0:
        raise StationError(_("找不到数据库文件 {f}，没有可备份的数据。").format(f=db_path))
    now = (now or datetime.now()).replace(microsecond=0)
    if to is not None:
        target = Path(to)
        if target.suffix.lower() != ".db":
            target = target.with_name(target.name + ".db")
        if target.resolve() == db_path.resolve():
            raise StationError(_("备份文件不能就是数据库文件本身，请换一个文件名。"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StationError(_("无法创建文件夹 {f}：{e}").format(f=target.parent, e=exc.strerror or exc)) from exc
    else:
        folder = backup_dir or backup_dir_for(db_path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StationError(_("无法创建备份文件夹 {f}：{e}").format(f=folder, e=exc.strerror or exc)) from exc
        target = _target(folder, db_path.stem, kind, now)
    _copy(db_path, target)
    log.info("backed up the database (%s): %s", kind, target)
    return _info(target, kind if to is None else "", now)


def rotate(db_path: Path, now: datetime | None = None, backup_dir: Path | None = None) -> list[Path]:
    """Delete the automatic copies the policy no longer keeps (see the module doc); returns them."""
    now = now or datetime.now()
    autos = [b for b in list_backups(db_path, backup_dir) if b.kind == AUTO]  # newest first
    keep = {b.path for b in autos[:KEEP_NEWEST]}
    months_seen: set[tuple[int, int]] = set()
    this_month = now.year * 12 + now.month - 1
    for b in autos:
        month = (b.made_at.year, b.made_at.month)
        age = this_month - (b.made_at.year * 12 + b.made_at.month - 1)
        if month not in months_seen and 0 <= age < KEEP_MONTHS:
            keep.add(b.path)
        months_seen.add(month)
    removed = []
    for b in autos:
        if b.path not in keep:
            try:
                b.path.unlink()
                removed.append(b.path)
            except OSError as exc:
                log.warning("could not delete an old automatic backup %s: %s", b.path.name, exc)
    return removed


def _initialised(db_path: Path) -> bool:
    try:
        with closing(_connect_ro(db_path)) as conn:
            return bool(conn.execute("SELECT count(*) FROM stations").fetchone()[0])
    except sqlite3.Error:
        return False


def automatic_backup(url: str, *, at_close: bool = False, now: datetime | None = None) -> BackupInfo | None:
    """The automatic copy: at start-up when the newest automatic one is older than a day, always at close.

    Nothing for a server database, a missing file or a station not yet set up; then old automatic
    copies are rotated away. Never raises: a failed automatic backup is logged, and the program goes on.
    """
    path = sqlite_path(url)
    if path is None or not path.is_file() or not _initialised(path):
        return None
    now = now or datetime.now()
    try:
        if not at_close:
            newest = next((b for b in list_backups(path) if b.kind == AUTO), None)
            if newest is not None and now - newest.made_at < AUTO_INTERVAL:
                return None
        info = make_backup(path, AUTO, now=now)
        rotate(path, now)
        return info
    except StationError as exc:
        log.warning("automatic backup failed: %s", exc.message)
        return None


def backup_now(db: Database, actor: Actor, *, to: Path | None = None) -> BackupInfo:
    """A manual copy (into the backups folder, or ``to``), by a user allowed to; audited."""
    require(actor, Permission.BACKUP)
    path = sqlite_file(db.url)
    info = make_backup(path, MANUAL, to=to)
    with db.session() as session:
        audit.record(session, actor, "backup", "database", None, summary=_("备份到 {f}").format(f=info.path.name))
    return info


# --- restoring -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RestoreResult:
    restored: BackupInfo  # the backup now in place
    replaced: Path  # where the database it replaced is kept


def _side_files(path: Path) -> list[Path]:
    return [Path(str(path) + suffix) for suffix in ("-wal", "-shm", "-journal")]


def restore_file(db_path: Path, source: Path, *, damaged: bool = False, now: datetime | None = None,
                 backup_dir: Path | None = None) -> RestoreResult:
    """Put ``source`` in place of the database, keeping the current file as a ``-replaced-`` copy.

    File level (no permission check, no audit). The source is checked first; a file that is not a
    good backup is refused and nothing changes. Normally both steps use the backup API: the current
    database is copied out, then the backup is copied in in one write transaction (if that fails,
    SQLite rolls the file back). ``damaged``: the current file is corrupt and nothing has it open (the
    start-up dialog): it cannot be read page by page, so it is moved aside whole (with its -wal) and
    the backup is copied into a new file that then takes its place; on any failure it is moved back.
    """
    source = Path(source)
    info = check_backup_file(source)
    if db_path.exists() and source.resolve() == db_path.resolve():
        raise StationError(_("不能用正在使用的数据库文件本身来恢复，请选择一个备份文件。"))
    now = now or datetime.now()
    folder = backup_dir or backup_dir_for(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StationError(_("无法创建备份文件夹 {f}：{e}").format(f=folder, e=exc.strerror or exc)) from exc
    replaced = _target(folder, db_path.stem, REPLACED, now)
    if damaged or not db_path.exists():
        _restore_by_moving(db_path, source, replaced)
    else:
        _copy(db_path, replaced)  # refuses (nothing changed) if the current file cannot be copied
        try:
            _copy_into(source, db_path)
        except (StationError, sqlite3.Error, OSError) as exc:
            replaced.unlink(missing_ok=True)  # nothing was replaced: no copy to keep
            if isinstance(exc, StationError):
                raise
            raise StationError(_("恢复没有完成（{e}），当前数据库没有改动。").format(e=exc)) from exc
        with closing(_connect_ro(db_path)) as conn:
            check = conn.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            _put_back(db_path, replaced)
            raise StationError(_("恢复后的数据库完整性检查未通过，已换回原来的数据库。"))
    log.info("restored the database from %s; the replaced one is kept as %s", source.name, replaced.name)
    return RestoreResult(info, replaced)


def _copy_into(source: Path, db_path: Path) -> None:
    """The backup API into the live file: one write transaction, rolled back by SQLite if it fails."""
    with closing(_connect_ro(source)) as src, closing(sqlite3.connect(str(db_path), timeout=30)) as dst:
        try:
            src.backup(dst)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StationError(
                    _("数据库正被其他程序使用（可能另一个窗口或电脑开着本程序），恢复没有进行，当前数据库没有改动。"
                      "请先关闭其他正在使用它的程序。")
                ) from exc
            raise


def _restore_by_moving(db_path: Path, source: Path, replaced: Path) -> None:
    fresh = db_path.with_name(db_path.name + ".restoring")
    for leftover in [fresh, *_side_files(fresh)]:
        leftover.unlink(missing_ok=True)
    moved: list[tuple[Path, Path]] = []
    try:
        with closing(_connect_ro(source)) as src, closing(sqlite3.connect(str(fresh))) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        if db_path.exists():
            os.replace(db_path, replaced)
            moved.append((replaced, db_path))
            for side, kept in zip(_side_files(db_path), _side_files(replaced), strict=True):
                if side.exists():
                    os.replace(side, kept)
                    moved.append((kept, side))
        os.replace(fresh, db_path)
    except (sqlite3.Error, OSError) as exc:
        for kept, original in reversed(moved):
            with suppress(OSError):
                os.replace(kept, original)
        raise StationError(_("恢复没有完成（{e}），原来的数据库文件没有改动。").format(e=exc)) from exc
    finally:
        for leftover in [fresh, *_side_files(fresh)]:
            with suppress(OSError):
                leftover.unlink(missing_ok=True)


def _put_back(db_path: Path, replaced: Path) -> None:
    """Undo a restore whose result could not be opened: the replaced database goes back in place."""
    try:
        _copy_into(replaced, db_path)
    except (StationError, sqlite3.Error, OSError):
        for side in _side_files(db_path):
            side.unlink(missing_ok=True)
        os.replace(replaced, db_path)


def _home_station_id(session: Session) -> int | None:
    from ..models import Station

    return session.scalar(select(Station.id).where(Station.imported_at.is_(None)).order_by(Station.id).limit(1))


def command_line_user() -> str:
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name from the system: still audited
        who = "?"
    return _("命令行（{u}）").format(u=who)[:50]


def restore(url: str, source: Path, actor: Actor | None = None, *, damaged: bool = False) -> RestoreResult:
    """Restore the database at ``url`` from ``source``, upgrade it if it is older, and audit it there.

    With an actor (the GUI) ``Permission.BACKUP`` is required; without one the caller works at the
    file level (command line, start-up dialog) and the entry names the system user. The caller must
    have closed its own engine first and must open the database anew afterwards: the data, users and
    passwords are now the backup's.
    """
    if actor is not None:
        require(actor, Permission.BACKUP)
    path = sqlite_file(url)
    result = restore_file(path, source, damaged=damaged)
    try:
        db = open_database(url, backup_dir=backup_dir_for(path))
    except DatabaseProblem as exc:
        _put_back(path, result.replaced)
        raise StationError(
            _("恢复后的数据库无法打开（{e}），已换回原来的数据库。").format(e=exc.message)
        ) from exc
    try:
        with db.session() as session:
            station_id = _home_station_id(session)
            # The restored database has its own users: the entry names the person, not an account id.
            who = Actor(None, actor.username if actor else command_line_user(), "", actor.role if actor else Role.ADMIN,
                        station_id)
            audit.record(session, who, "restore", "database", None,
                         summary=_("从 {f} 恢复；原数据库另存为 {r}").format(f=source.name, r=result.replaced.name))
    finally:
        db.dispose()
    return result


# --- start-up checks -----------------------------------------------------------------------------
@dataclass(frozen=True)
class IntegrityReport:
    path: Path
    problems: tuple[str, ...]
    newest_good: BackupInfo | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def explanation(self) -> str:
        """What happened and what to do, for the start-up dialog."""
        if self.ok:
            return ""
        lines = [_("数据库文件 {f} 检查未通过：").format(f=self.path)]
        lines += [f"  • {p}" for p in self.problems]
        lines.append("")
        lines.append(_("这通常是电脑突然断电、硬盘故障，或文件被其他程序改动造成的。程序没有改动这个文件。"))
        if self.newest_good is not None:
            b = self.newest_good
            lines.append(
                _("建议从最近一份完好的备份恢复：{f}（{t}，{k}，站点“{s}”，志愿者 {n} 人）。"
                  "恢复前，损坏的文件会另存到备份文件夹，不会删除；备份之后录入的数据需要重新录入。").format(
                    f=b.path.name, t=b.made_at.strftime("%Y-%m-%d %H:%M"), k=b.kind_label,
                    s=b.station_name or "—", n=b.volunteers if b.volunteers is not None else "—",
                )
            )
        else:
            lines.append(
                _("备份文件夹 {d} 中没有可用的备份。请不要再使用这个文件，把它复制一份交给技术人员，"
                  "或找到以前复制到 U 盘等处的备份，用“station-app restore 文件”恢复。").format(d=backup_dir_for(self.path))
            )
        return "\n".join(lines)


def newest_good_backup(db_path: Path) -> BackupInfo | None:
    for b in list_backups(db_path):
        if b.problem:
            continue
        try:
            return check_backup_file(b.path)
        except StationError:
            continue
    return None


def integrity_check(db_path: Path, *, full: bool = False) -> IntegrityReport:
    """Check the database file (quick_check, or integrity_check when ``full``, and foreign_key_check).

    Reads only. A missing or empty file is fine (a new database will be made). When something is
    wrong the report names the newest backup that passes the check.
    """
    if not db_path.exists() or db_path.stat().st_size == 0:
        return IntegrityReport(db_path, ())
    problems: list[str] = []
    with db_path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        problems.append(_("文件开头不是 SQLite 数据库的标记：它不是数据库文件，或已被其他内容覆盖。"))
    else:
        try:
            with closing(_connect_ro(db_path)) as conn:
                pragma = "integrity_check(20)" if full else "quick_check(20)"
                result = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
                if result != ["ok"]:
                    problems.append(_("完整性检查发现 {n} 处问题，例如：{d}").format(n=len(result), d=result[0][:120]))
                else:
                    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        tables = sorted({row[0] for row in broken})
                        problems.append(
                            _("有 {n} 条记录引用了不存在的数据（外键检查未通过，涉及：{t}）。").format(
                                n=len(broken), t="、".join(tables[:5])
                            )
                        )
        except sqlite3.DatabaseError as exc:
            if "malformed" in str(exc) or "not a database" in str(exc):
                problems.append(_("数据库文件的内部结构已损坏，无法读取（{e}）。").format(e=exc))
            else:
                problems.append(_("无法读取数据库：{e}").format(e=exc))
    if not problems:
        return IntegrityReport(db_path, ())
    return IntegrityReport(db_path, tuple(problems), newest_good_backup(db_path))


NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "sshfs", "fuse.sshfs", "afpfs", "webdav", "davfs",
    "fuse.davfs2", "ncpfs", "afs", "ceph", "glusterfs", "fuse.glusterfs", "fuse.rclone",
})
DRIVE_REMOTE = 4  # GetDriveTypeW


def _windows_drive_type(root: str) -> int:
    import ctypes

    return ctypes.windll.kernel32.GetDriveTypeW(root)  # type: ignore[attr-defined]


def _unescape_mount(field: str) -> str:
    """/proc/mounts writes spaces and tabs in paths as octal escapes (\\040)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), field)


def parse_mounts(text: str) -> list[tuple[str, str, str]]:
    """(device, mount point, filesystem type) from /proc/mounts or from macOS/BSD ``mount`` output."""
    mounts = []
    for line in text.splitlines():
        bsd = re.match(r"^(?P<dev>.+?) on (?P<mp>.+) \((?P<fs>[^,)]+)", line)
        if bsd:
            mounts.append((bsd["dev"], bsd["mp"], bsd["fs"].strip().lower()))
            continue
        parts = line.split()
        if len(parts) >= 3:
            mounts.append((_unescape_mount(parts[0]), _unescape_mount(parts[1]), parts[2].lower()))
    return mounts


def _mount_table(system: str) -> str:
    if system == "Linux":
        with suppress(OSError):
            return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    with suppress(OSError, subprocess.SubprocessError):
        return subprocess.run(["mount"], capture_output=True, text=True, timeout=5).stdout
    return ""


def _network_fs(path: Path, mounts: list[tuple[str, str, str]]) -> str | None:
    target = path.as_posix()
    best: tuple[str, str, str] | None = None
    for entry in mounts:
        mp = entry[1].rstrip("/") or "/"
        if target == mp or target.startswith(mp if mp == "/" else mp + "/"):
            if best is None or len(mp) > len(best[1].rstrip("/") or "/"):
                best = entry
    if best is None:
        return None
    device, _mp, fs = best
    if fs in NETWORK_FILESYSTEMS or fs.startswith(("nfs", "smb", "cifs")):
        return fs
    if fs.startswith("fuse") and ("sshfs" in device or device.startswith(("http://", "https://"))):
        return fs
    return None


def network_share_warning(
    path: Path | str,
    *,
    system: str | None = None,
    mounts: str | None = None,
    drive_type: Callable[[str], int] | None = None,
) -> str | None:
    """A warning when the database file lies on a network share, else None.

    Windows: a UNC path (\\\\server\\share) or a mapped drive that GetDriveTypeW calls remote.
    Linux/macOS: the filesystem type of the mount point holding the file (/proc/mounts or ``mount``).
    ``mounts`` and ``drive_type`` stand in for the system's in tests.
    """
    system = system or platform.system()
    kind: str | None = None
    text = str(path)
    if system == "Windows":
        win = PureWindowsPath(text)
        if text.startswith(("\\\\", "//")):
            kind = _("Windows 共享文件夹")
        elif win.drive and len(win.drive) == 2:
            try:
                remote = (drive_type or _windows_drive_type)(win.drive + "\\") == DRIVE_REMOTE
            except (OSError, AttributeError):
                remote = False
            if remote:
                kind = _("映射的网络驱动器 {d}").format(d=win.drive)
    else:
        resolved = Path(text).resolve() if mounts is None else Path(text)
        kind = _network_fs(resolved, parse_mounts(mounts if mounts is not None else _mount_table(system)))
    if kind is None:
        return None
    return _(
        "数据库文件 {f} 位于网络共享上（{k}）。SQLite 的预写日志（WAL）和文件锁在网络文件系统上不能可靠工作："
        "两台电脑同时打开，或网络中途断开，都可能损坏数据库。请把数据库放在本机硬盘上（可用 --database "
        "或环境变量 STATION_APP_DATA_DIR 指定位置），并定期把备份复制到 U 盘；多个站点共用数据请使用全市共用的 "
        "PostgreSQL 服务器。"
    ).format(f=text, k=kind)
