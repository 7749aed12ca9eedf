"""The ``station-app`` command: the GUI by default, and subcommands for scripts and administrators."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from . import __version__, config
from .db import Database, open_database
from .errors import StationError
from .i18n import _

log = logging.getLogger("station_app")


def _setup_logging(verbose: bool) -> None:
    # Personal data never reaches the log: services log ids and counts, not names or numbers.
    console = logging.StreamHandler()
    # The console shows problems only (a script's output stays clean); the log file keeps INFO.
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handlers: list[logging.Handler] = [console]
    try:
        handlers.append(logging.FileHandler(config.data_dir() / "station-app.log", encoding="utf-8"))
    except OSError:
        pass
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
    )


def _open(args: argparse.Namespace) -> Database:
    return open_database(config.database_url(args.database), backup_dir=config.backups_dir())


def _read_password(args: argparse.Namespace, prompt: str) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(prompt)
    if getpass.getpass(_("再次输入密码：")) != first:
        raise StationError(_("两次输入的密码不一致。"))
    return first


def cmd_gui(args: argparse.Namespace) -> int:
    from .ui.app import run_gui

    return run_gui(config.database_url(args.database))


def cmd_init(args: argparse.Namespace) -> int:
    from .services.stations import StationSetup, initialise_station

    password = _read_password(args, _("管理员密码："))
    db = _open(args)
    with db.session() as session:
        initialise_station(
            session,
            StationSetup(
                city=args.city, town=args.town, community=args.community, station_name=args.station,
                station_code=args.code, address=args.address or "", contact_person=args.contact or "",
                contact_phone=args.phone or "", admin_username=args.admin,
                admin_display_name=args.admin_name or args.admin, admin_password=password,
                admin_password_confirm=password,
            ),
        )
    print(_("站点“{s}”已设置，管理员账号：{u}").format(s=args.station, u=args.admin))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .services.demo import DEMO_ADMIN, DEMO_PASSWORD, build_demo

    url = args.database or config.sqlite_url(config.data_dir() / "demo.db")
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if args.replace and path is not None and path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    db = open_database(url, backup_dir=config.backups_dir())
    try:
        def progress(done: int, total: int) -> None:
            print(_("\r已生成 {d}/{t} 名志愿者").format(d=done, t=total), end="", flush=True)

        build_demo(db, volunteers=args.volunteers, seed=args.seed, progress=progress, city=args.city)
    finally:
        db.dispose()
    print()
    print(_("演示数据库已生成：{url}").format(url=url))
    print(_("登录账号 {u}，密码 {p}").format(u=DEMO_ADMIN, p=DEMO_PASSWORD))
    if args.city:
        print(_("全市看板：市级管理员 city，镇区管理员 shiqi（石岐街道），密码同上"))
    print(_("打开方法：station-app --database {url}").format(url=url))
    return 0


def cmd_useradd(args: argparse.Namespace) -> int:
    from .services.auth import Role, authenticate, create_user

    db = _open(args)
    admin_password = getpass.getpass(_("管理员 {u} 的密码：").format(u=args.as_user)) if not args.password_stdin else sys.stdin.readline().rstrip("\n")
    password = _read_password(args, _("新账号的密码："))
    with db.session() as session:
        actor = authenticate(session, args.as_user, admin_password)
    with db.session() as session:
        if Role(args.role) in (Role.TOWN, Role.CITY):  # above the stations: made by a city administrator
            from .services import city

            city.create_admin(session, actor, username=args.username, display_name=args.display_name or args.username,
                              role=Role(args.role), password=password,
                              town_id=city.town_id_named(session, args.town) if args.town else None)
        else:
            create_user(session, actor, username=args.username, display_name=args.display_name or args.username,
                        role=Role(args.role), password=password, station_id=actor.station_id)
    print(_("已新建账号：{u}").format(u=args.username))
    return 0


def _read_login_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(_("用户 {u} 的密码：").format(u=args.as_user))


def _login(args: argparse.Namespace, db: Database):  # noqa: ANN202 - an Actor
    """Who a scripted command acts as: ``--as`` and a password typed or read from stdin."""
    from .services.auth import authenticate

    password = _read_login_password(args)
    with db.session() as session:
        return authenticate(session, args.as_user, password)


def cmd_overview(args: argparse.Namespace) -> int:
    """The Monday overview as text: unmet needs, matched share, longest-open needs, overdue visits."""
    from .services.overview import station_overview
    from .services.validation import parse_date

    today = parse_date(args.date, label=_("统计日期")) if args.date else date.today()
    db = _open(args)
    actor = _login(args, db)
    with db.session(write=False) as session:
        ov = station_overview(session, actor, today)
    share = "—" if ov.matched_share is None else f"{ov.matched_share:.0%}"
    print(_("需求总览（{d}）").format(d=today.isoformat()))
    print(_("未满足需求：{n} 条    已对接比例：{s}（{m}/{t}）    逾期未走访：{o} 户").format(
        n=ov.unmet_total, s=share, m=ov.matched_count, t=ov.not_closed_count, o=len(ov.overdue_visits)))
    print("  " + "  ".join(f"{s.label} {n}" for s, n in ov.status_counts.items()))
    print()
    print(_("未满足需求（重点对象类别 × 服务类别）："))
    if not ov.unmet_total:
        print("  " + _("（无）"))
    for row in ov.unmet_by_group:
        if row.total:
            cells = "、".join(f"{c.label} {row.counts[c.code]}" for c in ov.columns if row.counts.get(c.code))
            print(f"  {row.label}：{row.total}（{cells}）")
    print()
    print(_("等待最久的需求："))
    if not ov.longest_open:
        print("  " + _("（无）"))
    for need in ov.longest_open:
        print(f"  {need.recipient_name}  {need.what}  {need.status.label}  {need.urgency_label}  "
              + _("已等 {d} 天").format(d=need.days_open))
    print()
    print(_("逾期未走访："))
    if not ov.overdue_visits:
        print("  " + _("（无）"))
    for visit in ov.overdue_visits:
        last = visit.last_visit.isoformat() if visit.last_visit else _("从未走访")
        print(f"  {visit.name}  {'、'.join(visit.key_groups)}  " + _(
            "每 {i} 天  上次 {l}  应于 {due}  逾期 {d} 天").format(
            i=visit.interval_days, l=last, due=visit.due_on.isoformat(), d=visit.days_overdue))
    return 0


def cmd_poster(args: argparse.Namespace) -> int:
    """Print a recruitment notice as an A4 poster (PDF); without --id, list the notices."""
    from .reports.poster import recruitment_poster
    from .services.recruitment import list_recruitments, poster_data

    db = _open(args)
    actor = _login(args, db)
    if args.id is None:
        with db.session(write=False) as session:
            rows = list_recruitments(session, actor)
        if not rows:
            print(_("还没有发布过招募。"))
        for row in rows:
            print(f"{row.id:>5}  {row.title}  （{row.project_name}）  {row.status_label}  "
                  + _("已报 {u}/{n} 人，截止 {d}").format(u=row.slots_used, n=row.slots, d=row.deadline.isoformat()))
        return 0
    with db.session(write=False) as session:
        data = poster_data(session, actor, args.id)
    output = _write_pdf(args.output, f"招募海报-{args.id}.pdf", lambda path: recruitment_poster(data, path))
    print(_("已生成招募海报：{f}").format(f=output))
    return 0


def _write_pdf(requested: str | None, default: str, write: Callable[[Path], object]) -> Path:
    """Write a printout to ``requested`` (or ``default``), adding ``.pdf``; a file that can't be written is a clear error."""
    output = Path(requested or default)
    if output.suffix.lower() != ".pdf":
        output = output.with_name(output.name + ".pdf")
    try:
        write(output)
    except OSError as exc:
        raise StationError(_("无法写入文件 {f}：{e}").format(f=output, e=exc.strerror or exc)) from exc
    return output


def _period(args: argparse.Namespace, default_days: int) -> tuple[date, date]:
    from .services.validation import parse_date

    start = parse_date(args.date_from, label=_("开始日期")) if args.date_from else date.today()
    end = parse_date(args.date_to, label=_("结束日期")) if args.date_to else start + timedelta(days=default_days)
    if end < start:
        raise StationError(_("结束日期 {e} 早于开始日期 {s}。").format(e=end.isoformat(), s=start.isoformat()))
    return start, end


def cmd_training(args: argparse.Namespace) -> int:
    """List training sessions of a period, or print one session's sign-in sheet (签到表)."""
    from .reports.signin import signin_sheet
    from .services import training

    db = _open(args)
    actor = _login(args, db)
    if args.id is None:
        start, end = _period(args, 30)
        with db.session(write=False) as session:
            rows = training.list_sessions(session, actor, training.SessionFilter(starts_on=start, ends_on=end))
        print(_("培训场次（{s} 至 {e}）：").format(s=start.isoformat(), e=end.isoformat()))
        if not rows:
            print("  " + _("（无）"))
        for row in rows:
            print(f"{row.id:>5}  {training.when_text(row.starts_at, row.ends_at)}  {row.kind_label}  {row.topic}  "
                  + _("{status}，已报名 {n}/{cap} 人，学时 {h}").format(
                      status=row.status_label, n=row.enrolled, cap=row.capacity, h=training.hours_text(row.credit_minutes)))
        return 0
    with db.session(write=False) as session:
        sheet = training.signin_sheet_data(session, actor, args.id)
    output = _write_pdf(args.output, f"培训签到表-{args.id}.pdf", lambda path: signin_sheet(sheet, path))
    print(_("已生成培训签到表：{f}").format(f=output))
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    """List the activities of a period with their staffing, or print one activity's roster and sign-in sheet."""
    from .reports.activity_roster import activity_roster, roster_file_name
    from .services import activities

    db = _open(args)
    actor = _login(args, db)
    if args.id is None:
        start, end = _period(args, 6)
        with db.session(write=False) as session:
            rows = activities.list_activities(session, actor, activities.ActivityFilter(start=start, end=end))
        print(_("活动安排（{s} 至 {e}）：").format(s=start.isoformat(), e=end.isoformat()))
        if not rows:
            print("  " + _("（无）"))
        for row in sorted(rows, key=lambda r: (r.starts_at, r.id)):
            short = _("，还差 {n} 人").format(n=row.needed - row.assigned) if row.assigned < row.needed else ""
            print(f"{row.id:>5}  {activities.when_text(row.starts_at, row.ends_at)}  {row.title}  {row.place}  "
                  + _("{status}，已排 {a}/{n} 人").format(status=row.status_label, a=row.assigned, n=row.needed) + short)
        return 0
    with db.session(write=False) as session:
        data = activities.roster_data(session, actor, args.id)
    output = _write_pdf(args.output, roster_file_name(data), lambda path: activity_roster(data, path))
    print(_("已生成排班签到表：{f}").format(f=output))
    return 0


def cmd_festival_visit(args: argparse.Namespace) -> int:
    """“我们的节日”: create a festival visit for a key group from its template, as the GUI's dialog does."""
    from sqlalchemy import select

    from .models import KeyGroup
    from .services import activities
    from .services.festivals import FESTIVAL_NAMES

    by_name = {name: key for key, name in FESTIVAL_NAMES.items()}
    festival = by_name.get(args.festival, args.festival)
    db = _open(args)
    actor = _login(args, db)
    with db.session() as session:
        group_id = session.scalar(
            select(KeyGroup.id).where(KeyGroup.station_id == actor.station_id, KeyGroup.name == args.group)
        )
        if group_id is None:
            raise StationError(_("本站没有名为“{g}”的重点对象类别。").format(g=args.group))
        activity_id = activities.create_festival_activity(session, actor, festival, group_id, year=args.year)
        detail = activities.get_activity(session, actor, activity_id)
    print(_("已新建节日活动（编号 {id}）：{t}，{w}，{p}，服务对象 {n} 户").format(
        id=activity_id, t=detail.title, w=activities.when_text(detail.starts_at, detail.ends_at), p=detail.place,
        n=len(detail.recipients)))
    return 0


def cmd_festivals(args: argparse.Namespace) -> int:
    """The festivals and volunteer days of a year (lunar dates computed offline)."""
    from .services.festivals import check_year, festivals_between

    year = args.year or date.today().year
    check_year(year)
    print(_("{y} 年的节日：").format(y=year))
    weekdays = "一二三四五六日"
    for festival in festivals_between(date(year, 1, 1), date(year, 12, 31)):
        kind = _("传统节日") if festival.traditional else _("纪念日")
        print(f"  {festival.day.isoformat()}  " + _("周{w}").format(w=weekdays[festival.day.weekday()])
              + f"  {festival.name}（{kind}）")
    return 0


def _open_existing(args: argparse.Namespace) -> Database:
    """The database, which must already exist: checking a ledger never creates an empty one."""
    from .db import sqlite_path

    url = config.database_url(args.database)
    path = sqlite_path(url)
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        raise StationError(_("找不到数据库文件 {f}：请用 --database 指明要校验的数据库。").format(f=path))
    return _open(args)


def _given_checkpoints(args: argparse.Namespace):  # noqa: ANN202 - a list of chain.Checkpoint
    """Checkpoints from ``--checkpoint`` and ``--checkpoint-file`` (one a line; # starts a comment)."""
    from .services import chain

    lines = list(args.checkpoint or [])
    for name in args.checkpoint_file or []:
        try:
            lines += Path(name).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise StationError(_("无法读取检查点文件 {f}：{e}").format(f=name, e=exc.strerror or exc)) from exc
    return chain.parse_checkpoint_lines(lines)


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every station's evidence chain (and the checkpoints given); 0 intact, 1 problems.

    No login: the check reads hashes, positions and checkpoints, never personal data, so an auditor
    can run it on a copy of the database. It only reads.
    """
    from sqlalchemy import select

    from .models import Station
    from .services import chain

    given = _given_checkpoints(args)
    db = _open_existing(args)
    with db.session(write=False) as session:
        stations = session.execute(select(Station.id, Station.code, Station.name).order_by(Station.id)).all()
        if not stations:
            raise StationError(_("数据库中还没有站点，没有台账可校验。"))
        problems = 0
        for station_id, code, name in stations:
            mine = [c for c in given if not c.station_code or c.station_code == code or len(stations) == 1]
            report = chain.verify_chain(session, station_id, mine)
            problems += len(report.problems)
            _print_report(report, name, code)
    return 1 if problems else 0


def _print_report(report, name: str, code: str) -> None:  # noqa: ANN001 - a chain.VerifyReport
    from .services import chain

    fingerprint = chain.fingerprint(report.public_key) if report.public_key else _("（尚无签名密钥）")
    if report.ok:
        print(_("OK {name}（{code}）：台账完整，共 {n} 条，已核对检查点 {k} 个").format(
            name=name, code=code, n=report.count, k=report.checkpoints_checked))
    else:
        print(_("有问题 {name}（{code}）：发现 {p} 处问题，共 {n} 条").format(
            name=name, code=code, p=len(report.problems), n=report.count))
        for problem in report.problems:
            print("  " + problem.message)
    print("  " + _("链头：{h}").format(h=chain.grouped(report.head_hash)))
    print("  " + _("本站公钥指纹：{f}").format(f=fingerprint))


def cmd_checkpoint(args: argparse.Namespace) -> int:
    """Sign the chain's head as an administrator (``--as``), or list the stored checkpoints (``--list``)."""
    from sqlalchemy import select

    from .models import Station
    from .services import chain
    from .services.auth import authenticate

    if args.list:
        db = _open_existing(args)
        with db.session(write=False) as session:
            for station_id in session.scalars(select(Station.id).order_by(Station.id)):
                for checkpoint in chain.stored_checkpoints(session, station_id):
                    print(checkpoint.text())
        return 0
    if not args.as_user:
        raise StationError(_("签署检查点需要站长账号：请加上 --as 用户名（或用 --list 列出已有检查点）。"))
    db = _open_existing(args)
    password = _read_login_password(args)
    with db.session() as session:
        actor = authenticate(session, args.as_user, password)
    with db.session() as session:
        key = chain.unlock_signing_key(session, actor, password)
        chain.make_checkpoint(session, actor, key)  # None when the head is signed already (an admin login signs it)
        latest = chain.latest_checkpoint(session, actor.station_id)
    if latest is None:
        print(_("台账还没有条目，无需签署检查点。"))
        return 0
    made_on = latest.made_on.isoformat() if latest.made_on else ""
    print(_("台账已签署到第 {n} 条（{d}）。检查点：").format(n=latest.count, d=made_on))
    print(latest.text())
    return 0


def cmd_ledger(args: argparse.Namespace) -> int:
    """Export a ledger view (per volunteer, activity, project, team, month, or party members) to .xlsx or .pdf."""
    from .reports.ledger_pdf import ledger_pdf
    from .services import ledger_views
    from .services.ledger_export import document_of, write_xlsx

    output = Path(args.output)
    if output.suffix.lower() not in (".xlsx", ".pdf"):
        raise StationError(_("输出文件应以 .xlsx（Excel）或 .pdf 结尾：{f}").format(f=output))
    db = _open(args)
    actor = _login(args, db)
    with db.session(write=False) as session:
        if args.volunteer is not None:
            view = ledger_views.volunteer_ledger(session, actor, _volunteer_id(session, actor, args.volunteer))
        elif args.activity is not None:
            view = ledger_views.activity_ledger(session, actor, args.activity)
        elif args.project is not None:
            view = ledger_views.project_ledger(session, actor, args.project)
        elif args.team is not None:
            year = args.year or date.today().year
            args.date_from = args.date_from or f"{year}-01-01"
            args.date_to = args.date_to or f"{year}-12-31"
            view = ledger_views.team_ledger(session, actor, args.team, *_period(args, 0))
        elif args.month is not None:
            view = ledger_views.month_ledger(session, actor, *ledger_views.parse_month(args.month))
        else:
            view = ledger_views.party_ledger(session, actor, args.year or date.today().year)
    document = document_of(view)
    if output.suffix.lower() == ".xlsx":
        write_xlsx(document, output)
    else:
        _write_pdf(str(output), "", lambda path: ledger_pdf(document, path))
    print(_("已导出{t}：{f}").format(t=document.title, f=output))
    return 0


def _volunteer_id(session, actor, value: str) -> int:  # noqa: ANN001
    """A volunteer by id (digits) or volunteer number (SQ0101-00001)."""
    from sqlalchemy import select

    from .models import Volunteer

    if value.isdigit():
        return int(value)
    found = session.scalar(
        select(Volunteer.id).where(Volunteer.station_id == actor.station_id, Volunteer.volunteer_no == value.strip())
    )
    if found is None:
        raise StationError(_("本站没有志愿者编号为 {v} 的志愿者。").format(v=value))
    return found


def cmd_stars(args: argparse.Namespace) -> int:
    """Star levels: the distribution and the newly eligible; ``--confirm-all`` confirms them (站长)."""
    from .services import stars
    from .services.hours import hours_text, level_name
    from .services.validation import parse_date

    db = _open(args)
    actor = _login(args, db)
    on = parse_date(args.date, label=_("认定日期")) if args.date else date.today()
    with db.session(write=False) as session:
        distribution = stars.level_distribution(session, actor)
        eligible = stars.newly_eligible(session, actor)
    print(_("星级分布（按累计服务时长计算）："))
    for level in range(stars.MAX_LEVEL + 1):
        print(f"  {level_name(level)}  " + _("{n} 人").format(n=distribution.get(level, 0)))
    print(_("新达星级、待认定：{n} 人").format(n=len(eligible)))
    for row in eligible:
        print(f"  {row.volunteer_no or '-'}  {row.name}  " + _("{h} 小时 → {lv}").format(
            h=hours_text(row.minutes), lv=level_name(row.level)))
    if not args.confirm_all or not eligible:
        return 0
    with db.session() as session:
        awards = stars.confirm_all(session, actor, [row.volunteer_id for row in eligible], on)
    print(_("已认定 {n} 人（{d}）：").format(n=len(awards), d=on.isoformat()))
    for award in awards:
        print(f"  {award.certificate_no}  {award.name}  {award.level_text}")
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    from .db import schema_state

    db = _open(args)  # opening upgrades, after keeping a copy
    state = schema_state(db.engine)
    print(_("数据库结构版本：{rev}（最新）").format(rev=state.current))
    return 0


def ledger_args(p: argparse.ArgumentParser) -> None:
    """Which ledger view: ``ledger`` and ``print ledger`` take the same choices."""
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--volunteer", metavar="ID|NO", help=_("志愿者编号或内部编号"))
    which.add_argument("--activity", type=int, metavar="N", help=_("活动编号"))
    which.add_argument("--project", type=int, metavar="N", help=_("项目编号"))
    which.add_argument("--team", type=int, metavar="N", help=_("服务队编号（期间默认为 --year 全年）"))
    which.add_argument("--month", metavar="YYYY-MM", help=_("月度台账，如 2026-11（含最新签署的检查点）"))
    which.add_argument("--party", action="store_true", help=_("党员、团员的年度服务时长（党团服务平台）"))
    p.add_argument("--year", type=int, help=_("年份（--party、--team 用，默认今年）"))
    p.add_argument("--from", dest="date_from", help=_("服务队台账的开始日期 YYYY-MM-DD"))
    p.add_argument("--to", dest="date_to", help=_("服务队台账的结束日期 YYYY-MM-DD"))


def _login_args(p: argparse.ArgumentParser, who: str) -> None:
    """``--as USER`` and ``--password-stdin``, for the commands that act as a signed-in user (see ``_login``)."""
    p.add_argument("--as", dest="as_user", required=True, help=who)
    p.add_argument("--password-stdin", action="store_true", help=_("从标准输入读取密码"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="station-app", description=_("物业志愿服务站管理系统"))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--database", metavar="URL", help=_("数据库地址（SQLAlchemy URL），默认为本机数据目录中的 station.db"))
    parser.add_argument("-v", "--verbose", action="store_true", help=_("输出调试日志"))
    parser.set_defaults(func=cmd_gui)
    sub = parser.add_subparsers(title=_("子命令"), metavar="COMMAND")

    p = sub.add_parser("gui", help=_("启动图形界面（默认）"))
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("init", help=_("首次设置站点和管理员（不用图形界面时）"))
    p.add_argument("--city", default="中山市")
    p.add_argument("--town", required=True, help=_("镇区"))
    p.add_argument("--community", required=True, help=_("社区"))
    p.add_argument("--station", required=True, help=_("站点名称"))
    p.add_argument("--code", required=True, help=_("站点编号（志愿者编号前缀）"))
    p.add_argument("--address")
    p.add_argument("--contact")
    p.add_argument("--phone")
    p.add_argument("--admin", required=True, help=_("管理员用户名"))
    p.add_argument("--admin-name", help=_("管理员姓名"))
    p.add_argument("--password-stdin", action="store_true", help=_("从标准输入读取密码"))
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help=_("生成演示数据库"))
    p.add_argument("--volunteers", type=int, default=300, help=_("志愿者人数（默认 300）"))
    p.add_argument("--seed", type=int, default=2014, help=_("随机种子，相同种子生成相同数据"))
    p.add_argument("--replace", action="store_true", help=_("先删除已有的演示数据库文件"))
    p.add_argument("--city", action=argparse.BooleanOptionalAction, default=True,
                   help=_("同时生成另外四个站点（两个镇区）和市级、镇区管理员账号，用于全市看板（默认生成；--no-city 不生成）"))
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("useradd", help=_("新建用户账号"))
    p.add_argument("--as", dest="as_user", required=True, help=_("执行操作的管理员用户名"))
    p.add_argument("--username", required=True)
    p.add_argument("--display-name")
    p.add_argument("--role", choices=["admin", "clerk", "viewer", "town", "city"], default="clerk",
                   help=_("town（镇区管理员，需 --town）和 city（市级管理员）由市级管理员新建"))
    p.add_argument("--town", help=_("镇区管理员所管的镇区"))
    p.add_argument("--password-stdin", action="store_true", help=_("从标准输入依次读取管理员密码和新密码"))
    p.set_defaults(func=cmd_useradd)

    p = sub.add_parser("overview", help=_("打印需求总览：未满足需求、已对接比例、等待最久的需求、逾期未走访"))
    _login_args(p, _("以哪个用户的身份查看"))
    p.add_argument("--date", help=_("统计日期 YYYY-MM-DD（默认今天）"))
    p.set_defaults(func=cmd_overview)

    p = sub.add_parser("poster", help=_("把招募打印成 A4 海报（PDF）；不带 --id 时列出全部招募"))
    _login_args(p, _("以哪个用户的身份操作"))
    p.add_argument("--id", type=int, help=_("招募编号（先不带 --id 运行一次查看）"))
    p.add_argument("-o", "--output", help=_("保存到哪个 PDF 文件（默认：招募海报-编号.pdf）"))
    p.set_defaults(func=cmd_poster)

    p = sub.add_parser("training", help=_("列出一段时间内的培训场次；带 --id 时打印该场培训的签到表（PDF）"))
    _login_args(p, _("以哪个用户的身份操作"))
    p.add_argument("--from", dest="date_from", help=_("开始日期 YYYY-MM-DD（默认今天）"))
    p.add_argument("--to", dest="date_to", help=_("结束日期 YYYY-MM-DD（默认开始日期后 30 天）"))
    p.add_argument("--id", type=int, help=_("培训编号（先不带 --id 运行一次查看）"))
    p.add_argument("-o", "--output", help=_("保存到哪个 PDF 文件（默认：培训签到表-编号.pdf）"))
    p.set_defaults(func=cmd_training)

    p = sub.add_parser("schedule", help=_("列出一段时间内的活动和排班人数；带 --id 时打印该活动的排班签到表（PDF）"))
    _login_args(p, _("以哪个用户的身份操作"))
    p.add_argument("--from", dest="date_from", help=_("开始日期 YYYY-MM-DD（默认今天）"))
    p.add_argument("--to", dest="date_to", help=_("结束日期 YYYY-MM-DD（默认开始日期后 6 天）"))
    p.add_argument("--id", type=int, help=_("活动编号（先不带 --id 运行一次查看）"))
    p.add_argument("-o", "--output", help=_("保存到哪个 PDF 文件（默认：日期_活动名称_排班签到表.pdf）"))
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("festival-visit", help=_("“我们的节日”：按模板为某类重点对象新建节日慰问活动"))
    _login_args(p, _("以哪个用户的身份操作"))
    p.add_argument("--festival", required=True, help=_("节日，如 中秋、春节、重阳（或 mid_autumn 等）"))
    p.add_argument("--group", required=True, help=_("重点对象类别，如 空巢老人"))
    p.add_argument("--year", type=int, help=_("哪一年的节日（默认：今年的还没到就用今年的，否则明年的）"))
    p.set_defaults(func=cmd_festival_visit)

    p = sub.add_parser("festivals", help=_("列出某一年的传统节日和志愿服务纪念日（按公历日期）"))
    p.add_argument("year", nargs="?", type=int, help=_("年份 1950–2100（默认今年）"))
    p.set_defaults(func=cmd_festivals)

    p = sub.add_parser("verify", help=_("校验台账（服务记录、星级认定、嘉许、兑换）是否被改动、删除或重建；无问题时退出码为 0，有问题为 1"))
    p.add_argument("--checkpoint", action="append", metavar="TEXT",
                   help=_("再核对一个检查点：导出的检查点行，或从纸质月度台账抄录的“条目数 链头哈希”（可重复）"))
    p.add_argument("--checkpoint-file", action="append", metavar="FILE", help=_("从文件读取检查点，每行一个（可重复）"))
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("checkpoint", help=_("站长签署台账检查点（--as），或列出已签署的检查点（--list）"))
    p.add_argument("--as", dest="as_user", help=_("签署的站长用户名（需要其密码打开本站签名密钥）"))
    p.add_argument("--password-stdin", action="store_true", help=_("从标准输入读取密码"))
    p.add_argument("--list", action="store_true", help=_("列出库中已签署的检查点，每行一个，可直接用于 verify"))
    p.set_defaults(func=cmd_checkpoint)

    p = sub.add_parser("ledger", help=_("导出台账到 Excel（.xlsx）或 PDF：个人、活动、项目、服务队、月度或党团服务"))
    _login_args(p, _("以哪个用户的身份导出（只读账号看到的身份证号是遮盖的）"))
    ledger_args(p)
    p.add_argument("-o", "--output", required=True, help=_("保存到哪个文件：.xlsx 或 .pdf"))
    p.set_defaults(func=cmd_ledger)

    p = sub.add_parser("stars", help=_("列出星级分布和新达星级的志愿者；--confirm-all 由站长一次认定全部"))
    _login_args(p, _("以哪个用户的身份（认定需站长）"))
    p.add_argument("--confirm-all", action="store_true", help=_("认定全部新达星级的志愿者并发放证书编号"))
    p.add_argument("--date", help=_("认定日期 YYYY-MM-DD，默认今天"))
    p.set_defaults(func=cmd_stars)

    from .cli_print import add_parsers as add_print_parsers

    add_print_parsers(sub, _login_args, ledger_args)
    from .cli_transfer import add_parsers as add_transfer_parsers

    add_transfer_parsers(sub, _login_args)
    from .cli_city import add_parsers as add_city_parsers

    add_city_parsers(sub, _login_args)
    from .cli_excel import add_parsers as add_excel_parsers

    add_excel_parsers(sub, _login_args)
    from .cli_backup import add_parsers as add_backup_parsers

    add_backup_parsers(sub)

    p = sub.add_parser("upgrade", help=_("升级数据库结构（升级前自动备份）"))
    p.set_defaults(func=cmd_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.func(args)
    except StationError as exc:
        print(_("错误：") + exc.message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
