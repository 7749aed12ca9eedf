"""City-wide mode on the command line: ``init-city``, ``add-station``, ``city-dashboard``.

For a city that runs one shared PostgreSQL server (``--database postgresql+psycopg://…``): the
city's first administrator is set up once (``init-city``, like ``init`` for a station), then adds
stations with their 站长 (``add-station --as``) and town administrators (``useradd --role town``),
and reads the dashboard (``city-dashboard --as``), as a 镇区管理员 too.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from .errors import StationError
from .i18n import _


def cmd_init_city(args: argparse.Namespace) -> int:
    from . import cli
    from .services import city

    password = cli._read_password(args, _("市级管理员密码："))
    db = cli._open(args)
    with db.session() as session:
        city.first_city_admin(session, city=args.city, username=args.admin,
                              display_name=args.admin_name or args.admin, password=password)
    print(_("已设置全市共用数据库：{c}，市级管理员账号：{u}").format(c=args.city, u=args.admin))
    print(_("下一步：station-app add-station … --as {u} 新建各站点和站长账号。").format(u=args.admin))
    return 0


def cmd_add_station(args: argparse.Namespace) -> int:
    from . import cli
    from .services import city
    from .services.stations import StationSetup

    db = cli._open(args)
    actor = cli._login(args, db)
    if args.admin_password_stdin:
        import sys

        station_password = sys.stdin.readline().rstrip("\n")
    else:
        station_password = cli._read_password(argparse.Namespace(), _("新站长 {u} 的初始密码：").format(u=args.admin))
    with db.session() as session:
        city.create_station(session, actor, StationSetup(
            city=args.city or city.city_name(session), town=args.town, community=args.community,
            station_name=args.station, station_code=args.code, address=args.address or "",
            contact_person=args.contact or "", contact_phone=args.phone or "", admin_username=args.admin,
            admin_display_name=args.admin_name or args.admin, admin_password=station_password,
            admin_password_confirm=station_password,
        ))
    print(_("已新建站点“{s}”（{c}），站长账号：{u}").format(s=args.station, c=args.code.upper(), u=args.admin))
    return 0


def _hours(minutes: int) -> str:
    from .services.hours import hours_text

    return hours_text(minutes)


def cmd_city_dashboard(args: argparse.Namespace) -> int:
    """Totals, per town and per station, and the demonstration-station checklist, as text."""
    from . import cli
    from .services import city
    from .services.hours import MAX_LEVEL

    db = cli._open(args)
    actor = cli._login(args, db)
    year = args.year or date.today().year
    with db.session(write=False) as session:
        dash = city.dashboard(session, actor, year)
    f = dash.figures
    stars = "  ".join(_("{n}星 {c}").format(n="一二三四五"[lv - 1], c=f.stars.get(lv, 0)) for lv in range(1, MAX_LEVEL + 1))
    print(_("{s}志愿服务数据看板（{y} 年，统计日期 {d}）").format(s=dash.scope.label, y=year, d=dash.today.isoformat()))
    print(_("站点 {n} 个（示范达标 {r} 个）  已注册志愿者 {v} 人  服务时长 {h} 小时").format(
        n=len(dash.stations), r=dash.demonstration_ready, v=f.volunteers, h=_hours(f.minutes)))
    print(_("星级（有效认定）：") + stars)
    print(_("按类别：") + "  ".join(f"{c} {_hours(m)}" for c, m in f.by_category.items() if m))
    print(_("按月份：") + "  ".join(_("{m}月 {h}").format(m=i + 1, h=_hours(m)) for i, m in enumerate(f.by_month)))
    for town in dash.towns:
        print()
        print(_("【{t}】站点 {n} 个  志愿者 {v} 人  服务时长 {h} 小时").format(
            t=town.name, n=len(town.stations), v=town.figures.volunteers, h=_hours(town.figures.minutes)))
        for s in town.stations:
            marks = " ".join(f"{c.label}{'✓' if c.ok else '✗'}" for c in s.checklist)
            note = f"  {s.note}" if s.note else ""
            print(f"  {s.code}  {s.name}  " + _("志愿者 {v} 人  {h} 小时  星级 {k} 人").format(
                v=s.figures.volunteers, h=_hours(s.figures.minutes), k=s.figures.starred) + note)
            print(f"      {marks}")
            if args.evidence:
                for c in s.checklist:
                    print(f"        {c.label}：{c.evidence}")
    if args.output:
        from .services.ledger_export import write_xlsx

        output = Path(args.output)
        if output.suffix.lower() != ".xlsx":
            raise StationError(_("输出文件应以 .xlsx 结尾：{f}").format(f=output))
        write_xlsx(city.dashboard_document(dash), output)
        print(_("已导出：{f}").format(f=output))
    return 0


def add_parsers(sub, login_args) -> None:  # noqa: ANN001 - argparse's private subparsers action
    p = sub.add_parser("init-city", help=_("全市共用数据库：设置市级管理员（只能做一次，之后用 add-station 新建站点）"))
    p.add_argument("--city", default="中山市", help=_("市的名称（默认 中山市）"))
    p.add_argument("--admin", required=True, help=_("市级管理员用户名"))
    p.add_argument("--admin-name", help=_("显示名称，如 市志愿者联合会"))
    p.add_argument("--password-stdin", action="store_true", help=_("从标准输入读取密码"))
    p.set_defaults(func=cmd_init_city)

    p = sub.add_parser("add-station", help=_("市级管理员新建站点和它的站长账号"))
    login_args(p, _("市级管理员用户名"))
    p.add_argument("--city", help=_("市（默认本数据库的市）"))
    p.add_argument("--town", required=True, help=_("镇区"))
    p.add_argument("--community", required=True, help=_("社区"))
    p.add_argument("--station", required=True, help=_("站点名称"))
    p.add_argument("--code", required=True, help=_("站点编号（志愿者编号前缀，全市唯一）"))
    p.add_argument("--address")
    p.add_argument("--contact")
    p.add_argument("--phone")
    p.add_argument("--admin", required=True, help=_("站长用户名"))
    p.add_argument("--admin-name", help=_("站长姓名"))
    p.add_argument("--admin-password-stdin", action="store_true",
                   help=_("站长初始密码也从标准输入读取（在市级管理员密码之后的一行）"))
    p.set_defaults(func=cmd_add_station)

    p = sub.add_parser("city-dashboard", help=_("全市（或本镇区）数据看板：志愿者、服务时长、星级和示范站点“六有”"))
    login_args(p, _("市级或镇区管理员用户名"))
    p.add_argument("--year", type=int, help=_("年份（默认今年）"))
    p.add_argument("--evidence", action="store_true", help=_("列出“六有”每一项的依据"))
    p.add_argument("-o", "--output", help=_("同时导出到 Excel 文件（.xlsx）"))
    p.set_defaults(func=cmd_city_dashboard)
