"""Star grading (等级评定) rules: the life of a grade record and an application (lifecycle.py),
the grading policy file (policy.py), and who may apply for which level (eligibility.py)."""
