"""Checklists as data (checklists/README.md): the frozen model of one checklist and its
reading, validation and writing (model.py), the structure of a checklist file (schema.py),
the value rules and located issues (values.py), the YAML text (yaml_io.py), and what changed
between two versions (diff.py)."""
