"""Grading (评分定级): scoring answers against a checklist, one target or a whole batch.

The rules live in :mod:`inspect_app.domain.scoring` (one set of answers),
:mod:`inspect_app.domain.scoring_batch` (many targets, vectorised) and
:mod:`inspect_app.domain.scoring_explain` (how a score and level were reached). This package
holds the ``flask grade`` command (docs/commands.md, "grade") and the reading of its input files, where
every problem is located by file, item, row and line.
"""
