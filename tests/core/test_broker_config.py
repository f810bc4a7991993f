"""Broker settings read from the environment (docs/operations.md, Broker)."""
from __future__ import annotations

from pathlib import Path

from inspect_app.config import from_environment


def test_embedded_broker_keeps_all_its_files_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREINSPECT_INSTANCE", str(tmp_path))
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    celery = from_environment()["CELERY"]
    assert celery["broker_url"] == "filesystem://"
    folders = {k: v for k, v in celery["broker_transport_options"].items() if k.endswith("folder") or "folder_" in k}
    assert set(folders) == {"data_folder_in", "data_folder_out", "processed_folder", "control_folder"}
    assert all(Path(v).is_relative_to(tmp_path) for v in folders.values()), folders


def test_a_queue_of_its_own_on_a_shared_broker(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREINSPECT_INSTANCE", str(tmp_path))
    monkeypatch.setenv("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
    monkeypatch.setenv("CELERY_QUEUE", "careinspect-district-2")
    celery = from_environment()["CELERY"]
    assert celery["task_default_queue"] == "careinspect-district-2"
    assert "broker_transport_options" not in celery
    monkeypatch.delenv("CELERY_QUEUE")
    assert "task_default_queue" not in from_environment()["CELERY"]
