"""``station-app export-package`` and ``import-package``: transfer packages for administrators and scripts.

Exit codes: 0 done (or, with ``--dry-run``, the preview printed); 1 not imported because the origin
station's key is not trusted yet (its fingerprint is printed: compare it by phone, then run again
with ``--trust FINGERPRINT``); 2 refused, with the reason (a changed or incomplete package, a newer
program version, this station's own package, a trusted code with a different key, a wrong password …).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import StationError
from .i18n import _


def _progress(done: int, total: int) -> None:
    if total >= 20_000:
        print(_("\r已处理 {d}/{t} 条").format(d=done, t=total), end="", file=sys.stderr, flush=True)
        if done >= total:
            print(file=sys.stderr)


def cmd_export_package(args: argparse.Namespace) -> int:
    from . import cli
    from .cli_print import _signing_login
    from .services import packages as pkg

    if not args.station and not args.volunteer:
        raise StationError(_("请用 --volunteer 指定要导出的志愿者（可重复），或用 --station 导出整个站点。"))
    db = cli._open_existing(args)
    actor, key = _signing_login(args, db)
    with db.session() as session:
        ids = [cli._volunteer_id(session, actor, value) for value in args.volunteer or []]
        result = pkg.export_package(session, actor, key, Path(args.output), volunteer_ids=ids,
                                    whole_station=args.station, progress=_progress)
    counts = result.counts
    print(_("已导出转移包（{s}）：{f}").format(s=pkg.SCOPE_LABELS[result.scope], f=result.path))
    print(_("志愿者 {v} 名，服务记录 {r} 条，星级认定 {a} 条，嘉许 {h} 条，兑换 {b} 条，培训 {t} 次；{k} KB").format(
        v=counts["volunteers.jsonl"], r=counts["service_records.jsonl"], a=counts["star_awards.jsonl"],
        h=counts["honours.jsonl"], b=counts["time_bank_entries.jsonl"], t=counts["training.jsonl"],
        k=max(1, result.size // 1024)))
    return 0


def cmd_import_package(args: argparse.Namespace) -> int:
    from . import cli
    from .services import packages as pkg

    db = cli._open_existing(args)
    actor = cli._login(args, db)
    info = pkg.open_package(args.file)
    print(_("✓ 签名有效：{n}（{c}）导出的转移包，{s}").format(n=info.origin_name, c=info.origin_code, s=info.scope_label))
    print(_("密钥指纹：{f}").format(f=info.fingerprint))
    take = [f.strip() for f in (args.take_theirs or "").split(",") if f.strip()]
    unknown = [f for f in take if f not in pkg.DIFF_FIELDS]
    if unknown:
        raise StationError(_("--take-theirs 中不认识的字段：{u}（可用：{a}）").format(
            u="、".join(unknown), a=",".join(pkg.DIFF_FIELDS)))
    with db.session(write=not args.dry_run) as session:
        if args.trust:
            if pkg.trust_key(session, actor, info, fingerprint=args.trust):
                print(_("已信任 {n}（{c}）的签名密钥。").format(n=info.origin_name, c=info.origin_code)
                      + (_("（试运行：不保存）") if args.dry_run else ""))
        try:
            plan = pkg.preview(session, actor, info)
        except pkg.UntrustedKey as exc:
            print(exc.message)
            print(_("核对一致后再运行一次，加上：--trust \"{f}\"").format(f=exc.fingerprint))
            return 1
        for line in plan.lines():
            print(line)
        if args.dry_run:
            print(_("试运行：没有导入任何内容。"))
            return 0
        resolutions = {v.origin_id: set(take) for v in plan.volunteers if v.diffs}
        result = pkg.import_package(session, actor, info, resolutions=resolutions, progress=_progress)
    print(_("✓ 已导入。"))
    for line in result.lines():
        print(line)
    return 0


def add_parsers(sub, login_args) -> None:  # noqa: ANN001 - argparse's private subparsers action
    p = sub.add_parser("export-package", help=_("导出转移包（.zsvpkg）：一名或几名志愿者的完整档案，或整个站点；用站点密钥签名"))
    login_args(p, _("持有站点签名密钥的站长用户名"))
    which = p.add_mutually_exclusive_group()
    which.add_argument("--volunteer", action="append", metavar="ID|NO", help=_("志愿者编号（可重复）"))
    which.add_argument("--station", action="store_true", help=_("导出整个站点（全部志愿者、服务队和台账）"))
    p.add_argument("-o", "--output", required=True, help=_("保存到哪个文件（.zsvpkg）"))
    p.set_defaults(func=cmd_export_package)

    p = sub.add_parser("import-package", help=_("导入转移包：核验签名，显示预览，然后一次性导入（退出码 0 成功、1 密钥未信任、2 拒绝）"))
    p.add_argument("file", help=_("转移包文件（.zsvpkg）"))
    login_args(p, _("站长用户名（导入和信任密钥需站长）"))
    p.add_argument("--dry-run", action="store_true", help=_("只核验并显示预览，不导入"))
    p.add_argument("--trust", metavar="FINGERPRINT",
                   help=_("信任对方站点的密钥：给出电话核对过的指纹（与包的指纹一致才会信任）"))
    p.add_argument("--take-theirs", metavar="FIELDS",
                   help=_("已有的志愿者资料不同时，这些字段采用转入的值（逗号分隔，如 phone,building；默认全部保留本站的）"))
    p.set_defaults(func=cmd_import_package)
