"""The `pamong` command line.

The root group lives here; each job's commands live beside the code they drive and are imported only when
invoked: `pamong --help` lists them from the table below without importing any, so it starts at once, and a
broken optional dependency breaks only its own command.

The language of every message is chosen before anything is printed (`--lang`, accepted on every command, then
`PAMONG_LANG`, `lang` in pamong.toml, the locale: see pamong_edx/i18n.py); command and option help is written in
English, marked with `N_()`, and translated when shown.

Every error the user can act on is a PamongError: one line on stderr and a non-zero exit; a traceback only
with --debug. Errors are printed with control characters escaped, so a file name or a server's answer holding
ESC or NUL cannot drive the terminal.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping, Sequence

import click

from pamong_edx import __version__, i18n
from pamong_edx.errors import PamongError, UsageError
from pamong_edx.i18n import N_, _

# command name -> ("module:attribute", one-line summary shown by `pamong --help` without importing the module)
COMMANDS = {
    "new": ("pamong_edx.course.commands:new", N_("Create a small, valid course to start from.")),
    "validate": ("pamong_edx.course.commands:validate", N_("Check course sources and report every problem.")),
    "build": ("pamong_edx.build:build", N_("Compile courses into Open edX OLX and SCORM packages.")),
    "preview": ("pamong_edx.preview.command:preview", N_("Serve a course on 127.0.0.1, reloaded as it is edited.")),
    "schema": ("pamong_edx.course.commands:schema", N_("Print the JSON Schema of course.yaml for editors.")),
    "plugins": ("pamong_edx.course.commands:plugins", N_("List the installed plugins and whether each loaded.")),
    "regions": ("pamong_edx.regions.commands:regions", N_("Look up Kemendagri region codes and names.")),
    "roster": ("pamong_edx.roster.commands:roster", N_("Check rosters of village officials (CSV or XLSX).")),
    "lms": ("pamong_edx.lms.commands:lms", N_("Check the LMS a profile points at.")),
    "deploy": ("pamong_edx.lms.commands:deploy", N_("Import course packages into an LMS.")),
    "sandbox": ("pamong_edx.sandbox.commands:sandbox", N_("Start a stand-in LMS on 127.0.0.1 for rehearsals.")),
    "enrol": ("pamong_edx.enrol.commands:enrol", N_("Enrol the officials of a roster into LMS courses.")),
    "report": ("pamong_edx.report.commands:report",
               N_("Progress of the officials by region from the LMS, as XLSX, HTML, CSV or JSON.")),
}

LANG_HELP = N_("Language of messages: id or en (default: PAMONG_LANG, lang in pamong.toml, else the locale).")


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        i18n.set_language(value)


def lang_option() -> click.Option:
    return click.Option(["--lang"], type=click.Choice(i18n.LANGUAGES), expose_value=False, is_eager=True,
                        callback=_set_lang, help=LANG_HELP)


def localise(command: click.Command) -> click.Command:
    """Translate a command's help (and its subcommands') into the current language, and accept --lang on it.

    The English texts are kept aside, so a later call in another language translates from them again."""
    if not any("--lang" in getattr(p, "opts", ()) for p in command.params):
        command.params.append(lang_option())
    for item in (command, *command.params):
        for attr in ("help", "short_help", "epilog"):
            original = item.__dict__.setdefault(f"_pamong_{attr}", getattr(item, attr, None))
            if isinstance(original, str):
                setattr(item, attr, _(original))
    if getattr(command, "_help_option", None) is not None:
        command._help_option = None  # click builds --help once, in the language of that moment: build it again
    for sub in getattr(command, "commands", {}).values():
        localise(sub)
    return command


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
        return localise(getattr(importlib.import_module(module_name), attr))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _(COMMANDS[name][1])) for name in self.list_commands(ctx)]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("pamong-edx: build courses, check rosters and enrol village officials into an LMS."))
@click.version_option(__version__, prog_name="pamong", help=N_("Show the version and exit."))
@click.option("--debug", is_flag=True, help=N_("Show full tracebacks on errors."))
@click.option("--lang", type=click.Choice(i18n.LANGUAGES), expose_value=False, is_eager=True, callback=_set_lang,
              help=LANG_HELP)
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    ctx.obj = {"debug": debug}


def _route_click_messages() -> None:
    """Send click's own texts (Usage:, Options:, No such option…) through the toolkit's catalogue, so they follow
    --lang like every other message. Click translates them with the stdlib's gettext functions, imported by name
    into each of its modules, under the process-wide domain; only those names are rebound (compared by identity),
    and the catalogue holds their translations, extracted from click's source with the toolkit's own."""
    import gettext

    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is gettext.gettext:
                module._ = _
            if getattr(module, "ngettext", None) is gettext.ngettext:
                module.ngettext = i18n.ngettext


_route_click_messages()


# ----------------------------------------------------------------------------------------------- language


def flag_value(args: Sequence[str], flag: str) -> str | None:
    """The value given to `flag` anywhere on the command line (`--lang id` or `--lang=id`), the last one winning,
    as click takes it; None when absent. Arguments after `--` are not options."""
    value = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == flag and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(flag + "="):
            value = arg[len(flag) + 1:]
    return value


def choose_language(args: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """--lang, then PAMONG_LANG, then `lang` in pamong.toml, then the locale."""
    env = os.environ if env is None else env
    flag = flag_value(args, "--lang")
    if flag in i18n.LANGUAGES:
        return flag  # an invalid --lang is reported by click, in the language chosen below
    if env.get(i18n.ENV_VAR):
        return _known_language(env[i18n.ENV_VAR], i18n.ENV_VAR, env)
    from pamong_edx.config import setting

    found = setting("lang", env=env)
    if found is not None:
        value, path = found
        return _known_language(value, _("'lang' in {path}").format(path=path), env)
    return i18n.from_locale(env)


def _known_language(value: object, where: str, env: Mapping[str, str]) -> str:
    language = i18n.normalise(value) if isinstance(value, str) else None
    if language is None:
        i18n.set_language(i18n.from_locale(env))  # the error itself in the locale's language
        raise UsageError(_("{where} is {value!r}; the languages are {known}").format(
            where=where, value=value, known=", ".join(i18n.LANGUAGES)))
    return language


# ----------------------------------------------------------------------------------------------- errors


def echo_error(text: str) -> None:
    """One error on stderr, its control characters escaped."""
    from pamong_edx.diagnostics import printable

    click.echo(printable(text), err=True)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    previous = i18n.language()
    try:
        i18n.set_language(choose_language(args))
        localise(cli)
        rv = cli.main(args=args, prog_name="pamong", standalone_mode=False)
    except click.exceptions.Abort:
        echo_error(_("aborted"))
        sys.exit(130)
    except click.ClickException as exc:
        from pamong_edx.diagnostics import printable

        exc.message = printable(exc.message)
        exc.show()
        sys.exit(exc.exit_code)
    except PamongError as exc:
        if debug:
            raise
        echo_error(_("error: {message}").format(message=exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        echo_error(_("interrupted"))
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        echo_error(_("internal error: {kind}: {detail} (run with --debug for the traceback)").format(
            kind=type(exc).__name__, detail=exc))
        sys.exit(70)
    finally:
        i18n.set_language(previous)  # an in-process caller keeps its own language
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
