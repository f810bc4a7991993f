"""Rectification (整改) rules: the finding state machine (states.py) and the deadlines with
their reminder/escalation ladder (ladder.py, docs/regulations.md)."""
