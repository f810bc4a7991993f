"""Pages of the rectification feature (HTTP only: parse → service → commit once → render)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rectification", __name__, url_prefix="/rectification")
