"""Errors and responses never show where the server keeps things (its folders, its cwd)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from skillmeat.config import Settings
from skillmeat.core.redaction import redact

BASE = "/api/v1/marketplace/sources"


def test_a_failed_scan_names_no_server_folder(client: httpx.Client, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = tmp_path / "server-workdir"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    created = client.post(BASE, json={"repo_url": "./gone", "scan": True})
    source = created.json()
    assert source["scan_status"] == "error"
    assert "<cwd>/gone" in source["last_error"]
    rescan = client.post(f"{BASE}/{source['id']}/rescan")
    scans = client.get(f"{BASE}/{source['id']}/scans")
    assert rescan.status_code in (404, 502) and "<cwd>/gone" in rescan.json()["detail"]
    for text in (source["last_error"], rescan.text, scans.text):
        assert str(workdir) not in text and str(tmp_path) not in text


def test_redaction_labels_each_server_folder_and_leaves_lookalikes(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    home, data = tmp_path / "home", tmp_path / "home" / ".skillmeat"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=data, collection_dir=tmp_path / "collection")
    message = (f"fatal: '{data}/git-cache/ab.git' locked; wrote {tmp_path}/collection/skills/x;"
               f" see {home}/notes and {data}/skillmeat.db, not {home}x/other or {tmp_path}")
    assert redact(message, settings) == (
        "fatal: '<git cache>/ab.git' locked; wrote <collection>/skills/x; see ~/notes and "
        "<data dir>/skillmeat.db, not <cwd>/homex/other or <cwd>")
