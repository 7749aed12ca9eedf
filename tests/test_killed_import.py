"""A roster import killed half-way (a real process, SIGKILL) leaves the database as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from station_app.db import open_database
from station_app.services.roster_import import TEST_DELAY_ENV

from .conftest import ADMIN_PASSWORD, setup_station
from .roster_sheets import simple_roster

ROWS = 300


def _start_import(url: str, sheet: Path, data_dir: Path, *, delay: str | None) -> subprocess.Popen:
    env = dict(os.environ, STATION_APP_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    env.pop(TEST_DELAY_ENV, None)
    if delay is not None:
        env[TEST_DELAY_ENV] = delay  # the documented test hook: a pause after each imported row
    process = subprocess.Popen(
        [sys.executable, "-m", "station_app.cli", "--database", url, "import-roster", str(sheet), "--as", "admin",
         "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    process.stdin.write(ADMIN_PASSWORD + "\n")
    process.stdin.close()
    process.stdin = None  # written and closed: communicate() has nothing more to send
    return process


def _write_lock_held(path: Path) -> bool:
    """True while another connection holds the write transaction (our import, mid-write)."""
    with closing(sqlite3.connect(str(path), timeout=0)) as conn:
        conn.isolation_level = None
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        conn.execute("ROLLBACK")
        return False


def _counts(path: Path) -> tuple[str, int, int]:
    with closing(sqlite3.connect(str(path))) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        volunteers = conn.execute("SELECT count(*) FROM volunteers").fetchone()[0]
        audit = conn.execute("SELECT count(*) FROM audit_log WHERE entity = 'volunteer'").fetchone()[0]
    return check, volunteers, audit


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_import_leaves_nothing(tmp_path):
    path = tmp_path / "station.db"
    url = f"sqlite:///{path}"
    db = open_database(url)
    setup_station(db)
    db.dispose()
    sheet = simple_roster(tmp_path / "big.xlsx", ROWS)

    process = _start_import(url, sheet, tmp_path / "data", delay="0.02")
    try:
        # Wait for the progress line that says rows are being written (well inside the transaction).
        seen = ""
        deadline = time.monotonic() + 120
        while "已导入" not in seen:
            assert time.monotonic() < deadline, "the import never started writing"
            line = process.stderr.readline()
            assert line or process.poll() is None, f"the import ended early: {process.stdout.read()}"
            seen += line
        assert _write_lock_held(path), "the import is not holding its write transaction"
        assert Path(str(path) + "-wal").exists()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL

    check, volunteers, audit = _counts(path)
    assert check == "ok"
    assert volunteers == 0 and audit == 0  # no partial rows, no half of the audit log

    # The program opens the database as usual and the same file imports completely.
    process = _start_import(url, sheet, tmp_path / "data", delay=None)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert f"已导入 {ROWS} 名志愿者" in out
    assert _counts(path) == ("ok", ROWS, 2 * ROWS)
