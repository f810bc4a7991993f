"""Inspections: visits, joint visits, forms from checklists, drafts, evidence, submission."""
