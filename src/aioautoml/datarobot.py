"""DataRobotClient: the DataRobot Models REST API."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Self, Unpack

from yarl import URL

from . import _constants as const
from ._wire import Operation
from .client import BaseClient
from .limits import TierLimit

if TYPE_CHECKING:
    from .apis.datarobot_models import Api as ModelsApi
    from .client import ClientKeywords

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

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        config_file: str | Path | None = None,
        **options: Unpack[ClientKeywords],
    ) -> Self:
        """A client configured like the official datarobot client: ``DATAROBOT_ENDPOINT`` and
        ``DATAROBOT_API_TOKEN``, and the drconfig.yaml (``config_file``, else
        ``DATAROBOT_CONFIG_FILE``, else ``~/.config/datarobot/drconfig.yaml`` if present), the
        environment winning key by key. The file's ``connect_timeout``, ``max_retries`` and
        ``user_agent_suffix`` become ``timeout=``, ``retry=`` and the User-Agent unless ``options``
        (the client's other keywords) give them; ``AIOAUTOML_RATE_STORE`` gives ``rate_store=``. Reading a file needs PyYAML
        (``pip install 'aioautoml[drconfig]'``). Missing or contradictory settings raise
        :class:`~aioautoml.errors.ConfigurationError`.
        """
        from .config import datarobot_settings, with_rate_store

        environ = os.environ if environ is None else environ
        settings = datarobot_settings(environ, config_file)
        options = with_rate_store("DataRobotClient", environ, options)
        return cls(settings.endpoint, token=settings.token, **settings.client_keywords(options))

    def _default_limit(self, operation: Operation) -> TierLimit:
        return TierLimit(per_minute=None, max_in_flight=const.DATAROBOT_DEFAULT_MAX_IN_FLIGHT)

    @property
    def models(self) -> ModelsApi:
        """Models: project models of every kind, model jobs, model packages, registered models."""
        return self._api("datarobot_models")  # type: ignore[no-any-return]
