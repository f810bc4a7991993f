"""Pages of the planning feature (HTTP only: parse → service → commit once → render)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("planning", __name__, url_prefix="/planning")
