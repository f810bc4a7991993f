"""Complaints and hotline cases (投诉举报): intake by an operator or the public form, routing to
the responsible department, time limits swept by beat, an ad-hoc visit made from a case, the
reply and the telephone follow-up (docs/regulations.md, "Complaints and hotline cases")."""
