"""Settings from the environment and drconfig.yaml: each valid combination builds the right client,
each missing or contradictory one raises one ConfigurationError naming what was found and needed."""

from __future__ import annotations

import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from aioautoml import ConfigurationError, DataRobotClient, QlikClient, RetryPolicy, TierLimit
from aioautoml.client import USER_AGENT
from aioautoml.config import DataRobotSettings, datarobot_settings, default_drconfig_path, qlik_settings
from aioautoml.testing import LoopbackServer

from .conftest import RedisServer
from .test_oauth import CLIENT_ID, DEPLOYMENT, SECRET, TokenServer

TENANT = "https://tenant.us.qlikcloud.com"
API_KEY = "api-key-value-9b1c"
DR_TOKEN = "dr-token-value-5e2d"
SECRETS = (API_KEY, SECRET, DR_TOKEN, "file-token-value", "other-key-value")


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def assert_problems(error: ConfigurationError, expected: list[str]) -> None:
    """One problem per expected fragment, in order, each in the message too."""
    assert len(error.problems) == len(expected), error.problems
    for problem, fragment in zip(error.problems, expected, strict=True):
        assert fragment in problem
        assert f"  - {problem}" in str(error)


@pytest.fixture
async def token_server() -> AsyncIterator[TokenServer]:
    running = TokenServer()
    await running.start()
    yield running
    await running.close()


# -- Qlik: valid combinations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "oauth"),
    [
        ({"QLIK_TENANT_URL": TENANT, "QLIK_API_KEY": API_KEY}, False),
        ({"QLIK_BASE_URL": TENANT + "/", "QLIK_TOKEN": API_KEY}, False),  # the demo's names
        (
            {"QLIK_TENANT_URL": TENANT, "QLIK_BASE_URL": TENANT + "/", "QLIK_API_KEY": API_KEY, "QLIK_TOKEN": API_KEY},
            False,
        ),
        ({"QLIK_TENANT_URL": TENANT, "QLIK_CLIENT_ID": CLIENT_ID, "QLIK_CLIENT_SECRET": SECRET}, True),
        (
            {"QLIK_TENANT_URL": TENANT, "QLIK_API_KEY": " ", "QLIK_CLIENT_ID": CLIENT_ID, "QLIK_CLIENT_SECRET": SECRET},
            True,  # a blank variable counts as unset
        ),
    ],
)
async def test_qlik_valid_environments_build_the_right_client(environ: dict[str, str], oauth: bool) -> None:
    settings = qlik_settings(environ)
    assert settings.tenant_url == TENANT
    assert settings.uses_oauth is oauth
    assert_no_secret(repr(settings))
    async with QlikClient.from_env(environ=environ) as qlik:
        assert str(qlik.origin) == TENANT
        assert ("token source" if oauth else "static token") in repr(qlik)


async def test_qlik_client_credentials_from_the_environment_reach_the_token_endpoint(
    token_server: TokenServer,
) -> None:
    environ = {
        "QLIK_TENANT_URL": token_server.url,
        "QLIK_CLIENT_ID": CLIENT_ID,
        "QLIK_CLIENT_SECRET": SECRET,
        "QLIK_OAUTH_SCOPE": "user_default",
    }
    async with QlikClient.from_env(environ=environ) as qlik:
        deployment = await qlik.ml.get_deployment(DEPLOYMENT)
    assert deployment.data.id == DEPLOYMENT
    (exchange,) = token_server.exchanges
    assert exchange.content_type == "application/json"  # Qlik's documented encoding
    assert exchange.body == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "scope": "user_default",
    }


async def test_qlik_api_key_and_options_from_from_env_reach_the_server(token_server: TokenServer) -> None:
    token_server.valid.add(API_KEY)
    environ = {"QLIK_TENANT_URL": token_server.url, "QLIK_API_KEY": API_KEY}
    async with QlikClient.from_env(environ=environ, headers={"X-Job": "nightly"}, retry=RetryPolicy(1)) as qlik:
        await qlik.ml.get_deployment(DEPLOYMENT)
    assert token_server.api_statuses == [200]
    assert token_server.exchanges == []


def test_qlik_options_are_passed_to_the_client() -> None:
    environ = {"QLIK_TENANT_URL": TENANT, "QLIK_API_KEY": API_KEY}
    with pytest.raises(ValueError, match="unknown rate tier"):
        QlikClient.from_env(environ=environ, limits={"9": TierLimit(per_minute=100)})


async def test_from_env_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QLIK_BASE_URL", "QLIK_TOKEN", "QLIK_CLIENT_ID", "QLIK_CLIENT_SECRET", "QLIK_OAUTH_SCOPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("QLIK_TENANT_URL", TENANT)
    monkeypatch.setenv("QLIK_API_KEY", API_KEY)
    async with QlikClient.from_env() as qlik:
        assert str(qlik.origin) == TENANT


# -- Qlik: missing or contradictory ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "problems"),
    [
        ({}, ["no tenant URL", "no credentials"]),
        ({"QLIK_TENANT_URL": TENANT}, ["no credentials"]),
        ({"QLIK_API_KEY": API_KEY}, ["no tenant URL"]),
        (
            {
                "QLIK_TENANT_URL": TENANT,
                "QLIK_API_KEY": API_KEY,
                "QLIK_CLIENT_ID": CLIENT_ID,
                "QLIK_CLIENT_SECRET": SECRET,
            },
            ["both an API key and client credentials"],
        ),
        (
            {"QLIK_TENANT_URL": TENANT, "QLIK_CLIENT_ID": CLIENT_ID},
            ["QLIK_CLIENT_ID is set without QLIK_CLIENT_SECRET"],
        ),
        (
            {"QLIK_TENANT_URL": TENANT, "QLIK_CLIENT_SECRET": SECRET},
            ["QLIK_CLIENT_SECRET is set without QLIK_CLIENT_ID"],
        ),
        (
            {"QLIK_TENANT_URL": TENANT, "QLIK_BASE_URL": "https://other.us.qlikcloud.com", "QLIK_API_KEY": API_KEY},
            ["name different tenants"],
        ),
        (
            {"QLIK_TENANT_URL": TENANT, "QLIK_API_KEY": API_KEY, "QLIK_TOKEN": "other-key-value"},
            ["QLIK_API_KEY and QLIK_TOKEN are both set and differ"],
        ),
        (
            {"QLIK_TENANT_URL": TENANT + "/api/v1", "QLIK_API_KEY": API_KEY},
            ["QLIK_TENANT_URL: the tenant URL must be the tenant's origin only"],
        ),
        ({"QLIK_TENANT_URL": "ftp://tenant.example.com", "QLIK_API_KEY": API_KEY}, ["http(s) URL"]),
        (
            {"QLIK_TENANT_URL": TENANT, "QLIK_API_KEY": API_KEY, "QLIK_OAUTH_SCOPE": "user_default"},
            ["a scope applies only to client credentials"],
        ),
    ],
)
def test_qlik_missing_or_contradictory_settings_raise_one_error(environ: dict[str, str], problems: list[str]) -> None:
    with pytest.raises(ConfigurationError) as raised:
        QlikClient.from_env(environ=environ)
    error = raised.value
    message = str(error)
    assert_problems(error, problems)
    assert error.found == [name for name in environ if environ[name].strip()]
    assert f"found: {', '.join(error.found) if error.found else 'nothing'}" in message
    assert "needed: QLIK_TENANT_URL (or QLIK_BASE_URL)" in message
    assert_no_secret(message)


# -- DataRobot -------------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty home directory: no default drconfig.yaml unless a test writes one."""
    return tmp_path / "home"


async def test_datarobot_from_the_environment_alone(home: Path) -> None:
    environ = {
        "HOME": str(home),
        "DATAROBOT_ENDPOINT": "https://app.datarobot.com/api/v2",
        "DATAROBOT_API_TOKEN": DR_TOKEN,
    }
    settings = datarobot_settings(environ)
    assert (settings.endpoint, settings.token, settings.config_file) == (
        "https://app.datarobot.com/api/v2",
        DR_TOKEN,
        None,
    )
    assert_no_secret(repr(settings))
    async with DataRobotClient.from_env(environ=environ) as datarobot:
        assert str(datarobot.origin) == "https://app.datarobot.com"
        assert "static token" in repr(datarobot)


@pytest.mark.parametrize("where", ["default", "variable", "argument"])
async def test_datarobot_from_a_drconfig_file(home: Path, tmp_path: Path, where: str) -> None:
    text = "endpoint: https://dr.example.com/api/v2\ntoken: file-token-value\n"
    environ = {"HOME": str(home)}
    config_file: Path | None = None
    if where == "default":
        write(default_drconfig_path(environ), text)
        assert default_drconfig_path(environ) == home / ".config" / "datarobot" / "drconfig.yaml"
    elif where == "variable":
        environ["DATAROBOT_CONFIG_FILE"] = str(write(tmp_path / "elsewhere.yaml", text))
    else:
        config_file = write(tmp_path / "passed.yaml", text)
    settings = datarobot_settings(environ, config_file)
    assert (settings.endpoint, settings.token) == ("https://dr.example.com/api/v2", "file-token-value")
    assert settings.config_file is not None and settings.sources["token"] == f"{settings.config_file}: token"
    async with DataRobotClient.from_env(environ=environ, config_file=config_file) as datarobot:
        assert str(datarobot.origin) == "https://dr.example.com"


def test_the_config_file_variable_expands_the_home_directory(home: Path) -> None:
    write(home / "dr.yaml", "endpoint: https://dr.example.com\ntoken: file-token-value\n")
    settings = datarobot_settings({"HOME": str(home), "DATAROBOT_CONFIG_FILE": "~/dr.yaml"})
    assert settings.config_file == home / "dr.yaml"


def test_the_environment_wins_over_the_file_key_by_key(home: Path) -> None:
    environ = {"HOME": str(home), "DATAROBOT_API_TOKEN": DR_TOKEN, "DATAROBOT_MAX_RETRIES": "7"}
    path = write(
        default_drconfig_path(environ),
        "endpoint: https://dr.example.com/api/v2\ntoken: file-token-value\nmax_retries: 2\nconnect_timeout: 12\n"
        "token_type: Bearer\ndefault_use_case: uc-1\ntrace_context: demo\n",  # other keys: ignored
    )
    settings = datarobot_settings(environ)
    assert settings.endpoint == "https://dr.example.com/api/v2"  # from the file
    assert settings.token == DR_TOKEN  # from the environment
    assert settings.max_retries == 7  # from the environment
    assert settings.connect_timeout == 12  # from the file
    assert settings.sources == {
        "endpoint": f"{path}: endpoint",
        "token": "DATAROBOT_API_TOKEN",
        "max_retries": "DATAROBOT_MAX_RETRIES",
        "connect_timeout": f"{path}: connect_timeout",
    }


def test_drconfig_options_map_onto_client_keywords_and_the_callers_win() -> None:
    settings = DataRobotSettings(
        "https://dr.example.com", DR_TOKEN, connect_timeout=4.5, max_retries=2, user_agent_suffix="my-app/1.0"
    )
    keywords = settings.client_keywords({})
    timeout = keywords["timeout"]
    assert isinstance(timeout, aiohttp.ClientTimeout)
    assert (timeout.connect, timeout.sock_connect, timeout.sock_read) == (4.5, 4.5, 120)
    assert keywords["retry"] == RetryPolicy(max_attempts=3)
    assert keywords["headers"] == {"User-Agent": f"{USER_AGENT} my-app/1.0"}
    mine = settings.client_keywords({"timeout": 9.0, "retry": RetryPolicy(1), "headers": {"user-agent": "mine"}})
    assert mine == {"timeout": 9.0, "retry": RetryPolicy(1), "headers": {"user-agent": "mine"}}
    assert DataRobotSettings("https://dr.example.com", DR_TOKEN).client_keywords({"pacing": False}) == {"pacing": False}


async def test_datarobot_from_env_against_the_loopback_server(server: LoopbackServer, home: Path) -> None:
    environ = {"HOME": str(home), "DATAROBOT_API_TOKEN": server.token}
    write(default_drconfig_path(environ), f"endpoint: {server.url}/api/v2\nuser_agent_suffix: nightly-job\n")
    async with DataRobotClient.from_env(environ=environ, retry=RetryPolicy(1)) as datarobot:
        await datarobot.models.list_model_packages(limit=5)
    (request,) = server.requests
    assert request.headers["Authorization"] == f"Bearer {server.token}"
    assert request.headers["User-Agent"] == f"{USER_AGENT} nightly-job"


def test_ssl_verify_reaches_the_client(home: Path) -> None:
    import ssl

    import certifi

    environ = {
        "HOME": str(home),
        "DATAROBOT_ENDPOINT": "https://dr.example.com",
        "DATAROBOT_API_TOKEN": DR_TOKEN,
        "DATAROBOT_SSL_VERIFY": "false",
    }
    assert datarobot_settings(environ).ssl_verify is False
    assert DataRobotClient.from_env(environ=environ)._state.ssl is False
    bundle = {**environ, "DATAROBOT_SSL_VERIFY": certifi.where()}  # a CA bundle's path
    context = DataRobotClient.from_env(environ=bundle)._state.ssl
    assert isinstance(context, ssl.SSLContext) and context.verify_mode is ssl.CERT_REQUIRED
    assert DataRobotClient.from_env(environ=bundle, ssl=True)._state.ssl is True  # the caller's keyword wins


@pytest.mark.parametrize(
    ("environ", "file", "problems"),
    [
        ({}, None, ["no endpoint", "no token"]),
        ({"DATAROBOT_ENDPOINT": "https://dr.example.com"}, None, ["no token"]),
        ({"DATAROBOT_API_TOKEN": DR_TOKEN}, None, ["no endpoint"]),
        (
            {"DATAROBOT_ENDPOINT": "ftp://dr.example.com", "DATAROBOT_API_TOKEN": DR_TOKEN},
            None,
            ["DATAROBOT_ENDPOINT must be an http(s) URL"],
        ),
        (
            {"DATAROBOT_API_TOKEN": DR_TOKEN},
            "endpoint: dr.example.com\n",
            ["drconfig.yaml: endpoint must be an http(s) URL"],
        ),
        ({}, "- endpoint\n- token\n", ["must hold a mapping", "no endpoint", "no token"]),
        (
            {},
            "endpoint: https://dr.example.com\ntoken: [file-token-value\n",
            ["is not valid YAML (line 3, column 1)", "no endpoint", "no token"],
        ),
        ({}, 'endpoint: https://dr.example.com\ntoken: ""\n', ["drconfig.yaml: token must be a non-empty string"]),
        (
            {"DATAROBOT_MAX_RETRIES": "many"},
            "endpoint: https://dr.example.com\ntoken: file-token-value\nconnect_timeout: -1\n",
            [
                "drconfig.yaml: connect_timeout must be a positive number",
                "DATAROBOT_MAX_RETRIES must be a whole number",
            ],
        ),
        (
            {"DATAROBOT_CONFIG_FILE": "/nonexistent/drconfig.yaml"},
            None,
            ["DATAROBOT_CONFIG_FILE names /nonexistent/drconfig.yaml, which is not a file", "no endpoint", "no token"],
        ),
    ],
)
def test_datarobot_missing_or_contradictory_settings_raise_one_error(
    home: Path, environ: dict[str, str], file: str | None, problems: list[str]
) -> None:
    environ = {"HOME": str(home), **environ}
    path = write(default_drconfig_path(environ), file) if file is not None else None
    with pytest.raises(ConfigurationError) as raised:
        DataRobotClient.from_env(environ=environ)
    error = raised.value
    message = str(error)
    assert_problems(error, problems)
    named = [name for name in environ if name != "HOME"]
    assert error.found[: len(named)] == named
    if path is not None:
        assert any(str(path) in entry for entry in error.found)
    assert "needed: an endpoint and a token" in message
    assert_no_secret(message)


def test_the_found_list_names_the_files_keys(home: Path) -> None:
    environ = {"HOME": str(home)}
    path = write(default_drconfig_path(environ), "token: file-token-value\nssl_verify: true\n")
    with pytest.raises(ConfigurationError, match="no endpoint") as raised:
        datarobot_settings(environ)
    assert raised.value.found == [f"{path} (token, ssl_verify)"]


def test_a_drconfig_without_pyyaml_names_the_extra(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {"HOME": str(home)}
    write(default_drconfig_path(environ), "endpoint: https://dr.example.com\ntoken: file-token-value\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml now raises ImportError
    with pytest.raises(ImportError, match=re.escape("pip install 'aioautoml[drconfig]'")):
        datarobot_settings(environ)
    # Without a file, PyYAML is not needed at all.
    environ = {
        "HOME": str(home / "empty"),
        "DATAROBOT_ENDPOINT": "https://dr.example.com",
        "DATAROBOT_API_TOKEN": DR_TOKEN,
    }
    assert datarobot_settings(environ).token == DR_TOKEN


def test_client_keywords_are_the_constructors_keywords() -> None:
    # from_env passes ClientKeywords through to the constructor: a keyword added to one and not
    # the other would be refused at run time, or silently unavailable through from_env.
    import inspect
    import typing

    from aioautoml.client import BaseClient
    from aioautoml.config import ClientKeywords

    constructor = {
        name
        for name, parameter in inspect.signature(BaseClient.__init__).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("token", "token_provider")
    }
    assert set(typing.get_type_hints(ClientKeywords)) == constructor


async def test_aioautoml_rate_store_gives_both_clients_one_shared_budget(redis_server: RedisServer) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_server.url)

    async def reservations() -> int:  # scripts Redis ran: one per request paced through it
        stats = await redis.info("commandstats")
        return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("evalsha", "eval"))

    try:
        async with LoopbackServer(deployments=1) as server:
            store = {"AIOAUTOML_RATE_STORE": redis_server.url}
            qlik_env = {"QLIK_TENANT_URL": server.url, "QLIK_API_KEY": server.token, **store}
            dr_env = {"DATAROBOT_ENDPOINT": f"{server.url}/api/v2", "DATAROBOT_API_TOKEN": server.token, **store}
            dr_env["HOME"] = "/nonexistent"  # no drconfig.yaml
            async with QlikClient.from_env(environ=qlik_env) as qlik, DataRobotClient.from_env(environ=dr_env) as dr:
                await qlik.ml.get_deployment("dep-0001")
                after_qlik = await reservations()
                await dr.models.list_model_packages()
                after_both = await reservations()
            async with QlikClient.from_env(environ=qlik_env, rate_store=None) as local:  # the caller's keyword wins
                await local.ml.get_deployment("dep-0001")
            assert after_qlik >= 1 and after_both > after_qlik  # each client reserved its request in Redis
            assert await reservations() == after_both  # the in-process one did not
    finally:
        await redis.aclose()


@pytest.mark.parametrize("value", ["localhost:6379", "http://127.0.0.1:6379/0"])
def test_a_rate_store_variable_that_is_not_a_redis_url_is_a_configuration_error(value: str) -> None:
    environ = {"QLIK_TENANT_URL": TENANT, "QLIK_API_KEY": API_KEY, "AIOAUTOML_RATE_STORE": value}
    with pytest.raises(ConfigurationError) as caught:
        QlikClient.from_env(environ=environ)
    assert_problems(caught.value, ["AIOAUTOML_RATE_STORE is not a redis://"])
    assert caught.value.found == ["AIOAUTOML_RATE_STORE"]
