"""`station-app print …` and `verify-certificate`: certificates, proofs, ledgers and the honour roll from a script."""

from __future__ import annotations

import io
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from station_app.cli import main
from station_app.db import Database, open_database
from station_app.models import CertificateIssue, Volunteer
from station_app.services import stars
from station_app.services.auth import Role

from .conftest import ADMIN_PASSWORD, add_user, setup_station
from .ledger_factory import add_record
from .schedule_factory import make_volunteer

TODAY = date.today()


def run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def station(tmp_path: Path):
    """Three volunteers with confirmed levels, one with hours but none confirmed: (url, db, admin)."""
    url = f"sqlite:///{tmp_path / 'station.db'}"
    db = open_database(url, backup_dir=tmp_path / "backups")
    admin = setup_station(db)
    for name, hours in (("张一", 120), ("李二", 320), ("王三", 650), ("赵未认", 90)):
        vid = make_volunteer(db, admin, name)
        left, day = hours * 60, TODAY - timedelta(days=1)
        while left > 0:
            add_record(db, admin, vid, min(left, 480), on=day, content="楼道清洁")
            left -= 480
            day -= timedelta(days=1)
        if hours >= 100:
            with db.session() as session:
                stars.confirm_award(session, admin, vid, stars.find(session, admin, vid).level, TODAY)
    yield url, db, admin
    db.dispose()


def issued(db: Database) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(CertificateIssue))


def as_admin(url: str) -> list[str]:
    return ["--database", url, "print"]


def test_star_certificates_new_ones_into_one_pdf_then_nothing_left(station, tmp_path, monkeypatch, capsys):
    url, db, _admin = station
    out = tmp_path / "stars.pdf"
    code, stdout, err = run(monkeypatch, capsys, [*as_admin(url), "star-certificates", "--as", "admin",
                                                  "--password-stdin", "--out", str(out)], ADMIN_PASSWORD + "\n")
    assert code == 0, err
    assert "已生成 3 份星级志愿者证书" in stdout and issued(db) == 3
    reader = PdfReader(str(out))
    assert len(reader.pages) == 3
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert all(name in text for name in ("张一", "李二", "王三")) and "赵未认" not in text
    code, stdout, _err = run(monkeypatch, capsys, [*as_admin(url), "star-certificates", "--as", "admin",
                                                   "--password-stdin", "--out", str(out)], ADMIN_PASSWORD + "\n")
    assert code == 0 and "没有需要打印的证书" in stdout and issued(db) == 3


def test_per_person_files_and_a_reprint_with_all(station, tmp_path, monkeypatch, capsys):
    url, db, _admin = station
    folder = tmp_path / "each"
    code, stdout, err = run(monkeypatch, capsys, [*as_admin(url), "star-certificates", "--as", "admin",
                                                  "--password-stdin", "--per-person", "--out", str(folder)],
                            ADMIN_PASSWORD + "\n")
    assert code == 0, err
    files = sorted(folder.glob("*.pdf"))
    assert len(files) == 3 and any("王三" in f.name for f in files)
    again = tmp_path / "again.pdf"
    with db.session(write=False) as session:
        number = session.scalar(select(Volunteer.volunteer_no).where(Volunteer.name == "李二"))
    code, _stdout, err = run(monkeypatch, capsys, [*as_admin(url), "star-certificates", "--as", "admin",
                                                   "--password-stdin", "--volunteer", number, "--out", str(again)],
                             ADMIN_PASSWORD + "\n")
    assert code == 0, err
    assert "补打" in PdfReader(str(again)).pages[0].extract_text() and issued(db) == 4


def test_no_confirmed_level_is_refused_with_the_reason(station, tmp_path, monkeypatch, capsys):
    url, db, _admin = station
    with db.session(write=False) as session:
        number = session.scalar(select(Volunteer.volunteer_no).where(Volunteer.name == "赵未认"))
    out = tmp_path / "none.pdf"
    code, _stdout, err = run(monkeypatch, capsys, [*as_admin(url), "star-certificates", "--as", "admin",
                                                   "--password-stdin", "--volunteer", number, "--out", str(out)],
                             ADMIN_PASSWORD + "\n")
    assert code == 2 and "赵未认还没有认定的星级" in err and not out.exists() and issued(db) == 0


def test_a_clerk_cannot_sign_certificates(station, tmp_path, monkeypatch, capsys):
    url, db, admin = station
    add_user(db, admin, "clerk", Role.CLERK)
    code, _stdout, err = run(monkeypatch, capsys, [*as_admin(url), "star-certificates", "--as", "clerk",
                                                   "--password-stdin", "--out", str(tmp_path / "x.pdf")],
                             "password-1\n")
    assert code == 2 and "权限" in err and issued(db) == 0


def test_record_certificate_then_verify_certificate(station, tmp_path, monkeypatch, capsys):
    url, db, _admin = station
    with db.session(write=False) as session:
        number, full_id = session.execute(
            select(Volunteer.volunteer_no, Volunteer.id_number).where(Volunteer.name == "李二")).one()
    out = tmp_path / "proof.pdf"
    code, stdout, err = run(monkeypatch, capsys, [*as_admin(url), "record-certificate", "--as", "admin",
                                                  "--password-stdin", "--volunteer", number, "--from",
                                                  (TODAY - timedelta(days=365)).isoformat(), "--out", str(out)],
                            ADMIN_PASSWORD + "\n")
    assert code == 0, err
    assert f"SQ0101-JL{TODAY.year}-0001" in stdout
    text = "\n".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "李二" in text and "320" in text and full_id not in text
    with db.session(write=False) as session:
        payload = session.scalar(select(CertificateIssue.payload))
    code, stdout, _err = run(monkeypatch, capsys, ["--database", url, "verify-certificate", payload])
    assert code == 0 and "证书有效" in stdout and "李二" in stdout and "320 小时" in stdout
    tampered = payload.replace("|19200|", "|39200|")
    assert tampered != payload
    code, stdout, _err = run(monkeypatch, capsys, ["--database", url, "verify-certificate", "-"], tampered + "\n")
    assert code == 1 and "证书无效" in stdout and "签名不符" in stdout


def test_honour_roll_and_ledger_need_no_signing_key(station, tmp_path, monkeypatch, capsys):
    url, db, admin = station
    add_user(db, admin, "viewer", Role.VIEWER)
    roll = tmp_path / "roll.pdf"
    code, stdout, err = run(monkeypatch, capsys, [*as_admin(url), "honour-roll", "--as", "viewer", "--password-stdin",
                                                  "--year", str(TODAY.year), "--out", str(roll)], "password-1\n")
    assert code == 0, err
    text = "\n".join(p.extract_text() for p in PdfReader(str(roll)).pages)
    assert "王三" in text and "三星级志愿者" in text
    month = tmp_path / "month.pdf"
    code, stdout, err = run(monkeypatch, capsys, [*as_admin(url), "ledger", "--as", "viewer", "--password-stdin",
                                                  "--month", f"{TODAY:%Y-%m}", "--out", str(month)], "password-1\n")
    assert code == 0, err
    assert len(PdfReader(str(month)).pages) >= 1 and issued(db) == 0
