"""``flask --app webadmin`` commands: init-db, create-admin, create-token.

Accounts are created here rather than through a sign-up page: an admin app with open sign-up
would let anyone on the network in.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from sqlalchemy.exc import OperationalError, ProgrammingError

from webadmin.database import db_handle
from webadmin.security import AccountError, create_admin, create_token

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
    @click.option("--reset", is_flag=True, help="Set a new password for an existing user.")
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

    @app.cli.command("create-token")
    @click.argument("username")
    def create_token_command(username: str) -> None:
        """Issue an API token for USERNAME (replaces the previous one). It is shown only once."""
        with db_handle(app).sessions() as session:
            try:
                token = create_token(session, username)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from None
            except (OperationalError, ProgrammingError):
                raise click.ClickException(_NOT_MIGRATED) from None
        click.echo(token)
        click.echo("Keep this token secret: it is stored hashed and cannot be shown again.", err=True)
