"""Planning: annual sampling plans (抽查计划) and the 双随机 draw (双随机抽取) that picks their targets
and inspection teams.

The draw itself is pure and lives in :mod:`inspect_app.domain.draw`; this feature holds its edges,
starting with the ``flask draw`` command (docs/commands.md, "draw"; :mod:`.cli`).
"""
