"""Blueprints, one per area of the admin app. Views only parse, call and redirect/render."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from webadmin.views import api, auth, chat, compare, dashboard, datasets, faq, gate, trials

    for module in (auth, dashboard, trials, compare, datasets, faq, chat, gate, api):
        app.register_blueprint(module.bp)
