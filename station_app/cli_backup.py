"""``station-app backup`` and ``station-app restore``: copies of the SQLite database for administrators and scheduled jobs.

These work at the file level, without a login (as ``verify`` does): whoever can run them against the
file can read and replace it anyway, and a damaged database may not let anyone log in. A scheduled
job (Windows Task Scheduler, cron) can run ``station-app backup --to D:\\备份\\station.db`` nightly.
A restore is audited in the restored database under the system user's name. A PostgreSQL database
is backed up on the server with pg_dump; both commands say so and do nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import config
from .i18n import _


def _database_file(args: argparse.Namespace) -> Path:
    from .services import backup

    return backup.sqlite_file(config.database_url(args.database))


def _describe(info) -> str:  # noqa: ANN001 - a backup.BackupInfo
    volunteers = "—" if info.volunteers is None else str(info.volunteers)
    return _("{t}  {k}  {s}  站点：{st}  志愿者 {n} 人").format(
        t=info.made_at.strftime("%Y-%m-%d %H:%M:%S"), k=info.kind_label, s=info.size_text, st=info.station_name or "—",
        n=volunteers,
    )


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the database into its backups folder (or ``--to FILE``); ``--list`` lists the copies there."""
    from .services import backup

    path = _database_file(args)
    if args.list:
        found = backup.list_backups(path)
        print(_("备份文件夹：{d}").format(d=backup.backup_dir_for(path)))
        if not found:
            print("  " + _("（还没有备份）"))
        for info in found:
            line = f"  {info.path.name}  " + _describe(info)
            if info.problem:
                line += "  " + _("不可用：{p}").format(p=info.problem)
            print(line)
        return 0
    info = backup.make_backup(path, backup.MANUAL, to=Path(args.to) if args.to else None)
    print(_("已备份到：{f}").format(f=info.path))
    print("  " + _describe(info))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database with a backup, keeping the current file; a file that is not a backup is refused."""
    from .services import backup

    path = _database_file(args)
    source = Path(args.file)
    info = backup.check_backup_file(source)  # refused with the reason before anything is asked or changed
    report = backup.integrity_check(path)
    print(_("将用备份 {f} 替换数据库 {d}：").format(f=source, d=path))
    print("  " + _("备份：") + _describe(info))
    print("  " + _("当前数据库会先另存到 {b}（文件名含 -replaced-），不会删除。").format(b=backup.backup_dir_for(path)))
    if not report.ok:
        print("  " + _("当前数据库检查未通过：") + "；".join(report.problems))
    print("  " + _("恢复前请关闭所有正在使用这个数据库的程序窗口。"))
    if not args.yes:
        print(_("确定恢复吗？输入 yes 继续："), end="", flush=True)
        if sys.stdin.readline().strip().lower() not in ("yes", "y", "是"):
            print(_("已取消，数据库没有改动。"))
            return 1
    result = backup.restore(config.database_url(args.database), source, damaged=not report.ok)
    print(_("已恢复。原来的数据库已另存为：{f}").format(f=result.replaced))
    return 0


def add_parsers(sub: argparse._SubParsersAction, *_unused: object) -> None:
    p = sub.add_parser("backup", help=_("备份数据库到备份文件夹（或 --to 指定的文件）；--list 列出已有备份"))
    p.add_argument("--to", metavar="FILE", help=_("备份到这个文件（例如 U 盘上），默认放在数据库旁的 backups 文件夹"))
    p.add_argument("--list", action="store_true", help=_("列出备份文件夹中的备份：时间、类型、大小、站点和志愿者人数"))
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help=_("用备份文件恢复数据库（当前数据库先另存，不会删除）；不是备份的文件会被拒绝"))
    p.add_argument("file", metavar="FILE", help=_("备份文件（.db）"))
    p.add_argument("--yes", action="store_true", help=_("不再询问，直接恢复（用于脚本）"))
    p.set_defaults(func=cmd_restore)

