"""Transfer-package benchmark: export and import of a package with 100,000 service records.

Run:  python bench/bench_packages.py [--records 100000] [--volunteers 2000]

An origin station with ``--volunteers`` registered volunteers and ``--records`` service records (a
valid hash chain: about one record in two hundred corrected, with its decision). Measured, each in a
fresh receiving database:
- export of the whole station (``export_package``: streaming, hashing, zipping, signing);
- import of that package as a station copy (``open_package`` verifying every byte and part, then
  ``import_package``: every origin link hash recomputed, the copy's chain rebuilt, in one transaction);
- export and import of the same volunteers as a selection (records appended to the receiving
  station's own chain, a transfer link per record);
against the baseline measured in the same run: the bare ``executemany`` insert of the same
service-record rows (prepared in memory) into an empty database, in one transaction.
Target (issue 7): each within 3× of the bare insert.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import insert, select  # noqa: E402

from station_app.db import Database, open_database  # noqa: E402
from station_app.models import ServiceRecord, Volunteer  # noqa: E402
from station_app.services import chain  # noqa: E402
from station_app.services import packages as pkg  # noqa: E402
from station_app.services.auth import Actor, authenticate  # noqa: E402
from station_app.services.stations import StationSetup, initialise_station  # noqa: E402

PASSWORD = "bench-2014"
TARGET_RATIO = 3.0
CONTENTS = ("敬老助老陪伴", "楼道清洁", "治安巡逻", "健康义诊", "四点半课堂", "代交水电费", "维修家电")
CATEGORIES = ("帮扶行动", "便民行动", "文明行动", "平安行动", "护苗行动", "文化行动")


def station(db: Database, code: str, name: str) -> Actor:
    with db.session() as session:
        initialise_station(session, StationSetup(
            city="中山市", town="石岐街道", community="莲塘社区", station_name=name, station_code=code,
            address="", contact_person="", contact_phone="", admin_username="admin", admin_display_name="基准站长",
            admin_password=PASSWORD, admin_password_confirm=PASSWORD))
    with db.session() as session:
        return authenticate(session, "admin", PASSWORD)


def record_contents(volunteer_ids: list[int], records: int, recorder: int, rng: random.Random) -> list[dict]:
    """The hashed content of each row (as a package carries it), corrections pointing at list positions."""
    now = datetime(2026, 11, 1, tzinfo=timezone.utc).isoformat(timespec="microseconds")
    out: list[dict] = []
    while len(out) < records:
        vid = rng.choice(volunteer_ids)
        day = date(2021, 1, 1) + timedelta(days=rng.randrange(2000))
        minutes = rng.choice((60, 90, 120, 180, 240))
        starts = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.choice((8, 9, 14, 19)))
        content = rng.choice(CONTENTS)
        base = {
            "kind": "record", "volunteer_id": vid, "target_id": None, "activity_id": None, "assignment_id": None,
            "service_item_id": None, "content": content, "category": CATEGORIES[CONTENTS.index(content) % 6],
            "place": "活动室", "recipient_id": None, "served_person": "", "organiser": "基准测试服务站",
            "service_date": day.isoformat(), "starts_at": starts.isoformat(timespec="microseconds"),
            "ends_at": (starts + timedelta(minutes=minutes)).isoformat(timespec="microseconds"), "minutes": minutes,
            "attendance": "present", "evaluation": "good", "evaluation_note": "", "needs_approval": False,
            "decision": "", "reason": "", "delta_minutes": minutes, "recorder_id": recorder,
            "recorder_name": "基准站长", "entered_at": now,
        }
        out.append(base)
        if rng.random() < 0.005 and len(out) < records - 2:
            out.append({**base, "kind": "correction", "target_id": ("pos", len(out) - 1), "minutes": minutes - 30,
                        "delta_minutes": 0, "reason": "签退时间记错"})
            out.append({**base, "kind": "decision", "target_id": ("pos", len(out) - 1), "minutes": 0,
                        "attendance": "", "evaluation": "", "decision": "approved", "reason": "同意",
                        "delta_minutes": -30, "starts_at": None, "ends_at": None})
    return out[:records]


def fill_origin(db: Database, actor: Actor, volunteers: int, records: int) -> None:
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    rows = [{
        "station_id": actor.station_id, "volunteer_no": f"ORIG-{n:06d}", "name": f"志愿者{n}", "name_initials": "zyz",
        "name_pinyin": "zhiyuanzhe", "gender": "女", "birth_date": date(1970, 1, 1), "id_number": f"4420{n:014d}",
        "id_tail": f"{n % 10_000:04d}", "phone": "13800000000", "political_status": "masses", "is_owner": False,
        "building": "", "unit": "", "room": "", "is_backbone": False, "emergency_contact": "", "emergency_phone": "",
        "availability": 0, "status": "registered", "status_reason": "", "applied_at": now,
        "registered_on": date(2020, 11, 1), "notes": "", "created_at": now, "updated_at": now, "version": 1,
    } for n in range(1, volunteers + 1)]
    with db.session() as session:
        session.execute(insert(Volunteer.__table__), rows)
        ids = list(session.scalars(select(Volunteer.id).where(Volunteer.station_id == actor.station_id)))
        writer = pkg._ChainWriter(session, actor.station_id)  # a valid chain, appended as chain.append would
        seqs: list[int] = []
        for content in record_contents(ids, records, actor.user_id, random.Random(7)):
            if content["target_id"] is not None:
                content = {**content, "target_id": writer.local_id("service_records", seqs[content["target_id"][1]])}
            seqs.append(writer.add(ServiceRecord, content))
        writer.finish()


def bare_insert(path: Path, volunteers: int, records: int) -> float:
    """The same service-record rows inserted raw (executemany, one transaction) into an empty database."""
    db = open_database(f"sqlite:///{path}")
    try:
        actor = station(db, "BARE", "基准空站")
        fill_origin_volunteers_only(db, actor, volunteers)
        with db.session(write=False) as session:
            ids = list(session.scalars(select(Volunteer.id)))
        contents = record_contents(ids, records, actor.user_id, random.Random(7))
        convert = pkg._converters(ServiceRecord)
        rows = []
        for seq, content in enumerate(contents, start=1):
            row = {k: (convert[k](v) if k in convert else v) for k, v in content.items()}
            row.update(station_id=actor.station_id, seq=seq, prev_hash="0" * 64, entry_hash="0" * 64,
                       target_id=None)
            rows.append(row)
        start = time.perf_counter()
        with db.session() as session:
            for at in range(0, len(rows), 5000):
                session.execute(insert(ServiceRecord.__table__), rows[at:at + 5000])
        return time.perf_counter() - start
    finally:
        db.dispose()


def fill_origin_volunteers_only(db: Database, actor: Actor, volunteers: int) -> None:
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    with db.session() as session:
        session.execute(insert(Volunteer.__table__), [{
            "station_id": actor.station_id, "volunteer_no": f"BARE-{n:06d}", "name": f"志愿者{n}",
            "name_initials": "zyz", "name_pinyin": "zhiyuanzhe", "gender": "女", "birth_date": date(1970, 1, 1),
            "id_number": f"4421{n:014d}", "id_tail": "0000", "phone": "13800000000", "political_status": "masses",
            "is_owner": False, "building": "", "unit": "", "room": "", "is_backbone": False, "emergency_contact": "",
            "emergency_phone": "", "availability": 0, "status": "registered", "status_reason": "",
            "applied_at": now, "registered_on": date(2020, 11, 1), "notes": "", "created_at": now,
            "updated_at": now, "version": 1,
        } for n in range(1, volunteers + 1)])


def timed_import(workdir: Path, name: str, package: Path) -> tuple[float, pkg.ImportResult]:
    db = open_database(f"sqlite:///{workdir / name}")
    try:
        actor = station(db, "HOME", "接收站")
        info = pkg.open_package(package)
        with db.session() as session:
            pkg.trust_key(session, actor, info)
        start = time.perf_counter()
        info = pkg.open_package(package)
        with db.session() as session:
            result = pkg.import_package(session, actor, info)
        seconds = time.perf_counter() - start
        with db.session(write=False) as session:  # the chain's head moved by every row added
            count, _head = chain.head_of(session, result.station_id)
            assert count >= result.added.get("link", 0) + result.added.get("record", 0)
        return seconds, result
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=2_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-packages-"))
    print(f"{args.records:,} service records of {args.volunteers:,} volunteers; work in {workdir}")

    origin = open_database(f"sqlite:///{workdir / 'origin.db'}")
    actor = station(origin, "ORIG", "基准原站")
    fill_origin(origin, actor, args.volunteers, args.records)
    with origin.session(write=False) as session:
        key = chain.unlock_signing_key(session, actor, PASSWORD)
        ids = list(session.scalars(select(Volunteer.id).where(Volunteer.station_id == actor.station_id)))

    bare = bare_insert(workdir / "bare.db", args.volunteers, args.records)
    print(f"bare insert of the {args.records:,} rows:          {bare:7.2f} s")

    results = []
    for label, kw in (("station", {"whole_station": True}), ("selection", {"volunteer_ids": ids})):
        start = time.perf_counter()
        with origin.session() as session:
            exported = pkg.export_package(session, actor, key, workdir / label, **kw)
        export_s = time.perf_counter() - start
        import_s, result = timed_import(workdir, f"{label}.db", exported.path)
        added = result.added.get("link", 0) + result.added.get("record", 0)
        assert added == args.records, (added, args.records)
        size = exported.size / 1e6
        print(f"{label:9} export {export_s:7.2f} s  ({export_s / bare:4.2f}× bare), {size:6.1f} MB")
        print(f"{label:9} import {import_s:7.2f} s  ({import_s / bare:4.2f}× bare)")
        results += [export_s / bare, import_s / bare]
    origin.dispose()
    ok = all(ratio <= TARGET_RATIO for ratio in results)
    print(("OK" if ok else "SLOW") + f": target within {TARGET_RATIO:.0f}× of the bare insert")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
