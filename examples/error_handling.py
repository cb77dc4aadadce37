"""What a job does with each kind of failure aioautoml reports.

    QLIK_TENANT_URL=... QLIK_API_KEY=... python error_handling.py DEPLOYMENT_ID [DEPLOYMENT_ID ...]

Every failure is one of aioautoml's typed errors: a status error with the vendor's code and the
request id, a rate limit that outlasted the retries, a connection problem that says whether the
request may have been acted on.
"""

from __future__ import annotations

import asyncio
import sys

from aioautoml import (
    AioAutoMLError,
    APIConnectionError,
    NotFoundError,
    QlikClient,
    RateLimitError,
    RetryPolicy,
    ServerError,
)


async def describe(qlik: QlikClient, deployment_id: str) -> str:
    try:
        deployment = await qlik.ml.get_deployment(deployment_id)
    except NotFoundError as missing:
        detail = missing.errors[0].code if missing.errors else "no detail"
        return f"{deployment_id}: not found ({detail}, request id {missing.request_id})"
    except RateLimitError as limited:
        return f"{deployment_id}: tier {limited.tier} still limited after the retries (wait {limited.retry_after} s)"
    except ServerError as failed:
        return f"{deployment_id}: the server failed with {failed.status} after the retries"
    except APIConnectionError as lost:
        unknown = " (it may have been acted on)" if lost.outcome_unknown else ""
        return f"{deployment_id}: no answer{unknown}: {lost}"
    except AioAutoMLError as other:  # every other failure aioautoml reports
        return f"{deployment_id}: {type(other).__name__}: {other}"
    return f"{deployment_id}: {deployment.data.attributes.name}"


async def main(deployment_ids: list[str]) -> None:
    # Fewer, quicker retries than the defaults: this job would rather report than wait.
    async with QlikClient.from_env(retry=RetryPolicy(max_attempts=3, backoff_base=0.05)) as qlik:
        for line in await asyncio.gather(*(describe(qlik, d) for d in deployment_ids)):
            print(line)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
