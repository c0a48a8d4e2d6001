"""Where work records come from: files (JSON Lines, JSON, API pages, snapshots), the OpenAlex
API (``sources.openalex``) and the synthetic sample (``sources.sample``)."""

from collabnet.keys import short_id
from collabnet.sources.files import ReadReport, ReadResult, iter_works, read_works

__all__ = ["ReadReport", "ReadResult", "iter_works", "read_works", "short_id"]
