"""`pamong roster check ROSTER`: check every row, print a summary, write the results file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pamong_edx.errors import DiagnosticsFailed
from pamong_edx.i18n import _
from pamong_edx.outputs import refuse_overwriting_inputs
from pamong_edx.personal import safe_message
from pamong_edx.regions.commands import regions_option
from pamong_edx.regions.locate import locate_regions, open_regions
from pamong_edx.roster.reader import read_roster
from pamong_edx.roster.results import ResultsWriter
from pamong_edx.roster.summary import Summary
from pamong_edx.tables import FORMATS


@click.group()
def roster() -> None:
    """Read, normalise and check rosters of village officials (CSV or XLSX)."""


@roster.command()
@click.argument("roster_path", metavar="ROSTER", type=click.Path(dir_okay=False, path_type=Path))
@regions_option
@click.option("-o", "--output", "results_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Results file (default: beside ROSTER, roster.csv -> roster.results.csv). A .xlsx name writes XLSX.")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Results format (default: from -o's suffix, else csv).")
@click.option("--sheet", help="Sheet of an XLSX roster (default: the first visible sheet).")
@click.option("--columns", "columns_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML file mapping other header names to fields (see docs/roster.md).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--show", type=click.IntRange(min=0), default=20, show_default=True,
              help="Print the first N diagnostics (all of them are in the results file).")
def check(roster_path: Path, regions_path: str | None, results_path: Path | None, fmt: str | None,
          sheet: str | None, columns_path: Path | None, as_json: bool, show: int) -> None:
    """Check every row of ROSTER; exit 1 if any row has an error."""
    if results_path is None:
        results_path = roster_path.with_name(f"{roster_path.stem}.results.{fmt or 'csv'}")
    regions_file, _origin = locate_regions(regions_path)
    refuse_overwriting_inputs([results_path], [roster_path, columns_path, regions_file])
    regions = open_regions(regions_path)
    summary = Summary(regions)
    shown = 0
    with read_roster(roster_path, regions, sheet=sheet, columns=columns_path) as reader:
        with ResultsWriter(results_path, regions.names, fmt) as results:
            for block in reader.blocks():
                summary.add_block(block)
                results.write_block(block)
                if shown < show and not as_json and block.problems:
                    for i in sorted(block.problems):
                        for diagnostic in block.problems[i][:show - shown]:
                            click.echo(diagnostic.text())
                            shown += 1
                        if shown >= show:
                            break
        layout = reader.layout
    total = sum(summary.kinds.values())
    if as_json:
        data = {"roster": str(roster_path), "results": str(results_path), **summary.as_dict(),
                "header_row": layout.header_row,
                "columns": {name: safe_message(layout.header(name)) for name in layout.fields},
                "ignored_columns": [safe_message(h) for h in layout.ignored]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        if total > shown:
            click.echo(_("... {count} more diagnostics in {results}").format(count=total - shown, results=results_path))
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
        click.echo(summary.text())
        click.echo(_("Results: {results}").format(results=results_path))
    if summary.errors:
        raise DiagnosticsFailed(_("{errors} of {rows} rows have errors; the results file {results} says what to fix "
                                  "in each").format(errors=summary.errors, rows=summary.rows, results=results_path))
