"""The public surface: what `import aioautoml` exports, and where every model is importable from."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import aioautoml
import aioautoml._generated as generated_root

ROOT = Path(__file__).parent.parent
APIS = sorted(m.name for m in pkgutil.iter_modules(generated_root.__path__) if m.ispkg)

EXPORTED = {
    "QlikClient", "DataRobotClient", "ClientKeywords", "ClientOptions", "RetryPolicy", "TierLimit", "TierStats",
    "RateStore", "RedisStore", "RateStoreError", "ClientCredentials", "TokenProvider", "TokenSource", "Response",
    "Paginator", "Page", "Job", "Bulk", "Outcome", "Call", "Download", "File", "UNSET", "Unset", "AioAutoMLError",
    "InvalidRequestError", "ClientStateError",
    "ConfigurationError", "OAuthError", "APIConnectionError", "APITimeoutError", "RedirectError", "APIStatusError",
    "BadRequestError", "UnauthorizedError", "ForbiddenError", "NotFoundError", "ConflictError",
    "UnprocessableEntityError", "RateLimitError", "ServerError", "ErrorDetail", "UnexpectedStatusError",
    "ResponseParseError", "PagingError", "JobError", "JobFailedError", "JobTimeoutError",
}  # fmt: skip


def test_the_package_exports_its_public_names_and_no_internals() -> None:
    assert set(aioautoml.__all__) == EXPORTED and len(aioautoml.__all__) == len(EXPORTED)
    assert all(hasattr(aioautoml, name) for name in aioautoml.__all__)
    for internal in ("Pacer", "LocalPacer", "Slot", "Tier", "retry_delay", "make_status_error", "Credential"):
        assert internal not in aioautoml.__all__


@pytest.mark.parametrize("api", APIS)
def test_every_model_is_on_the_public_path(api: str) -> None:
    public = importlib.import_module(f"aioautoml.types.{api}")
    generated = importlib.import_module(f"aioautoml._generated.{api}.models")
    assert set(public.__all__) == set(generated.__all__) and public.__all__
    assert all(getattr(public, name) is getattr(generated, name) for name in generated.__all__)


def test_the_readme_imports_only_public_paths() -> None:
    readme = (ROOT / "README.md").read_text()
    code = "\n".join(re.findall(r"```python\n(.*?)```", readme, re.S))
    assert "import" in code and "_generated" not in code
    for module in re.findall(r"^\s*from (aioautoml[\w.]*) import", code, re.M):
        assert not any(part.startswith("_") for part in module.split(".")), module
        importlib.import_module(module)
