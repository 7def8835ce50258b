"""`pamong roster check ROSTER`: check every row, print a summary, write the results file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pamong_edx.errors import DiagnosticsFailed
from pamong_edx.i18n import N_, _, ngettext
from pamong_edx.outputs import refuse_overwriting_inputs
from pamong_edx.personal import safe_message
from pamong_edx.regions.commands import regions_option
from pamong_edx.regions.locate import locate_regions, open_regions
from pamong_edx.roster.checks import NIK_WITHHELD
from pamong_edx.roster.reader import read_roster
from pamong_edx.roster.results import ResultsWriter
from pamong_edx.roster.summary import Summary
from pamong_edx.tables import FORMATS


@click.group(help=N_("Read, normalise and check rosters of village officials (CSV or XLSX)."))
def roster() -> None:
    pass


@roster.command(help=N_("Check every row of ROSTER; exit 1 if any row has an error. A results file this command "
                        "wrote, corrected, is a roster too."))
@click.argument("roster_path", metavar="ROSTER", type=click.Path(dir_okay=False, path_type=Path))
@regions_option
@click.option("-o", "--output", "results_path", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Results file (default: beside ROSTER, roster.csv -> roster.results.csv). A .xlsx name writes "
                      "XLSX."))
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help=N_("Results format (default: from -o's suffix, else csv)."))
@click.option("--sheet", help=N_("Sheet of an XLSX roster (default: the first visible sheet)."))
@click.option("--columns", "columns_path", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("TOML file mapping other header names to fields (see docs/roster.md)."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print the summary as JSON."))
@click.option("--show", type=click.IntRange(min=0), default=20, show_default=True,
              help=N_("Print the first N diagnostics (all of them are in the results file)."))
def check(roster_path: Path, regions_path: str | None, results_path: Path | None, fmt: str | None,
          sheet: str | None, columns_path: Path | None, as_json: bool, show: int) -> None:
    if results_path is None:
        results_path = roster_path.with_name(f"{roster_path.stem}.results.{fmt or 'csv'}")
    regions_file, _origin = locate_regions(regions_path)
    refuse_overwriting_inputs([results_path], [roster_path, columns_path, regions_file])
    regions = open_regions(regions_path)
    summary = Summary(regions)
    shown = 0
    with read_roster(roster_path, regions, sheet=sheet, columns=columns_path) as reader:
        # A results file read back withholds every NIK it shows masked (R204, on nearly every row): the lines
        # printed are the other problems, and the summary counts the R204s; all are in the new results file.
        quiet = {NIK_WITHHELD.code} if reader.layout.results_file else set()
        with ResultsWriter(results_path, regions.names, fmt) as results:
            for block in reader.blocks():
                summary.add_block(block)
                results.write_block(block)
                if shown < show and not as_json and block.problems:
                    for i in sorted(block.problems):
                        for diagnostic in block.problems[i]:
                            if diagnostic.code not in quiet and shown < show:
                                click.echo(diagnostic.text())
                                shown += 1
                        if shown >= show:
                            break
        layout = reader.layout
    total = sum(summary.kinds.values())
    if as_json:
        data = {"roster": str(roster_path), "results": str(results_path), **summary.as_dict(),
                "header_row": layout.header_row, "results_file": layout.results_file,
                "columns": {name: safe_message(layout.header(name)) for name in layout.fields},
                "ignored_columns": [safe_message(h) for h in layout.ignored]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        if total > shown and shown:
            click.echo(ngettext("... {count} more diagnostic in {results}", "... {count} more diagnostics in {results}",
                                total - shown).format(count=total - shown, results=results_path))
        elif total > shown:  # none printed (a results file's R204s are only counted): no "more"
            click.echo(ngettext("{count} diagnostic is in {results}", "{count} diagnostics are in {results}",
                                total).format(count=total, results=results_path))
        if layout.sheet:
            where = _("sheet '{sheet}'").format(sheet=safe_message(layout.sheet))
        else:
            where = _("{encoding}, delimiter '{delimiter}'").format(encoding=layout.encoding,
                                                                    delimiter=safe_message(layout.delimiter or ""))
        line = _("{roster}: header in row {row} ({where})").format(roster=roster_path, row=layout.header_row,
                                                                   where=where)
        if layout.ignored:
            line += _("; columns not used: {columns}").format(columns=safe_message(", ".join(layout.ignored)))
        click.echo(line)
        if layout.results_file:
            click.echo(_("{roster} is a results file: a NIK it shows masked is taken as withheld (R204), unless its "
                         "codes say that NIK was wrong (R113)").format(roster=roster_path))
        click.echo(summary.text())
        click.echo(_("Results: {results}").format(results=results_path))
    if summary.errors:
        raise DiagnosticsFailed(_("{errors} of {rows} rows have errors; the results file {results} says what to fix "
                                  "in each").format(errors=summary.errors, rows=summary.rows, results=results_path))
