"""``manifest.json``: what a job run used and wrote, and :func:`verify` to check it later.

The manifest sits beside the outputs and is written atomically
(:func:`collabnet.fileio.atomic_write`) after every analysis, so an interrupted run leaves a
true account of what it finished. It holds the collabnet version, the job file's SHA-256,
the OpenAlex server and every request URL (never the API key, which travels in a header),
when each query's data was fetched, the record counts per input, the definitions the
numbers follow, and for every output file its SHA-256, size and the fingerprint of the
inputs and options it was made from (which lets a rerun skip it).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from collabnet.errors import InputError
from collabnet.fileio import atomic_write

__all__ = ["DEFINITIONS", "MANIFEST", "fingerprint", "read_manifest", "sha256_file", "verify",
           "write_manifest"]

MANIFEST = "manifest.json"
FORMAT = "collabnet-job-manifest-1"

#: The definitions every number of a job rests on (the project's own words).
DEFINITIONS = {
    "duplicates": "a work id seen more than once counts once: the newest updated_date wins "
                  "(a missing one counts as oldest; of equally new copies the one read last, "
                  "files being read in path order)",
    "collaboration_rule": {
        "countries": "international = the work's affiliations span two or more countries "
                     "(the default)",
        "leiden": "international as above; a work of one country with two or more "
                  "institutions counts as collaborative too (CWTS Leiden Ranking)",
    },
    "international_share": "international works / works with at least one known country "
                           "(Leiden Ranking's PP(int collab), full counting)",
    "counting": {
        "full": "a work adds 1 to every entity and every pair of entities it involves",
        "fractional": "Perianes-Rodriguez, Waltman & van Eck 2016: each of a work's n "
                      "authors weighs 1/n, split equally over their institutions; links come "
                      "from pairs of distinct authors, each pair weighing 1/(n-1)",
    },
    "not_an_entity": "OpenAlex's placeholder institution I-1, any id that is not I<digits>, "
                     "any country code that is not ISO 3166-1 alpha-2 (or XK)",
    "counts_source": "source = \"counts\": OpenAlex group_by counts of works by country and "
                     "year, no works downloaded (see collabnet.count_shares)",
}


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as hex (read a MiB at a time)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fingerprint(data: dict) -> str:
    """SHA-256 of ``data`` as canonical JSON (sorted keys)."""
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def read_manifest(outdir: str | Path, *, required: bool = False) -> dict | None:
    """The manifest in ``outdir``; None when there is none (or, unless ``required``, when it
    does not read: the next run writes a new one)."""
    path = Path(outdir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise InputError(f"{path}: no manifest (is {outdir} the output folder of "
                             "`collabnet run`?)") from None
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        if required:
            raise InputError(f"{path}: unreadable manifest ({exc})") from None
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        if required:
            raise InputError(f"{path}: not a collabnet job manifest")
        return None
    return data


def write_manifest(outdir: str | Path, data: dict) -> Path:
    """Write ``data`` as ``outdir/manifest.json`` (atomically: never half a manifest)."""
    path = Path(outdir) / MANIFEST
    atomic_write(path, (json.dumps({"format": FORMAT, **data}, indent=2, ensure_ascii=False)
                        + "\n").encode("utf-8"))
    return path


def verify(outdir: str | Path) -> tuple[int, list[str]]:
    """Check every output file of ``outdir``'s manifest against its SHA-256.

    Returns
    -------
    (int, list of str)
        How many files match, and one line per file that is missing or differs.

    Raises
    ------
    InputError
        No readable manifest in ``outdir``.
    """
    outdir = Path(outdir)
    manifest = read_manifest(outdir, required=True)
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict):
        raise InputError(f"{outdir / MANIFEST}: the manifest lists no outputs")
    ok, problems = 0, []
    for name, info in sorted(outputs.items()):
        path = outdir / name
        want = info.get("sha256") if isinstance(info, dict) else None
        if not path.is_file():
            problems.append(f"{path}: missing (listed in the manifest)")
            continue
        got = sha256_file(path)
        if got != want:
            problems.append(f"{path}: sha256 {got[:12]}… differs from the manifest's "
                            f"{str(want)[:12]}… (changed after the run)")
            continue
        ok += 1
    return ok, problems
