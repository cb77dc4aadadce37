"""DataRobotClient: the DataRobot Models REST API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from yarl import URL

from . import _constants as const
from ._wire import Operation
from .client import BaseClient
from .limits import TierLimit

if TYPE_CHECKING:
    from ._generated.datarobot_models.api import Api as ModelsApi

__all__ = ["DataRobotClient"]

API_PREFIX = "/api/v2"


class DataRobotClient(BaseClient):
    """A DataRobot installation, e.g. ``DataRobotClient("https://app.datarobot.com/api/v2", token=...)``.

    The endpoint may be given with or without its ``/api/v2`` suffix. DataRobot documents no rate
    tiers, so every operation goes to one bucket, ``"default"``: by default only its in-flight
    cap applies (16); pass ``limits={"default": TierLimit(per_minute=...)}`` to pace it too.
    """

    __slots__ = ()
    _default_tier = const.DATAROBOT_DEFAULT_BUCKET
    _tier_names = frozenset({const.DATAROBOT_DEFAULT_BUCKET})

    @classmethod
    def _normalize_base_url(cls, url: URL) -> URL:
        url = super()._normalize_base_url(url)
        path = url.path.rstrip("/")
        if path.endswith(API_PREFIX):  # the spec's paths carry /api/v2 themselves
            url = url.with_path(path[: -len(API_PREFIX)] or "/")
        return url

    def _default_limit(self, operation: Operation) -> TierLimit:
        return TierLimit(per_minute=None, max_in_flight=const.DATAROBOT_DEFAULT_MAX_IN_FLIGHT)

    @property
    def models(self) -> ModelsApi:
        """Models: project models of every kind, model jobs, model packages, registered models."""
        return self._api("datarobot_models")  # type: ignore[no-any-return]
