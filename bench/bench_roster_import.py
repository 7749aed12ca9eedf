"""Excel roster import benchmark: a 10,000-row sheet imported by the program, next to a bare import.

Run:  python bench/bench_roster_import.py [--rows 10000]

Target (issue 7): the import within 3× of the bare insert of the same rows, measured in the same run.

* bare: the sheet read with openpyxl (read-only, values only) and the rows written with one
  ``executemany`` per table on a plain ``sqlite3`` connection, in one transaction — no checks, no
  audit, no numbering: the least any Excel import must do.
* program: ``roster_import.preview`` (finds the header, fills merged cells, checks every row with
  the registration form's rules, looks the ID numbers up) and ``roster_import.import_rows`` (each
  row through ``register_volunteer`` and ``review_volunteer``: the form's validation, audit entries
  and numbering), in one unit of work, as the GUI and ``station-app import-roster`` run them.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from datetime import date, datetime, timezone
from pathlib import Path

from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from station_app.db import open_database
from station_app.services import roster_import as ri
from station_app.services.auth import authenticate
from station_app.services.stations import StationSetup, initialise_station

ADMIN, PASSWORD = "admin", "bench-2014"
TARGET = 3.0
SURNAMES, GIVEN = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def make_sheet(path: Path, rows: int) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["康华花园志愿者花名册"])
    ws.append(["姓名", "身份证号", "手机号", "技能", "政治面貌", "楼栋", "单元", "房号", "登记日期"])
    for n in range(rows):
        birth = date(1950 + n % 50, 1 + n % 12, 1 + n % 28)
        body = f"442000{birth:%Y%m%d}{(n // 600) % 1000:03d}"
        name = SURNAMES[n % 16] + GIVEN[(n // 16) % 20] + GIVEN[(n // 320) % 20]
        ws.append([name, body + ric.calc_check_digit(body + "?"), f"139{n:08d}", "急救、电工" if n % 3 == 0 else "", "群众",
                   f"{n % 30 + 1}栋", f"{n % 4 + 1}单元", f"{n % 30 + 1:02d}0{n % 4 + 1}", "2026-03-05"])
    wb.save(path)


def fresh_station(path: Path):  # noqa: ANN201 - (Database, Actor)
    db = open_database(f"sqlite:///{path}")
    with db.session() as session:
        initialise_station(session, StationSetup(
            city="中山市", town="石岐街道", community="仁厚社区", station_name="康华花园物业志愿服务站",
            station_code="SQ0101", address="康华路1号", contact_person="陈站长", contact_phone="0760-88123456",
            admin_username=ADMIN, admin_display_name="陈站长", admin_password=PASSWORD,
            admin_password_confirm=PASSWORD))
    with db.session() as session:
        actor = authenticate(session, ADMIN, PASSWORD)
    return db, actor


def bare_import(sheet: Path, database: Path) -> tuple[float, float, int]:
    """Read the sheet and insert its rows raw; returns (read seconds, insert seconds, rows)."""
    start = time.perf_counter()
    wb = load_workbook(sheet, read_only=True, data_only=True)
    rows = [r for r in wb.active.iter_rows(min_row=3, values_only=True) if r and r[0]]
    wb.close()
    read = time.perf_counter() - start
    start = time.perf_counter()
    now = datetime.now(timezone.utc).isoformat(sep=" ")
    with closing(sqlite3.connect(str(database))) as conn:
        conn.isolation_level = None
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO volunteers (station_id, volunteer_no, name, name_initials, name_pinyin, gender, birth_date,"
            " id_number, id_tail, phone, political_status, is_owner, building, unit, room, is_backbone,"
            " emergency_contact, emergency_phone, availability, status, status_reason, applied_at, registered_on,"
            " notes, created_at, updated_at, version) VALUES (1, ?, ?, '', '', '', ?, ?, ?, ?, 'masses', 0, ?, ?, ?, 0,"
            " '', '', 0, 'registered', '', ?, ?, '', ?, ?, 1)",
            [(f"SQ0101-{n + 1:06d}", r[0], f"{r[1][6:10]}-{r[1][10:12]}-{r[1][12:14]}", r[1], r[1][-4:], r[2],
              r[5], r[6], r[7], now, "2026-03-05", now, now) for n, r in enumerate(rows)],
        )
        conn.execute("COMMIT")
    return read, time.perf_counter() - start, len(rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-roster-import-"))
    sheet = workdir / "roster.xlsx"
    make_sheet(sheet, args.rows)
    print(f"{args.rows:,}-row sheet: {sheet.stat().st_size / 1e6:.1f} MB")

    bare_db, _actor = fresh_station(workdir / "bare.db")
    bare_db.dispose()
    read_s, insert_s, count = bare_import(sheet, workdir / "bare.db")
    bare = read_s + insert_s

    db, actor = fresh_station(workdir / "program.db")
    start = time.perf_counter()
    with db.session(write=False) as session:
        preview = ri.preview(session, actor, sheet)
    preview_s = time.perf_counter() - start
    assert preview.count(ri.Verdict.NEW) == args.rows == count, preview.summary()
    start = time.perf_counter()
    with db.session() as session:
        result = ri.import_rows(session, actor, preview)
    import_s = time.perf_counter() - start
    assert result.imported == args.rows
    db.dispose()
    ours = preview_s + import_s

    ratio = ours / bare
    per_row = 1000 * import_s / args.rows
    print(f"  bare: read {read_s:6.2f} s + raw insert {insert_s:5.2f} s = {bare:6.2f} s")
    print(f"  program: preview {preview_s:6.2f} s + import {import_s:6.2f} s ({per_row:.2f} ms a row) = {ours:6.2f} s")
    print(f"  ratio {ratio:.2f}×  (target ≤ {TARGET:.0f}×)  {'OK' if ratio <= TARGET else 'MISSED'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
