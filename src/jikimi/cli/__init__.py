"""The ``jikimi`` command line: thin faces over the ``Jikimi`` façade, one module per command group.

Exit codes: 0 success; 1 the check found errors (lint errors, a broken access log, rows skipped);
2 the input could not be used (a policy file that does not load, a bad option, a database that
does not answer). Errors are printed as ``file:line: key: reason`` or ``error [code]: message``
lines on stderr, never as tracebacks.

``policy`` the policy file (lint, render, consent, diff, publish); ``admin`` the database, master
keys, handlers and the access log; ``serve`` the HTTP API and the demo; ``importing`` bulk imports;
``lifecycle`` sweeps and the destruction ledger;
``delivery`` notices delivered and the outbox; ``rights`` data-subject requests; ``sharing``
provision, processors and statistics; ``incidents`` breach response (``jikimi incident``);
``marketing`` the advertising send gate and consents to receive; ``complaints`` complaints on the
clock; ``notices`` policy changes told ahead and the yearly usage notice; ``pii`` free-text
masking.
Shared options live in ``_common``.
"""

from __future__ import annotations

import sys

import typer

from jikimi.cli.admin import audit_app, db_app, handlers_app, keys_app
from jikimi.cli.complaints import complaints_app
from jikimi.cli.delivery import deliver_command, outbox_app
from jikimi.cli.events import events_app
from jikimi.cli.importing import import_command
from jikimi.cli.incidents import incident_app
from jikimi.cli.lifecycle import ledger_command, sweep_command
from jikimi.cli.marketing import marketing_app
from jikimi.cli.notices import notices_app
from jikimi.cli.pii import pii_app
from jikimi.cli.policy import policy_app, rules_command, statutes_command
from jikimi.cli.rights import rights_app
from jikimi.cli.serve import demo_code_command, demo_command, serve_command
from jikimi.cli.sharing import export_app, processors_app, provide_app
from jikimi.errors import JikimiError, PolicyLoadError

app = typer.Typer(
    name="jikimi",
    help="지킴이 — 개인정보 처리방침을 파일로 쓰고, 그대로 공개하고 지킵니다. "
    "(jikimi: a privacy policy written once as a file, published and kept as written.)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(policy_app, name="policy")
app.command("rules")(rules_command)
app.command("statutes")(statutes_command)
app.command("serve")(serve_command)
app.command("demo")(demo_command)
app.command("demo-code")(demo_code_command)
app.command("import")(import_command)
app.command("sweep")(sweep_command)
app.command("ledger")(ledger_command)
app.command("deliver")(deliver_command)
app.add_typer(outbox_app, name="outbox")
app.add_typer(events_app, name="events")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(handlers_app, name="handlers")
app.add_typer(audit_app, name="audit")
app.add_typer(provide_app, name="provide")
app.add_typer(processors_app, name="processors")
app.add_typer(export_app, name="export")
app.add_typer(rights_app, name="rights")
app.add_typer(incident_app, name="incident")
app.add_typer(marketing_app, name="marketing")
app.add_typer(complaints_app, name="complaints")
app.add_typer(notices_app, name="notices")
app.add_typer(pii_app, name="pii")


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; jikimi's own errors become messages, not tracebacks."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="jikimi", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("중단했습니다 (aborted)", err=True)
        return 1
    except PolicyLoadError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        return 2
    except JikimiError as exc:
        typer.echo(f"error [{exc.code}]: {exc}", err=True)
        return 2
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"Error: {exc}", err=True)
        return 2
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))
