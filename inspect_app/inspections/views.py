"""Pages of the inspections feature (HTTP only: parse → service → commit once → render)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inspections", __name__, url_prefix="/inspections")
