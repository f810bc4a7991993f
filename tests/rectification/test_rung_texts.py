"""Rung texts take their days from the policy file, so editing the file never leaves them wrong."""
from __future__ import annotations

from pathlib import Path

from inspect_app.rectification import labels
from inspect_app.rectification.messages import text_of
from inspect_app.rectification.models import Message


def test_rung_labels_and_messages_read_the_days_from_the_policy(app, db, tmp_path):
    with app.test_request_context():
        assert "3" in labels.rung("reminder_3d") and "30" in labels.rung("bureau")
        source = Path(app.root_path).parent / "policies" / "supervision.yaml"
        edited = tmp_path / "supervision.yaml"
        edited.write_text(source.read_text(encoding="utf-8").replace("offset_days: 30", "offset_days: 45")
                          .replace('version: "', 'version: "9.', 1), encoding="utf-8")
        app.config["SUPERVISION_POLICY"] = str(edited)
        try:
            assert "45" in labels.rung("bureau")
            message = Message(kind="bureau", finding_id=7, params={"item": "FIRE-01"})
            assert "45" in text_of(message) and "FIRE-01" in text_of(message)
            assert "3" in text_of(Message(kind="reminder_3d", finding_id=7, params={"item": "FIRE-01"}))
        finally:
            app.config.pop("SUPERVISION_POLICY")
