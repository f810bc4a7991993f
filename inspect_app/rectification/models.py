"""Models of the rectification feature."""
from __future__ import annotations
