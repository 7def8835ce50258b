"""`pamong lms check` and `pamong deploy`."""

from __future__ import annotations

from pathlib import Path

import click

from pamong_edx.errors import PamongError
from pamong_edx.lms.connect import backend_for
from pamong_edx.lms.deploy import deploy_package
from pamong_edx.i18n import N_, _
from pamong_edx.lms.errors import AuthError
from pamong_edx.lms.protocol import Pacing

profile_option = click.option(
    "--profile", "-p", "profile_name", metavar="NAME",
    help=N_("A [profiles.NAME] table of pamong.toml; without it PAMONG_LMS_URL etc. are used."),
)
insecure_option = click.option(
    "--insecure", is_flag=True,
    help=N_("Allow plain http:// to a host other than this machine (test networks only).")
)


def _pacing(pacing: Pacing) -> str:
    paths = ", ".join(pacing.throttled_paths) or _("every path")
    rate = _("{rate} on {paths}").format(rate=pacing.rate, paths=paths) if pacing.rate else _("no throttle known")
    return _("pacing: {rate} · {budget}").format(rate=rate, budget=pacing.request_budget or
                                                 _("{n} identifiers per call").format(n=pacing.batch_size))


@click.group(help=N_("Check the LMS a profile points at."))
def lms() -> None:
    pass


@lms.command(help=N_("Who the client acts as, and whether it can do each job (exit 1 if any is impossible)."))
@profile_option
@insecure_option
@click.option("--course", "course_id", metavar="COURSE_KEY", help=N_("Also check import rights on this course."))
@click.pass_context
def check(ctx: click.Context, profile_name: str | None, insecure: bool, course_id: str | None) -> None:
    profile, backend = backend_for(profile_name, insecure=insecure)
    with backend:
        info = backend.info()
        where = ", ".join(f"{k} {v}" for k, v in info.urls.items())
        click.echo(_("profile {name} ({source}): {lms} at {where}").format(name=profile.name, source=profile.source,
                                                                             lms=info.lms, where=where))
        marks = max(len(_("ok")), len(_("FAIL")))  # one column in every language ("baik", "GAGAL")
        try:
            me = backend.whoami()
        except AuthError as exc:
            who = (_("client '{client}'").format(client=profile.client_id) if profile.client_id
                   else _("the profile's token"))
            fail = _("FAIL")
            click.echo(f"  [{fail:>{marks}}] " + _("sign in as {who}: {error}").format(who=who, error=exc))
            fix = (_("fix: check client_id and the secret in the profile's environment variable") if profile.client_id
                   else _("fix: check the token in the profile's environment variable"))
            click.echo(" " * (marks + 5) + fix)
            ctx.exit(1)
        staff = _("yes") if me.is_staff else _("no")
        click.echo(_("acting as: {user} ({role}: {staff})").format(user=me.username, role=_(info.admin_title),
                                                                   staff=staff))
        click.echo(_pacing(backend.pacing))
        capabilities = backend.capabilities(course_id)
        width = max(len(c.job) for c in capabilities)
        for cap in capabilities:
            mark = _("ok") if cap.ok else _("FAIL")
            click.echo(f"  [{mark:>{marks}}] {cap.job:<{width}}  {cap.detail}")
            if not cap.ok and cap.fix:
                click.echo(" " * (marks + 5) + _("fix: {fix}").format(fix=cap.fix))
    failed = [c for c in capabilities if not c.ok]
    if failed:
        click.echo(_("{failed} of {count} jobs are not possible with this client").format(failed=len(failed),
                                                                                           count=len(capabilities)))
        ctx.exit(1)
    click.echo(_("all jobs possible"))


@click.command(help=N_("Create each package's course run if missing, import it, and follow the import to the end."))
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@profile_option
@insecure_option
@click.option("--dry-run", is_flag=True, help=N_("Say what would be done; change nothing."))
@click.option("--course-id", metavar="COURSE_KEY", help=N_("Import into this course instead of the package's own key."))
@click.option("--poll-interval", type=click.FloatRange(min=0.05), default=1.0, show_default=True,
              help=N_("Seconds between import status checks."))
@click.option("--wait-timeout", type=click.FloatRange(min=1), default=1800, show_default=True,
              help=N_("Seconds to follow an import before giving up on it."))
def deploy(
    packages: tuple[Path, ...], profile_name: str | None, insecure: bool, dry_run: bool, course_id: str | None,
    poll_interval: float, wait_timeout: float,
) -> None:
    if course_id and len(packages) > 1:
        raise PamongError(_("--course-id names one course: deploy one package at a time with it"))
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
        raise PamongError(_("deploy failed for {failed} of {count} package(s): {names}").format(
            failed=len(failures), count=len(packages), names=names))
    if manual:
        click.echo(_("{count} package(s) need the steps above in {lms}: nothing was uploaded").format(
            count=manual, lms=profile.lms))
    if not dry_run and manual < len(packages):
        click.echo(_("deployed {count} package(s) to profile {profile}").format(count=len(packages) - manual,
                                                                                 profile=profile.name))
