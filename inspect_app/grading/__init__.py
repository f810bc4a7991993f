"""Grading (等级评定): the ``flask grade`` command (docs/commands.md, "grade") and its located
reading of answer files; institutions' applications and their eligibility, on-site evaluations
scheduled as visits (:mod:`.evaluations`), the assessor import, grade records (evaluated → 公示 → confirmed), objections,
sanctions, re-grading, public grades and their open data; the grade an institution holds now
(current.py) sits below the applications and the records, which both read it.

The rules are pure and live in :mod:`inspect_app.domain.scoring` (one set of answers, many
targets vectorised, how a score and level were reached) and :mod:`inspect_app.domain.grading`
(lifecycle, eligibility, the grading policy read from ``policies/grading.yaml``).
"""
