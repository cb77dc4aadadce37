"""The top of the command tree: a group per vendor, and ``bulk``."""

from __future__ import annotations

import click

from .. import __version__
from ._catalog import CLIENTS


class Root(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*sorted(CLIENTS), "bulk"]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in CLIENTS:
            from ._commands import VendorGroup

            return VendorGroup(cmd_name)
        if cmd_name == "bulk":
            from ._bulk import bulk

            return bulk
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from ._commands import write_rows

        # Written out here so that --help reads no operation table at all.
        rows = [(vendor, f"{vendor} APIs: aioautoml {vendor} --help") for vendor in sorted(CLIENTS)]
        rows.append(("bulk", "One operation over many inputs, resumable: aioautoml bulk --help"))
        write_rows(formatter, "Commands", rows)


root = Root(
    "aioautoml",
    help=(
        "Every operation of the Qlik Cloud ML, AutoML predictions, Automations and Data stores APIs and"
        " the DataRobot Models API, configured by the environment (QLIK_TENANT_URL + QLIK_API_KEY or"
        " client credentials; DATAROBOT_ENDPOINT + DATAROBOT_API_TOKEN or drconfig.yaml)."
        "\n\nResults print as JSON. Exit status: 0 done, 1 an API error or a failed input, 2 a usage"
        " error or a bad body (nothing sent), 130 interrupted, 143 terminated (SIGTERM)."
    ),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
root = click.version_option(__version__, prog_name="aioautoml")(root)
