"""Indicators computed from :class:`~collabnet.tables.WorkTables` and co-authorship graphs."""

from collabnet.analysis.shares import collaboration_summary, international_shares

__all__ = ["collaboration_summary", "international_shares"]
