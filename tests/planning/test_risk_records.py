"""The risk classes read the records other than findings (docs/regulations.md, "Risk classes and
sampling ratios"): penalties, blacklist entries in force and accidents, over the policy's look-back."""
from __future__ import annotations

from datetime import date, datetime, timezone

from inspect_app.domain.planning.risk import RiskPolicy
from inspect_app.grading.models import GradeSanction
from inspect_app.planning.risk_data import assess
from inspect_app.rectification import accidents

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)
TODAY = date(2026, 10, 9)


def test_penalties_blacklist_entries_and_accidents_decide_the_class(db, make):
    penalised, listed, old_listing, accident, old_accident, plain = (make.institution() for _ in range(6))
    for inst, kind, decided, until in ((penalised, "penalty", date(2026, 2, 1), None),
                                       (listed, "blacklist", date(2025, 1, 1), None),
                                       (old_listing, "blacklist", date(2020, 1, 1), date(2021, 1, 1))):
        db.session.add(GradeSanction(institution_id=inst.id, kind=kind, decided_on=decided, until=until,
                                     reference="文号", source="bureau", created_at=NOW))
    bureau = make.user("bureau_admin")
    base = {"kind": "fall", "deaths": 0, "injuries": 1, "serious_injuries": 0, "responsibility": "shared",
            "source_type": "department_notice", "source_reference": "通报", "source_issuer": "民政局"}
    accidents.record(bureau, {**base, "institution_id": accident.id, "occurred_on": date(2026, 5, 1),
                              "source_issued_on": date(2026, 5, 2)}, TODAY)
    accidents.record(bureau, {**base, "institution_id": old_accident.id, "occurred_on": date(2024, 5, 1),
                              "source_issued_on": date(2024, 5, 2)}, TODAY)
    db.session.flush()
    ids = [i.id for i in (penalised, listed, old_listing, accident, old_accident, plain)]
    risk = {i: a.risk for i, (_f, a) in assess(ids, NOW, TODAY, RiskPolicy()).items()}
    assert [risk[i] for i in ids] == ["medium_high", "high", "medium", "high", "medium", "medium"]
    # a three-year look-back reaches the 2024 accident
    longer = {i: a.risk for i, (_f, a) in assess(ids, NOW, TODAY, RiskPolicy(lookback_days=3 * 365)).items()}
    assert longer[old_accident.id] == "high"
