"""The station-app command for administrators and scripts."""

from __future__ import annotations

import io
import sys

from sqlalchemy import select

from station_app.cli import main
from station_app.db import open_database
from station_app.models import Station, User


def run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_init_useradd_upgrade(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'station.db'}"
    code, out, _err = run(
        monkeypatch, capsys,
        ["--database", url, "init", "--town", "东区街道", "--community", "库充社区", "--station", "银湖湾物业志愿服务站",
         "--code", "DQ0301", "--admin", "zhan", "--password-stdin"],
        "zhanzhang-1\n",
    )
    assert code == 0 and "银湖湾物业志愿服务站" in out
    code, out, _err = run(
        monkeypatch, capsys,
        ["--database", url, "useradd", "--as", "zhan", "--username", "xiaoli", "--role", "clerk", "--password-stdin"],
        "zhanzhang-1\nclerk-pass\n",
    )
    assert code == 0, out
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "upgrade"])
    assert code == 0 and "最新" in out
    db = open_database(url)
    with db.session(write=False) as session:
        assert session.scalar(select(Station.code)) == "DQ0301"
        assert sorted(session.scalars(select(User.username))) == ["xiaoli", "zhan"]
    db.dispose()


def test_init_twice_refused(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'station.db'}"
    args = ["--database", url, "init", "--town", "东区街道", "--community", "库充社区", "--station", "站",
            "--code", "DQ0301", "--admin", "zhan", "--password-stdin"]
    assert run(monkeypatch, capsys, args, "zhanzhang-1\n")[0] == 0
    code, _out, err = run(monkeypatch, capsys, args, "zhanzhang-1\n")
    assert code == 2 and "不能重复设置" in err


def test_useradd_with_wrong_admin_password_refused(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'station.db'}"
    run(monkeypatch, capsys, ["--database", url, "init", "--town", "东区街道", "--community", "库充社区",
                              "--station", "站", "--code", "DQ0301", "--admin", "zhan", "--password-stdin"],
        "zhanzhang-1\n")
    code, _out, err = run(
        monkeypatch, capsys,
        ["--database", url, "useradd", "--as", "zhan", "--username", "x", "--password-stdin"], "wrong\nclerk-pass\n",
    )
    assert code == 2 and "用户名或密码错误" in err


def test_corrupt_database_refused(tmp_path, monkeypatch, capsys):
    path = tmp_path / "station.db"
    path.write_text("名单,电话\n张三,13812345678\n", encoding="utf-8")
    code, _out, err = run(monkeypatch, capsys, ["--database", f"sqlite:///{path}", "upgrade"])
    assert code == 2 and "不是本程序的数据库" in err
    assert path.read_text(encoding="utf-8").startswith("名单")
