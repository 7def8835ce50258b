"""`pamong lms check` and `pamong deploy`."""

from __future__ import annotations

from pathlib import Path

import click

from pamong_edx.errors import PamongError
from pamong_edx.lms.connect import backend_for
from pamong_edx.lms.deploy import deploy_package
from pamong_edx.i18n import _
from pamong_edx.lms.errors import AuthError
from pamong_edx.lms.protocol import Pacing

profile_option = click.option(
    "--profile", "-p", "profile_name", metavar="NAME",
    help="A [profiles.NAME] table of pamong.toml; without it PAMONG_LMS_URL etc. are used.",
)
insecure_option = click.option(
    "--insecure", is_flag=True, help="Allow plain http:// to a host other than this machine (test networks only)."
)


def _pacing(pacing: Pacing) -> str:
    paths = ", ".join(pacing.throttled_paths) or _("every path")
    rate = _("{rate} on {paths}").format(rate=pacing.rate, paths=paths) if pacing.rate else _("no throttle known")
    return _("pacing: {rate} · {budget}").format(rate=rate, budget=pacing.request_budget or
                                                 _("{n} identifiers per call").format(n=pacing.batch_size))


@click.group()
def lms() -> None:
    """Check the LMS a profile points at."""


@lms.command()
@profile_option
@insecure_option
@click.option("--course", "course_id", metavar="COURSE_KEY", help="Also check import rights on this course.")
@click.pass_context
def check(ctx: click.Context, profile_name: str | None, insecure: bool, course_id: str | None) -> None:
    """Who the client acts as, and whether it can do each job (exit 1 if any is impossible)."""
    profile, backend = backend_for(profile_name, insecure=insecure)
    with backend:
        info = backend.info()
        where = ", ".join(f"{k} {v}" for k, v in info.urls.items())
        click.echo(f"profile {profile.name} ({profile.source}): {info.lms} at {where}")
        try:
            me = backend.whoami()
        except AuthError as exc:
            who = f"client '{profile.client_id}'" if profile.client_id else "the profile's token"
            click.echo(f"  [FAIL] sign in as {who}: {exc}")
            click.echo("         fix: check client_id and the secret in the profile's environment variable"
                       if profile.client_id else "         fix: check the token in the profile's environment variable")
            ctx.exit(1)
        staff = "yes" if me.is_staff else "no"
        click.echo(f"acting as: {me.username} ({info.admin_title}: {staff})")
        click.echo(_pacing(backend.pacing))
        capabilities = backend.capabilities(course_id)
        width = max(len(c.job) for c in capabilities)
        for cap in capabilities:
            mark = "ok" if cap.ok else "FAIL"
            click.echo(f"  [{mark:>4}] {cap.job:<{width}}  {cap.detail}")
            if not cap.ok and cap.fix:
                click.echo(f"         fix: {cap.fix}")
    failed = [c for c in capabilities if not c.ok]
    if failed:
        click.echo(f"{len(failed)} of {len(capabilities)} jobs are not possible with this client")
        ctx.exit(1)
    click.echo("all jobs possible")


@click.command()
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@profile_option
@insecure_option
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
@click.option("--course-id", metavar="COURSE_KEY", help="Import into this course instead of the package's own key.")
@click.option("--poll-interval", type=click.FloatRange(min=0.05), default=1.0, show_default=True,
              help="Seconds between import status checks.")
@click.option("--wait-timeout", type=click.FloatRange(min=1), default=1800, show_default=True,
              help="Seconds to follow an import before giving up on it.")
def deploy(
    packages: tuple[Path, ...], profile_name: str | None, insecure: bool, dry_run: bool, course_id: str | None,
    poll_interval: float, wait_timeout: float,
) -> None:
    """Create each package's course run if missing, import it, and follow the import to the end."""
    if course_id and len(packages) > 1:
        raise PamongError("--course-id names one course: deploy one package at a time with it")
    profile, backend = backend_for(profile_name, insecure=insecure)
    failures = []
    manual = 0
    with backend:
        infos = [backend.describe_package(path, course_id) for path in packages]  # all readable before any upload
        for info in infos:
            result = deploy_package(backend, info, echo=click.echo, dry_run=dry_run,
                                    poll_interval=poll_interval, wait_timeout=wait_timeout)
            if not result.ok:
                failures.append(result)
            elif result.state == "manual":
                manual += 1
    if failures:
        names = ", ".join(r.package.path.name for r in failures)
        raise PamongError(f"deploy failed for {len(failures)} of {len(packages)} package(s): {names}")
    if manual:
        click.echo(f"{manual} package(s) need the steps above in {profile.lms}: nothing was uploaded")
    if not dry_run and manual < len(packages):
        click.echo(f"deployed {len(packages) - manual} package(s) to profile {profile.name}")
