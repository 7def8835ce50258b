"""`pamong roster check ROSTER`: check every row, print a summary, write the results file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pamong_edx.errors import DiagnosticsFailed, UsageError
from pamong_edx.regions.commands import regions_option
from pamong_edx.regions.locate import open_regions
from pamong_edx.roster.reader import read_roster
from pamong_edx.roster.results import FORMATS, ResultsWriter
from pamong_edx.roster.summary import Summary


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
    regions = open_regions(regions_path)
    if results_path is None:
        results_path = roster_path.with_name(f"{roster_path.stem}.results.{fmt or 'csv'}")
    if results_path.resolve() == roster_path.resolve():
        raise UsageError(f"the results file {results_path} would overwrite the roster; choose another -o")
    summary = Summary(regions)
    shown = 0
    with read_roster(roster_path, regions, sheet=sheet, columns=columns_path) as reader:
        with ResultsWriter(results_path, regions.names, fmt) as results:
            for checked in reader:
                summary.add(checked)
                results.write(checked)
                if shown < show and not as_json:
                    for diag in checked.diagnostics[:show - shown]:
                        click.echo(diag.located(roster_path))
                        shown += 1
        layout = reader.layout
    total = sum(summary.kinds.values())
    if as_json:
        data = {"roster": str(roster_path), "results": str(results_path), **summary.as_dict(),
                "header_row": layout.header_row,
                "columns": {name: layout.header(name) for name in layout.fields},
                "ignored_columns": layout.ignored}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        if total > shown:
            click.echo(f"... {total - shown} more diagnostics in {results_path}")
        where = f"sheet '{layout.sheet}'" if layout.sheet else f"{layout.encoding}, delimiter '{layout.delimiter}'"
        click.echo(f"{roster_path}: header in row {layout.header_row} ({where})"
                   + (f"; columns not used: {', '.join(layout.ignored)}" if layout.ignored else ""))
        click.echo(summary.text())
        click.echo(f"Results: {results_path}")
    if summary.errors:
        raise DiagnosticsFailed(f"{summary.errors} of {summary.rows} rows have errors; "
                                f"the results file {results_path} says what to fix in each")
