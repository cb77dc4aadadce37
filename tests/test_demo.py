"""The main job runs end to end against the loopback server, faults and all."""

from __future__ import annotations

from pathlib import Path

import pytest

from aioautoml import demo


@pytest.mark.fake_clock  # its 5 s tier windows and 1 s Retry-After pass on virtual time
async def test_the_demo_downloads_every_result_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await demo.main(["--output", str(tmp_path), "--deployments", "4"]) == 0
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 12 and files[0] == "bp-0001-01.csv"  # 4 deployments x 3 batch predictions
    assert all(p.read_text().startswith("row,predictionId") for p in tmp_path.iterdir())
    shown = capsys.readouterr().out
    assert "files: 12" in shown and "retries:" in shown and "429s received:" in shown


async def test_a_real_tenant_is_only_read_without_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    from aioautoml.testing import LoopbackServer

    async with LoopbackServer(deployments=2) as server:
        monkeypatch.setenv("QLIK_BASE_URL", server.url)
        monkeypatch.setenv("QLIK_TOKEN", server.token)
        with pytest.warns(UserWarning, match="past its sunset"):
            assert await demo.main([]) == 0
    assert server.requests_for("predict_batch_prediction") == []
