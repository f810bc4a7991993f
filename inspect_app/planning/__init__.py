"""Planning: sampling plans (抽查计划) and their runs (freeze → seed → draw → publish), the
``flask draw`` command and ``draw verify`` (docs/commands.md, "draw"; :mod:`.cli`), routine
plans, risk data, publication of what was drawn, and the inspection calendars.

The draw itself is pure and lives in :mod:`inspect_app.domain.draw`; recurrence and risk classes
in :mod:`inspect_app.domain.planning`.
"""
