"""Two staff members working at once (the city-wide PostgreSQL mode, or two windows on SQLite)."""

from __future__ import annotations

import threading

from station_app.services import volunteers as svc

from .idnumbers import make_id


def test_simultaneous_approvals_get_distinct_numbers(db, admin):
    ids = []
    with db.session() as session:
        for i in range(8):
            ids.append(svc.register_volunteer(
                session, admin,
                svc.VolunteerInput(name=f"李{'一二三四五六七八'[i]}", id_number=make_id("442000", f"1980020{i + 1}", "333"),
                                   phone=f"1390000000{i}"),
            ))
    numbers: list[str | None] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(ids))

    def approve(volunteer_id: int) -> None:
        try:
            barrier.wait()
            with db.session() as session:
                numbers.append(svc.review_volunteer(session, admin, volunteer_id, approve=True))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(numbers) == [f"SQ0101-{n:06d}" for n in range(1, 9)]
