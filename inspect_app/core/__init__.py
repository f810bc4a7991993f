"""Mechanisms below every feature (it imports none): errors, the clock and column types, the
audit trail, background jobs, uploads, PDFs, policy files, paging and lists, spreadsheets, open
data sets, labels, and the web edge (locale, error pages, security headers)."""
