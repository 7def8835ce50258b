"""The `pamong` command line.

The root group lives here; each job's commands live beside the code they drive and are imported only when
invoked (so `pamong --help` stays fast and a broken optional dependency breaks only its own command).
Every error the user can act on is a PamongError: one line on stderr and a non-zero exit; a traceback only
with --debug.
"""

from __future__ import annotations

import importlib
import sys

import click

from pamong_edx import __version__
from pamong_edx.errors import PamongError

# command name -> "module:attribute"
COMMANDS = {
    "new": "pamong_edx.course.commands:new",
    "validate": "pamong_edx.course.commands:validate",
    "build": "pamong_edx.build:build",
    "schema": "pamong_edx.course.commands:schema",
    "plugins": "pamong_edx.course.commands:plugins",
    "regions": "pamong_edx.regions.commands:regions",
    "roster": "pamong_edx.roster.commands:roster",
    "lms": "pamong_edx.lms.commands:lms",
    "deploy": "pamong_edx.lms.commands:deploy",
    "sandbox": "pamong_edx.sandbox.commands:sandbox",
    "enrol": "pamong_edx.enrol.commands:enrol",
    "report": "pamong_edx.report.commands:report",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pamong")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """pamong-edx: build courses, check rosters and enrol village officials into an LMS."""
    ctx.obj = {"debug": debug}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        rv = cli.main(args=args, prog_name="pamong", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except PamongError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        sys.exit(70)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
