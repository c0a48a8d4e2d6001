"""What the command line prints: readable tables, interval columns, CSV or screen output."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import pandas as pd

from collabnet.cli.inputs import note
from collabnet.export.tabular import write_table


def format_table(df: pd.DataFrame, *, max_rows: int | None = 40) -> str:
    """A readable text table: shares as percentages, counts with thousands separators."""
    if df.empty:
        return "(no rows)"
    shown = df.head(max_rows) if max_rows else df
    fmt = {}
    for col in shown.columns:
        if col == "share" or col.endswith("_share") or col.startswith("pp_"):
            fmt[col] = lambda v: "" if pd.isna(v) else f"{100 * v:5.1f} %"
        elif pd.api.types.is_float_dtype(shown[col]):
            fmt[col] = lambda v: "" if pd.isna(v) else f"{v:,.3f}"
        elif pd.api.types.is_integer_dtype(shown[col]) and not col.endswith("year"):
            fmt[col] = lambda v: "" if pd.isna(v) else f"{v:,}"
    text = shown.to_string(index=False, formatters=fmt, na_rep="")
    if max_rows and len(df) > max_rows:
        text += f"\n… {len(df) - max_rows} more rows (use -o FILE.csv for all)"
    return text


def screen_view(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """The columns to show on screen; ``x_lo``/``x_hi`` pairs become one ``x 95% CI`` column."""
    view = df[[c for c in cols if c in df.columns]].copy()
    for c in cols:
        if f"{c}_lo" in df.columns and c in view.columns:
            lo, hi = df[f"{c}_lo"], df[f"{c}_hi"]
            pct = c.endswith("_share")
            view[f"{c} CI"] = [
                "" if pd.isna(a) or pd.isna(b)
                else (f"{100 * a:.1f}–{100 * b:.1f} %" if pct else f"{a:,.2f}–{b:,.2f}")
                for a, b in zip(lo, hi, strict=True)
            ]
    return view


def emit(df: pd.DataFrame, args: argparse.Namespace, screen: pd.DataFrame | None = None,
         notes: Sequence[str] = ()) -> None:
    """Write ``df`` as CSV to ``-o`` or print ``screen`` (default ``df``) as a table."""
    if args.output:
        write_table(df, args.output)
        if not args.quiet:
            note(f"wrote {len(df)} rows to {args.output}")
    else:
        print(format_table(df if screen is None else screen, max_rows=args.rows))
    if not args.quiet:
        for n in notes:
            note(n)
