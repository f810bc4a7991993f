"""Scoring answers against a checklist (docs/commands.md, "grade"): one set of answers in exact
arithmetic (single.py), many targets at once, vectorised (batch.py, results in results.py), and
how a score and level were reached (explain.py)."""
