"""The bureau's clock: every time the app records or shows as "now" (sign-ins, sessions, uploads, actions,
exports, settings changes) is the local time of the province, Beijing time by default, whatever time zone the
server runs in. `VBP_TIMEZONE` names another (an IANA name such as Asia/Urumqi)."""
from __future__ import annotations

import datetime as dt
import os
import zoneinfo

ZONE = zoneinfo.ZoneInfo(os.environ.get("VBP_TIMEZONE", "Asia/Shanghai"))


def now() -> dt.datetime:
    """Local time to the second, without a zone (as the store keeps it)."""
    return dt.datetime.now(ZONE).replace(microsecond=0, tzinfo=None)


def today() -> dt.date:
    return now().date()
