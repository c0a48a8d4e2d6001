"""Indicators computed from :class:`~collabnet.tables.WorkTables` and co-authorship graphs.

One module per indicator family: ``shares`` (international-collaboration shares), ``profile``
(the Leiden Ranking collaboration profile), ``partners``, ``strength`` (normalised link
strength), ``centrality`` (and communities, network summary), ``impact`` (citations by
collaboration type), ``trends`` (any indicator by year); ``works``, ``geo`` and ``bootstrap``
hold what they share. Names are loaded on first use, so importing one family does not load
the others (networkx only with the network measures). ``centrality`` and ``partners`` are
imported from their modules (``collabnet.analysis.centrality``), or from ``collabnet``, since
a package attribute of a submodule's name would be replaced by the submodule.
"""

from __future__ import annotations

from collabnet._lazy import lazy_exports

_EXPORTS = {
    "add_link_strength": ("collabnet.analysis.strength", "add_link_strength"),
    "collaboration_profile": ("collabnet.analysis.profile", "collaboration_profile"),
    "collaboration_summary": ("collabnet.analysis.shares", "collaboration_summary"),
    "communities": ("collabnet.analysis.centrality", "communities"),
    "impact_by_collaboration": ("collabnet.analysis.impact", "impact_by_collaboration"),
    "indicator_trend": ("collabnet.analysis.trends", "indicator_trend"),
    "international_shares": ("collabnet.analysis.shares", "international_shares"),
    "link_strength": ("collabnet.analysis.strength", "link_strength"),
    "network_summary": ("collabnet.analysis.centrality", "network_summary"),
    "top_share_weights": ("collabnet.analysis.impact", "top_share_weights"),
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
