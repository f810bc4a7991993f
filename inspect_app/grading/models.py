"""Models of the grading feature."""
from __future__ import annotations
