"""`station-app verify`, `checkpoint` and `ledger`: the evidence chain checked from a script, and ledgers exported."""

from __future__ import annotations

import io
import sys
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, text

from station_app.cli import main
from station_app.db import Database, open_database
from station_app.models import LedgerCheckpoint, Volunteer
from station_app.services import chain
from station_app.services.auth import Actor, Role

from .conftest import ADMIN_PASSWORD, add_user, setup_station
from .ledger_factory import add_record, pad_and_rebuild
from .schedule_factory import make_volunteer
from .test_ledger_views import Y


def run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def station(tmp_path: Path) -> tuple[str, Database, Actor, int, list[int]]:
    """A station with three service records: (url, db, admin, volunteer id, record ids)."""
    url = f"sqlite:///{tmp_path / 'station.db'}"
    db = open_database(url, backup_dir=tmp_path / "backups")
    admin = setup_station(db)
    volunteer = make_volunteer(db, admin, "李志愿")
    records = [add_record(db, admin, volunteer, 60 * n, on=date(Y, 11, n)) for n in (1, 2, 3)]
    yield url, db, admin, volunteer, records
    db.dispose()


def checkpoints_stored(db: Database) -> int:
    with db.session(write=False) as session:
        return len(session.scalars(select(LedgerCheckpoint)).all())


def test_verify_is_ok_then_names_a_row_changed_with_plain_sql(station, monkeypatch, capsys):
    url, db, _admin, _volunteer, records = station
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "verify"])
    assert code == 0, out
    assert out.startswith("OK ") and "台账完整，共 3 条" in out and "本站公钥指纹" in out
    with db.session(write=False) as session:
        fingerprint = chain.fingerprint(chain.station_public_key(session, 1))
    assert fingerprint in out

    with db.session() as session:
        session.execute(text("UPDATE service_records SET minutes = 600 WHERE id = :id"), {"id": records[1]})
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "verify"])
    assert code == 1
    assert "台账第 2 条（服务记录）" in out and "被改动" in out


def test_a_rebuilt_chain_is_reported_given_the_checkpoint_line(station, monkeypatch, capsys, tmp_path: Path):
    url, db, _admin, _volunteer, _records = station
    code, out, err = run(monkeypatch, capsys, ["--database", url, "checkpoint", "--as", "admin", "--password-stdin"],
                         ADMIN_PASSWORD + "\n")
    assert code == 0, err
    line = out.strip().splitlines()[-1]
    assert line.startswith("checkpoint-v1") and "count=3" in line and "sig=" in line
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "checkpoint", "--list"])
    assert code == 0 and line in out.splitlines()

    pad_and_rebuild(db)  # a record padded, every hash after it recomputed, the stored checkpoints dropped
    assert run(monkeypatch, capsys, ["--database", url, "verify"])[0] == 0  # the chain alone looks fine
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "verify", "--checkpoint", line])
    assert code == 1 and "重建" in out
    # … and so does the short form typed from a paper monthly ledger, from a file.
    parsed = chain.parse_checkpoint(line)
    paper = tmp_path / "paper.txt"
    typed = f"{parsed.count}  {chain.grouped(parsed.head_hash).upper()}"
    paper.write_text(f"# 11 月台账\n{typed}\n", encoding="utf-8")
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "verify", "--checkpoint-file", str(paper)])
    assert code == 1 and "重建" in out


def test_a_mistyped_checkpoint_is_refused_clearly(station, monkeypatch, capsys):
    url, *_rest = station
    code, out, err = run(monkeypatch, capsys, ["--database", url, "verify", "--checkpoint", "3 abcd 12zz"])
    assert code == 2 and out == ""
    assert "第 1 行检查点" in err and "64 位十六进制" in err


def test_verify_needs_an_existing_database_and_creates_none(tmp_path: Path, monkeypatch, capsys):
    missing = tmp_path / "nowhere.db"
    code, _out, err = run(monkeypatch, capsys, ["--database", f"sqlite:///{missing}", "verify"])
    assert code == 2 and "找不到数据库文件" in err
    assert not missing.exists()


def test_signing_needs_an_administrator_and_the_right_password(station, monkeypatch, capsys):
    url, db, admin, _volunteer, _records = station
    add_user(db, admin, "clerk", Role.CLERK)
    before = checkpoints_stored(db)
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "checkpoint", "--as", "admin", "--password-stdin"],
                          "wrong-password\n")
    assert code == 2 and "密码错误" in err
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "checkpoint", "--as", "clerk", "--password-stdin"],
                          "password-1\n")
    assert code == 2 and "权限" in err
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "checkpoint"])
    assert code == 2 and "--as" in err
    assert checkpoints_stored(db) == before


def test_ledger_exports_from_the_command_line(station, monkeypatch, capsys, tmp_path: Path):
    url, db, _admin, volunteer, _records = station
    with db.session(write=False) as session:
        number = session.get(Volunteer, volunteer).volunteer_no
    xlsx = tmp_path / "个人台账.xlsx"
    code, out, err = run(monkeypatch, capsys, ["--database", url, "ledger", "--as", "admin", "--password-stdin",
                                               "--volunteer", number, "-o", str(xlsx)], ADMIN_PASSWORD + "\n")
    assert code == 0, err
    ws = load_workbook(xlsx)["服务记录"]
    assert ws["A4"].is_date and ws["F4"].value == 1
    pdf = tmp_path / "月度台账.pdf"
    code, out, err = run(monkeypatch, capsys, ["--database", url, "ledger", "--as", "admin", "--password-stdin",
                                               "--month", f"{Y}-11", "-o", str(pdf)], ADMIN_PASSWORD + "\n")
    assert code == 0, err
    text_ = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "李志愿" in text_ and "台账检查点" in text_  # the admin's login signed the head
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "ledger", "--as", "admin", "--password-stdin",
                                                "--party", "-o", str(tmp_path / "party.csv")], ADMIN_PASSWORD + "\n")
    assert code == 2 and ".xlsx" in err
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "ledger", "--as", "admin", "--password-stdin",
                                                "--month", "2026-13", "-o", str(pdf)], ADMIN_PASSWORD + "\n")
    assert code == 2 and "YYYY-MM" in err


CLERK_PASSWORD = "password-1\n"  # add_user's


def test_stars_lists_the_newly_eligible_and_the_admin_confirms_them_all(station, monkeypatch, capsys):
    url, db, admin, _volunteer, _records = station
    keen = make_volunteer(db, admin, "王热心")
    for day in range(50):  # 50 evenings of two hours: 100 hours
        add_record(db, admin, keen, 120, on=date(Y, 1, 1) + timedelta(days=day), start=time(19, 0))
    add_user(db, admin, "clerk", Role.CLERK)

    code, out, _err = run(monkeypatch, capsys, ["--database", url, "stars", "--as", "clerk", "--password-stdin"],
                          CLERK_PASSWORD)
    assert code == 0 and "新达星级、待认定：1 人" in out and "王热心" in out and "100 小时 → 一星级志愿者" in out
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "stars", "--as", "clerk", "--password-stdin",
                                                "--confirm-all"], CLERK_PASSWORD)
    assert code != 0 and "权限" in err  # a clerk lists, only the 站长 confirms

    code, out, _err = run(monkeypatch, capsys, ["--database", url, "stars", "--as", "admin", "--password-stdin",
                                                "--confirm-all", "--date", f"{Y}-11-20"], ADMIN_PASSWORD + "\n")
    assert code == 0 and f"已认定 1 人（{Y}-11-20）" in out and f"SQ0101-XJ{Y}-0001  王热心  一星级志愿者" in out
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "stars", "--as", "clerk", "--password-stdin"],
                          CLERK_PASSWORD)
    assert "新达星级、待认定：0 人" in out and "一星级志愿者  1 人" in out
