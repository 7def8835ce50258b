"""`pamong sandbox`: run a stand-in LMS on 127.0.0.1 to rehearse against (not an LMS)."""

from __future__ import annotations

import errno
from pathlib import Path

import click

from pamong_edx.errors import UsageError
from pamong_edx.i18n import N_, _

rate = click.FloatRange(0, 1)


@click.command(help=N_("Start a stand-in LMS on 127.0.0.1 for rehearsals and tests. It is not an LMS."))
@click.option("--lms", type=click.Choice(["openedx", "moodle", "both"]), default="openedx", show_default=True,
              help=N_("Which LMS to stand in for; both runs the two on two ports."))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help=N_("0 picks a free port."))
@click.option("--moodle-port", type=click.IntRange(0, 65535),
              help=N_("With --lms both: the Moodle stand-in's port (default: --port + 1; any free port with --port 0)."))
@click.option("--token", help=N_("Moodle: the web-service token (default: kept from --data, else random)."))
@click.option("--max-input-vars", type=click.IntRange(50), default=1000, show_default=True,
              help=N_("Moodle: PHP's max_input_vars (POST fields past it are dropped)."))
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help=N_("Keep state in this directory (default: a temporary one, gone at exit)."))
@click.option("--client-id", help=N_("The staff OAuth client's id (default: kept from --data, else pamong-sandbox)."))
@click.option("--client-secret", help=N_("The staff OAuth client's secret (default: kept from --data, else random)."))
@click.option("--token-ttl", type=click.IntRange(1), default=3600, show_default=True, help=N_("Access token lifetime, s."))
@click.option("--no-throttle", is_flag=True, help=N_("Turn off the enrollment throttle (40/min user, 120/min staff)."))
@click.option("--no-bulk-enroll", is_flag=True, help=N_("As if ENABLE_BULK_ENROLLMENT_VIEW were off (route 404s)."))
@click.option("--import-step", type=click.FloatRange(0), default=0.3, show_default=True,
              help=N_("Seconds an import spends in each state."))
@click.option("--latency", "latency_ms", type=click.FloatRange(0), default=0, help=N_("Milliseconds added to each request."))
@click.option("--fail-rate", type=rate, default=0, help=N_("Share of requests answered 500."))
@click.option("--timeout-rate", type=rate, default=0, help=N_("Share of requests whose answer is held back --hang s."))
@click.option("--hang", "hang_s", type=click.FloatRange(0), default=30, show_default=True)
@click.option("--reset-rate", type=rate, default=0, help=N_("Share of connections reset before the request is handled."))
@click.option("--burst-every", type=click.IntRange(0), default=0, help=N_("In each window of N requests ..."))
@click.option("--burst-size", type=click.IntRange(0), default=3, show_default=True, help=N_("... the last K get 429 ..."))
@click.option("--retry-after", type=click.IntRange(0), default=1, show_default=True, help=N_("... with this Retry-After."))
@click.option("--seed", type=int, default=0, show_default=True, help=N_("Seed of the fault draws (same seed, same faults)."))
@click.option("--faults-only", "only", default="", metavar="TEXT",
              help=N_("Inject faults only into requests whose 'METHOD /route' contains TEXT, e.g. 'POST /api/bulk_enroll'."))
@click.option("--simulate-learners", "learners_seed", type=int, metavar="SEED",
              help=N_("Enrolled officials register, start, take the pretest and posttest and pass, a seeded, "
                   "region-dependent share of them (officials enrolled later are simulated within seconds)."))
def sandbox(lms: str, port: int, moodle_port: int | None, token: str | None, max_input_vars: int,
            data_dir: Path | None, client_id: str | None, client_secret: str | None,
            token_ttl: int, no_throttle: bool, no_bulk_enroll: bool, import_step: float, latency_ms: float,
            fail_rate: float, timeout_rate: float, hang_s: float, reset_rate: float, burst_every: int,
            burst_size: int, retry_after: int, seed: int, only: str, learners_seed: int | None) -> None:
    import dataclasses
    import sys

    _require_extra()
    from pamong_edx.sandbox.core.faults import FaultConfig

    faults = FaultConfig(latency_ms=latency_ms, fail_rate=fail_rate, timeout_rate=timeout_rate, hang_s=hang_s,
                         reset_rate=reset_rate, burst_every=burst_every, burst_size=burst_size,
                         retry_after=retry_after, seed=seed, only=only)
    servers = []
    if lms in ("openedx", "both"):
        from pamong_edx.sandbox.openedx import Settings, openedx_sandbox

        settings = Settings(throttle=not no_throttle, token_ttl=token_ttl, bulk_enroll_enabled=not no_bulk_enroll,
                            import_step_s=import_step)
        server = _bind(port, "--port", lambda: openedx_sandbox(data_dir, port=port, client_id=client_id,
                                                     client_secret=client_secret, faults=faults, settings=settings))
        _openedx_banner(server, data_dir)
        servers.append(server)
    if lms in ("moodle", "both"):
        from pamong_edx.sandbox.moodle import Settings as MoodleSettings
        from pamong_edx.sandbox.moodle import moodle_sandbox

        # Two stand-ins, two ports: each keeps its site at the root, as a real LMS is addressed.
        where = port if lms == "moodle" else moodle_port if moodle_port is not None else (port + 1 if port else 0)
        option = "--port" if lms == "moodle" else "--moodle-port"
        server = _bind(where, option, lambda: moodle_sandbox(data_dir, port=where, token=token,
                                                     faults=dataclasses.replace(faults),
                                                     settings=MoodleSettings(max_input_vars=max_input_vars)))
        _moodle_banner(server, data_dir)
        servers.append(server)
    simulators = [_simulate(server, learners_seed) for server in servers] if learners_seed is not None else []
    click.echo(_("  A rehearsal and test stand-in, not an LMS. Ctrl-C stops it."), nl=True)
    sys.stdout.flush()
    for extra in servers[1:]:
        extra.start()
    try:
        servers[0].serve_forever()  # until Ctrl-C, which werkzeug's loop takes quietly
    except KeyboardInterrupt:
        pass
    finally:
        for simulator in simulators:
            simulator.stop()
        for extra in servers[1:]:
            extra.stop()
    click.echo(_("stopped"))


def _simulate(server, seed: int):  # noqa: ANN001, ANN202 - a SandboxServer; returns a running Simulator
    from pamong_edx.sandbox.core.simulate import Simulator

    app = server.app
    if app.title.startswith("Moodle"):
        from pamong_edx.sandbox.moodle.learners import simulate
    else:
        from pamong_edx.sandbox.openedx.learners import simulate
    simulator = Simulator(lambda only_new: simulate(app, seed, only_new=only_new))
    tally = simulator.start()
    click.echo(_("  simulated learners (seed {seed}): {registered} registered, {started} started, {passed} passed "
                 "of {learners} enrolled; officials enrolled later follow within seconds").format(
        seed=seed, registered=tally.registered, started=tally.started, passed=tally.passed, learners=tally.learners))
    return simulator


def _require_extra() -> None:
    """The stand-ins' libraries are the optional [sandbox] extra: without them, one line saying how to add them."""
    try:
        import jwt  # noqa: F401
        import werkzeug  # noqa: F401
    except ImportError as exc:
        raise UsageError(_("the stand-in LMS needs the sandbox extra ({missing} is not installed): "
                           "pip install 'pamong-edx[sandbox]'").format(missing=exc.name)) from None


def _bind(port: int, option: str, make):  # noqa: ANN001, ANN202 - a server factory; returns a SandboxServer
    try:
        return make()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(_("port {port} is already in use: pass {option} N, or {option} 0 for any free port")
                             .format(port=port, option=option)) from None
        raise UsageError(_("cannot start the stand-in: {error}").format(error=exc.strerror or exc)) from None


def _openedx_banner(server, data_dir: Path | None) -> None:  # noqa: ANN001 - a SandboxServer
    app = server.app
    click.echo(_("pamong sandbox ({title}) listening on {url}").format(title=app.title, url=server.url), nl=True)
    click.echo(_("  LMS and Studio: {url}").format(url=server.url))
    for cred in app.credentials:
        role = _("global staff") if cred.username == "pamong_staff" else _("not staff")
        click.echo(_("  client: client_id={client_id} client_secret={secret} (acts as {username}, {role}; "
                     "session login {email} password {password})").format(
            client_id=cred.client_id, secret=cred.client_secret, username=cred.username, role=role,
            email=cred.email, password=cred.password))
    _common_banner(server, data_dir)


def _common_banner(server, data_dir: Path | None) -> None:  # noqa: ANN001 - a SandboxServer
    click.echo(_("  data: {where}").format(where=data_dir or _("temporary (gone at exit)")))
    click.echo(_("  stats: {url}/__sandbox__/stats   config: {url}/__sandbox__/config").format(url=server.url))


def _moodle_banner(server, data_dir: Path | None) -> None:  # noqa: ANN001 - a SandboxServer
    app = server.app
    click.echo(_("pamong sandbox ({title}) listening on {url}").format(title=app.title, url=server.url), nl=True)
    click.echo(_("  web services: {url}/webservice/rest/server.php").format(url=server.url))
    for token in app.tokens:
        what = _("every function the toolkit uses") if token.service == "pamong" else _("read-only functions")
        click.echo(_("  token: {token} (user {username}, service {service}: {what})").format(
            token=token.token, username=token.username, service=token.service, what=what))
    _common_banner(server, data_dir)
