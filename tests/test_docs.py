"""The API reference (make docs): built offline, every method and model on its page."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aioautoml._wire import operation_table

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("docs") / "site"
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "build.py"), "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr  # a pdoc warning fails the build
    return output


def text_of(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


@pytest.mark.timeout(300)
def test_the_qlik_ml_page_lists_every_method_with_its_signature(site: Path) -> None:
    page = (site / "aioautoml" / "apis" / "qlik_ml.html").read_text()
    for operation in operation_table("qlik_ml").values():
        name = operation.python_name
        assert f'id="Api.{name}"' in page and f'id="RawApi.{name}"' in page, name
    text = text_of(site / "aioautoml" / "apis" / "qlik_ml.html")
    assert re.search(r"get_deployment\(\s*self,\s*deployment_id: str\)", text)
    assert "Arguments:" in text and "Returns:" in text and "Raises:" in text
    # the document's words for each parameter, and what the extensions say (tier, deprecation)
    assert "Deployment fields by which you can filter responses" in text
    assert "Rate limit: Tier 1 (1000 requests per minute" in text
    automl = text_of(site / "aioautoml" / "apis" / "qlik_automl_predictions.html")
    assert "Deprecated. Sunset: 2026-02." in automl


@pytest.mark.timeout(300)
def test_model_pages_show_fields_and_constructors(site: Path) -> None:
    text = text_of(site / "aioautoml" / "types" / "qlik_ml.html")
    # attrs writes __init__ at run time: the page must still show its signature, and each field.
    assert re.search(r"DeploymentAttributes\(\s*id: str,\s*name: str,\s*model_id: str", text)
    assert re.search(r"enable_predictions: bool", text)
    assert "ID of the model" in text  # a field's description from the spec


@pytest.mark.timeout(300)
def test_the_guide_is_the_index_page_and_nothing_is_fetched(site: Path) -> None:
    index = text_of(site / "aioautoml.html")
    assert "Rate tiers and pacing" in index and "Bulk runs" in index
    for page in site.rglob("*.html"):
        source = page.read_text()
        fetched = re.findall(r"<(?:link|script|img)[^>]+(?:href|src)=[\"']?(https?:)?//", source)
        assert fetched == [], page  # no web fonts, no CDN scripts: the site works offline
