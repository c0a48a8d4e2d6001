"""The one-page HTML report on a focus country or institution: :func:`report`.

One self-contained HTML file (CSS inline, figures as ``data:`` PNGs, no script, no external
address; see :mod:`.html`) that a reader opens offline: where the works came from
(:mod:`.provenance`), the focus's collaboration profile, its partners, the trend of its
international share, citation impact by collaboration type, its place in the co-authorship
network and a picture of that network. Every share stands next to the count it rests on,
and rows resting on thin evidence are flagged. Works of collabnet's synthetic sample are
detected and the page, and every figure on it, says "SYNTHETIC DATA".

The package is ``reports`` so that ``collabnet.report`` stays the function whether or not
the package has been imported.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from collabnet.keys import MIN_WORKS

__all__ = ["report"]

#: Peers followed beside the focus in the trend figure (its largest partners).
PEERS = 3


def report(
    tables,
    focus: str | Iterable[str],
    level: str = "country",
    *,
    years: str | tuple[int | None, int | None] | None = None,
    counting: str = "full",
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    ci: bool = True,
    top: int = 15,
    peers: int = PEERS,
    network_top: int = 40,
    centrality_top: int = 500,
    min_works: int = MIN_WORKS,
    n_resamples: int = 1000,
    seed: int | None = 0,
    synthetic: bool = False,
    title: str | None = None,
    data_source: str | None = None,
    output: str | os.PathLike | None = None,
) -> str:
    """A one-page HTML report on one focus entity's international collaboration.

    Parameters
    ----------
    tables : WorkTables
        The works (anything :func:`collabnet.load` takes: tables, paths, records).
    focus : str
        The one entity reported on: a country (``"JP"``) or an institution id.
    level : {"country", "institution", "author"}
        Level of the focus, its partners and the network.
    years : "FROM-TO" or (from, to), optional
        Only works published in this inclusive range.
    counting : {"full", "fractional"}
        Counting of the profile, the impact means and the network's link weights (partners
        are always counted in co-authored works, full counting).
    merge_hk_mo, collaboration_rule
        As in every indicator (:func:`collabnet.profile`).
    ci : bool
        Bootstrap stability intervals on the profile's shares, the yearly shares (bands of
        the trend figure) and impact (on by default; off is faster).
    top : int
        Partners listed and drawn, and rows of the centrality table.
    peers : int
        The focus's largest partners followed beside it in the trend figure (0: none).
    network_top : int
        Nodes drawn in the network picture (the focus's ego network, most works first).
    centrality_top : int
        Centrality is measured on the network of the ``centrality_top`` entities with most
        works and the focus (default 500: every country; shortest paths over thousands of
        institutions would take minutes). The section says when the network was cut.
    min_works : int
        Values resting on fewer works are flagged "thin" (default 10).
    n_resamples, seed
        Bootstrap resamples and the seed of resampling, layout and communities.
    synthetic : bool
        Mark the page and its figures "SYNTHETIC DATA" even when no work is recognised as
        synthetic (works of collabnet's sample always are: see
        :func:`.provenance.synthetic_works`).
    title : str, optional
        Page title (default "International collaboration: <name> (<focus>)").
    data_source : str, optional
        Where the works came from, as a line of the header (e.g. an OpenAlex query answered
        from the cache); files and fetches are described from ``tables.report`` anyway.
    output : path, optional
        Also write the page there, atomically (:func:`collabnet.fileio.atomic_write`).

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> import collabnet as cn
    >>> t = cn.build_tables(cn.generate_works(300, seed=3, years=(2015, 2019)))
    >>> page = report(t, "US", ci=False, network_top=10)
    >>> "SYNTHETIC DATA" in page, page.count("<img"), "https://" in page
    (True, 3, False)
    """
    from collabnet.fileio import atomic_write
    from collabnet.loader import load
    from collabnet.reports import sections

    tables = load(tables)
    ctx = sections.Context.of(
        tables, focus, level, years=years, counting=counting, merge_hk_mo=merge_hk_mo,
        collaboration_rule=collaboration_rule, ci=ci, top=top, peers=peers,
        network_top=network_top, centrality_top=centrality_top, min_works=min_works,
        n_resamples=n_resamples, seed=seed, synthetic=synthetic,
    )
    page = sections.render(ctx, title=title, data_source=data_source)
    if output is not None:
        atomic_write(output, page.encode("utf-8"))
    return page
