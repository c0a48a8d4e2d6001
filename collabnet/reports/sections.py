"""The report's sections: what each computes (one library call each) and how it is shown.

:class:`Context` runs the indicators once — :func:`collabnet.profile`,
:func:`collabnet.partners`, :func:`collabnet.trend`, :func:`collabnet.impact`,
:func:`collabnet.centrality` and :func:`collabnet.network` for the focus's ego network — with
the report's one selection; :func:`render` turns them into the page. Every share is shown next
to the count it rests on and rows under ``min_works`` are flagged "thin".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from collabnet._version import __version__
from collabnet.analysis.centrality import centrality
from collabnet.analysis.impact import impact_by_collaboration
from collabnet.analysis.partners import partners
from collabnet.analysis.profile import collaboration_profile
from collabnet.analysis.trends import indicator_trend
from collabnet.errors import InputError
from collabnet.keys import entity_column, format_years, normalise_focus, parse_years
from collabnet.networks import coauthorship_network
from collabnet.plots import (
    figure_bytes,
    is_marked_synthetic,
    mark_synthetic,
    network_figure,
    partners_chart,
    trend_chart,
)
from collabnet.reports import html as h
from collabnet.reports.provenance import source_facts, synthetic_works
from collabnet.sources.sample import SYNTHETIC_NOTICE

_DPI = 120
#: Profile rows: (label, share column, count column, denominator, denominator label).
_PROFILE_ROWS = [
    ("international", "international_share", "international_works", "known", "known"),
    ("domestic", "domestic_share", "domestic_works", "known", "known"),
    ("single institution", "single_institution_share", "single_institution_works", "known",
     "known"),
    ("with industry", "industry_share", "industry_works", "known", "known"),
    ("bilateral (2 countries)", "bilateral_share", "bilateral_works", "international_works",
     "international"),
    ("multilateral (3+ countries)", "multilateral_share", "multilateral_works",
     "international_works", "international"),
]


def _at_least(name: str, value, least: int) -> None:
    if value is None or isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InputError(f"invalid {name} {value!r}: must be a whole number >= {least}")


#: The report's size options and the least value of each.
_LEAST = {"top": 1, "peers": 0, "network_top": 1, "centrality_top": 1, "min_works": 0}


def check_report_options(focus, level: str, **limits) -> str:
    """The one focus key, after checking the report's options (before any work).

    ``limits``: any of ``top``, ``peers``, ``network_top``, ``centrality_top``, ``min_works``.

    >>> check_report_options("jp", "country", top=15, peers=3)
    'JP'
    >>> check_report_options("JP,DE", "country")
    Traceback (most recent call last):
    ...
    collabnet.errors.InputError: report needs one focus entity, e.g. --focus JP (got 'JP,DE')
    >>> check_report_options("JP", "country", network_top=0)
    Traceback (most recent call last):
    ...
    collabnet.errors.InputError: invalid --network-top 0: must be a whole number >= 1
    """
    entity_column(level)
    ids = normalise_focus(level, focus)
    if not ids or len(ids) != 1:
        raise InputError(f"report needs one focus entity, e.g. --focus JP (got {focus!r})")
    for name, value in limits.items():
        _at_least("--" + name.replace("_", "-"), value, _LEAST[name])
    return ids[0]


@dataclass
class Context:
    """The report's selection and every table it shows, computed once."""

    tables: object
    focus: str
    name: str
    level: str
    selection: dict
    options: dict
    synthetic: int
    marked: bool
    profile: pd.DataFrame | None = None
    yearly: pd.DataFrame | None = None
    partners: pd.DataFrame | None = None
    trend: object = None
    impact: pd.DataFrame | None = None
    centrality: pd.DataFrame | None = None
    ego: object = None
    network_cut: dict | None = None

    @classmethod
    def of(cls, tables, focus, level, *, years, counting, merge_hk_mo, collaboration_rule, ci,
           top, peers, network_top, centrality_top, min_works, n_resamples, seed,
           synthetic) -> Context:
        f = check_report_options(focus, level, top=top, peers=peers, network_top=network_top,
                                 centrality_top=centrality_top, min_works=min_works)
        parse_years(years)
        sel = dict(years=years, merge_hk_mo=merge_hk_mo, collaboration_rule=collaboration_rule)
        boot = dict(ci=ci, n_resamples=n_resamples, seed=seed)
        n_syn = synthetic_works(tables)
        ctx = cls(tables=tables, focus=f, name=_text(tables.entity_names(level, [f])[0], f),
                  level=level, selection=sel, synthetic=n_syn, marked=bool(synthetic or n_syn),
                  options=dict(counting=counting, top=top, peers=peers, min_works=min_works,
                               network_top=network_top, **boot))
        ctx._indicators(tables, f, level, counting, min_works, peers, centrality_top, sel, boot)
        return ctx

    def _indicators(self, tables, f, level, counting, min_works, peers, centrality_top, sel,
                    boot) -> None:
        """Every table and network the sections show: one library call each."""
        self.profile = collaboration_profile(tables, level, focus=[f], counting=counting,
                                            min_works=min_works, **sel, **boot)
        self.yearly = collaboration_profile(tables, level, focus=[f], counting=counting,
                                           by_year=True, min_works=min_works, **sel, **boot)
        self.partners = partners(tables, [f], level, **sel)
        followed = [f, *self.partners["partner"].head(peers).tolist()]
        self.trend = indicator_trend(tables, "international_share", level, focus=followed,
                                    counting=counting, min_works=min_works, **sel, **boot)
        self.impact = impact_by_collaboration(tables, level, focus=[f], counting=counting,
                                             min_works=min_works, **sel, **boot)
        # One network: its largest part for centrality (shortest paths on thousands of nodes
        # take minutes), and the focus's ego network for the picture.
        g = coauthorship_network(tables, level, counting=counting, **sel)
        ranked = sorted(g, key=lambda v: (-float(g.nodes[v].get("works") or 0), str(v)))
        core = set(ranked[:centrality_top])
        self.network_cut = None if len(g) <= centrality_top else \
            dict(top=centrality_top, total=len(g), focus_added=f in g and f not in core)
        core |= {f} & set(g)
        self.centrality = centrality(g.subgraph(core).copy(), seed=boot["seed"])
        self.ego = g.subgraph({f, *g[f]} if f in g else set()).copy()
        communities = self.centrality.set_index("entity")["community"]
        for v, d in self.ego.nodes(data=True):
            c = communities.get(v)
            if c is not None and not pd.isna(c):
                d["community"] = int(c)

    def figure(self, fig, alt: str, caption: str | None = None) -> h.Safe:
        """A figure of this report, marked synthetic when the report is."""
        if self.marked and not is_marked_synthetic(fig):
            mark_synthetic(fig)
        return h.figure(figure_bytes(fig, "png", dpi=_DPI), alt, caption)

    @property
    def label(self) -> str:
        return self.focus if self.name == self.focus else f"{self.name} ({self.focus})"

    @property
    def full(self) -> bool:
        return self.options["counting"] == "full"


def _text(value, default: str = "") -> str:
    """``value`` as text, ``default`` when it is missing (None, NA, NaN)."""
    return default if value is None or pd.isna(value) else str(value)


def _count(ctx: Context, v) -> str:
    return h.number(v) if ctx.full else h.number(v, 2)


def _profile(ctx: Context) -> h.Safe:
    p, mw = ctx.profile, ctx.options["min_works"]
    if p.empty:
        return h.section("profile", "1. Collaboration profile",
                         f"No works of {ctx.label} in this selection.")
    row = p.iloc[0]
    known = row["works"] - row["unknown_works"]
    n_partners = len(ctx.partners)
    first = ctx.partners.iloc[0] if n_partners else None
    cards = h.cards([
        ("works", _count(ctx, row["works"]), f"{_count(ctx, known)} with a known country"),
        ("international share", h.percent(row["international_share"]),
         f"{_count(ctx, row['international_works'])} of {_count(ctx, known)} works"),
        ("partners", f"{n_partners:,}", "" if first is None else
         f"largest: {_text(first['partner_name'], first['partner'])} "
         f"({first['works']:,} works)"),
    ])
    rows, thin = [], []
    for label, share, count, den, den_label in _PROFILE_ROWS:
        d = known if den == "known" else row[den]
        ci = h.interval(row.get(f"{share}_lo"), row.get(f"{share}_hi"), share=True)
        rows.append([label, h.percent(row[share]), _count(ctx, row[count]),
                     f"{_count(ctx, d)} {den_label}", ci])
        thin.append(bool(d < mw))
    heads = ["collaboration", "share", "works counted", "of (works)", "95 % interval"]
    note = (f"{ctx.options['counting']} counting. Shares of works with a known country; "
            "bilateral and multilateral: shares of the international works. Intervals: "
            f"bootstrap, {ctx.options['n_resamples']} resamples." if ctx.options["ci"] else
            f"{ctx.options['counting']} counting; no stability intervals (ci off).")
    return h.section("profile", "1. Collaboration profile", cards,
                     h.table(heads, rows, thin=thin), h.Safe(f'<p class="note">{h.esc(note)}'
                                                            "</p>"))


def _partners(ctx: Context) -> h.Safe:
    p, top, mw = ctx.partners, ctx.options["top"], ctx.options["min_works"]
    if p.empty:
        return h.section("partners", "2. Partners", f"{ctx.label} has no co-authoring partner "
                         "in this selection.")
    shown = p.head(top)
    fig = partners_chart(p, top=top, min_works=mw, title=f"Top partners of {ctx.label}")
    rows = [[r.rank, _named(r.partner, r.partner_name), h.number(r.works),
             h.number(r.international_works), h.percent(r.international_works_share),
             h.percent(r.focus_works_share), h.number(r.fractional_weight, 2),
             f"{_text(r.first_year)}–{_text(r.last_year)}", _pp(r.share_slope)]
            for r in shown.itertuples()]
    heads = ["rank", "partner", "co-authored works", "of them international",
             f"share of {ctx.focus}'s international works", f"share of all {ctx.focus}'s works",
             "fractional link weight", "years", "trend of that share (pp/year)"]
    return h.section(
        "partners", "2. Partners",
        f"{len(p):,} partners co-authored with {ctx.label}; the {len(shown)} with most "
        "co-authored works (full counting):",
        ctx.figure(fig, f"bar chart of the top partners of {ctx.label}"),
        h.table(heads, rows, thin=(shown["works"] < mw).tolist(), numeric={0, 2, 3, 4, 5, 6, 7, 8}),
        h.Safe(f'<p class="note">Pale bars and rows: fewer than {mw} co-authored works. '
               "Shares of the international works of different partners add up to more than "
               "100 %: a work can have several partners.</p>"),
    )


def _named(key, name) -> str:
    name = _text(name)
    return key if not name or name == key else f"{name} ({key})"


def _pp(v) -> str:
    return "" if not h.finite(v) else f"{100 * float(v):+.2f}"


def _trend(ctx: Context) -> h.Safe:
    t, y, mw = ctx.trend, ctx.yearly, ctx.options["min_works"]
    if y.empty:
        return h.section("trend", "3. International share by year",
                         f"No dated works of {ctx.label} in this selection.")
    fig = trend_chart(t, "international_share", highlight=ctx.focus, min_works=mw,
                            title=f"International share by year: {ctx.label} and its largest "
                            "partners")
    known = y["works"] - y["unknown_works"]
    rows = [[int(r.year), _count(ctx, r.works), _count(ctx, k),
             _count(ctx, r.international_works), h.percent(r.international_share),
             h.interval(getattr(r, "international_share_lo", None),
                        getattr(r, "international_share_hi", None), share=True)]
            for r, k in zip(y.itertuples(), known)]
    heads = ["year", "works", "with a known country", "international", "international share",
             "95 % interval"]
    s = t.summary
    srows = [[r.entity, r.name, f"{r.from_year}–{r.to_year}", h.percent(r.value_from),
              h.percent(r.value_to), _pp(r.change), _pp(r.slope_per_year), r.years]
             for r in s.itertuples()]
    sheads = ["entity", "name", "window", "share then", "share now", "change (pp)",
              "slope (pp/year)", "years"]
    return h.section(
        "trend", "3. International share by year",
        ctx.figure(fig, f"line chart of the international share of {ctx.label} by year",
                   "Shaded: 95 % stability interval; hollow points: fewer than "
                   f"{mw} works that year."),
        h.table(heads, rows, thin=(known < mw).tolist(), caption=f"{ctx.label}, by year"),
        h.table(sheads, srows, marked=(s["entity"] == ctx.focus).tolist(), numeric={3, 4, 5, 6, 7},
                caption="Change between the first and last year with a value, and the "
                "least-squares slope over the same years (percentage points)"),
    )


def _impact(ctx: Context) -> h.Safe:
    im, full = ctx.impact, ctx.full
    if im.empty:
        return h.section("impact", "4. Citation impact by collaboration type",
                         f"No works of {ctx.label} in this selection.")
    top = next((c for c in im.columns if c.startswith("top") and c.endswith("_share")
                and not c.endswith(("_lo", "_hi"))), "top10_share")

    def ci(r, col, share=False, digits=2):
        return h.interval(r.get(f"{col}_lo"), r.get(f"{col}_hi"), share=share, digits=digits)

    rows = [[r["group"].replace("_", " "), _count(ctx, r["works"]),
             _count(ctx, r["cited_works"]), h.number(r["mean_citations"], 1),
             ci(r, "mean_citations", digits=1), h.number(r["median_citations"], 1),
             _count(ctx, r["fwci_works"]), h.number(r["mean_fwci"], 2), ci(r, "mean_fwci"),
             h.percent(r[top]), ci(r, top, share=True)]
            for _, r in im.iterrows()]
    heads = ["collaboration", "works", "with citation count", "mean citations", "95 % interval",
             "median citations", "with FWCI", "mean FWCI", "95 % interval",
             top.replace("_share", " %").replace("top", "top "), "95 % interval"]
    note = (f"{'full' if full else 'fractional'} counting. Top 10 %: among this data set's "
            "works of the same publication year (CWTS tie handling), not the world's; citations"
            " are OpenAlex's cited_by_count.")
    return h.section("impact", "4. Citation impact by collaboration type",
                     h.table(heads, rows, thin=im["low_evidence"].tolist()),
                     h.Safe(f'<p class="note">{h.esc(note)}</p>'))


def _centrality(ctx: Context) -> h.Safe:
    c, top = ctx.centrality, ctx.options["top"]
    if c.empty:
        return h.section("centrality", "5. Position in the co-authorship network",
                         "The network has no nodes in this selection.")
    c = c.assign(rank=range(1, len(c) + 1))
    shown = pd.concat([c.head(top), c[(c["entity"] == ctx.focus) & (c["rank"] > top)]])
    rows = [[r.rank, _named(r.entity, r.name), h.number(r.works), r.degree, h.number(r.strength),
             h.number(r.betweenness, 4), h.number(r.eigenvector, 4), h.number(r.pagerank, 4),
             r.core_number, "" if pd.isna(r.community) else int(r.community)]
            for r in shown.itertuples()]
    heads = ["rank", ctx.level, "works", "partners (degree)", "strength", "betweenness",
             "eigenvector", "PageRank", "k-core", "community"]
    rank = c.loc[c["entity"] == ctx.focus, "rank"]
    where = (f"{ctx.label} ranks {int(rank.iloc[0])} of {len(c):,} by strength."
             if len(rank) else f"{ctx.label} is not in the network.")
    cut, part = ctx.network_cut, ""
    if cut:
        plural = {"country": "countries"}.get(ctx.level, f"{ctx.level}s")
        also = f" and {ctx.focus}" if cut["focus_added"] else ""
        part = (f" Measured on the network of the {cut['top']:,} {plural} with most works"
                f"{also} ({cut['total']:,} in all).")
    return h.section(
        "centrality", "5. Position in the co-authorship network",
        f"{ctx.level.capitalize()} network, {ctx.options['counting']} link weights, ranked by "
        f"strength (total link weight). {where}{part}",
        h.table(heads, rows, marked=(shown["entity"] == ctx.focus).tolist(),
                numeric={0, 2, 3, 4, 5, 6, 7, 8, 9}),
        h.Safe(f'<p class="note">{h.esc(c.attrs.get("note", ""))}; communities: Louvain '
               f"(seed {h.esc(ctx.options['seed'])}).</p>"),
    )


def _network(ctx: Context) -> h.Safe:
    g, n = ctx.ego, ctx.options["network_top"]
    labels = 14 if ctx.level == "country" else 8
    fig = network_figure(g, top=n, labels=labels, highlight=ctx.focus,
                         seed=ctx.options["seed"] or 0,
                         title=f"Co-authorship network of {ctx.label} and its partners")
    return h.section(
        "network", "6. Co-authorship network",
        ctx.figure(fig, f"network picture of {ctx.label} and its partners",
                   f"The ego network of {ctx.label}: its partners and the links among them "
                   f"({min(n, g.number_of_nodes())} of {g.number_of_nodes()} nodes, most works "
                   "first). Node size: works; colour: community in the network of section 5 "
                   f"(grey: outside it); line width: {ctx.options['counting']} link weight."),
    )


def _banner(ctx: Context) -> str | None:
    if not ctx.marked:
        return None
    n, total = ctx.synthetic, len(ctx.tables)
    why = (f"{n:,} of {total:,} works are collabnet's generated sample." if n else
           "Marked synthetic by the report's caller.")
    return f"SYNTHETIC DATA — not real OpenAlex records<small>{h.esc(why)} " \
           f"{h.esc(SYNTHETIC_NOTICE)}</small>"


def render(ctx: Context, *, title: str | None = None, data_source: str | None = None) -> str:
    """The page of ``ctx``: header, the six sections, footer."""
    title = title or f"International collaboration: {ctx.label}"
    sel = ctx.selection
    span = parse_years(sel["years"])
    lead = [f"{ctx.level} level", f"years {format_years(span)}" if span else "all years",
            f"{ctx.options['counting']} counting",
            f"international = {sel['collaboration_rule'] or ctx.tables.collaboration_rule} rule"]
    if sel["merge_hk_mo"]:
        lead.append("Hong Kong and Macao counted as China")
    facts = source_facts(ctx.tables, data_source=data_source)
    if ctx.marked:
        facts.insert(0, ("data", "SYNTHETIC" + (f": {ctx.synthetic:,} generated works"
                                                 if ctx.synthetic else "")))
    nav = "".join(f'<a href="#{a}">{h.esc(t)}</a>' for a, t in (
        ("profile", "Profile"), ("partners", "Partners"), ("trend", "Trend"),
        ("impact", "Impact"), ("centrality", "Centrality"), ("network", "Network")))
    header = h.Safe(f'<header class="top"><h1>{h.esc(title)}</h1>'
                    f'<p class="lead">{h.esc(" · ".join(lead))}</p></header>\n'
                    f"{h.definitions(facts)}\n<nav>{nav}</nav>")
    footer = h.Safe(
        f"<footer><p>Made by collabnet {h.esc(__version__)}. International share: works "
        "with affiliations in two or more countries over works with a known country (CWTS "
        "Leiden Ranking PP(int collab)). Rows marked <span class=\"tag\">thin</span> rest on "
        f"fewer than {ctx.options['min_works']} works.</p></footer>")
    body = "\n".join([header, _profile(ctx), _partners(ctx), _trend(ctx), _impact(ctx),
                      _centrality(ctx), _network(ctx), footer])
    return h.page(title, body, banner=_banner(ctx))
