"""``station-app backup`` and ``station-app restore`` as an administrator or a scheduled job runs them."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from station_app.cli import main
from station_app.db import open_database
from station_app.services.auth import Actor, Role

from .conftest import add_user, setup_station


def run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def usernames(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return sorted(r[0] for r in conn.execute("SELECT username FROM users"))


@pytest.fixture
def station_file(tmp_path: Path) -> tuple[Path, str, Actor]:
    path = tmp_path / "station.db"
    url = f"sqlite:///{path}"
    db = open_database(url)
    admin = setup_station(db)
    db.dispose()
    return path, url, admin


def test_backup_list_and_backup_to_a_file(station_file, tmp_path, monkeypatch, capsys):
    path, url, _admin = station_file
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "backup", "--list"])
    assert code == 0 and "还没有备份" in out

    code, out, _err = run(monkeypatch, capsys, ["--database", url, "backup"])
    assert code == 0 and "已备份到" in out
    made = list((tmp_path / "backups").glob("station-manual-*.db"))
    assert len(made) == 1 and str(made[0]) in out

    code, out, _err = run(monkeypatch, capsys, ["--database", url, "backup", "--to", str(tmp_path / "usb" / "每周")])
    assert code == 0 and (tmp_path / "usb" / "每周.db").is_file()

    code, out, _err = run(monkeypatch, capsys, ["--database", url, "backup", "--list"])
    assert code == 0
    assert made[0].name in out and "手动备份" in out and "康华花园物业志愿服务站" in out and "志愿者 0 人" in out


def test_backup_uses_the_data_directory_by_default(monkeypatch, capsys, tmp_path):
    data = tmp_path / "data"
    monkeypatch.setenv("STATION_APP_DATA_DIR", str(data))
    db = open_database(f"sqlite:///{data / 'station.db'}")
    setup_station(db)
    db.dispose()
    code, out, _err = run(monkeypatch, capsys, ["backup"])
    assert code == 0
    assert len(list((data / "backups").glob("station-manual-*.db"))) == 1


def test_restore_round_trip(station_file, tmp_path, monkeypatch, capsys):
    path, url, admin = station_file
    run(monkeypatch, capsys, ["--database", url, "backup", "--to", str(tmp_path / "saved.db")])
    db = open_database(url)
    add_user(db, admin, "later", Role.CLERK)
    db.dispose()

    # Asked first: anything but yes cancels, nothing changed.
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "restore", str(tmp_path / "saved.db")], "no\n")
    assert code == 1 and "已取消" in out and str(path) in out
    assert usernames(path) == ["admin", "later"]

    code, out, _err = run(monkeypatch, capsys, ["--database", url, "restore", str(tmp_path / "saved.db")], "yes\n")
    assert code == 0 and "已恢复" in out
    assert usernames(path) == ["admin"]
    replaced = list((tmp_path / "backups").glob("station-replaced-*.db"))
    assert len(replaced) == 1 and str(replaced[0]) in out and usernames(replaced[0]) == ["admin", "later"]
    with closing(sqlite3.connect(path)) as conn:
        who = conn.execute("SELECT username FROM audit_log WHERE action = 'restore'").fetchone()[0]
    assert who.startswith("命令行")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("花名册,电话\n张三,13812345678\n".encode(), "不是 SQLite 数据库文件"),
        (b"SQLite format 3\x00" + b"\x01" * 5000, "已损坏"),
    ],
    ids=["text", "corrupt"],
)
def test_restore_refuses_a_file_that_is_not_a_backup(station_file, tmp_path, monkeypatch, capsys, content, reason):
    path, url, _admin = station_file
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "restore", str(bad), "--yes"])
    assert code == 2 and reason in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not (tmp_path / "backups").exists()


def test_server_database_backups_are_the_servers_job(pg_url, monkeypatch, capsys):
    code, _out, err = run(monkeypatch, capsys, ["--database", pg_url, "backup"])
    assert code == 2 and "pg_dump" in err
