"""collabnet: international research collaboration from OpenAlex data.

The whole public API is here, and every command of the ``collabnet`` command line is the
function of the same name (``collabnet shares`` is :func:`shares`, ``collabnet cache list`` is
:func:`cache_list`)::

    import collabnet as cn
    tables = cn.load("works/")                      # files, a WorkQuery, records
    cn.shares(tables, "country", by_year=True, focus="JP", years="2009..2017")
    g = cn.network(tables, "institution", counting="fractional")
    cn.write_graphml(g, "institutions.graphml")

Names are imported on first use, so ``import collabnet`` stays light (no pandas, networkx or
pyarrow until an indicator needs them).
"""

from __future__ import annotations

from collabnet._lazy import lazy_exports
from collabnet._version import __version__ as __version__
from collabnet.errors import CollabnetError as CollabnetError
from collabnet.errors import FetchError as FetchError
from collabnet.errors import InputError as InputError
from collabnet.errors import MalformedRecordError as MalformedRecordError

#: Public name -> (module, attribute in that module).
_EXPORTS = {
    # works in: sources, the canonical form, the one door, the selection
    "WorkQuery": ("collabnet.query", "WorkQuery"),
    "Settings": ("collabnet.config", "Settings"),
    "get_settings": ("collabnet.config", "get_settings"),
    "iter_works": ("collabnet.sources.files", "iter_works"),
    "read_works": ("collabnet.sources.files", "read_works"),
    "read_institutions": ("collabnet.sources.institutions", "read_institutions"),
    "fetch": ("collabnet.sources.openalex", "fetch"),
    "is_snapshot": ("collabnet.sources.snapshot", "is_snapshot"),
    "open_snapshot": ("collabnet.sources.snapshot", "open_snapshot"),
    "snapshot_info": ("collabnet.sources.snapshot", "snapshot_info"),
    "read_snapshot_frames": ("collabnet.sources.snapshot", "read_snapshot_frames"),
    "count_shares": ("collabnet.sources.openalex.counts", "international_shares"),
    "sample": ("collabnet.sources.sample", "sample"),
    "generate_works": ("collabnet.sources.sample", "generate_works"),
    "SYNTHETIC_NOTICE": ("collabnet.sources.sample", "SYNTHETIC_NOTICE"),
    "WorkTables": ("collabnet.tables", "WorkTables"),
    "build_tables": ("collabnet.tables", "build_tables"),
    "load": ("collabnet.loader", "load"),
    "read_tables": ("collabnet.loader", "read_tables"),
    "select": ("collabnet.selection", "select"),
    "Selection": ("collabnet.selection", "Selection"),
    "merge_hong_kong_macao": ("collabnet.selection", "merge_hong_kong_macao"),
    "parse_years": ("collabnet.keys", "parse_years"),
    # networks and indicators
    "network": ("collabnet.analysis.graph", "network"),
    "write_network": ("collabnet.export.network_files", "write_network"),
    "coauthorship_network": ("collabnet.networks", "coauthorship_network"),
    "country_network": ("collabnet.networks", "country_network"),
    "institution_network": ("collabnet.networks", "institution_network"),
    "shares": ("collabnet.analysis.shares", "shares"),
    "international_shares": ("collabnet.analysis.shares", "international_shares"),
    "collaboration_summary": ("collabnet.analysis.shares", "collaboration_summary"),
    "profile": ("collabnet.analysis.profile", "profile"),
    "collaboration_profile": ("collabnet.analysis.profile", "collaboration_profile"),
    "partners": ("collabnet.analysis.partners", "partners"),
    "strength": ("collabnet.analysis.strength", "strength"),
    "link_strength": ("collabnet.analysis.strength", "link_strength"),
    "add_link_strength": ("collabnet.analysis.strength", "add_link_strength"),
    "centrality": ("collabnet.analysis.centrality", "centrality"),
    "communities": ("collabnet.analysis.centrality", "communities"),
    "network_summary": ("collabnet.analysis.centrality", "network_summary"),
    "impact": ("collabnet.analysis.impact", "impact"),
    "impact_by_collaboration": ("collabnet.analysis.impact", "impact_by_collaboration"),
    "trend": ("collabnet.analysis.trends", "trend"),
    "rank": ("collabnet.analysis.rank", "rank"),
    "group_members": ("collabnet.groups", "group_members"),
    "indicator_trend": ("collabnet.analysis.trends", "indicator_trend"),
    # out
    "write_graphml": ("collabnet.export.graphml", "write_graphml"),
    "demo": ("collabnet.demos", "demo"),
    "report": ("collabnet.reports", "report"),
    "run": ("collabnet.jobs", "run_job"),
    "run_job": ("collabnet.jobs", "run_job"),
    "verify": ("collabnet.jobs", "verify"),
    "cache_list": ("collabnet.cache", "cache_list"),
    "cache_clear": ("collabnet.cache", "cache_clear"),
}

__all__ = sorted(
    [*_EXPORTS, "CollabnetError", "FetchError", "InputError", "MalformedRecordError",
     "__version__"]
)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
