"""`pamong regions show CODE` and `pamong regions find NAME [--in CODE]`."""

from __future__ import annotations

import json

import click

from pamong_edx.errors import PamongError
from pamong_edx.i18n import N_, _, ngettext
from pamong_edx.regions.locate import open_regions
from pamong_edx.regions.reference import Region, Regions

regions_option = click.option(
    "--regions", "regions_path", metavar="PATH",
    help=N_("Kemendagri region file (CSV kode,nama). Default: $PAMONG_REGIONS, then regions = \"...\" in "
            "pamong.toml."))


@click.group(help=N_("Look up Kemendagri region codes and names."))
def regions() -> None:
    pass


@regions.command(help=N_("Show the region with CODE (18.71.01.1003, 1871011003, 1871, ...), what it lies in and what "
                         "lies in it."))
@click.argument("code")
@regions_option
@click.option("--json", "as_json", is_flag=True, help=N_("Print the region as JSON."))
def show(code: str, regions_path: str | None, as_json: bool) -> None:
    ref = open_regions(regions_path)
    region = ref[code]
    lineage = ref.lineage(code)
    children = ref.children(region.code)
    if as_json:
        click.echo(json.dumps({
            **_as_dict(region),
            "parents": [_as_dict(r) for r in lineage[:-1]],
            "children": [_as_dict(r) for r in children],
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"{region.label} ({region.type})")
    for r in lineage:
        click.echo(f"  {r.type:<10} {r.code:<14} {r.name}")
    if children:
        click.echo(ngettext("{n} region below:", "{n} regions below:", len(children)).format(n=len(children)))
        for r in children:
            click.echo(f"  {r.type:<10} {r.code:<14} {r.name}")


@regions.command(help=N_("Find regions by NAME, ignoring case, spaces and punctuation; suggests close names when none "
                         "match."))
@click.argument("name")
@click.option("--in", "within", metavar="CODE", help=N_("Search only below this region (e.g. a kecamatan)."))
@click.option("--level", type=click.Choice(["provinsi", "kabupaten", "kecamatan", "desa"]),
              help=N_("Only this level (kabupaten includes kota, desa includes kelurahan)."))
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help=N_("Show at most this many matches."))
@regions_option
@click.option("--json", "as_json", is_flag=True, help=N_("Print the matches as JSON."))
def find(name: str, within: str | None, level: str | None, limit: int, regions_path: str | None,
         as_json: bool) -> None:
    ref = open_regions(regions_path)
    level_number = {"provinsi": 1, "kabupaten": 2, "kecamatan": 3, "desa": 4}.get(level or "")
    matches = ref.find(name, within=within, level=level_number, limit=limit)
    if as_json:
        click.echo(json.dumps([{**_as_dict(m.region), "match": m.how, "in": _where(ref, m.region)}
                               for m in matches], ensure_ascii=False, indent=2))
        return
    if not matches:
        if within:
            raise PamongError(_("no region named '{name}' in {region}, and no close names; check the spelling, or "
                                "search without --in").format(name=name, region=ref.label(within)))
        raise PamongError(_("no region named '{name}', and no close names; check the spelling").format(name=name))
    if all(m.how == "close" for m in matches):
        click.echo(_("no region named '{name}'; closest names:").format(name=name))
    for m in matches:
        where = _where(ref, m.region)
        click.echo(f"{m.region.code:<14} {m.region.name}  ({m.region.type}{'; ' + where if where else ''})")


def _as_dict(region: Region) -> dict[str, object]:
    return {"code": region.code, "name": region.name, "level": region.level, "type": region.type}


def _where(ref: Regions, region: Region) -> str:
    return ", ".join(r.name for r in reversed(ref.parents(region.code)))
