"""The public API is typed: mypy accepts correct calls and rejects wrong ones (run on snippets)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

SNIPPET = """
from aioautoml import QlikClient, DataRobotClient, RetryPolicy, TierLimit

async def provider() -> str:
    return "token"

QlikClient("https://t.example.com", token="t", retry=RetryPolicy(max_attempts=2), limits={{"1": TierLimit(500)}})
DataRobotClient("https://dr.example.com", token_provider=provider, pacing=False)

async def job(qlik: QlikClient, datarobot: DataRobotClient) -> None:
    deployment = await qlik.ml.get_deployment("d")
    reveal_type(deployment)
    stores = await qlik.data_stores.get_data_stores(limit=10, sort=["-name"])
    reveal_type(stores.data)
    raw = await qlik.ml.with_raw_response.get_deployments(limit=5)
    reveal_type(raw.parsed)
    await qlik.ml.create_batch_prediction("d", body={{"data": {{"type": "batch-prediction"}}}})  # a plain mapping
    await qlik.data_stores.patch_data_store("ds", body=[{{"op": "add", "path": "/a"}}])
    job = await qlik.start(qlik.ml.predict_batch_prediction, "d", "b")
    reveal_type(await job)
    reveal_type(await job.wait(timeout=60))
    model_job = await datarobot.start(datarobot.models.create_model, "p")
    reveal_type(await model_job)
    other_job = await datarobot.start(datarobot.models.create_prime_file, "p")
    reveal_type(other_job)
    packages = await datarobot.models.list_model_packages(limit=10)
    reveal_type(packages)
    async for item in qlik.paginate(qlik.ml.get_deployments, limit=100):
        reveal_type(item)
    {wrong}
"""


def check(tmp_path: Path, wrong: str = "") -> tuple[str, int]:
    source = tmp_path / "snippet.py"
    source.write_text(SNIPPET.format(wrong=wrong))
    out, err, status = api.run(["--strict", "--no-error-summary", "--cache-dir", str(Path(".mypy_cache")), str(source)])
    return out + err, status


def test_operations_have_their_real_types(tmp_path: Path) -> None:
    out, _ = check(tmp_path)
    assert 'Revealed type is "aioautoml._generated.qlik_ml.models.deployment_response.DeploymentResponse"' in out
    assert "list[aioautoml._generated.qlik_data_stores.models.data_store.DataStore] | aioautoml._wire.Unset" in out
    assert "DeploymentList" in out and "ModelPackageListResponse" in out
    assert 'Revealed type is "aioautoml._generated.qlik_ml.models.deployment.Deployment"' in out  # paginate's items
    assert out.count("batch_prediction_response.BatchPredictionResponse") == 2  # await job, job.wait()
    # a DataRobot model job ends on the model its 303 points at, read with the models GET; a job
    # whose end the spec cannot name is a Job[Any]
    assert "datarobot_models.models.model_details_response.ModelDetailsResponse" in out
    assert 'Revealed type is "aioautoml.jobs.Job[Any]"' in out
    assert "error" not in out.replace("Revealed type", "")


@pytest.mark.parametrize(
    ("wrong", "complaint"),
    [
        ("await qlik.ml.get_deployment(42)", 'incompatible type "int"'),
        ('await qlik.ml.get_deployments(sort="bogus")', "incompatible type \"Literal['bogus']\""),
        ("await qlik.ml.get_deployments(limit=1, nope=2)", 'Unexpected keyword argument "nope"'),
        ('DataRobotClient("https://dr.example.com", tokn="x")', 'No overload variant of "DataRobotClient"'),
        (
            'await qlik.start(qlik.ml.get_deployment, "d")',
            'Argument 1 to "start" of "BaseClient" has incompatible type',
        ),
        ('await qlik.start(qlik.ml.predict_batch_prediction, "d")', "Missing positional argument"),
        ('QlikClient("https://t.example.com", token=None)', 'No overload variant of "QlikClient"'),
        ('QlikClient("https://t.example.com")', 'No overload variant of "QlikClient"'),
        ('QlikClient("https://t.example.com", token="t", retry=3)', 'No overload variant of "QlikClient"'),
        ('QlikClient("https://t.example.com", token="t", token_provider=job)', 'No overload variant of "QlikClient"'),
    ],
)
def test_wrong_calls_are_rejected(tmp_path: Path, wrong: str, complaint: str) -> None:
    out, status = check(tmp_path, wrong)
    assert status == 1 and complaint in out
