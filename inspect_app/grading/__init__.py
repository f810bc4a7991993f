"""Grading (等级评定): the ``flask grade`` command (docs/commands.md, "grade") and its located
reading of answer files; institutions' applications and their eligibility, on-site evaluations
scheduled as visits (:mod:`.evaluations`), the assessor import, grade records (evaluated → 公示 → confirmed), objections,
sanctions, re-grading, public grades and their open data.

The scoring rules are pure and live in :mod:`inspect_app.domain.scoring` (one set of answers),
:mod:`inspect_app.domain.scoring_batch` (many targets, vectorised) and
:mod:`inspect_app.domain.scoring_explain` (how a score and level were reached); the grading
policy in ``policies/grading.yaml``.
"""
