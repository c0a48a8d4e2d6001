"""Indicators computed from :class:`~collabnet.tables.WorkTables` and co-authorship graphs."""

from collabnet.analysis.centrality import centrality, communities, network_summary
from collabnet.analysis.impact import impact_by_collaboration, top_share_weights
from collabnet.analysis.partners import partners
from collabnet.analysis.profile import collaboration_profile
from collabnet.analysis.shares import collaboration_summary, international_shares
from collabnet.analysis.strength import add_link_strength, link_strength
from collabnet.analysis.trends import indicator_trend
from collabnet.analysis.works import merge_hong_kong_macao

__all__ = [
    "add_link_strength",
    "centrality",
    "collaboration_profile",
    "collaboration_summary",
    "communities",
    "impact_by_collaboration",
    "indicator_trend",
    "international_shares",
    "link_strength",
    "merge_hong_kong_macao",
    "network_summary",
    "partners",
    "top_share_weights",
]
