"""The HTML of the report: escaping, numbers, tables, inline figures and the page itself.

Everything a page shows passes through :func:`esc` (or is built here from escaped parts and
marked :class:`Safe`), so a name such as ``<b>&Co</b>`` is shown as written and never read as
markup. The page is self-contained: CSS inline, figures as ``data:`` URIs, no script, no
font, no external address; a Content-Security-Policy forbids the browser to fetch anything
else, so opening it makes no network request.
"""

from __future__ import annotations

import base64
import html
import math
import re

__all__ = ["Safe", "cards", "definitions", "esc", "figure", "finite", "interval", "number",
           "page", "percent", "section", "table"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Safe(str):
    """Text that is already HTML (built from escaped parts): :func:`esc` leaves it as is."""


def esc(value) -> Safe:
    """``value`` as HTML text: ``&``, ``<``, ``>`` and quotes escaped, control characters
    removed, a missing value (None, NaN, NA) empty.

    >>> esc("<b>&Co</b>")
    '&lt;b&gt;&amp;Co&lt;/b&gt;'
    >>> esc(Safe("<em>x</em>")), esc(None), esc(float("nan"))
    ('<em>x</em>', '', '')
    """
    if isinstance(value, Safe):
        return value
    if _missing(value):
        return Safe("")
    return Safe(html.escape(_CONTROL.sub("", str(value)), quote=True))


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pandas.NA (whose comparison raises)
    except TypeError:
        return True


def percent(value, digits: int = 1) -> str:
    """A share as a percentage, ``""`` when unknown.

    >>> percent(0.4087), percent(None)
    ('40.9 %', '')
    """
    if _missing(value):
        return ""
    return f"{100 * float(value):.{digits}f} %"


def number(value, digits: int | None = None) -> str:
    """A count or measure: whole numbers with thousands separators, others with ``digits``
    decimals (default: 2, or 4 below 0.1).

    >>> number(12345), number(2.5), number(0.01234), number(None)
    ('12,345', '2.50', '0.0123', '')
    """
    if _missing(value):
        return ""
    v = float(value)
    if digits is None and v.is_integer():
        return f"{v:,.0f}"
    if digits is None:
        digits = 4 if abs(v) < 0.1 else 2
    return f"{v:,.{digits}f}"


def interval(lo, hi, *, share: bool, digits: int | None = None) -> str:
    """``lo – hi`` of a stability interval (percentages for shares), ``""`` when unknown.

    >>> interval(0.2, 0.35, share=True), interval(2, 3.25, share=False, digits=1)
    ('20.0 % – 35.0 %', '2.0 – 3.2')
    """
    if _missing(lo) or _missing(hi):
        return ""
    if share:
        return f"{percent(lo)} – {percent(hi)}"
    return f"{number(lo, digits)} – {number(hi, digits)}"


def table(headers, rows, *, thin=None, marked=None, numeric=None,
          caption: str | None = None, css: str = "") -> Safe:
    """An HTML table; cells are escaped unless :class:`Safe`.

    Parameters
    ----------
    headers : list of str
    rows : list of lists
    thin : list of bool, optional
        Rows resting on thin evidence: shown pale and marked with a "thin" tag.
    marked : list of bool, optional
        Rows shown in bold (e.g. the focus entity's own row).
    numeric : set of int, optional
        Columns aligned right (default: every column but the first).
    caption : str, optional
    css : str
        Extra class of the table.

    Examples
    --------
    >>> t = table(["name", "works"], [["<b>&Co</b>", 3]], thin=[True])
    >>> print(t.split("<tbody>")[1].replace("</td>", "</td>\\n"))
    <tr class="thin"><td>&lt;b&gt;&amp;Co&lt;/b&gt; <span class="tag">thin</span></td>
    <td class="num">3</td>
    </tr></tbody></table></div>
    """
    numeric = set(range(1, len(headers))) if numeric is None else set(numeric)
    thin = list(thin) if thin is not None else [False] * len(rows)
    marked = list(marked) if marked is not None else [False] * len(rows)

    def cell(tag, i, value, extra=""):
        cls = ' class="num"' if i in numeric else ""
        return f"<{tag}{cls}>{esc(value)}{extra}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = []
    for row, weak, bold in zip(rows, thin, marked):
        tag = ' <span class="tag">thin</span>' if weak else ""
        cells = "".join(cell("td", i, v, tag if i == 0 else "") for i, v in enumerate(row))
        classes = " ".join(c for c, on in (("thin", weak), ("focus", bold)) if on)
        row_class = f' class="{classes}"' if classes else ""
        body.append(f"<tr{row_class}>{cells}</tr>")
    if not rows:
        body.append(f'<tr><td colspan="{len(headers)}" class="empty">no rows</td></tr>')
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    classes = f"data {css}".strip()
    return Safe(f'<div class="scroll"><table class="{classes}">{cap}<thead><tr>{head}</tr>'
                f'</thead>\n<tbody>{"".join(body)}</tbody></table></div>')


def figure(png: bytes, alt: str, caption: str | None = None) -> Safe:
    """A PNG inlined as a ``data:`` URI in a ``<figure>``, with escaped alt text."""
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return Safe(f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
                f"{cap}</figure>")


def section(anchor: str, heading: str, *parts) -> Safe:
    """A ``<section>`` with its ``<h2>``; string parts are escaped paragraphs."""
    inner = "\n".join(p if isinstance(p, Safe) else f"<p>{esc(p)}</p>" for p in parts if p)
    return Safe(f'<section id="{esc(anchor)}"><h2>{esc(heading)}</h2>\n{inner}\n</section>')


def definitions(items) -> Safe:
    """A ``<dl>`` of (term, description) pairs, both escaped."""
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    return Safe(f'<dl class="facts">{rows}</dl>')


def cards(items) -> Safe:
    """Key figures as cards: (label, value, detail) triples."""
    out = "".join(f'<div class="card"><div class="label">{esc(label)}</div>'
                  f'<div class="value">{esc(value)}</div>'
                  f'<div class="detail">{esc(detail)}</div></div>'
                  for label, value, detail in items)
    return Safe(f'<div class="cards">{out}</div>')


_CSS = """
:root { --ink: #1d2733; --muted: #5b6773; --line: #d9dee4; --accent: #1f5f99; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f4f6f8; line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 0 24px 48px; background: #fff;
  min-height: 100vh; }
.synthetic-banner { position: sticky; top: 0; z-index: 10; background: #b71c1c; color: #fff;
  padding: 10px 24px; font-weight: 700; text-align: center; letter-spacing: .02em; }
.synthetic-banner small { display: block; font-weight: 400; letter-spacing: 0; }
header.top { padding: 24px 0 8px; border-bottom: 2px solid var(--accent); }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 32px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
.lead, .note, figcaption, caption { color: var(--muted); }
.note { font-size: .9rem; }
nav { margin: 12px 0; font-size: .92rem; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px;
  font-size: .92rem; margin: 12px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.warning { background: #fff4e5; border-left: 4px solid #e08a00; padding: 6px 10px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { flex: 1 1 180px; border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
.card .label { color: var(--muted); font-size: .85rem; }
.card .value { font-size: 1.45rem; font-weight: 650; }
.card .detail { color: var(--muted); font-size: .8rem; }
.scroll { overflow-x: auto; }
table.data { border-collapse: collapse; width: 100%; font-size: .88rem; margin: 8px 0 4px; }
table.data caption { text-align: left; font-size: .85rem; padding: 2px 0 6px; }
table.data th, table.data td { padding: 4px 8px; border-bottom: 1px solid var(--line);
  text-align: left; vertical-align: top; }
table.data th { background: #eef2f6; font-weight: 600; }
table.data tbody tr:nth-child(even) { background: #fafbfc; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data th.num { white-space: normal; }
table.data tr.thin td { color: #8a939c; }
table.data tr.focus td { font-weight: 650; background: #eaf2fb; }
table.data td.empty { color: var(--muted); text-align: center; }
.tag { font-size: .7rem; border: 1px solid #c9ced4; border-radius: 3px; padding: 0 3px;
  color: #8a939c; font-weight: 400; }
figure { margin: 12px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
footer { margin-top: 36px; font-size: .85rem; color: var(--muted); }
"""

#: Nothing but inline styles and data: images may load (no script, font or network).
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def page(title: str, body: str, *, banner: str | None = None) -> str:
    """The whole document: ``body`` (HTML) under an escaped title and optional banner."""
    top = f'<div class="synthetic-banner" role="alert">{banner}</div>\n' if banner else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'  # no favicon request either
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{top}"
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def finite(value) -> bool:
    """Whether ``value`` is a number that is not NaN."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
