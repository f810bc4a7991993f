"""Coded values of the register in words."""
from flask_babel import lazy_gettext as _l

SERVICES = {"health_records": _l("Health records"), "checkups": _l("Health check-ups"),
            "rounds": _l("Regular doctors' rounds"), "fast_track": _l("Fast track for appointments"),
            "referral": _l("Two-way referral"), "emergency": _l("Emergency care"),
            "training": _l("Staff training"), "advice": _l("Health advice")}
PERIODS = {"week": _l("per week"), "month": _l("per month")}
STATES = {"in_force": _l("In force"), "ending": _l("Ending soon"), "expired": _l("Expired"),
          "future": _l("Not yet in force")}
