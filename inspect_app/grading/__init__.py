"""Grading (等级评定): the ``flask grade`` command (docs/commands.md, "grade") and its located
reading of answer files; institutions' applications and their eligibility, evaluations scheduled
as visits, the assessor import, grade records (evaluated → 公示 → confirmed), objections,
sanctions, re-grading, public grades and their open data.

The scoring rules are pure and live in :mod:`inspect_app.domain.scoring.single` (one set of answers),
:mod:`inspect_app.domain.scoring.batch` (many targets, vectorised) and
:mod:`inspect_app.domain.scoring.explain` (how a score and level were reached); the grading
policy in ``policies/grading.yaml``.
"""
