"""Inspection planning rules: when a plan recurs and the dates and teams of a run's visits
(plans.py), and the risk classes of institutions for the risk-based draw (risk.py)."""
