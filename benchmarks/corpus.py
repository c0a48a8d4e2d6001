"""Synthetic benchmark corpora laid out like an OpenAlex snapshot, as generated or padded.

A corpus is a folder ``updated_date=YYYY-MM-DD/part_NNN.gz`` (gzip JSON Lines, one compact
JSON object per line, as the snapshot's files are) holding ``n`` SYNTHETIC works from
:func:`collabnet.generate_works` (seed 2024), spread over several part files (at least 4;
one per 100 000 works, so 10 files at 1 M) and partitions (two part files per
``updated_date=``). Each record's ``updated_date`` is its partition's date. Duplicates, as a
snapshot copied without ``--delete`` has them: every 100th work also has an older copy
(``updated_date=2024-06-30``, in the earliest partition) with other authorships (those of
the work before it), so a reader that does not keep the newest copy, or merges the copies,
gets other countries and shares.

Two sizes of record, from the same works:

* ``synthetic``: the records as generated (about 3.7 KB each) plus ``updated_date``;
* ``padded``: the same records padded to the size of real OpenAlex records (17.7 KB by
  default, ``--pad-bytes``) with GENERATED ``abstract_inverted_index``, ``referenced_works``,
  ``related_works``, ``concepts``, ``topics``, ``primary_topic``, ``keywords``,
  ``locations``, ``primary_location``, ``best_oa_location``, ``counts_by_year``, ``ids``,
  ``open_access``, ``biblio``, ``mesh`` and ``sustainable_development_goals``. Their shapes
  and counts follow distributions measured from the real records in ``/work/shared/data``
  (current-schema records: abstract present in 53 %, median 190 words; 29 % without
  references, else median ~40; ~14 concepts of ~165 bytes; 3 topics of ~400 bytes; ~10
  keywords; 1.7 locations of ~730 bytes); nothing is copied from a real record (ids start
  with 9, words are made of syllables, names are invented). The counts of the long lists are
  scaled by one factor, fitted on the first 2 000 works, so the mean record has the target
  size. The padding fields are ones collabnet does not use: they cost parsing, nothing else.

Building is not timed. A finished corpus has a ``manifest`` file (JSON, the legacy snapshot's
name, so no reader takes it for works) with its parameters; a corpus whose manifest matches
is reused. Files are compressed by ``gzip -6 -n`` in a second process while Python generates.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
import sys
from pathlib import Path

import orjson

SEED = 2024
YEARS = (2000, 2023)
STALE_DATE = "2024-06-30"
FIRST_DATE = (2025, 1, 6)
DUPLICATE_EVERY = 100
FILES_PER_PARTITION = 2
DEFAULT_PAD_BYTES = 17_700
VERSION = 2  # bump when the corpus recipe changes, so cached corpora are rebuilt


def n_files(n_works: int) -> int:
    """Part files of a corpus: one per 100 000 works, at least 4."""
    return max(4, math.ceil(n_works / 100_000))


def partition_dates(count: int) -> list[str]:
    """``count`` partition dates, a week apart, from 2025-01-06."""
    import datetime as dt

    first = dt.date(*FIRST_DATE)
    return [(first + dt.timedelta(weeks=i)).isoformat() for i in range(count)]


def corpus_dir(root: Path, n_works: int, kind: str) -> Path:
    return Path(root) / f"works-{n_works}-{kind}"


def corpus_files(folder: Path) -> list[Path]:
    """The part files of a corpus, in path order (the order collabnet reads them in)."""
    return sorted(Path(folder).glob("updated_date=*/part_*.gz"))


# ---------------------------------------------------------------------------------------------
# padding: generated fields in the shapes of real records


_SYLLABLES = ("ka ro mi te an el is on ur ve la po qu di ne sa to ri mo ba ce fi gu ha "
              "ju li nu pe si tu vo ze ar en or ul ex am").split()


class Padder:
    """Generated padding fields, deterministic for a seed; ``scale`` multiplies list lengths."""

    def __init__(self, seed: int = SEED, scale: float = 1.0):
        self.rng = random.Random(seed)
        self.scale = scale
        vocab = random.Random(7)
        self.words = sorted({"".join(vocab.choices(_SYLLABLES, k=vocab.choice((1, 2, 2, 3, 3, 4))))
                             for _ in range(6000)})
        # Zipf-like word frequencies, as in running text
        self.cum = list(_accumulate(1.0 / (r + 5) for r in range(len(self.words))))
        self.concepts = [self._phrase(vocab, 1, 3) for _ in range(800)]
        self.fields = [self._phrase(vocab, 1, 3) for _ in range(26)]
        self.sources = [self._phrase(vocab, 2, 5) + " Journal" for _ in range(500)]

    @staticmethod
    def _phrase(rng, lo, hi) -> str:
        return " ".join(rng.choice(_SYLLABLES).capitalize() + rng.choice(_SYLLABLES)
                        for _ in range(rng.randint(lo, hi)))

    def _count(self, median: float, sigma: float, cap: int) -> int:
        return min(cap, int(self.rng.lognormvariate(math.log(median), sigma) * self.scale))

    def _id(self, prefix: str) -> str:
        return f"https://openalex.org/{prefix}9{self.rng.randrange(10**11):011d}"

    def abstract(self):
        if self.rng.random() > 0.53:
            return None
        n = max(20, self._count(190, 0.55, 1500))
        index: dict[str, list[int]] = {}
        for pos, word in enumerate(self.rng.choices(self.words, cum_weights=self.cum, k=n)):
            index.setdefault(word, []).append(pos)
        return index

    def location(self, work_id: str, oa: bool) -> dict:
        r = self.rng
        src = r.randrange(len(self.sources))
        host = f"https://openalex.org/P49{src:08d}"
        return {
            "id": f"doi:10.5555/{work_id[-12:]}.{r.randrange(100)}", "is_oa": oa,
            "landing_page_url": f"https://example.org/article/{work_id[-12:]}",
            "pdf_url": f"https://example.org/pdf/{work_id[-12:]}.pdf" if oa else None,
            "source": {
                "id": f"https://openalex.org/S9{src:011d}", "display_name": self.sources[src],
                "issn_l": f"{src:04d}-{src % 9973:04d}",
                "issn": [f"{src:04d}-{src % 9973:04d}", f"{src + 1:04d}-{src % 7919:04d}"],
                "is_oa": oa, "is_in_doaj": oa and r.random() < 0.5, "is_core": True,
                "host_organization": host,
                "host_organization_name": self.sources[src].split()[0] + " Press (synthetic)",
                "host_organization_lineage": [host], "host_organization_lineage_names": [],
                "type": "journal"},
            "license": "cc-by" if oa else None,
            "license_id": "https://openalex.org/licenses/cc-by" if oa else None,
            "version": "publishedVersion", "is_accepted": True, "is_published": True,
            "raw_source_name": self.sources[src], "raw_type": "journal-article",
        }

    def topic(self) -> dict:
        r = self.rng
        f = r.randrange(len(self.fields))
        return {"id": f"https://openalex.org/T9{r.randrange(10**4):04d}",
                "display_name": " and ".join(r.sample(self.concepts, 2)),
                "score": round(r.uniform(0.5, 1.0), 4),
                "subfield": {"id": f"https://openalex.org/subfields/9{f:02d}{r.randrange(99):02d}",
                             "display_name": r.choice(self.concepts)},
                "field": {"id": f"https://openalex.org/fields/9{f:02d}",
                          "display_name": self.fields[f]},
                "domain": {"id": f"https://openalex.org/domains/9{f % 4}",
                           "display_name": self.fields[f % 4] + " Sciences"}}

    def pad(self, rec: dict) -> dict:
        """``rec`` with the padding fields added (a new dict; ``rec`` is not changed)."""
        r, wid = self.rng, rec["id"]
        out = dict(rec)
        out["abstract_inverted_index"] = self.abstract()
        n_refs = 0 if r.random() < 0.29 else self._count(40, 0.8, 600)
        out["referenced_works"] = [self._id("W") for _ in range(n_refs)]
        out["related_works"] = [self._id("W") for _ in range(10)]
        out["concepts"] = [
            {"id": self._id("C"), "wikidata": f"https://www.wikidata.org/wiki/Q9{r.randrange(10**7)}",
             "display_name": r.choice(self.concepts), "level": r.randrange(6),
             "score": round(r.random(), 6)}
            for _ in range(max(0, self._count(13, 0.45, 60)))]
        out["topics"] = [self.topic() for _ in range(3 if r.random() < 0.98 else 0)]
        out["primary_topic"] = out["topics"][0] if out["topics"] else None
        out["keywords"] = [
            {"id": "https://openalex.org/keywords/" + "-".join(w.lower().split()),
             "display_name": w, "score": round(r.random(), 6)}
            for w in r.sample(self.concepts, min(60, self._count(9, 0.6, 60)))]
        oa = r.random() < 0.45
        n_loc = 1 + min(12, int(r.expovariate(1.4)))
        out["locations"] = [self.location(wid, oa and i == 0) for i in range(n_loc)]
        out["primary_location"] = out["locations"][0]
        out["best_oa_location"] = out["locations"][0] if oa else None
        out["open_access"] = {"is_oa": oa, "oa_status": "gold" if oa else "closed",
                              "oa_url": out["locations"][0]["pdf_url"],
                              "any_repository_has_fulltext": oa}
        out["ids"] = {"openalex": wid, "doi": rec.get("doi")}
        out["biblio"] = {"volume": str(r.randrange(1, 90)), "issue": str(r.randrange(1, 12)),
                         "first_page": str(r.randrange(1, 900)), "last_page": None}
        year = rec.get("publication_year") or 2020
        out["counts_by_year"] = [{"year": y, "cited_by_count": r.randrange(0, 30)}
                                 for y in range(max(year, 2012), 2026) if r.random() < 0.7]
        out["sustainable_development_goals"] = [
            {"id": f"https://metadata.un.org/sdg/{g}", "display_name": r.choice(self.concepts),
             "score": round(r.random(), 2)} for g in r.sample(range(1, 18), r.randrange(2))]
        out["mesh"] = [] if r.random() > 0.07 else [
            {"descriptor_ui": f"D9{r.randrange(10**5):05d}", "descriptor_name": r.choice(
                self.concepts), "qualifier_ui": None, "qualifier_name": None,
             "is_major_topic": r.random() < 0.3} for _ in range(r.randrange(5, 30))]
        out["created_date"] = f"{year}-{r.randrange(1, 13):02d}-01"
        return out


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total


def fit_scale(target: int, seed: int = SEED, sample: int = 2000) -> float:
    """The list-length factor that makes the mean padded record ``target`` bytes long."""
    base = list(generate(sample, seed))

    def mean_size(scale: float) -> float:
        p = Padder(seed, scale)
        return sum(len(orjson.dumps(p.pad(r))) + 1 for r in base) / len(base)

    lo, hi = mean_size(1.0), mean_size(2.0)
    return max(0.05, 1.0 + (target - lo) / (hi - lo))


# ---------------------------------------------------------------------------------------------
# building


def generate(n_works: int, seed: int = SEED):
    import collabnet

    return collabnet.generate_works(n_works, seed=seed, years=YEARS)


def _stale(rec: dict, previous: dict) -> dict:
    """An older copy of ``rec`` that OpenAlex has since corrected: the authorships (so the
    institutions and countries) of the ``previous`` work, an older ``updated_date``."""
    return dict(rec, authorships=previous.get("authorships") or [], updated_date=STALE_DATE)


class _GzipSink:
    """Lines into ``gzip -6 -n`` (a second process, so compression overlaps generation)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.records, self.raw = path, 0, 0
        self.fh = open(path, "wb")
        self.proc = subprocess.Popen(["gzip", "-6", "-n", "-c"], stdin=subprocess.PIPE,
                                     stdout=self.fh)
        self.buf: list[bytes] = []

    def write(self, line: bytes) -> None:
        self.buf.append(line)
        self.records += 1
        self.raw += len(line)
        if len(self.buf) >= 2000:
            self.proc.stdin.write(b"".join(self.buf))
            self.buf.clear()

    def close(self) -> dict:
        self.proc.stdin.write(b"".join(self.buf))
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise RuntimeError(f"gzip failed on {self.path}")
        self.fh.close()
        return {"records": self.records, "raw_bytes": self.raw,
                "gz_bytes": self.path.stat().st_size}


def build(root: Path, n_works: int, kind: str, pad_bytes: int = DEFAULT_PAD_BYTES,
          log=print) -> Path:
    """The corpus folder of ``n_works`` works of ``kind`` (``synthetic`` or ``padded``),
    built unless a matching one exists."""
    if kind not in ("synthetic", "padded"):
        raise ValueError(kind)
    folder = corpus_dir(root, n_works, kind)
    params = {"version": VERSION, "works": n_works, "kind": kind, "seed": SEED,
              "years": list(YEARS), "pad_bytes": pad_bytes if kind == "padded" else None}
    manifest = folder / "manifest"
    if manifest.exists():
        try:
            if json.loads(manifest.read_text())["bench"]["params"] == params:
                return folder
        except (ValueError, KeyError):
            pass
    tmp = folder.with_name(folder.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    scale = fit_scale(pad_bytes) if kind == "padded" else None
    padder = Padder(SEED, scale) if scale else None
    files = n_files(n_works)
    dates = partition_dates(math.ceil(files / FILES_PER_PARTITION))
    names = [f"updated_date={dates[i // FILES_PER_PARTITION]}/part_{i % FILES_PER_PARTITION:03d}.gz"
             for i in range(files)]
    log(f"building {folder} ({n_works:,} {kind} works, {files} part files"
        + (f", padding scale {scale:.3f}" if scale else "") + ") ...")
    stale = _GzipSink(tmp / f"updated_date={STALE_DATE}" / "part_000.gz")
    sink, current, entries, previous = None, -1, [], {}
    dumps = orjson.dumps
    for i, rec in enumerate(generate(n_works)):
        f = i * files // n_works
        if f != current:
            if sink:
                entries.append((names[current], sink.close()))
            current, sink = f, _GzipSink(tmp / names[f])
        rec = dict(rec, updated_date=dates[f // FILES_PER_PARTITION])
        if padder:
            rec = padder.pad(rec)
        sink.write(dumps(rec) + b"\n")
        if i % DUPLICATE_EVERY == DUPLICATE_EVERY // 3:
            stale.write(dumps(_stale(rec, previous)) + b"\n")
        previous = rec
    entries.append((names[current], sink.close()))
    entries.insert(0, (f"updated_date={STALE_DATE}/part_000.gz", stale.close()))
    meta = {k: sum(e[1][k] for e in entries) for k in ("records", "raw_bytes", "gz_bytes")}
    bench = {"params": params, "scale": scale, "works": n_works, **meta,
             "stale_copies": entries[0][1]["records"],
             "bytes_per_record": meta["raw_bytes"] / meta["records"],
             "note": "SYNTHETIC records (collabnet.generate_works), not OpenAlex data"}
    doc = {"entries": [{"url": name, "meta": {"content_length": m["gz_bytes"],
                                              "record_count": m["records"]}}
                       for name, m in entries],
           "meta": {"content_length": meta["gz_bytes"], "record_count": meta["records"]},
           "bench": bench}
    (tmp / "manifest").write_text(json.dumps(doc, indent=1) + "\n")
    tmp.rename(folder)
    log(f"  {meta['records']:,} records, {meta['raw_bytes'] / 1e6:,.0f} MB uncompressed, "
        f"{meta['gz_bytes'] / 1e6:,.0f} MB gzip, {bench['bytes_per_record']:,.0f} B/record")
    return folder


def info(folder: Path) -> dict:
    """The ``bench`` part of a corpus manifest."""
    return json.loads((Path(folder) / "manifest").read_text())["bench"]


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="build one benchmark corpus")
    ap.add_argument("--works", type=int, default=10_000)
    ap.add_argument("--kind", choices=("synthetic", "padded"), default="synthetic")
    ap.add_argument("--out", type=Path, default=Path("/tmp/collabnet-bench"))
    ap.add_argument("--pad-bytes", type=int, default=DEFAULT_PAD_BYTES)
    a = ap.parse_args()
    print(build(a.out, a.works, a.kind, a.pad_bytes))
    sys.exit(0)
