"""Ledger benchmark: star levels of every volunteer and one volunteer's ledger, next to the bare SQL.

Run:  QT_QPA_PLATFORM=offscreen python bench/bench_ledger.py [--volunteers 200000] [--records 5000000]
      [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

A city-sized ledger: 200,000 registered volunteers with 5,000,000 service records over six years
(about one in two hundred records corrected: a correction and its approving decision), filled
with raw inserts. The hash columns hold placeholders: this measures reading, not verifying.

Targets (issue 5), each reported against the bare SQL aggregate run raw in the same run:
- the star levels of all volunteers (the 星级总览 distribution and the 新达星级 list) within 2× of
  ``SELECT volunteer_id, SUM(delta_minutes) … GROUP BY volunteer_id``;
- one volunteer's ledger (history, totals by year and category, training, honours) within 2× of
  ``SELECT … FROM service_records WHERE volunteer_id = ?`` and under 100 ms.
Medians of several runs. With ``--pg`` the same is measured on PostgreSQL too (in a scratch
schema, dropped afterwards).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import create_engine, insert, text  # noqa: E402

from station_app.db import Database, open_database  # noqa: E402
from station_app.models import ChainHead, ServiceRecord, Volunteer  # noqa: E402
from station_app.services import hours, ledger_views, stars  # noqa: E402
from station_app.services.auth import Actor, authenticate  # noqa: E402
from station_app.services.stations import StationSetup, initialise_station  # noqa: E402

ADMIN, PASSWORD = "admin", "bench-2014"
CATEGORIES = ("帮扶行动", "便民行动", "文明行动", "平安行动", "护苗行动", "文化行动")
CONTENTS = ("敬老助老陪伴", "楼道清洁", "治安巡逻", "健康义诊", "四点半课堂", "代交水电费", "维修家电")
PLACEHOLDER = "0" * 64
BATCH = 50_000
TARGET_RATIO = 2.0
TARGET_LEDGER_MS = 100.0

BARE_LEVELS = "SELECT volunteer_id, SUM(delta_minutes) FROM service_records WHERE station_id = 1 GROUP BY volunteer_id"
# What one volunteer's ledger needs, bare, in the service's shape: their records, then the
# corrections and decisions on those records, then the decisions on the corrections, and the total.
BARE_RECORDS = (
    "SELECT id, service_records.* FROM service_records WHERE station_id = 1 AND kind = 'record' AND volunteer_id = {p}"
    " ORDER BY service_date, starts_at, seq"
)
BARE_FOLLOWERS = "SELECT id, kind, service_records.* FROM service_records WHERE target_id IN ({marks})"
BARE_TOTAL = "SELECT SUM(delta_minutes) FROM service_records WHERE station_id = 1 AND volunteer_id = {p}"


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm the cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def setup(db: Database) -> Actor:
    with db.session() as session:
        initialise_station(
            session,
            StationSetup(
                city="中山市", town="石岐街道", community="莲塘社区", station_name="基准测试服务站", station_code="BENCH", address="", contact_person="", contact_phone="",
                admin_username=ADMIN, admin_display_name="基准站长", admin_password=PASSWORD,
                admin_password_confirm=PASSWORD,
            ),
        )
    with db.session() as session:
        return authenticate(session, ADMIN, PASSWORD)


def fill(db: Database, volunteers: int, records: int, rng: random.Random) -> None:
    """Raw inserts of the volunteers and their records."""
    now = datetime(2026, 11, 1, 0, 0, tzinfo=timezone.utc)  # when rows were entered (aware UTC columns)
    start_day = date(2020, 12, 1)
    with db.session() as session:
        rows = []
        for n in range(1, volunteers + 1):
            rows.append({
                "id": n, "station_id": 1, "volunteer_no": f"BENCH-{n:06d}", "name": f"志愿者{n}",
                "name_initials": "zyz", "name_pinyin": "zhiyuanzhe", "gender": "女", "birth_date": date(1970, 1, 1),
                "id_number": f"44200019700101{n:04d}"[-18:] if n < 10_000 else f"4420{n:014d}",
                "id_tail": f"{n % 10_000:04d}", "phone": "13800000000", "political_status": "party" if n % 9 == 0 else "masses",
                "is_owner": True, "building": str(n % 40 + 1), "unit": "1", "room": "101", "is_backbone": False,
                "emergency_contact": "", "emergency_phone": "", "availability": 0, "status": "registered",
                "status_reason": "", "applied_at": now, "registered_on": date(2020, 11, 1), "notes": "",
                "created_at": now, "updated_at": now, "version": 1,
            })
            if len(rows) == BATCH:
                session.execute(insert(Volunteer.__table__), rows)
                rows = []
        if rows:
            session.execute(insert(Volunteer.__table__), rows)

    seq = 0
    per_volunteer = records / volunteers
    batch: list[dict] = []
    with db.session() as session:

        def flush() -> None:
            session.execute(insert(ServiceRecord.__table__), batch)
            batch.clear()

        def row(**values) -> dict:  # noqa: ANN003
            nonlocal seq
            seq += 1
            base = {
                "id": seq, "station_id": 1, "seq": seq, "prev_hash": PLACEHOLDER, "entry_hash": PLACEHOLDER,
                "target_id": None, "activity_id": None, "assignment_id": None, "service_item_id": None,
                "place": "活动室", "recipient_id": None, "served_person": "", "organiser": "基准测试服务站",
                "attendance": "present", "evaluation": "good", "evaluation_note": "", "needs_approval": False,
                "decision": "", "reason": "", "recorder_id": 1, "recorder_name": "基准站长", "entered_at": now,
            }
            base.update(values)
            return base

        made = 0
        volunteer = 0
        while made < records:
            volunteer = volunteer % volunteers + 1
            count = max(1, int(rng.expovariate(1 / per_volunteer)))
            for _ in range(min(count, records - made)):
                day = start_day + timedelta(days=rng.randrange(2160))
                minutes = rng.choice((60, 90, 120, 150, 180, 240))
                starts = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.choice((8, 9, 14, 19)))
                content = rng.choice(CONTENTS)
                category = CATEGORIES[CONTENTS.index(content) % len(CATEGORIES)]
                record = row(
                    kind="record", volunteer_id=volunteer, content=content, category=category, service_date=day,
                    starts_at=starts, ends_at=starts + timedelta(minutes=minutes), minutes=minutes,
                    delta_minutes=minutes,
                )
                batch.append(record)
                made += 1
                if rng.random() < 0.005 and made < records - 2:
                    fixed = minutes - 30
                    correction = row(
                        kind="correction", volunteer_id=volunteer, target_id=record["id"], content=content,
                        category=category, service_date=day, starts_at=starts,
                        ends_at=starts + timedelta(minutes=fixed), minutes=fixed, delta_minutes=0, reason="签退时间记错",
                    )
                    batch.append(correction)
                    batch.append(row(
                        kind="decision", volunteer_id=volunteer, target_id=correction["id"], content=content,
                        category=category, service_date=day, starts_at=None, ends_at=None, minutes=0,
                        attendance="", evaluation="", decision="approved", reason="同意", delta_minutes=-30,
                    ))
                    made += 2
                if len(batch) >= BATCH:
                    flush()
        if batch:
            flush()
        session.execute(
            ChainHead.__table__.update().where(ChainHead.station_id == 1).values(count=seq, head_hash=PLACEHOLDER)
        )


def measure(
    db: Database, label: str, actor: Actor, volunteers: dict[str, int], runs: int, raw_sql: Callable[[str, tuple], object]
) -> bool:
    def levels() -> None:
        with db.session(write=False) as session:
            stars.level_distribution(session, actor)

    def overview() -> None:
        with db.session(write=False) as session:
            stars.star_overview(session, actor, limit=None)

    def first_page() -> None:
        with db.session(write=False) as session:
            stars.star_overview(session, actor)

    def eligible() -> None:
        with db.session(write=False) as session:
            stars.newly_eligible(session, actor)

    def ledger(volunteer_id: int) -> Callable[[], object]:
        def go() -> None:
            with db.session(write=False) as session:
                ledger_views.volunteer_ledger(session, actor, volunteer_id)

        return go

    def lines(volunteer_id: int) -> Callable[[], object]:
        def go() -> None:
            with db.session(write=False) as session:
                hours.ledger_lines(session, actor.station_id, volunteer_ids=[volunteer_id])
                hours.counted_for(session, actor.station_id, volunteer_id)

        return go

    def bare_ledger(volunteer_id: int) -> Callable[[], object]:
        def go() -> None:
            ids = [row[0] for row in raw_sql(BARE_RECORDS, (volunteer_id,))]
            while ids:
                followers = raw_sql(BARE_FOLLOWERS.format(marks=",".join(["{p}"] * len(ids))), tuple(ids))
                ids = [row[0] for row in followers if row[1] == "correction"]
            raw_sql(BARE_TOTAL, (volunteer_id,))

        return go

    bare_levels = median_ms(lambda: raw_sql(BARE_LEVELS, ()), runs)
    per_volunteer = []
    for kind, volunteer_id in volunteers.items():
        bare = median_ms(bare_ledger(volunteer_id), runs)
        per_volunteer += [
            (f"{kind}: records with corrections + total", median_ms(lines(volunteer_id), runs), bare, TARGET_LEDGER_MS),
            (f"{kind}: the whole 志愿者台账 view", median_ms(ledger(volunteer_id), runs), bare, TARGET_LEDGER_MS),
        ]
    results = [
        ("star levels of all volunteers (distribution)", median_ms(levels, runs), bare_levels, None),
        ("star levels of all volunteers (every row)", median_ms(overview, runs), bare_levels, None),
        ("星级总览 first page (most hours first)", median_ms(first_page, runs), bare_levels, None),
        ("newly eligible list", median_ms(eligible, runs), bare_levels, None),
        *per_volunteer,
    ]
    ok = True
    print(f"\n[{label}]")
    for name, ours, bare, limit in results:
        ratio = ours / bare if bare else float("inf")
        passed = ratio <= TARGET_RATIO and (limit is None or ours <= limit)
        ok &= passed
        extra = f", target < {limit:.0f} ms" if limit else ""
        print(f"  {name:46s} {ours:9.1f} ms   bare {bare:9.1f} ms   {ratio:5.2f}×  (target ≤ {TARGET_RATIO}×{extra})"
              f"  {'ok' if passed else 'MISSED'}")
    return ok


def run(url: str, label: str, args: argparse.Namespace, raw_factory: Callable[[Database], Callable]) -> bool:
    db = open_database(url, backup_dir=Path(tempfile.mkdtemp(prefix="bench-ledger-backup-")))
    try:
        actor = setup(db)
        start = time.perf_counter()
        fill(db, args.volunteers, args.records, random.Random(args.seed))
        print(f"[{label}] filled {args.volunteers:,} volunteers and {args.records:,} records in "
              f"{time.perf_counter() - start:.0f} s")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        else:
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        volunteers = measured_volunteers(db)
        with db.session(write=False) as session:
            for kind, volunteer_id in volunteers.items():
                shown = len(ledger_views.volunteer_ledger(session, actor, volunteer_id).lines)
                print(f"[{label}] {kind} volunteer: {shown} ledger lines")
        return measure(db, label, actor, volunteers, args.runs, raw_factory(db))
    finally:
        db.dispose()


def measured_volunteers(db: Database) -> dict[str, int]:
    """A volunteer with the median number of records, and the one with the most."""
    with db.engine.connect() as conn:
        counts = conn.execute(
            text("SELECT volunteer_id, count(*) AS n FROM service_records GROUP BY volunteer_id ORDER BY n, volunteer_id")
        ).all()
    return {"typical": counts[len(counts) // 2][0], "busiest": counts[-1][0]}


def sqlite_raw(db: Database) -> Callable[[str, tuple], object]:
    import sqlite3

    path = db.engine.url.database
    conn = sqlite3.connect(path)

    def go(sql: str, params: tuple) -> object:
        return conn.execute(sql.replace("{p}", "?"), params).fetchall()

    return go


def pg_raw(db: Database) -> Callable[[str, tuple], object]:
    raw = db.engine.raw_connection()

    def go(sql: str, params: tuple) -> object:
        with raw.cursor() as cursor:
            cursor.execute(sql.replace("{p}", "%s"), params)
            return cursor.fetchall()

    return go


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=200_000)
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--pg", help="also measure on this PostgreSQL URL (a scratch schema is made and dropped)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-ledger-"))
    ok = run(f"sqlite:///{workdir / 'bench.db'}", "SQLite", args, sqlite_raw)
    if args.pg:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            separator = "&" if "?" in args.pg else "?"
            url = f"{args.pg}{separator}options=-csearch_path%3D{schema}"
            ok &= run(url, "PostgreSQL", args, pg_raw)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    print("\nall targets met" if ok else "\nsome targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
