"""Pages of the grading feature (HTTP only: parse → service → commit once → render)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("grading", __name__, url_prefix="/grading")
