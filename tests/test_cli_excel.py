"""station-app import-roster, roster-template and export."""

from __future__ import annotations

import io
import sys

from openpyxl import load_workbook
from sqlalchemy import func, select

from station_app.cli import main
from station_app.db import open_database
from station_app.models import Volunteer

from . import roster_sheets as sheets
from .conftest import ADMIN_PASSWORD, setup_station


def run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _station(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    db = open_database(url)
    setup_station(db)
    db.dispose()
    return url


def _volunteers(url: str) -> int:
    db = open_database(url)
    try:
        with db.session(write=False) as session:
            return session.scalar(select(func.count()).select_from(Volunteer))
    finally:
        db.dispose()


def test_dry_run_prints_every_verdict_and_imports_nothing(tmp_path, monkeypatch, capsys):
    url = _station(tmp_path)
    sheet = sheets.messy_roster(tmp_path / "花名册.xlsx")
    errors = tmp_path / "错误行.xlsx"
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "import-roster", str(sheet), "--dry-run",
                                                "--errors", str(errors), "--as", "admin", "--password-stdin"],
                          ADMIN_PASSWORD + "\n")
    assert code == 1  # some rows have errors
    lines = out.splitlines()
    assert any(line.startswith("第 4 行  张三  442000********") and line.endswith("新增") for line in lines)
    assert any(line.startswith("第 6 行  王五") and "错误" in line and "丢失" in line for line in lines)
    assert "新增 11 行，已有 0 行，错误 6 行" in out and "试运行" in out
    assert sheets.GOOD not in out  # ID numbers are masked in the output
    assert _volunteers(url) == 0
    assert load_workbook(errors).active.max_row == 7


def test_import_then_again(tmp_path, monkeypatch, capsys):
    url = _station(tmp_path)
    sheet = sheets.simple_roster(tmp_path / "r.xlsx", 5)
    argv = ["--database", url, "import-roster", str(sheet), "--as", "admin", "--password-stdin"]
    code, out, _err = run(monkeypatch, capsys, argv, ADMIN_PASSWORD + "\n")
    assert code == 0 and "已导入 5 名志愿者（已注册）" in out
    code, out, _err = run(monkeypatch, capsys, argv, ADMIN_PASSWORD + "\n")
    assert code == 0 and "已有 5 行" in out and "没有需要导入的新增行" in out
    assert _volunteers(url) == 5


def test_applying_and_refusals(tmp_path, monkeypatch, capsys):
    url = _station(tmp_path)
    sheet = sheets.simple_roster(tmp_path / "r.xlsx", 2)
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "import-roster", str(sheet), "--applying",
                                                "--as", "admin", "--password-stdin"], ADMIN_PASSWORD + "\n")
    assert code == 0 and "申请中" in out
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "import-roster", str(tmp_path / "none.xlsx"),
                                                "--as", "admin", "--password-stdin"], ADMIN_PASSWORD + "\n")
    assert code == 2 and "找不到文件" in err
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "import-roster", str(sheet),
                                                "--as", "admin", "--password-stdin"], "wrong-password\n")
    assert code == 2 and _volunteers(url) == 2


def test_template_and_exports(tmp_path, monkeypatch, capsys):
    url = _station(tmp_path)
    code, out, _err = run(monkeypatch, capsys, ["roster-template", str(tmp_path / "模板")])
    assert code == 0 and (tmp_path / "模板.xlsx").exists()
    assert load_workbook(tmp_path / "模板.xlsx").sheetnames == ["志愿者花名册", "填写说明"]
    run(monkeypatch, capsys, ["--database", url, "import-roster", str(sheets.simple_roster(tmp_path / "r.xlsx", 4)),
                              "--as", "admin", "--password-stdin"], ADMIN_PASSWORD + "\n")
    for what in ("roster", "needs", "awards"):
        out_file = tmp_path / f"{what}.xlsx"
        code, out, err = run(monkeypatch, capsys, ["--database", url, "export", what, "-o", str(out_file),
                                                   "--as", "admin", "--password-stdin"], ADMIN_PASSWORD + "\n")
        assert code == 0, err
        assert out_file.exists() and "已导出" in out
    assert load_workbook(tmp_path / "roster.xlsx").active.max_row == 5
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "export", "ledger", "-o", "x.xlsx",
                                                "--as", "admin", "--password-stdin"], ADMIN_PASSWORD + "\n")
    assert code == 2 and "station-app ledger" in err
