"""``station-app import-roster``, ``roster-template`` and ``export``: Excel in and out from the command line.

``import-roster FILE.xlsx --as USER`` prints every row's verdict (新增 / 已有 / 错误 with the reasons),
then imports the 新增 rows in one transaction; ``--dry-run`` only prints; ``--errors OUT.xlsx`` saves
the failed rows to fix and import again. The exit code is 0 when no row had an error, 1 when some
did (the good rows are imported all the same, unless ``--dry-run``), 2 when the import was refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import StationError
from .i18n import _


def _print_rows(preview) -> None:  # noqa: ANN001 - an ImportPreview
    from .services.roster_import import Verdict

    print(_("工作表“{s}”，第 {r} 行是表头；共 {n} 行数据。").format(s=preview.sheet, r=preview.header_row, n=len(preview.rows)))
    for row in preview.rows:
        line = _("第 {r} 行").format(r=row.row_number) + f"  {row.name or '—'}  {row.id_display or '—'}  {row.verdict.label}"
        if row.reasons and row.verdict != Verdict.NEW:
            line += _("：") + row.reason_text
        print(line)
    print(preview.summary())


def cmd_import_roster(args: argparse.Namespace) -> int:
    from . import cli
    from .services import roster_import as ri

    db = cli._open(args)
    actor = cli._login(args, db)

    def progress(done: int, total: int) -> None:
        if total >= 50 and (done == total or done % max(1, total // 20) == 0):
            print(_("已导入 {d}/{t}").format(d=done, t=total), file=sys.stderr, flush=True)

    with db.session(write=False) as session:
        preview = ri.preview(session, actor, Path(args.file))
    _print_rows(preview)
    if args.errors and preview.error_rows:
        out = ri.write_error_sheet(preview, args.errors)
        print(_("错误行已保存到 {f}：按“错误原因”改好后可再次导入这个文件。").format(f=out))
    failed = 1 if preview.error_rows else 0
    if args.dry_run:
        print(_("（试运行：没有导入任何数据）"))
        return failed
    if not preview.new_rows:
        print(_("没有需要导入的新增行。"))
        return failed
    approve = False if args.applying else None
    with db.session() as session:
        result = ri.import_rows(session, actor, preview, approve=approve, progress=progress)
    state = _("已注册") if result.registered else _("申请中，待站长审核")
    print(_("已导入 {n} 名志愿者（{s}）。").format(n=result.imported, s=state))
    return failed


def cmd_roster_template(args: argparse.Namespace) -> int:
    from .services.roster_import import write_template

    out = write_template(args.output)
    print(_("已生成导入模板：{f}").format(f=out))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from . import cli
    from .services import excel_export

    if args.what == "ledger":
        raise StationError(_("台账请用 station-app ledger … -o 文件.xlsx 导出（可选个人、活动、项目、服务队、月度或党团台账）。"))
    db = cli._open(args)
    actor = cli._login(args, db)
    with db.session() as session:
        path, count = excel_export.export(session, actor, args.what, args.output)
    print(_("已导出{k}（{n} 行）：{f}").format(k=excel_export.KIND_LABELS[args.what], n=count, f=path))
    return 0


def add_parsers(sub, login_args) -> None:  # noqa: ANN001 - argparse's private subparsers action
    p = sub.add_parser("import-roster", help=_("从 Excel 导入志愿者花名册：逐行显示新增/已有/错误，再一次性导入新增的行"))
    p.add_argument("file", metavar="FILE.xlsx", help=_("花名册 Excel 文件（.xlsx）"))
    login_args(p, _("以哪个用户的身份导入（站长导入的直接为已注册，录入员导入的为申请中）"))
    p.add_argument("--dry-run", action="store_true", help=_("只显示每一行的结果，不导入"))
    p.add_argument("--errors", metavar="OUT.xlsx", help=_("把有错误的行保存到这个文件，改好后可再次导入"))
    p.add_argument("--applying", action="store_true", help=_("导入为“申请中”（即使是站长也不直接审核通过）"))
    p.set_defaults(func=cmd_import_roster)

    p = sub.add_parser("roster-template", help=_("生成志愿者花名册导入模板（.xlsx）"))
    p.add_argument("output", metavar="OUT.xlsx", help=_("保存到哪个文件"))
    p.set_defaults(func=cmd_roster_template)

    p = sub.add_parser("export", help=_("导出 Excel：志愿者花名册、需求清单、星级认定与嘉许（台账用 ledger 子命令）"))
    p.add_argument("what", choices=["roster", "needs", "awards", "ledger"], help=_("导出什么"))
    login_args(p, _("以哪个用户的身份导出（只读账号导出的身份证号和电话是遮盖的）"))
    p.add_argument("-o", "--output", required=True, help=_("保存到哪个 .xlsx 文件"))
    p.set_defaults(func=cmd_export)
