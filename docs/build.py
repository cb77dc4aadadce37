"""`make docs`: the API reference, a static site in docs/site (pdoc, pinned in the `docs` extra).

    python docs/build.py [--output docs/site] [--screenshot docs/qlik-ml.png]

One page per public module: the guide (the README) on the index page, the clients, the API
objects (aioautoml.apis.*: every method with its signature and parameter docs), the models
(aioautoml.types.*: every model's fields and constructor), errors, paging, jobs, files, bulk
runs, pacing and the loopback server. Any warning pdoc raises (an annotation it cannot render, a
reference it cannot resolve) fails the build. Nothing is fetched: the pages carry their own CSS
and scripts, and no web fonts.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

MODULES = [
    "aioautoml",
    "aioautoml.qlik",
    "aioautoml.datarobot",
    "aioautoml.apis",
    "aioautoml.types",
    "aioautoml.errors",
    "aioautoml.pages",
    "aioautoml.jobs",
    "aioautoml.files",
    "aioautoml.bulk",
    "aioautoml.limits",
    "aioautoml.retry",
    "aioautoml.auth",
    "aioautoml.oauth",
    "aioautoml.config",
    "aioautoml.client",
    "aioautoml.testing",
]


def build(output: Path) -> None:
    import pdoc
    import pdoc.render

    import aioautoml

    # The index page is the guide: the README, followed by what the package exports.
    aioautoml.__doc__ = README.read_text() + "\n\n## Reference\n\n" + (aioautoml.__doc__ or "")
    pdoc.render.configure(
        docformat="google",
        show_source=False,
        search=True,
        math=False,
        mermaid=False,
        footer_text=f"aioautoml {aioautoml.__version__}",
    )
    if output.exists():
        shutil.rmtree(output)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", module=r"pdoc(\.|$)")  # warnings as errors: pdoc's own
        pdoc.pdoc(*MODULES, output_directory=output)


def screenshot(page: Path, image: Path) -> None:
    """The page as a person sees it, in headless Chromium (Debian's `chromium`)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium not found: apt-get install chromium (needed only for --screenshot)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",  # as root, Chromium refuses to start with its sandbox
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--hide-scrollbars",
                "--window-size=1400,1800",
                f"--screenshot={image}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "site")
    parser.add_argument("--screenshot", type=Path, help="also save a screenshot of the qlik.ml page")
    args = parser.parse_args()
    build(args.output)
    page = args.output / "aioautoml" / "apis" / "qlik_ml.html"
    print(f"docs: wrote {args.output} ({sum(1 for _ in args.output.rglob('*.html'))} pages)")
    if args.screenshot:
        screenshot(page, args.screenshot)
        print(f"docs: screenshot of {page.relative_to(args.output)} in {args.screenshot}")


if __name__ == "__main__":
    sys.exit(main())
