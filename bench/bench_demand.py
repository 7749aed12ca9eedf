"""Demand benchmark: the Monday overview and the needs list on a large station, next to bare SQL.

Run:  QT_QPA_PLATFORM=offscreen python bench/bench_demand.py [--recipients 20000]

A real station registers a few hundred households; 20,000 households with three visits and
three needs each (a whole town's worth) shows how the screens scale. Targets (issue "Demand
menus…"): the overview service and the needs page each within 3× of the bare queries that
compute the same numbers, the needs and recipients pages within 3× of the bare queries behind
their lists, and the overview page (service plus tables) under one second. Medians of several runs.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import insert, select  # noqa: E402

from station_app.db import open_database  # noqa: E402
from station_app.models import KeyGroup, Need, Recipient, ServiceItem, Visit, recipient_key_groups  # noqa: E402
from station_app.services.auth import authenticate  # noqa: E402
from station_app.services.demo import DEMO_ADMIN, DEMO_PASSWORD, build_demo  # noqa: E402
from station_app.services.overview import station_overview  # noqa: E402

STATUSES = ("pending_assessment", "pending_match", "matched", "done", "closed")

# The overview's numbers in plain SQL: unmet needs by key group × category, status counts,
# the ten longest-open needs, and every household's visit rule and last visit.
BARE = (
    """SELECT rkg.key_group_id, si.category, count(*) FROM needs n
       JOIN recipient_key_groups rkg ON rkg.recipient_id = n.recipient_id
       LEFT JOIN service_items si ON si.id = n.service_item_id
       WHERE n.station_id = ? AND n.status IN ('pending_assessment', 'pending_match')
       GROUP BY rkg.key_group_id, si.category""",
    "SELECT status, count(*) FROM needs WHERE station_id = ? GROUP BY status",
    """SELECT n.id, r.name, n.raised_on FROM needs n JOIN recipients r ON r.id = n.recipient_id
       WHERE n.station_id = ? AND n.status IN ('pending_assessment', 'pending_match')
       ORDER BY n.raised_on, n.id LIMIT 10""",
    """SELECT r.id, r.created_at, rule.interval, last.visited FROM recipients r
       JOIN (SELECT rkg.recipient_id rid, min(kg.visit_interval_days) interval FROM recipient_key_groups rkg
             JOIN key_groups kg ON kg.id = rkg.key_group_id
             WHERE kg.active AND kg.visit_interval_days IS NOT NULL GROUP BY rkg.recipient_id) rule
         ON rule.rid = r.id
       LEFT JOIN (SELECT recipient_id rid, max(visited_on) visited FROM visits WHERE station_id = ?
                  GROUP BY recipient_id) last ON last.rid = r.id
       WHERE r.station_id = ? AND r.active""",
)
BARE_UNMET_LIST = """SELECT n.*, r.name, si.name, si.category, p.name FROM needs n
    JOIN recipients r ON r.id = n.recipient_id LEFT JOIN service_items si ON si.id = n.service_item_id
    LEFT JOIN projects p ON p.id = n.project_id
    WHERE n.station_id = ? AND n.status IN ('pending_assessment', 'pending_match') ORDER BY n.raised_on, n.id"""

# The recipients page in plain SQL: each household with its key groups, rule and last visit.
BARE_RECIPIENTS = """SELECT r.id, r.name, r.gender, r.birth_date, r.phone, r.guardian_name, r.guardian_phone,
       r.created_at, group_concat(kg.name), min(kg.visit_interval_days),
       (SELECT max(v.visited_on) FROM visits v WHERE v.recipient_id = r.id)
    FROM recipients r LEFT JOIN recipient_key_groups rkg ON rkg.recipient_id = r.id
    LEFT JOIN key_groups kg ON kg.id = rkg.key_group_id
    WHERE r.station_id = ? AND r.active GROUP BY r.id ORDER BY r.name_pinyin, r.id"""


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def fill(db, station_id: int, households: int, today: date) -> int:  # noqa: ANN001
    """Households in one or two key groups, three visits and three needs each, in bulk."""
    rng = random.Random(11)
    with db.session() as session:
        groups = list(session.scalars(select(KeyGroup.id).where(KeyGroup.station_id == station_id)))
        items = list(session.scalars(select(ServiceItem.id).where(ServiceItem.station_id == station_id)))
        first = (session.scalar(select(Recipient.id).order_by(Recipient.id.desc()).limit(1)) or 0) + 1
        now = datetime.now(timezone.utc)
        recipients, memberships, visits, needs = [], [], [], []
        for n in range(households):
            rid = first + n
            recipients.append({
                "id": rid, "station_id": station_id, "name": f"居民{n}", "name_initials": "jm", "name_pinyin": "jumin",
                "gender": "女", "birth_date": date(1945, 1, 1), "phone": "13800000000", "active": True,
                "created_at": now - timedelta(days=rng.randint(30, 400)), "updated_at": now, "version": 1,
                "building": "", "unit": "", "room": "", "guardian_name": "", "guardian_relation": "",
                "guardian_phone": "", "notes": "", "inactive_reason": "",
            })
            for group in rng.sample(groups, k=rng.choice((1, 1, 2))):
                memberships.append({"recipient_id": rid, "key_group_id": group})
            for _v in range(3):
                visits.append({"station_id": station_id, "recipient_id": rid,
                               "visited_on": today - timedelta(days=rng.randint(0, 300)), "visitor_kind": "staff",
                               "visitor_name": "黄晓敏", "method": "home", "findings": "", "created_at": now})
            for _k in range(3):
                needs.append({"station_id": station_id, "recipient_id": rid, "service_item_id": rng.choice(items),
                              "free_text": "", "description": "", "urgency": "normal", "preferred_times": 0,
                              "preferred_note": "", "status": rng.choice(STATUSES),
                              "raised_on": today - timedelta(days=rng.randint(0, 300)), "created_at": now,
                              "updated_at": now, "version": 1})
        session.execute(insert(Recipient.__table__), recipients)
        session.execute(insert(recipient_key_groups), memberships)
        session.execute(insert(Visit.__table__), visits)
        session.execute(insert(Need.__table__), needs)
    return len(needs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-demand-"))
    path = workdir / "bench.db"
    db = open_database(f"sqlite:///{path}", backup_dir=workdir)
    build_demo(db, volunteers=300, seed=7)
    with db.session() as session:
        actor = authenticate(session, DEMO_ADMIN, DEMO_PASSWORD)
    today = date.today()
    start = time.perf_counter()
    total_needs = fill(db, actor.station_id, args.recipients, today)
    print(f"added {args.recipients:,} households, {total_needs:,} needs in {time.perf_counter() - start:.1f} s")

    from station_app.ui.app import application
    from station_app.ui.common import AppContext
    from station_app.ui.demand.needs import NeedsPage
    from station_app.ui.demand.overview import OverviewPage
    from station_app.ui.demand.recipients import RecipientsPage

    application()
    ctx = AppContext(db=db, actor=actor)
    overview_page = OverviewPage(ctx)
    needs_page = NeedsPage(ctx)
    recipients_page = RecipientsPage(ctx)

    with closing(sqlite3.connect(path)) as raw:
        def bare_overview() -> None:
            for sql in BARE:
                raw.execute(sql, (actor.station_id,) * sql.count("?")).fetchall()

        def bare_unmet() -> None:
            raw.execute(BARE_UNMET_LIST, (actor.station_id,)).fetchall()

        def bare_recipients() -> None:
            raw.execute(BARE_RECIPIENTS, (actor.station_id,)).fetchall()

        def service_overview() -> None:
            with db.session(write=False) as session:
                station_overview(session, actor, today)

        results = [
            ("overview (service)", median_ms(bare_overview, args.runs), median_ms(service_overview, args.runs), None),
            ("overview page refresh", median_ms(bare_overview, args.runs),
             median_ms(overview_page.refresh, args.runs), 1000.0),  # what the head sees: the time counts
            ("needs page, unmet", median_ms(bare_unmet, args.runs), median_ms(needs_page.refresh, args.runs), None),
            ("recipients page", median_ms(bare_recipients, args.runs),
             median_ms(recipients_page.apply_filter, args.runs), None),
        ]
    print(f"needs page shows {needs_page.table.rowCount():,} unmet needs, "
          f"recipients page {recipients_page.table.rowCount():,} households")
    print(f"{'':26}{'bare SQL':>12}{'app':>12}{'ratio':>8}  target")
    ok = True
    for label, base, real, limit in results:
        ratio = real / base if base else float("inf")
        passed = real < limit if limit is not None else ratio <= 3.0
        ok &= passed
        target = f"<{limit:.0f} ms" if limit is not None else "≤3×"
        print(f"{label:26}{base:10.1f}ms{real:10.1f}ms{ratio:7.2f}×  {target} {'OK' if passed else 'MISSED'}")
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
