"""Inspections: visits (one department's or joint) and their machines (``domain.visits``), forms
built from checklist versions, drafts saved answer by answer, evidence, the idempotent submit,
and the records (检查记录) with their PDFs and spreadsheets."""
