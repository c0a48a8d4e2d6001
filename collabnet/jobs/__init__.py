"""Batch jobs: a study described in a TOML file, run again and audited.

``collabnet run job.toml`` (:func:`run_job`) reads a job file — its ``[[input]]`` works
(files, snapshot folders, OpenAlex queries of works or of counts), its ``[[analysis]]``
tables (the library's indicators with the command line's option names) and where their
outputs go — checks all of it first (:func:`read_job`, against
:func:`~collabnet.jobs.schema.job_schema`), makes every output not already up to date, and
writes ``manifest.json`` beside them; ``collabnet verify OUTDIR`` (:func:`verify`) checks the
outputs against it later. An example::

    [job]
    output = "japan-study"

    [[input]]
    name = "japan"
    country = "JP"
    years = "2009-2017"

    [[analysis]]
    kind = "shares"
    by_year = true
    focus = "JP"
    output = "jp_shares.csv"

The modules: :mod:`.schema` (the JSON Schema), :mod:`.locate` (TOML and line numbers),
:mod:`.jobfile` and :mod:`.checks` (reading and checking a job), :mod:`.data` (inputs, the
OpenAlex connection, fingerprints, request plans), :mod:`.analyses` (each analysis as its
library call), :mod:`.runner` (:func:`run_job`) and :mod:`.manifest`.
"""

from __future__ import annotations

from collabnet.jobs.jobfile import Job, read_job
from collabnet.jobs.manifest import verify
from collabnet.jobs.runner import JobRun, run_job
from collabnet.jobs.schema import job_schema

__all__ = ["Job", "JobRun", "job_schema", "read_job", "run_job", "verify"]
