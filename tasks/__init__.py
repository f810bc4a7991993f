"""Celery tasks: thin wrappers that take ids (or nothing), call one service and commit."""
