"""aioautoml: an asyncio client for Qlik Cloud's ML APIs and DataRobot's Models API.

    async with QlikClient("https://your-tenant.us.qlikcloud.com", token=token) as qlik:
        async for deployment in qlik.paginate(qlik.ml.get_deployments):
            ...

    qlik = QlikClient.from_env()  # QLIK_TENANT_URL + QLIK_API_KEY, or OAuth2 client credentials

The generated packages are imported on first use of ``qlik.ml`` and friends, not here.
"""

__version__ = "0.1.0"

from ._wire import UNSET, Response, Unset
from .client import ClientOptions
from .datarobot import DataRobotClient
from .errors import (
    AioAutoMLError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    JobError,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    OAuthError,
    PagingError,
    RateLimitError,
    RedirectError,
    ResponseParseError,
    ServerError,
    UnauthorizedError,
    UnexpectedStatusError,
    UnprocessableEntityError,
)
from .limits import TierLimit, TierStats
from .oauth import ClientCredentials
from .qlik import QlikClient
from .retry import RetryPolicy

__all__ = [
    "UNSET",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AioAutoMLError",
    "BadRequestError",
    "ClientCredentials",
    "ClientOptions",
    "ConfigurationError",
    "ConflictError",
    "DataRobotClient",
    "ForbiddenError",
    "InvalidRequestError",
    "JobError",
    "JobFailedError",
    "JobTimeoutError",
    "NotFoundError",
    "OAuthError",
    "PagingError",
    "QlikClient",
    "RateLimitError",
    "RedirectError",
    "Response",
    "ResponseParseError",
    "RetryPolicy",
    "ServerError",
    "TierLimit",
    "TierStats",
    "UnauthorizedError",
    "UnexpectedStatusError",
    "UnprocessableEntityError",
    "Unset",
]
