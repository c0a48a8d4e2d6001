"""collabnet: international research collaboration from OpenAlex data.

The public API in one place::

    import collabnet as cn
    tables, report = cn.read_tables("works/")
    cn.international_shares(tables, "country", by_year=True, focus="JP")
    g = cn.coauthorship_network(tables, "institution", counting="fractional")
    cn.write_graphml(g, "institutions.graphml")
"""

from collabnet.analysis.shares import collaboration_summary, international_shares
from collabnet.errors import CollabnetError, FetchError, InputError, MalformedRecordError
from collabnet.export.graphml import write_graphml
from collabnet.network import coauthorship_network, country_network, institution_network
from collabnet.sources.files import iter_works, read_works
from collabnet.tables import WorkTables, build_tables, read_tables

__version__ = "0.1.0"

__all__ = [
    "CollabnetError",
    "FetchError",
    "InputError",
    "MalformedRecordError",
    "WorkTables",
    "build_tables",
    "coauthorship_network",
    "collaboration_summary",
    "country_network",
    "institution_network",
    "international_shares",
    "iter_works",
    "read_tables",
    "read_works",
    "write_graphml",
]
