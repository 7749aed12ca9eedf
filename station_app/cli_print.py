"""``station-app print …`` and ``station-app verify-certificate``: the print centre for scripted batch runs.

The same services as the 台账与打印 tab: documents are prepared and signed in one unit of work, drawn,
then booked as issued in another (a record certificate, whose number is taken when it is made, is
prepared, drawn and booked in one). Certificates are signed with the station key, so they need an
administrator who holds it (``--as`` and their password); ledgers and the honour roll need any user.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from .errors import StationError
from .i18n import _

KIND_COMMANDS = ("star-certificates", "honour-certificates", "record-certificate", "ledger", "honour-roll")


def _signing_login(args: argparse.Namespace, db):  # noqa: ANN001, ANN202 - (Actor, Ed25519PrivateKey)
    from . import cli
    from .services import chain
    from .services.auth import authenticate

    password = cli._read_login_password(args)
    with db.session() as session:
        actor = authenticate(session, args.as_user, password)
    with db.session(write=False) as session:
        key = chain.unlock_signing_key(session, actor, password)
    return actor, key


def _progress(done: int, total: int) -> None:
    if total >= 20 and (done == total or done % max(1, total // 10) == 0):
        print(_("已生成 {d}/{t}").format(d=done, t=total), file=sys.stderr)


def _render(printables, out: Path, per_person: bool) -> list[Path]:  # noqa: ANN001
    from .reports.batch import render

    if per_person:
        out.mkdir(parents=True, exist_ok=True)
    elif out.suffix.lower() != ".pdf":
        raise StationError(_("--out 应是一个 .pdf 文件（或加 --per-person 并给一个文件夹）：{f}").format(f=out))
    try:
        return render([(p.file_stem, p.document) for p in printables], out, one_file=not per_person,
                      progress=_progress)
    except OSError as exc:
        raise StationError(_("无法写入 {f}：{e}").format(f=out, e=exc.strerror or exc)) from exc


def _volunteer_ids(session, actor, values: list[str]) -> list[int]:  # noqa: ANN001
    from . import cli

    return [cli._volunteer_id(session, actor, value) for value in values]


def cmd_print(args: argparse.Namespace) -> int:
    from . import cli
    from .services import certificates as certs

    out = Path(args.out)
    db = cli._open(args)
    what = args.what
    if what == "ledger":
        args.output = str(out)
        return cli.cmd_ledger(args)
    if what == "honour-roll":
        actor = cli._login(args, db)
        with db.session(write=False) as session:
            printable = certs.honour_roll(session, actor, args.year or date.today().year)
        paths = _render([printable], out, per_person=False)
        print(_("已生成光荣榜：{f}").format(f=paths[0]))
        return 0
    actor, key = _signing_login(args, db)
    if what == "record-certificate":
        from .services.validation import parse_date

        with db.session() as session:
            (volunteer_id,) = _volunteer_ids(session, actor, [args.volunteer])
            start = parse_date(args.date_from, label=_("起始日期"))
            end = parse_date(args.date_to, label=_("截止日期")) if args.date_to else date.today()
            printable = certs.record_certificate(session, actor, key, volunteer_id, start, end)
            paths = _render([printable], out, per_person=False)
            certs.record_issued(session, actor, [printable])
        print(_("已开具志愿服务记录证明 {n}：{f}").format(n=printable.certificate_no, f=paths[0]))
        return 0
    with db.session(write=False) as session:
        if what == "star-certificates":
            if args.volunteer:
                printables = [certs.star_certificate_for(session, actor, key, vid)
                              for vid in _volunteer_ids(session, actor, args.volunteer)]
            else:
                choices = certs.award_choices(session, actor, unprinted_only=not args.all)
                choices = [c for c in choices if c.review_status != "flagged"]
                printables = certs.star_certificates(session, actor, key, [c.award_id for c in reversed(choices)])
        else:
            choices = certs.honour_choices(session, actor, year=args.year)
            if not args.all:
                choices = [c for c in choices if c.times_printed == 0]
            printables = certs.honour_certificates(session, actor, key, [c.honour_id for c in reversed(choices)])
    if not printables:
        print(_("没有需要打印的证书（已打印过的要重印请加 --all）。"))
        return 0
    paths = _render(printables, out, per_person=args.per_person)
    with db.session() as session:
        certs.record_issued(session, actor, printables)
    where = out if not args.per_person else _("文件夹 {d}（{n} 个文件）").format(d=out, n=len(paths))
    print(_("已生成 {n} 份{k}：{f}").format(n=len(printables), k=certs.KIND_LABELS[printables[0].kind], f=where))
    return 0


def cmd_verify_certificate(args: argparse.Namespace) -> int:
    """Check a scanned or typed QR payload offline; exit 0 when valid, 1 when not."""
    from . import cli
    from .services.certificates import verify_payload

    payload = sys.stdin.read() if args.payload == "-" else args.payload
    db = cli._open_existing(args)
    with db.session(write=False) as session:
        result = verify_payload(session, payload)
    print(("✓ " + _("证书有效")) if result.valid else ("✗ " + _("证书无效")))
    if result.kind_label:
        print(_("类别：") + result.kind_label)
    if result.station:
        print(_("签发站点：") + result.station)
    for label, value in result.facts:
        print(f"{label}：{value}")
    if result.reason:
        print(_("原因：") + result.reason)
    if result.on_record:
        print(result.on_record)
    return 0 if result.valid else 1


def add_parsers(sub, login_args, ledger_args) -> None:  # noqa: ANN001 - argparse's private subparsers action
    p = sub.add_parser("print", help=_("批量打印：星级证书、荣誉证书、服务记录证明、台账、光荣榜（PDF）"))
    kinds = p.add_subparsers(title=_("打印什么"), dest="what", metavar="WHAT", required=True)

    k = kinds.add_parser("star-certificates", help=_("星级志愿者证书：默认打印全部还没打印过的；--volunteer 指定人"))
    login_args(k, _("持有站点签名密钥的站长用户名（证书二维码要签名）"))
    k.add_argument("--volunteer", action="append", metavar="ID|NO", help=_("志愿者编号（可重复）：打印其最高的有效星级"))
    k.add_argument("--all", action="store_true", help=_("包括已打印过的（作为补打，证书上会注明）"))
    k.add_argument("--per-person", action="store_true", help=_("每人一个 PDF 文件（--out 为文件夹）"))
    k.add_argument("--out", required=True, help=_("保存到哪个 PDF 文件（或 --per-person 时的文件夹）"))

    k = kinds.add_parser("honour-certificates", help=_("荣誉证书：默认打印全部还没打印过的嘉许"))
    login_args(k, _("持有站点签名密钥的站长用户名"))
    k.add_argument("--year", type=int, help=_("只打印这一年颁发的"))
    k.add_argument("--all", action="store_true", help=_("包括已打印过的（作为补打）"))
    k.add_argument("--per-person", action="store_true", help=_("每份一个 PDF 文件（--out 为文件夹）"))
    k.add_argument("--out", required=True, help=_("保存到哪个 PDF 文件（或文件夹）"))

    k = kinds.add_parser("record-certificate", help=_("志愿服务记录证明（积分入学入户等用）"))
    login_args(k, _("持有站点签名密钥的站长用户名"))
    k.add_argument("--volunteer", required=True, metavar="ID|NO", help=_("志愿者编号"))
    k.add_argument("--from", dest="date_from", required=True, help=_("起始日期 YYYY-MM-DD"))
    k.add_argument("--to", dest="date_to", help=_("截止日期 YYYY-MM-DD（默认今天）"))
    k.add_argument("--out", required=True, help=_("保存到哪个 PDF 文件"))

    k = kinds.add_parser("ledger", help=_("台账 PDF：个人、活动、项目、服务队或月度（同 ledger 子命令）"))
    login_args(k, _("以哪个用户的身份导出"))
    ledger_args(k)
    k.add_argument("--out", required=True, help=_("保存到哪个文件：.pdf 或 .xlsx"))

    k = kinds.add_parser("honour-roll", help=_("光荣榜海报（A3）：一年的嘉许和星级认定"))
    login_args(k, _("以哪个用户的身份操作"))
    k.add_argument("--year", type=int, help=_("年份（默认今年）"))
    k.add_argument("--out", required=True, help=_("保存到哪个 PDF 文件"))
    p.set_defaults(func=cmd_print)

    p = sub.add_parser("verify-certificate", help=_("离线核验证书二维码的内容；有效时退出码为 0，无效为 1"))
    p.add_argument("payload", help=_("扫码得到的文字（用引号括起来），或 - 从标准输入读取"))
    p.set_defaults(func=cmd_verify_certificate)
