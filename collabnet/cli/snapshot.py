"""``collabnet snapshot info``: what an OpenAlex snapshot holds, from its manifest and folders."""

from __future__ import annotations

import argparse


def cmd_snapshot(args: argparse.Namespace) -> int:
    from collabnet.sources.snapshot import snapshot_info

    info = snapshot_info(args.path)
    for line in describe(info, parts=args.parts):
        print(line)
    return 0


def describe(info, *, parts: bool = False) -> list[str]:
    """The lines ``collabnet snapshot info`` prints for a :class:`SnapshotInfo`."""
    formats = ", ".join(f"{n} {f}" for f, n in info.formats.items())
    lines = [
        f"snapshot {info.root}",
        f"manifest: {info.manifest or 'none (parts cannot be checked)'}",
        f"parts: {len(info.parts):,} ({formats or 'none'}) in {info.partitions:,} partition(s)"
        + (f"; {info.unlisted:,} not in the manifest" if info.unlisted else ""),
        "works: " + (f"{info.works:,} records per the manifest (xpac works included)"
                     if info.works is not None else "unknown without a manifest"),
        "dates: " + (f"{info.first_date} to {info.last_date}" if info.first_date
                     else "no updated_date partitions"),
        f"size: {_size(info.size)} ({info.size:,} bytes)",
        f"merged ids: {info.merged_id_files:,} file(s); deleted ids: "
        + (info.deleted_id_file.replace("\\", "/").rsplit("/", 1)[-1]
           if info.deleted_id_file else "none"),
    ]
    if parts:
        lines.append("part                                         format   records        bytes")
        for p in info.parts:
            records = "" if p.record_count is None else f"{p.record_count:,}"
            size = p.size if p.size is not None else p.content_length
            lines.append(f"{p.name:<44} {p.format:<7} {records:>8} "
                         f"{'' if size is None else f'{size:,}':>12}"
                         + ("  MISSING" if not p.present else ""))
    lines += [f"warning: {w}" for w in info.warnings]
    lines += [f"problem: {p}" for p in info.problems]
    return lines


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover


def register(sub) -> None:
    p = sub.add_parser("snapshot", help="what an OpenAlex snapshot holds (manifest, parts, size)")
    p.add_argument("action", choices=["info"])
    p.add_argument("path", metavar="PATH",
                   help="snapshot folder (DIR or DIR/data/works), s3://openalex/data/works or "
                        "an https URL (S3 and HTTP need: pip install 'collabnet[snapshot]')")
    p.add_argument("--parts", action="store_true", help="also list every part file")
    p.set_defaults(func=cmd_snapshot)
