"""Personal data never reaches the log, even when something goes wrong."""

from __future__ import annotations

import logging

import pytest

from station_app.services import volunteers as svc
from station_app.ui.common import AppContext, run_service

from .idnumbers import make_id

ID_NUMBER = make_id("442000", "19791105", "215")
PHONE = "13760881234"


@pytest.mark.gui
def test_log_has_no_personal_data(qtbot, db, admin, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    with db.session() as session:
        volunteer_id = svc.register_volunteer(
            session, admin, svc.VolunteerInput(name="黄志坚", id_number=ID_NUMBER, phone=PHONE)
        )
    with db.session() as session:
        svc.review_volunteer(session, admin, volunteer_id, approve=True)
    with db.session() as session:
        svc.get_volunteer(session, admin, volunteer_id, reveal=True)

    # An unexpected failure whose exception text quotes the data (as SQL errors do).
    from station_app.ui import common

    monkeypatch.setattr(common, "show_error", lambda parent, message, title=None: None)

    def broken(session):
        raise RuntimeError(f"INSERT failed [parameters: ('{ID_NUMBER}', '{PHONE}')]")

    assert run_service(None, AppContext(db=db, actor=admin), broken) is None
    assert "RuntimeError" in caplog.text  # the failure itself is logged …
    assert ID_NUMBER not in caplog.text and PHONE not in caplog.text  # … without what it quoted
