"""The 培训 tab: training sessions with enrolment and attendance, and the backbone track (§三.3)."""

from __future__ import annotations

from ...i18n import _
from ..common import AppContext, PagedTab
from ..qt import QWidget
from .backbone import BackbonePage
from .sessions import SessionsPage


class TrainingTab(PagedTab):
    """培训场次 (sessions, their lists, attendance, sign-in sheets) and 骨干培养 (the rule and its candidates)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.sessions = SessionsPage(ctx)
        self.backbone = BackbonePage(ctx)
        super().__init__(ctx, [(self.sessions, _("培训场次")), (self.backbone, _("骨干培养"))], parent)
