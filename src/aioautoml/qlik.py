"""QlikClient: the Qlik Cloud Machine Learning, AutoML predictions, Automations and Data stores APIs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Self, Unpack

from yarl import URL

from .client import BaseClient
from .errors import InvalidRequestError

if TYPE_CHECKING:
    from .apis.qlik_automations import Api as AutomationsApi
    from .apis.qlik_automl_predictions import Api as AutomlPredictionsApi
    from .apis.qlik_data_stores import Api as DataStoresApi
    from .apis.qlik_ml import Api as MlApi
    from .client import ClientKeywords

__all__ = ["QlikClient"]


class QlikClient(BaseClient):
    """A Qlik Cloud tenant, e.g. ``QlikClient("https://your-tenant.us.qlikcloud.com", token=...)``.

    Requests are paced per rate tier (Tier 1: 1000/min, Tier 2: 100/min, from each operation's
    spec), shared by every QlikClient of the same tenant and user in the process.
    """

    __slots__ = ()
    _default_tier = "1"
    _tier_names = frozenset({"1", "2"})

    @classmethod
    def _normalize_base_url(cls, url: URL) -> URL:
        url = super()._normalize_base_url(url)
        if url.path not in ("", "/"):
            # The operations' paths carry /api/v1/... (or /api/workflows/...) themselves.
            raise InvalidRequestError(
                f"QlikClient takes the tenant's URL without a path, e.g. {str(url.origin())!r}, not {str(url)!r}:"
                " every operation adds its own /api/... path"
            )
        return url

    @classmethod
    def from_env(cls, *, environ: Mapping[str, str] | None = None, **options: Unpack[ClientKeywords]) -> Self:
        """A client configured by environment variables (``os.environ`` unless ``environ`` is given).

        ``QLIK_TENANT_URL`` (or ``QLIK_BASE_URL``) with ``QLIK_API_KEY`` (or ``QLIK_TOKEN``), or with
        ``QLIK_CLIENT_ID`` and ``QLIK_CLIENT_SECRET`` (and optionally ``QLIK_OAUTH_SCOPE``) for OAuth2
        client credentials (:class:`aioautoml.oauth.ClientCredentials`). ``options`` are the client's
        other keywords (``limits=``, ``retry=``, ...; ``AIOAUTOML_RATE_STORE`` gives ``rate_store=``); ``proxy=``, ``trust_env=`` and ``ssl=`` apply to the
        token exchange too. Missing or contradictory settings raise
        :class:`~aioautoml.errors.ConfigurationError`.
        """
        from .config import qlik_settings, with_rate_store

        environ = os.environ if environ is None else environ
        settings = qlik_settings(environ)
        options = with_rate_store("QlikClient", environ, options)
        if settings.api_key is not None:
            return cls(settings.tenant_url, token=settings.api_key, **options)
        credentials = settings.client_credentials(
            proxy=options.get("proxy"), trust_env=options.get("trust_env", False), ssl=options.get("ssl", True)
        )
        return cls(settings.tenant_url, token_provider=credentials, **options)

    @property
    def ml(self) -> MlApi:
        """Machine Learning: deployments, aliases, predictions, experiments, profile insights."""
        return self._api("qlik_ml")  # type: ignore[no-any-return]

    @property
    def automl_predictions(self) -> AutomlPredictionsApi:
        """AutoML dataset prediction result files (deprecated by Qlik, sunset 2026-02)."""
        return self._api("qlik_automl_predictions")  # type: ignore[no-any-return]

    @property
    def automations(self) -> AutomationsApi:
        """Automations: automations, runs, settings, usage."""
        return self._api("qlik_automations")  # type: ignore[no-any-return]

    @property
    def data_stores(self) -> DataStoresApi:
        """Data stores, data assets and data sets in the catalog."""
        return self._api("qlik_data_stores")  # type: ignore[no-any-return]
