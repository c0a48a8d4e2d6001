"""The canonical form of a set of works: :class:`WorkTables` (``works`` and ``affiliations``).

Every source produces, and every analysis consumes, these two tables. They are assembled here
from the raw columnar frames of :mod:`collabnet.sources.records` (or any source that gives
the same frames), and this module owns the one definition every indicator rests on: a
work's *collaboration type* (:func:`classify_collaboration`). The tables also record the
choices that change those types — the collaboration rule and whether Hong Kong and Macao are
counted as China — so that every re-derivation (a year selection, a merge) keeps them.

Rules (see the architecture page): ids are short keys (``W123``, ``I45``, ``A67``); country
codes are upper case; a missing value is null; a work with no known country stays in
``works`` and is classified ``"unknown"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from collabnet.errors import MalformedRecordError
from collabnet.keys import (
    COLLABORATION_RULES,
    COLLABORATION_TYPES,
    check_choice,
    country_name,
    entity_column,
)
from collabnet.sources.duplicates import newest_frames
from collabnet.sources.files import paused_gc
from collabnet.sources.records import (
    AFFILIATION_COLUMNS,
    BAD_CODE,
    BAD_CODES,
    INTERNAL_COLUMNS,
    RAW_WORK_COLUMNS,
    empty_frames,
    record_frames,
    records_to_struct,
)

#: Columns of ``WorkTables.works``, in order.
WORK_COLUMNS = [*RAW_WORK_COLUMNS, "collaboration"]
_BATCH = 20_000

__all__ = [
    "AFFILIATION_COLUMNS",
    "COLLABORATION_RULES",
    "COLLABORATION_TYPES",
    "WORK_COLUMNS",
    "WorkTables",
    "build_tables",
    "classify_collaboration",
    "entity_column",
    "tables_from_frames",
]


@dataclass
class WorkTables:
    """Works and their affiliations in canonical form.

    Attributes
    ----------
    works : pandas.DataFrame
        One row per work: ``work_id, year, type, cited_by_count, fwci, n_authors,
        n_institutions, n_countries, countries_distinct_count, is_top10, is_paratext,
        is_retracted, is_authors_truncated, collaboration``.
    affiliations : pandas.DataFrame
        One row per (work, authorship, institution): ``work_id, year, author_index,
        author_id, author_name, author_position, is_corresponding, institution_id,
        institution_name, institution_type, country_code, weight``. An author with no
        institution has one row with a null institution. ``weight`` is the row's fractional
        share of the work: an author's credit ``1 / n_authors`` split evenly over their
        ``m`` institution entries. A
        country that the author's ``countries`` name but none of their institutions has
        takes the share of the author's institution entries without a country (the row
        keeps the institution and gets that country), or of the author's empty slot when
        they list no institution; when every entry has a country it gets a row of weight 0
        (it counts for the work's countries, not for credit). The weights of a work with
        authors sum to 1.
    collaboration_rule : {"countries", "leiden"}
        The rule ``works.collaboration`` was classified by (see
        :func:`classify_collaboration`).
    hk_mo_merged : bool
        Whether Hong Kong and Macao affiliations are counted as China (CN).
    report : ReadReport, optional
        What reading the works found (files, records, duplicates, bad records), when the
        tables were read from files by :func:`collabnet.load` (for a query: the fetch
        report, or None when everything came from the cache).
    warnings : tuple of str
        What a reader of these works must know (e.g. a year slice that OpenAlex ended short
        of its count); the command line prints each line.
    """

    works: pd.DataFrame
    affiliations: pd.DataFrame
    collaboration_rule: str = "countries"
    hk_mo_merged: bool = False
    report: object = None
    warnings: tuple = ()

    def __len__(self) -> int:
        return len(self.works)

    def __repr__(self) -> str:
        rule = self.collaboration_rule
        extra = "" if rule == "countries" else f", rule {rule}"
        extra += ", HK/MO as CN" if self.hk_mo_merged else ""
        return f"WorkTables({len(self.works)} works, {len(self.affiliations)} affiliations{extra})"

    def _derived(self, works: pd.DataFrame, affiliations: pd.DataFrame, **changes) -> WorkTables:
        """New tables that keep every recorded choice (rule, merge) unless changed."""
        return replace(self, works=works, affiliations=affiliations, **changes)

    def select(
        self,
        *,
        years: tuple[int | None, int | None] | None = None,
        work_ids: Iterable[str] | None = None,
    ) -> WorkTables:
        """The tables restricted to works published in ``years`` (inclusive) or ``work_ids``."""
        mask = pd.Series(True, index=self.works.index)
        if years is not None:
            lo, hi = years
            y = self.works["year"]
            if lo is not None:
                mask &= (y >= lo).fillna(False)
            if hi is not None:
                mask &= (y <= hi).fillna(False)
        if work_ids is not None:
            mask &= self.works["work_id"].isin(set(work_ids))
        if bool(mask.all()):
            return self
        works = self.works[mask].reset_index(drop=True)
        keep = self.affiliations["work_id"].isin(works["work_id"])
        return self._derived(works, self.affiliations[keep].reset_index(drop=True))

    def with_collaboration_rule(self, rule: str = "countries") -> WorkTables:
        """The same works with ``collaboration`` classified by ``rule``
        (``"countries"`` or ``"leiden"``; see :func:`classify_collaboration`)."""
        check_choice("collaboration rule", rule, COLLABORATION_RULES)
        if rule == self.collaboration_rule:
            return self
        works = self.works.copy()
        works["collaboration"] = _classified(works, rule)
        return self._derived(works, self.affiliations, collaboration_rule=rule)

    def with_countries_merged(self, mapping: dict[str, str]) -> WorkTables:
        """The same works with affiliation countries renamed by ``mapping`` (``{"HK": "CN"}``).

        Each work's ``n_countries`` and ``collaboration`` are recomputed under the tables'
        own collaboration rule. Used by :func:`collabnet.selection.merge_hong_kong_macao`.
        """
        aff = self.affiliations.copy()
        cc = aff["country_code"]
        aff["country_code"] = cc.mask(cc.isin(list(mapping)), cc.map(mapping)).astype("string")
        works = self.works.copy()
        pairs = aff[["work_id", "country_code"]].dropna().drop_duplicates()
        n_ctry = works["work_id"].map(pairs.groupby("work_id").size()).fillna(0)
        works["n_countries"] = pd.array(n_ctry.astype("int64").to_numpy(), dtype="Int64")
        works["collaboration"] = _classified(works, self.collaboration_rule)
        return self._derived(works, aff)

    def entity_works(self, level: str) -> pd.DataFrame:
        """Distinct (work_id, entity) pairs at ``level`` (country, institution or author).

        Each row also carries ``fraction``: the entity's share of the work's authorship, the
        sum over the work's authors of 1/n_authors split equally over each author's
        affiliations (Perianes-Rodriguez, Waltman & van Eck 2016). Fractions of one work sum
        to at most 1 (less when some affiliations have no known entity).
        """
        col = entity_column(level)
        a = self.affiliations[["work_id", col, "weight"]].dropna(subset=[col])
        out = a.groupby(["work_id", col], sort=False, observed=True)["weight"].sum()
        out = out.reset_index().rename(columns={col: "entity", "weight": "fraction"})
        return out

    def work_countries(self) -> pd.DataFrame:
        """Distinct (work_id, country_code) pairs: the countries of each work."""
        a = self.affiliations[["work_id", "country_code"]].dropna()
        return a.drop_duplicates(ignore_index=True)

    def work_institutions(self) -> pd.DataFrame:
        """Distinct (work_id, institution_id) pairs with the institution's name, type, country."""
        cols = ["work_id", "institution_id", "institution_name", "institution_type", "country_code"]
        a = self.affiliations[cols].dropna(subset=["institution_id"])
        return a.drop_duplicates(subset=["work_id", "institution_id"], ignore_index=True)

    def institutions(self) -> pd.DataFrame:
        """One row per institution: id and the name, type and country most often seen with it.

        Ties between equally frequent values go to the alphabetically first, so the result
        does not depend on record order.
        """
        a = self.affiliations.dropna(subset=["institution_id"])
        out = pd.DataFrame({"institution_id": pd.Series(sorted(a["institution_id"].unique()),
                                                        dtype="string")})
        for col, name in (("institution_name", "name"), ("institution_type", "type"),
                          ("country_code", "country_code")):
            out[name] = out["institution_id"].map(_most_frequent(a, "institution_id", col))
            out[name] = out[name].astype("string")
        return out

    def entity_names(self, level: str, entities) -> np.ndarray:
        """Display names for entity keys: country names, institution names, author names
        (the ``display_name`` most often seen with the id; the id where none is known)."""
        entities = pd.Series(entities)
        if level == "country":
            return entities.map(country_name).astype("string").values
        if level == "institution":
            names = self.institutions().set_index("institution_id")["name"]
            return entities.map(names).astype("string").values
        names = _most_frequent(self.affiliations, "author_id", "author_name")
        return entities.map(names).fillna(entities).astype("string").values


def _most_frequent(df: pd.DataFrame, key: str, col: str) -> pd.Series:
    """For each ``key``, its most frequent non-null ``col`` value (ties: smallest value)."""
    counts = df.groupby([key, col], observed=True).size().rename("n").reset_index()
    counts = counts.sort_values([key, "n", col], ascending=[True, False, True])
    return counts.drop_duplicates(subset=key).set_index(key)[col]


def classify_collaboration(n_countries, n_institutions, rule: str = "countries") -> pd.Series:
    """Collaboration type of works from their numbers of distinct countries and institutions.

    Rule ``"countries"`` (collabnet's default): ``international`` when the affiliations span
    two or more countries; ``domestic`` when one country and two or more institutions;
    ``single_institution`` when one country and at most one institution; ``unknown`` when no
    country is known.

    Rule ``"leiden"`` (CWTS Leiden Ranking, ``collaboration_type_no``): a work with at most
    one institution is not a collaboration, whatever its countries, so ``international``
    needs two or more institutions *and* two or more countries. This differs from the
    default only for works whose countries come from one institution-less or multi-country
    author (e.g. a sole author whose ``countries`` lists two codes). Works with no known
    country stay ``unknown`` under both rules.

    The four types partition the works, so their counts add up to the total.

    References
    ----------
    CWTS-OpenAlex-databases, ``src/sql/indicators/table_scripts/02_create_tables.sql``.

    Examples
    --------
    >>> classify_collaboration([2, 2, 1, 0], [2, 1, 1, 0]).tolist()
    ['international', 'international', 'single_institution', 'unknown']
    >>> classify_collaboration([2, 2], [2, 1], rule="leiden").tolist()
    ['international', 'single_institution']
    """
    check_choice("collaboration rule", rule, COLLABORATION_RULES)
    nc = np.asarray(n_countries)
    ni = np.asarray(n_institutions)
    multi_country = nc >= 2 if rule == "countries" else (nc >= 2) & (ni >= 2)
    out = np.where(
        multi_country,
        "international",
        np.where(nc >= 1, np.where(ni >= 2, "domestic", "single_institution"), "unknown"),
    )
    return pd.Series(pd.Categorical(out, categories=list(COLLABORATION_TYPES)))


def _classified(works: pd.DataFrame, rule: str) -> pd.Categorical:
    nc = works["n_countries"].fillna(0).to_numpy(dtype="int64")
    ni = works["n_institutions"].fillna(0).to_numpy(dtype="int64")
    coll = classify_collaboration(nc, ni, rule)
    return pd.Categorical(coll.astype(str).to_numpy(), categories=list(COLLABORATION_TYPES))


def bad_codes_warning(n_bad: int, examples: list[str]) -> str:
    """The warning line for ``n_bad`` country codes read as unknown (first ``examples``)."""
    return (f"{n_bad:,} country code{'s' if n_bad != 1 else ''} not ISO 3166-1 "
            f"alpha-2 read as unknown (e.g. {', '.join(map(repr, examples[:3]))})")


def tables_from_frames(
    parts: Iterable[tuple[pd.DataFrame, pd.DataFrame]], *, collaboration_rule: str = "countries"
) -> WorkTables:
    """Canonical tables from raw (works, affiliations) frame pairs of one or more batches.

    The frames are those of :func:`collabnet.sources.records.record_frames`; each work is
    classified here, under ``collaboration_rule``.
    """
    parts = list(parts)
    if not parts:
        parts = [empty_frames()]
    works = pd.concat([w for w, _ in parts], ignore_index=True)
    aff = pd.concat([a for _, a in parts], ignore_index=True)
    if works["work_id"].duplicated().any():
        works, aff = newest_frames(
            works, aff, [len(w) for w, _ in parts], [len(a) for _, a in parts]
        )
    n_bad = int(works[BAD_CODES].sum())
    warnings = ()
    if n_bad:
        seen = list(dict.fromkeys(c for codes in works[BAD_CODE].dropna()
                                  for c in codes.split("\n")))[:3]
        warnings = (bad_codes_warning(n_bad, seen),)
    works = works.drop(columns=INTERNAL_COLUMNS)
    works["collaboration"] = _classified(works, collaboration_rule)
    # record_frames gives the columns in canonical order; selecting them again would copy.
    return WorkTables(works, aff, collaboration_rule=collaboration_rule, warnings=warnings)


def build_tables(
    records: Iterable, *, located: bool = False, batch_size: int = _BATCH, progress=None
) -> WorkTables:
    """Build :class:`WorkTables` from OpenAlex work records.

    Parameters
    ----------
    records : iterable of dict
        OpenAlex work records (API, snapshot or JSON Lines shape; current or 2022–23 schema),
        or ``(source, line, record)`` triples when ``located`` is true (as yielded by
        :func:`collabnet.sources.iter_works` with ``located=True``), so that errors name the
        file and line.
    batch_size : int
        Records converted at once; bounds memory for large inputs.
    progress : callable, optional
        Called with the number of records in each finished batch (e.g. ``tqdm.update``).

    Returns
    -------
    WorkTables

    Raises
    ------
    MalformedRecordError
        A record whose fields have impossible types (e.g. ``authorships`` not a list).

    Notes
    -----
    A work's countries are the union of its institutions' ``country_code`` and its
    authorships' ``countries`` (as the CWTS Leiden Ranking does). A work id seen twice is
    kept once: the copy with the latest ``updated_date`` (a missing date is the oldest; of
    equally new copies, the one that comes last).

    Examples
    --------
    >>> rec = {"id": "https://openalex.org/W1", "publication_year": 2020, "authorships": [
    ...     {"author": {"id": "https://openalex.org/A1"}, "institutions": [
    ...         {"id": "https://openalex.org/I1", "display_name": "Univ A", "country_code": "jp"}]},
    ...     {"author": {"id": "https://openalex.org/A2"}, "countries": ["US"], "institutions": []}]}
    >>> t = build_tables([rec])
    >>> w = t.works.iloc[0]
    >>> w["work_id"], int(w["n_countries"]), w["collaboration"]
    ('W1', 2, 'international')
    """
    parts: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    batch: list[dict] = []
    where: list[tuple[str, int | None]] = []

    def flush():
        if not batch:
            return
        parts.append(record_frames(records_to_struct(batch, where)))
        if progress is not None:
            progress(len(batch))
        batch.clear()
        where.clear()

    with paused_gc():
        for i, item in enumerate(records):
            src, line, rec = item if located else ("<records>", i + 1, item)
            if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
                raise MalformedRecordError(src, line, "record has no work 'id'")
            batch.append(rec)
            where.append((src, line))
            if len(batch) >= batch_size:
                flush()
        flush()
    return tables_from_frames(parts)
