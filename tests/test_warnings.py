"""A deprecated operation's warning points at the caller's line, so default filters show it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import asyncio
    from aioautoml import QlikClient
    from aioautoml.testing import LoopbackServer


    async def main() -> None:
        async with LoopbackServer() as server, QlikClient(server.url, token=server.token) as qlik:
            await qlik.automl_predictions.get_prediction_results("bp-0001-01")  # line 9
            await qlik.download("out.csv", qlik.automl_predictions.get_prediction_shap, "bp-0001-01")  # line 10
            async for _ in qlik.stream(qlik.automl_predictions.get_prediction_source, "bp-0001-01"):  # line 11
                pass


    asyncio.run(main())
    """
)


def test_the_warning_names_the_users_line_under_default_filters(tmp_path: Path) -> None:
    script = tmp_path / "user_job.py"
    script.write_text(SCRIPT)
    # A plain interpreter, as a user runs a script: no -W options, no pytest warning filters.
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    shown = [line for line in result.stderr.splitlines() if "DeprecationWarning" in line]
    assert any(f"{script}:9: DeprecationWarning: getPredictionResults is deprecated" in line for line in shown)
    assert any(f"{script}:10: DeprecationWarning: getPredictionShap is deprecated" in line for line in shown)
    assert any(f"{script}:11: DeprecationWarning: getPredictionSource is deprecated" in line for line in shown)
    assert "aioautoml" not in "".join(shown)  # never attributed to the library's own lines
