"""The complaint rule of the notice (诉求对接, 二（四）), one for every complaint whether imported or raised in the app:
the enterprise replies within `complaint_reply_workdays` working days (2) with a promised resolution date no later
than `complaint_resolve_workdays` working days (5) after the reply, and resolves it by that date. Working days follow
China's calendar (holidays off, make-up days on). Judged at a day: what happened after it had not happened."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CONFIRMED, DISPUTED = "已确认", "有异议"  # the institution's word on a resolution


@dataclass(frozen=True)
class Timeliness:
    reply_due: dt.date  # the last working day for the reply
    reply_workdays: int  # working days from raising to the reply (or to the day judged, without one)
    reply_late: bool  # no reply in time (a late reply, or none and the day judged is past the due day)
    promise_workdays: float  # working days from the reply to the promised date (nan without both)
    promise_due: dt.date | None  # the latest promised date the rule allows (with a reply)
    unresolved: bool  # promised too far, resolved after the promise, or not resolved and the promise passed
    timely: bool  # replied in time, promised within the rule, resolved by the promise
    # (a reply without a promised date: the promise is the latest the rule allows, `promise_due`)
    counted: bool  # old enough to count in the timely-resolution rate (`timely_min_age_workdays`)


def _by(day: dt.date | None, at: dt.date) -> dt.date | None:
    return day if day is not None and day <= at else None


def timeliness(raised: dt.date, reply: dt.date | None, promised: dt.date | None, resolved: dt.date | None,
               at: dt.date, settings, calendar) -> Timeliness:
    """One complaint's timeliness as it stood at `at`. The promised date is known from the reply on (it is what the
    reply promises), even while it lies ahead: a promise beyond the rule is late from the day it is made."""
    reply, resolved = _by(reply, at), _by(resolved, at)
    promised = promised if reply else None
    reply_days, resolve_days = int(settings["complaint_reply_workdays"]), int(settings["complaint_resolve_workdays"])
    reply_due = calendar.add(raised, reply_days)
    reply_late = (reply > reply_due) if reply else at > reply_due
    promise_wd = calendar.between(reply, promised) if reply and promised else float("nan")
    promise_due = calendar.add(reply, resolve_days) if reply else None
    long_promise = promise_wd == promise_wd and promise_wd > resolve_days
    # A reply must name its promised date (承诺问题解决时限); one that names none is held to the latest the rule allows.
    by = promised or promise_due
    late_fix = ((resolved > by) if resolved else at > by) if by else False
    timely = bool(reply) and not reply_late and not long_promise and bool(resolved) and resolved <= by
    return Timeliness(reply_due, calendar.between(raised, reply or at), bool(reply_late), promise_wd, promise_due,
                      bool(long_promise or late_fix), timely,
                      calendar.between(raised, at) >= int(settings["timely_min_age_workdays"]))
