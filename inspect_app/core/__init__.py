"""Mechanisms every feature shares: errors, time, audit trail, background jobs, policy types."""
