"""The measures ladder for red-flagged institutions, reviewed by quarter (二（七）).

Step 1 预警提示 when red-flagged this quarter; 2 通报提醒 when red-flagged again the next
quarter or the score reaches the notification score; 3 约谈督导 when still red-flagged
after a notification recorded in an earlier quarter; 4 与纪检监察部门联动处置 when still
red-flagged after an interview recorded in an earlier quarter.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core.policy.periods import quarter_of

STEPS = {1: ("预警提示", "warning reminder"), 2: ("通报提醒", "notification"),
         3: ("约谈督导", "interview and supervision"), 4: ("与纪检监察部门联动处置", "referral to discipline inspection")}
NOTIFIED = ("已通报",)
INTERVIEWED = ("已约谈", "已移交纪检")


def steps(red_now: pd.DataFrame, red_before: set[str], actions: pd.DataFrame, as_of: dt.date,
          notification_score: float) -> pd.Series:
    """The recommended step for each red-flagged institution (index: institution_code)."""
    current = quarter_of(as_of)
    earlier = actions[(actions["subject_type"] == "institution") & (actions["quarter"] < current)]
    notified = set(earlier.loc[earlier["status"].isin(NOTIFIED), "subject_code"])
    interviewed = set(earlier.loc[earlier["status"].isin(INTERVIEWED), "subject_code"])
    out = {}
    for r in red_now.itertuples(index=False):
        code = r.institution_code
        if code in interviewed:
            out[code] = 4
        elif code in notified:
            out[code] = 3
        elif code in red_before or r.score >= notification_score:
            out[code] = 2
        else:
            out[code] = 1
    return pd.Series(out, dtype="Int64", name="step")


# What an officer records of a subject on the interview list, in the order a case usually goes.
STATUSES = ("待处理", "已提醒", "已通报", "已约谈", "已整改", "已移交纪检")
# The measure an enterprise's supplier tier calls for (二（七）).
TIER_MEASURES = {"B": "报量风险提示", "C": "减少约定采购量", "D": "不接受参加集采"}
