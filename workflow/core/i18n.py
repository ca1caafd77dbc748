"""Language and time zone: Vietnamese by default, English on request.

The locale is the signed-in person's setting, else the one chosen on the sign-in page (kept in
the session), else the configured default. Dates are shown in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from workflow.settings import PROJECT_ROOT

LOCALES = {"vi": "Tiếng Việt", "en": "English"}
TRANSLATIONS_DIR = PROJECT_ROOT / "workflow" / "translations"


def select_locale() -> str:
    if request:
        if getattr(current_user, "is_authenticated", False) and current_user.locale in LOCALES:
            return current_user.locale
        if session.get("locale") in LOCALES:
            return session["locale"]
        # API clients may ask with Accept-Language; browsers get the province's default.
        if request.path.startswith("/api/"):
            match = request.accept_languages.best_match(LOCALES)
            if match:
                return match
    return current_app.config["KPI"]["default_locale"]


def select_timezone() -> str:
    return current_app.config["KPI"]["timezone"]


def init_app(app: Flask) -> None:
    from workflow.extensions import babel

    app.config["BABEL_DEFAULT_LOCALE"] = app.config["KPI"]["default_locale"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["KPI"]["timezone"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals["LOCALES"] = LOCALES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["date"] = lambda d, fmt="short": format_date(d, fmt) if d else ""
    app.jinja_env.filters["datetime"] = lambda d, fmt="short": format_datetime(d, fmt) if d else ""
    app.jinja_env.filters["number"] = lambda n, fmt=None: "" if n is None else format_decimal(n, fmt)
