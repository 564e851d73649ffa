"""``flask --app webadmin`` commands: init-db, create-admin, create-token, revoke-token.

Accounts are created here rather than through a sign-up page: an admin app with open sign-up
would let anyone on the network in.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from sqlalchemy.exc import OperationalError, ProgrammingError

from webadmin.database import db_handle
from webadmin.security import MAX_TOKEN_DAYS, AccountError, create_admin, create_token, normalise_username, revoke_token

_NOT_MIGRATED = "the database has no tables yet; run 'flask --app webadmin init-db' first"


def register_commands(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db_command() -> None:
        """Create or upgrade the database schema (Alembic migrations) at DATABASE_URL."""
        from db.migrate import upgrade

        upgrade(app.config["DATABASE_URL"])
        click.echo("database is at the latest schema")

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
    @click.option("--reset", is_flag=True, help="Set a new password for an existing user (signs out its sessions, revokes its API token).")
    def create_admin_command(username: str, password_stdin: bool, reset: bool) -> None:
        """Create an admin account (prompts for the password twice)."""
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        with db_handle(app).sessions() as session:
            try:
                user = create_admin(session, username, password, reset=reset)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from None
            except (OperationalError, ProgrammingError):
                raise click.ClickException(_NOT_MIGRATED) from None
            click.echo(f"admin {user.username!r} is ready; sign in at /login")
            if reset:
                click.echo("Its sessions are signed out and its API token (if any) is revoked.")

    @app.cli.command("create-token")
    @click.argument("username")
    @click.option("--expires-days", type=click.IntRange(1, MAX_TOKEN_DAYS), default=None,
                  help="Refuse the token after this many days (default: it does not expire).")
    def create_token_command(username: str, expires_days: int | None) -> None:
        """Issue an API token for the admin USERNAME (replaces the previous one). It is shown only once."""
        with db_handle(app).sessions() as session:
            try:
                token = create_token(session, username, expires_days=expires_days)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from None
            except (OperationalError, ProgrammingError):
                raise click.ClickException(_NOT_MIGRATED) from None
        click.echo(token)
        click.echo("Keep this token secret: it is stored hashed and cannot be shown again.", err=True)
        if expires_days:
            click.echo(f"It expires in {expires_days} day(s).", err=True)

    @app.cli.command("revoke-token")
    @click.argument("username")
    def revoke_token_command(username: str) -> None:
        """Revoke the API token of USERNAME: requests sending it get 401 from now on."""
        with db_handle(app).sessions() as session:
            try:
                had_token = revoke_token(session, username)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from None
            except (OperationalError, ProgrammingError):
                raise click.ClickException(_NOT_MIGRATED) from None
        name = normalise_username(username)
        click.echo(f"the API token of {name!r} is revoked" if had_token else f"{name!r} has no API token; nothing to revoke")
