"""Checklists (检查表): the catalogue of checklist files, their stored versions, the `checklist`
commands and the Excel round trip."""
