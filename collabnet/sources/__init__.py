"""Where work records come from: files (JSON Lines, JSON, API pages, snapshots), the OpenAlex
API (``sources.openalex``) and the synthetic sample (``sources.sample``)."""

from collabnet.sources.files import ReadReport, ReadResult, iter_works, read_works, short_id

__all__ = ["ReadReport", "ReadResult", "iter_works", "read_works", "short_id"]
