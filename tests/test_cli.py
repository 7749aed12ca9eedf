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


def test_overview_and_poster_for_scripts(tmp_path, monkeypatch, capsys):
    """The Monday overview as text, and a recruitment poster printed without the GUI."""
    from pypdf import PdfReader

    from station_app.services.demo import DEMO_PASSWORD, build_demo

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    db = open_database(url)
    build_demo(db, volunteers=60)
    db.dispose()
    login = ["--as", "viewer", "--password-stdin"]

    code, out, _err = run(monkeypatch, capsys, ["--database", url, "overview", *login], DEMO_PASSWORD + "\n")
    assert code == 0
    assert "未满足需求：" in out and "空巢老人：" in out and "逾期未走访：" in out and "已等" in out

    code, out, _err = run(monkeypatch, capsys, ["--database", url, "poster", *login], DEMO_PASSWORD + "\n")
    assert code == 0 and "招募银龄守望陪伴志愿者" in out
    notice_id = next(line.split()[0] for line in out.splitlines() if "招募银龄守望陪伴志愿者" in line)
    target = tmp_path / "海报"
    code, out, _err = run(monkeypatch, capsys,
                          ["--database", url, "poster", *login, "--id", notice_id, "-o", str(target)],
                          DEMO_PASSWORD + "\n")
    assert code == 0 and "海报.pdf" in out
    text = "".join(PdfReader(str(tmp_path / "海报.pdf")).pages[0].extract_text().split())
    assert "招募银龄守望陪伴志愿者" in text and "报名截止" in text

    code, _out, err = run(monkeypatch, capsys, ["--database", url, "poster", *login, "--id", "999"],
                          DEMO_PASSWORD + "\n")
    assert code == 2 and "找不到" in err
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "overview", *login, "--date", "2026-02-30"],
                          DEMO_PASSWORD + "\n")
    assert code == 2 and "统计日期" in err


def test_festivals_lists_a_years_dates_in_order(monkeypatch, capsys):
    code, out, _err = run(monkeypatch, capsys, ["festivals", "2024"])
    assert code == 0
    lines = [line.split() for line in out.splitlines()[1:]]
    assert ["2024-09-17", "周二", "中秋（传统节日）"] in lines
    assert ["2024-02-10", "周六", "春节（传统节日）"] in lines
    assert ["2024-12-05", "周四", "国际志愿者日（纪念日）"] in lines
    assert [line[0] for line in lines] == sorted(line[0] for line in lines) and len(lines) == 9


def test_festivals_outside_the_supported_years_refused(monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, ["festivals", "2101"])
    assert code != 0 and "1950—2100" in err and not out


def test_schedule_training_and_festival_visit_for_scripts(tmp_path, monkeypatch, capsys):
    """The week's schedule, an activity's roster, a training's sign-in sheet and a festival visit, without the GUI."""
    from datetime import date, timedelta

    from pypdf import PdfReader

    from station_app.services.demo import DEMO_PASSWORD, build_demo

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    db = open_database(url)
    build_demo(db, volunteers=80)
    db.dispose()
    viewer = ["--as", "viewer", "--password-stdin"]
    today = date.today()
    month = ["--from", today.isoformat(), "--to", (today + timedelta(days=30)).isoformat()]

    code, out, _err = run(monkeypatch, capsys, ["--database", url, "schedule", *viewer, *month], DEMO_PASSWORD + "\n")
    assert code == 0 and "周六晚间社区巡逻" in out and "已排" in out
    patrol = next(line for line in out.splitlines() if "周六晚间社区巡逻" in line)
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "schedule", *viewer, "--id", patrol.split()[0],
                                                "-o", str(tmp_path / "巡逻")], DEMO_PASSWORD + "\n")
    assert code == 0
    text = "".join(PdfReader(str(tmp_path / "巡逻.pdf")).pages[0].extract_text().split())
    assert "周六晚间社区巡逻" in text and "签到" in text

    code, out, _err = run(monkeypatch, capsys, ["--database", url, "training", *viewer, "--from",
                                                (today - timedelta(days=400)).isoformat(), "--to",
                                                (today + timedelta(days=60)).isoformat()], DEMO_PASSWORD + "\n")
    assert code == 0 and "岗前培训" in out and "已举行" in out
    held = next(line for line in out.splitlines() if "已举行" in line)
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "training", *viewer, "--id", held.split()[0],
                                                "-o", str(tmp_path / "签到表.pdf")], DEMO_PASSWORD + "\n")
    assert code == 0
    text = "".join(PdfReader(str(tmp_path / "签到表.pdf")).pages[0].extract_text().split())
    assert held.split()[3] in text and "本人签名" in text  # the topic, and the column to sign

    clerk = ["--as", "clerk", "--password-stdin"]
    visit = ["festival-visit", *clerk, "--festival", "重阳", "--group", "残疾人"]
    code, out, _err = run(monkeypatch, capsys, ["--database", url, *visit], DEMO_PASSWORD + "\n")
    assert code == 0 and "重阳" in out and "残疾人" in out
    code, out, err = run(monkeypatch, capsys, ["--database", url, *visit], DEMO_PASSWORD + "\n")
    assert code == 2 and "已经有" in err and not out
    # A viewer may look but not schedule.
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "festival-visit", *viewer, "--festival", "春节",
                                                "--group", "空巢老人"], DEMO_PASSWORD + "\n")
    assert code != 0 and err
