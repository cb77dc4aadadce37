"""Client settings from the environment and from DataRobot's ``drconfig.yaml``.

Pure functions over a mapping (``os.environ`` by default in the clients' ``from_env``), so every
combination can be tested without a network:

- :func:`qlik_settings`: ``QLIK_TENANT_URL`` (or ``QLIK_BASE_URL``), and ``QLIK_API_KEY`` (or
  ``QLIK_TOKEN``) or ``QLIK_CLIENT_ID`` + ``QLIK_CLIENT_SECRET`` (optionally ``QLIK_OAUTH_SCOPE``);
- :func:`datarobot_settings`: ``DATAROBOT_ENDPOINT`` + ``DATAROBOT_API_TOKEN`` and the
  ``drconfig.yaml`` the official datarobot client reads (``DATAROBOT_CONFIG_FILE``, else
  ``~/.config/datarobot/drconfig.yaml``); the environment wins over the file, key by key;
- :func:`with_rate_store`: ``AIOAUTOML_RATE_STORE``, a Redis URL for one budget across processes.

A blank variable counts as unset. Whatever is missing or contradictory is gathered into one
:class:`~aioautoml.errors.ConfigurationError` naming the variables and the file found (never a
value of a secret) and what is needed.
"""

from __future__ import annotations

import math
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from ssl import SSLContext
from typing import TYPE_CHECKING, Any

import aiohttp
from yarl import URL

from . import _constants as const
from .client import ClientKeywords
from .errors import ConfigurationError, InvalidRequestError
from .retry import RetryPolicy

if TYPE_CHECKING:
    from .oauth import ClientCredentials

__all__ = [
    "ClientKeywords",
    "DataRobotSettings",
    "QlikSettings",
    "datarobot_settings",
    "default_drconfig_path",
    "qlik_settings",
    "with_rate_store",
]

QLIK_NEEDED = (
    "QLIK_TENANT_URL (or QLIK_BASE_URL), and either QLIK_API_KEY (or QLIK_TOKEN)"
    " or QLIK_CLIENT_ID with QLIK_CLIENT_SECRET (QLIK_OAUTH_SCOPE optional)"
)
DATAROBOT_NEEDED = (
    "an endpoint and a token: DATAROBOT_ENDPOINT and DATAROBOT_API_TOKEN, or `endpoint` and `token`"
    " in drconfig.yaml (DATAROBOT_CONFIG_FILE, else ~/.config/datarobot/drconfig.yaml)"
)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


# -- Qlik ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QlikSettings:
    """A Qlik tenant and one way to authenticate: an API key, or OAuth2 client credentials."""

    tenant_url: str  # the tenant's origin, e.g. https://your-tenant.us.qlikcloud.com
    api_key: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scope: str | None = None

    @property
    def uses_oauth(self) -> bool:
        return self.api_key is None

    def client_credentials(
        self, *, proxy: str | URL | None = None, trust_env: bool = False, ssl: bool | SSLContext = True
    ) -> ClientCredentials:
        """The OAuth2 token source for these settings (JSON encoding, as Qlik documents it)."""
        from .oauth import ClientCredentials

        if self.client_id is None or self.client_secret is None:
            raise ValueError("these settings carry an API key, not client credentials")
        return ClientCredentials(
            self.tenant_url,
            self.client_id,
            self.client_secret,
            scope=self.scope,
            proxy=proxy,
            trust_env=trust_env,
            ssl=ssl,
        )


def qlik_settings(environ: Mapping[str, str]) -> QlikSettings:
    """Read the Qlik variables of ``environ``; raise ConfigurationError listing every problem."""
    from .oauth import tenant_origin

    found = [name for name in _QLIK_VARIABLES if _get(environ, name) is not None]
    problems: list[str] = []

    origins: dict[str, str] = {}
    for name in ("QLIK_TENANT_URL", "QLIK_BASE_URL"):
        value = _get(environ, name)
        if value is not None:
            try:
                origins[name] = str(tenant_origin(value))
            except InvalidRequestError as exc:
                problems.append(f"{name}: {exc}")
    if len(set(origins.values())) > 1:
        problems.append("QLIK_TENANT_URL and QLIK_BASE_URL name different tenants: set one")
    elif not origins and not problems:
        problems.append("no tenant URL: set QLIK_TENANT_URL")

    api_key = _get(environ, "QLIK_API_KEY")
    alias = _get(environ, "QLIK_TOKEN")
    if api_key is not None and alias is not None and api_key != alias:
        problems.append("QLIK_API_KEY and QLIK_TOKEN are both set and differ: set one")
    api_key = api_key or alias
    client_id, secret = _get(environ, "QLIK_CLIENT_ID"), _get(environ, "QLIK_CLIENT_SECRET")
    scope = _get(environ, "QLIK_OAUTH_SCOPE")
    if client_id is not None and secret is None:
        problems.append("QLIK_CLIENT_ID is set without QLIK_CLIENT_SECRET")
    if secret is not None and client_id is None:
        problems.append("QLIK_CLIENT_SECRET is set without QLIK_CLIENT_ID")
    oauth = client_id is not None or secret is not None
    if api_key is not None and oauth:
        problems.append("both an API key and client credentials are set: choose one way to authenticate")
    elif api_key is None and not oauth:
        problems.append("no credentials: set QLIK_API_KEY, or QLIK_CLIENT_ID and QLIK_CLIENT_SECRET")
    if scope is not None and not oauth:
        problems.append("QLIK_OAUTH_SCOPE is set, but a scope applies only to client credentials")

    if problems:
        raise ConfigurationError("QlikClient", problems, found=found, needed=QLIK_NEEDED)
    tenant_url = next(iter(origins.values()))
    if api_key is not None:
        return QlikSettings(tenant_url, api_key=api_key)
    return QlikSettings(tenant_url, client_id=client_id, client_secret=secret, scope=scope)


_QLIK_VARIABLES = (
    "QLIK_TENANT_URL",
    "QLIK_BASE_URL",
    "QLIK_API_KEY",
    "QLIK_TOKEN",
    "QLIK_CLIENT_ID",
    "QLIK_CLIENT_SECRET",
    "QLIK_OAUTH_SCOPE",
)


# -- DataRobot -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataRobotSettings:
    """A DataRobot endpoint, its API token, and the drconfig.yaml options that map onto the client.

    ``sources`` says where each setting came from (a variable's name, or the file's path).
    ``ssl_verify``: True, or what the environment or file asked for instead (False, or a CA bundle's
    path), which ``client_keywords`` turns into the client's ``ssl=``.
    """

    endpoint: str
    token: str = field(repr=False)
    connect_timeout: float | None = None
    max_retries: int | None = None
    user_agent_suffix: str | None = None
    ssl_verify: bool | str = True
    config_file: Path | None = None  # the drconfig.yaml read, if any
    sources: Mapping[str, str] = field(default_factory=dict)

    def client_keywords(self, options: ClientKeywords) -> ClientKeywords:
        """``options`` with what these settings add: the caller's own keywords win."""
        from .client import USER_AGENT

        merged: ClientKeywords = {**options}
        if self.connect_timeout is not None and options.get("timeout") is None:
            default = const.DEFAULT_TIMEOUT
            merged["timeout"] = aiohttp.ClientTimeout(
                total=default.total,
                connect=self.connect_timeout,
                sock_connect=self.connect_timeout,
                sock_read=default.sock_read,
            )
        if self.max_retries is not None and options.get("retry") is None:
            merged["retry"] = RetryPolicy(max_attempts=self.max_retries + 1)  # retries, plus the first attempt
        headers = dict(options.get("headers") or {})
        if self.user_agent_suffix and not any(name.lower() == "user-agent" for name in headers):
            merged["headers"] = {**headers, "User-Agent": f"{USER_AGENT} {self.user_agent_suffix}"}
        if self.ssl_verify is not True and "ssl" not in options:
            # As the official client reads it: false turns verification off, a path names a CA bundle.
            merged["ssl"] = (
                False if self.ssl_verify is False else ssl.create_default_context(cafile=str(self.ssl_verify))
            )
        return merged


def default_drconfig_path(environ: Mapping[str, str]) -> Path:
    """Where the official datarobot client looks by default: ~/.config/datarobot/drconfig.yaml."""
    return _home(environ) / ".config" / "datarobot" / "drconfig.yaml"


def datarobot_settings(environ: Mapping[str, str], config_file: str | Path | None = None) -> DataRobotSettings:
    """Read the DataRobot variables of ``environ`` and the drconfig.yaml; raise ConfigurationError
    listing every problem.

    The file is ``config_file`` if given, else ``DATAROBOT_CONFIG_FILE`` (both must exist), else
    the default location if a file is there. Its keys ``endpoint``, ``token``, ``connect_timeout``,
    ``max_retries``, ``user_agent_suffix`` and ``ssl_verify`` are read; other keys (``token_type``,
    ``default_use_case``, ``trace_context``, ...) are ignored. Each variable set wins over its key.
    """
    found = [name for name in _DATAROBOT_VARIABLES if _get(environ, name) is not None]
    problems: list[str] = []
    path, data = _read_drconfig(environ, config_file, found, problems)

    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for key, variable in _DATAROBOT_KEYS.items():
        env_value = _get(environ, variable) if variable else None
        if env_value is not None:
            values[key], sources[key] = env_value, variable or key
        elif key in data and data[key] is not None:
            values[key], sources[key] = data[key], f"{path}: {key}"

    def check(key: str, ok: bool, what: str) -> None:
        if key in values and not ok:
            problems.append(f"{sources[key]} must be {what}")

    endpoint = values.get("endpoint")
    if endpoint is None:
        problems.append("no endpoint: set DATAROBOT_ENDPOINT or `endpoint` in drconfig.yaml")
    else:
        url = URL(str(endpoint)) if isinstance(endpoint, str) else None
        check("endpoint", url is not None and _http_url(url), "an http(s) URL such as https://app.datarobot.com/api/v2")
    token = values.get("token")
    if token is None:
        problems.append("no token: set DATAROBOT_API_TOKEN or `token` in drconfig.yaml")
    else:
        check("token", isinstance(token, str) and bool(token.strip()), "a non-empty string")
    connect_timeout = _number(values.get("connect_timeout"))
    check("connect_timeout", connect_timeout is not None and connect_timeout > 0, "a positive number of seconds")
    max_retries = _integer(values.get("max_retries"))
    check("max_retries", max_retries is not None and max_retries >= 0, "a whole number >= 0")
    suffix = values.get("user_agent_suffix")
    check("user_agent_suffix", isinstance(suffix, str), "text")
    ssl_verify = _ssl_verify(values.get("ssl_verify", True))
    check("ssl_verify", ssl_verify is not None, "true, false or the path of a CA bundle")

    if problems:
        raise ConfigurationError("DataRobotClient", problems, found=found, needed=DATAROBOT_NEEDED)
    assert isinstance(endpoint, str) and isinstance(token, str) and ssl_verify is not None
    return DataRobotSettings(
        endpoint=endpoint,
        token=token.strip(),
        connect_timeout=connect_timeout,
        max_retries=max_retries,
        user_agent_suffix=suffix if isinstance(suffix, str) else None,
        ssl_verify=ssl_verify,
        config_file=path,
        sources=sources,
    )


# drconfig.yaml key -> the variable that overrides it (None: the file only, as in the official client).
_DATAROBOT_KEYS: dict[str, str | None] = {
    "endpoint": "DATAROBOT_ENDPOINT",
    "token": "DATAROBOT_API_TOKEN",
    "connect_timeout": None,
    "max_retries": "DATAROBOT_MAX_RETRIES",
    "user_agent_suffix": "DATAROBOT_USER_AGENT_SUFFIX",
    "ssl_verify": "DATAROBOT_SSL_VERIFY",
}
_DATAROBOT_VARIABLES = ("DATAROBOT_CONFIG_FILE", *(v for v in _DATAROBOT_KEYS.values() if v))


def _read_drconfig(
    environ: Mapping[str, str], config_file: str | Path | None, found: list[str], problems: list[str]
) -> tuple[Path | None, Mapping[str, Any]]:
    """The file to read and its mapping ({} when there is none, or it could not be read)."""
    named = config_file if config_file is not None else _get(environ, "DATAROBOT_CONFIG_FILE")
    if named is not None:
        path = _expand(Path(named), environ)
        origin = "config_file" if config_file is not None else "DATAROBOT_CONFIG_FILE"
        if not path.is_file():
            problems.append(f"{origin} names {path}, which is not a file")
            return None, {}
    else:
        path = default_drconfig_path(environ)
        if not path.is_file():
            return None, {}
    try:
        import yaml
    except ImportError as exc:
        raise ImportError(
            f"{path} is a YAML file, and reading it needs PyYAML: pip install 'aioautoml[drconfig]'"
        ) from exc
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        # The parser's own message quotes the offending line, which may hold the token: a position only.
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        found.append(str(path))
        problems.append(f"{path} is not valid YAML{where}")
        return path, {}
    except (OSError, UnicodeDecodeError) as exc:
        found.append(str(path))
        problems.append(f"{path} could not be read: {type(exc).__name__}")
        return path, {}
    if data is None:
        data = {}  # an empty file
    if not isinstance(data, Mapping):
        found.append(str(path))
        problems.append(f"{path} must hold a mapping of keys (endpoint, token, ...), not a {type(data).__name__}")
        return path, {}
    keys = ", ".join(str(key) for key in data) or "no keys"
    found.append(f"{path} ({keys})")
    return path, data


# -- helpers ---------------------------------------------------------------------------------------


# -- both -----------------------------------------------------------------------------------------

RATE_STORE_VARIABLE = "AIOAUTOML_RATE_STORE"


def with_rate_store(client: str, environ: Mapping[str, str], options: ClientKeywords) -> ClientKeywords:
    """``AIOAUTOML_RATE_STORE`` (a ``redis://`` URL) as ``rate_store=``, unless ``options`` give one:
    every process started with the same variable shares one budget (a worker pool, shell bulk runs)."""
    url = _get(environ, RATE_STORE_VARIABLE)
    if url is None or "rate_store" in options:
        return options
    from .redis_store import URL_SCHEMES  # the store's own list (redis itself is not imported)

    if URL(url).scheme not in URL_SCHEMES:
        raise ConfigurationError(
            client,
            [f"{RATE_STORE_VARIABLE} is not a redis://, rediss:// or unix:// URL"],
            found=[RATE_STORE_VARIABLE],
            needed=f"{RATE_STORE_VARIABLE}=redis://host:port/db, or leave it unset for in-process pacing",
        )
    return {**options, "rate_store": url}


def _get(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    return value.strip() if value is not None and value.strip() else None


def _home(environ: Mapping[str, str]) -> Path:
    home = _get(environ, "HOME")
    return Path(home) if home is not None else Path.home()


def _expand(path: Path, environ: Mapping[str, str]) -> Path:
    parts = path.parts
    if parts and parts[0] == "~":
        return _home(environ).joinpath(*parts[1:])
    return path


def _http_url(url: URL) -> bool:
    return url.is_absolute() and url.scheme in ("http", "https") and bool(url.host) and not url.query_string


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _ssl_verify(value: object) -> bool | str | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        return text  # a CA bundle's path
    return None
