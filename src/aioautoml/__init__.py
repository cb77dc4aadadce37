"""aioautoml: an asyncio client for Qlik Cloud's ML APIs and DataRobot's Models API.

    async with QlikClient("https://your-tenant.us.qlikcloud.com", token=token) as qlik:
        async for deployment in qlik.paginate(qlik.ml.get_deployments):
            ...

    qlik = QlikClient.from_env()  # QLIK_TENANT_URL + QLIK_API_KEY, or OAuth2 client credentials

Exported here: the clients, their options, the types their methods return, the credentials and
every error. Request and response models live in ``aioautoml.types.<api>`` (imported on first
use, like the generated packages behind ``qlik.ml`` and friends).
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from ._wire import UNSET, File, Response, Unset
from .auth import TokenProvider, TokenSource
from .client import ClientKeywords, ClientOptions
from .datarobot import DataRobotClient
from .errors import (
    AioAutoMLError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    ClientStateError,
    ConfigurationError,
    ConflictError,
    ErrorDetail,
    ForbiddenError,
    InvalidRequestError,
    JobError,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    OAuthError,
    PagingError,
    RateLimitError,
    RateStoreError,
    RedirectError,
    ResponseParseError,
    ServerError,
    UnauthorizedError,
    UnexpectedStatusError,
    UnprocessableEntityError,
)
from .limits import RateStore, TierLimit, TierStats
from .qlik import QlikClient
from .retry import RetryPolicy

if TYPE_CHECKING:
    from .bulk import Bulk, Call, Outcome
    from .files import Download
    from .jobs import Job
    from .oauth import ClientCredentials
    from .pages import Page, Paginator
    from .redis_store import RedisStore

# Imported on first use (PEP 562): what a client's methods return, and the OAuth token source,
# are not needed to make a client, and `import aioautoml` stays light.
_LAZY = {
    "Bulk": "bulk",
    "Call": "bulk",
    "Outcome": "bulk",
    "Download": "files",
    "Job": "jobs",
    "ClientCredentials": "oauth",
    "Page": "pages",
    "Paginator": "pages",
    "RedisStore": "redis_store",  # imports redis itself only when it connects
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'aioautoml' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    # the clients and their options
    "QlikClient",
    "DataRobotClient",
    "ClientKeywords",
    "ClientOptions",
    "RetryPolicy",
    "TierLimit",
    "TierStats",
    "RateStore",
    "RedisStore",
    # credentials
    "ClientCredentials",
    "TokenProvider",
    "TokenSource",
    # what the clients' methods return
    "Response",
    "Paginator",
    "Page",
    "Job",
    "Bulk",
    "Outcome",
    "Call",
    "Download",
    # what a multipart body's file part takes
    "File",
    "UNSET",
    "Unset",
    # errors
    "AioAutoMLError",
    "InvalidRequestError",
    "ConfigurationError",
    "OAuthError",
    "APIConnectionError",
    "APITimeoutError",
    "RedirectError",
    "APIStatusError",
    "BadRequestError",
    "ClientStateError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "RateStoreError",
    "ServerError",
    "ErrorDetail",
    "UnexpectedStatusError",
    "ResponseParseError",
    "PagingError",
    "JobError",
    "JobFailedError",
    "JobTimeoutError",
]
