"""People: user accounts of every role and the inspector registry (执法检查人员名录库)."""
