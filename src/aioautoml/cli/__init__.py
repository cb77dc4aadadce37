"""The ``aioautoml`` command: every operation of every API, derived from the operation tables.

    aioautoml qlik ml get-deployment ID
    aioautoml datarobot models list-models PROJECT_ID --all --jsonl
    aioautoml bulk qlik-ml get-deployment --input ids.txt --output results.jsonl --resume

Needs the ``cli`` extra (click): ``pip install 'aioautoml[cli]'``. Exit status: 0 done, 1 an API
error or a failed input, 2 a usage error or a bad body (nothing sent), 130 Ctrl-C, 143 SIGTERM.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return its exit status (the console script exits with it)."""
    try:
        import click
    except ImportError:
        print("the aioautoml command needs click: pip install 'aioautoml[cli]'", file=sys.stderr)
        return 2
    from ._output import FAILED, INTERRUPTED, OK
    from ._root import root

    try:
        result = root.main(list(sys.argv[1:] if argv is None else argv), prog_name="aioautoml", standalone_mode=False)
    except click.exceptions.Exit as done:  # --help, --version
        return done.exit_code
    except click.ClickException as error:  # usage errors: exit 2
        error.show()
        return error.exit_code
    except click.Abort:  # Ctrl-C outside the event loop (click turns it into Abort)
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except OSError as error:  # an --output that cannot be written, a disk that fills: one line too
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        return FAILED
    return result if isinstance(result, int) else OK


if __name__ == "__main__":
    sys.exit(main())
