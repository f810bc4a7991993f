"""Rectification (整改): findings, notices, institution responses, verification, escalation."""
