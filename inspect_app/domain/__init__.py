"""Pure domain logic: no Flask, SQLAlchemy, Celery, nor any other inspect_app import.

Functions here take plain data (and ``today``/``now`` as arguments) and return plain data.
One package per subject — checklist/, scoring/, draw/, rectification/, grading/, planning/ —
and the small modules every subject uses: the bureau's names (bureau.py), institutions
(institution.py), the audit chain (audit_chain.py), counts and column ranges (counts.py),
number display (display.py), storable text (plain_text.py), measure units (units.py) and
messages translated where they are shown (translatable.py).
"""
