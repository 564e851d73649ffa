"""Sign in and sign out. Accounts are created from the command line (see webadmin.cli).

Sign-in POSTs are rate-limited per username and per client address (webadmin.throttling).
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from webadmin.access import end_session, public, safe_next_url, start_session
from webadmin.database import get_session
from webadmin.security import authenticate

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_url = safe_next_url(request.values.get("next"))
    if request.method == "GET":
        return render_template("auth/login.html", next_url=next_url)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    user = authenticate(get_session(), username, password)
    if user is None or not user.is_admin:
        error = "Wrong username or password. Check both and try again."
        return render_template("auth/login.html", next_url=next_url, error=error, username=username), 401
    start_session(user)
    return redirect(next_url or url_for("dashboard.index"))


@bp.route("/logout", methods=["POST"])
def logout():
    end_session(g.user)
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))
