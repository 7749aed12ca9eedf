"""Roster benchmark at 100,000 volunteers: the GUI's work next to the bare SQL it runs.

Run:  QT_QPA_PLATFORM=offscreen python bench/bench_roster.py [--volunteers 100000]

Targets (issue "Foundation"): opening the roster and one search keystroke each within 3×
of the bare queries, and a keystroke under 200 ms. Times are medians of several runs.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy.dialects import sqlite as sqlite_dialect  # noqa: E402

from station_app.db import open_database  # noqa: E402
from station_app.services import volunteers as svc  # noqa: E402
from station_app.services.auth import authenticate  # noqa: E402
from station_app.services.demo import DEMO_ADMIN, DEMO_PASSWORD, build_demo  # noqa: E402

VISIBLE_ROWS = 30  # what a roster window shows at once


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm caches, as a second look at the screen would
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def compiled(query) -> tuple[str, tuple]:  # noqa: ANN001
    c = query.compile(dialect=sqlite_dialect.dialect())
    return str(c), tuple(c.params[name] for name in c.positiontup)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--search", default="zj", help="what is typed into the search box (pinyin initials)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-roster-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    db = open_database(url, backup_dir=workdir)
    start = time.perf_counter()
    build_demo(db, volunteers=args.volunteers, seed=7)
    print(f"built {args.volunteers:,} volunteers in {time.perf_counter() - start:.1f} s")
    with db.session() as session:
        actor = authenticate(session, DEMO_ADMIN, DEMO_PASSWORD)

    from station_app.ui.app import application
    from station_app.ui.common import AppContext
    from station_app.ui.roster.tab import RosterTab

    app = application()
    ctx = AppContext(db=db, actor=actor)

    # --- the bare SQL the roster runs, on a plain sqlite3 connection ---------------------------
    raw = sqlite3.connect(str(workdir / "bench.db"))
    open_sql, open_params = compiled(svc.roster_query(actor, svc.RosterFilter()))
    search_sql, search_params = compiled(svc.roster_query(actor, svc.RosterFilter(text=args.search)))
    page_sql = (
        "SELECT id, volunteer_no, name, gender, birth_date, id_number, phone, political_status, status, is_backbone "
        "FROM volunteers WHERE id IN ({})"
    )
    skills_sql = (
        "SELECT vs.volunteer_id, s.name FROM volunteer_skills vs JOIN skills s ON s.id = vs.skill_id "
        "WHERE vs.volunteer_id IN ({})"
    )
    count_sql = "SELECT status, count(*) FROM volunteers WHERE station_id = ? GROUP BY status"

    def bare(sql: str, params: tuple) -> None:
        ids = [r[0] for r in raw.execute(sql, params)]
        page = ids[:200]
        marks = ",".join("?" * len(page))
        raw.execute(page_sql.format(marks), page).fetchall()
        raw.execute(skills_sql.format(marks), page).fetchall()
        raw.execute(count_sql, (actor.station_id,)).fetchall()

    # --- the same through the GUI: tab construction / one keystroke, then the visible rows -----
    def show_rows(tab: RosterTab) -> None:
        for row in range(min(VISIBLE_ROWS, tab.model.rowCount())):
            for col in range(tab.model.columnCount()):
                tab.model.index(row, col).data()

    def open_roster() -> None:
        tab = RosterTab(ctx)
        show_rows(tab)
        tab.deleteLater()

    tab = RosterTab(ctx)
    toggle = [args.search, args.search[:-1]]

    def keystroke() -> None:
        # What happens after the search box's debounce fires: one filtered query and a screenful.
        toggle.reverse()
        tab.search.blockSignals(True)
        tab.search.setText(toggle[0])
        tab.search.blockSignals(False)
        tab.apply_filter()
        show_rows(tab)

    tab.search.setText(args.search)
    tab.apply_filter()
    matches = tab.model.rowCount()
    with closing(raw):
        bare_open = median_ms(lambda: bare(open_sql, open_params), args.runs)
        bare_search = median_ms(lambda: bare(search_sql, search_params), args.runs)
        gui_open = median_ms(open_roster, args.runs)
        gui_key = median_ms(keystroke, args.runs)
    app.processEvents()

    print(f"search '{args.search}' matches {matches:,} volunteers")
    print(f"{'':28}{'bare SQL':>12}{'roster':>12}{'ratio':>8}  target")
    ok = True
    for label, base, real, limit in (
        ("open roster", bare_open, gui_open, None),
        ("search keystroke", bare_search, gui_key, 200.0),
    ):
        ratio = real / base if base else float("inf")
        passed = ratio <= 3.0 and (limit is None or real < limit)
        ok &= passed
        target = "≤3×" + (f", <{limit:.0f} ms" if limit else "")
        print(f"{label:28}{base:10.1f}ms{real:10.1f}ms{ratio:7.2f}×  {target} {'OK' if passed else 'MISSED'}")
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
