"""Marts -> frames for a `View`: overview, map areas, monitoring lists, scorecards, the interview list."""
