"""Language and time zone: Vietnamese by default, English on request.

The locale is the signed-in person's setting, else the one chosen on the sign-in page (kept in
the session), else the configured default. Numbers, dates and times are shown the Vietnamese way
in both languages, dates in Asia/Ho_Chi_Minh: the filters below are `workflow.core.formats`.
"""

from __future__ import annotations

from babel.support import NullTranslations
from flask import Flask, current_app, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user

from workflow.core import formats
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
    _install_template_gettext(app)
    app.jinja_env.globals["LOCALES"] = LOCALES
    app.jinja_env.globals["get_locale"] = get_locale
    # One format each, whatever a template asks: `|date` 07/12/2026, `|datetime` 07/12/2026 04:27,
    # `|time` 04:27 (a format argument, as older templates pass, is not honoured on purpose).
    app.jinja_env.filters["date"] = lambda d, *_: formats.day(d)
    app.jinja_env.filters["datetime"] = lambda d, *_: formats.day_time(d)
    app.jinja_env.filters["time"] = lambda d, *_: formats.time_of_day(d)
    # `|number` 1.234,5; `|number('#,##0.00')` two decimals always.
    app.jinja_env.filters["number"] = lambda n, pattern=None: formats.number(n, pattern or formats.DEFAULT_PATTERN)
    app.jinja_env.filters["quarter"] = formats.quarter
    app.jinja_env.globals["month_name"] = formats.month


def _install_template_gettext(app: Flask) -> None:
    """`_()` in templates with each locale's catalogue kept at hand: Flask-Babel finds the
    catalogue again for every string (a dozen microseconds, a page's hundred strings a millisecond
    or more). The locale is still asked each time, so `force_locale` (mail in the recipient's
    language) is honoured."""
    catalogues: dict[str, NullTranslations] = {}

    def translations() -> NullTranslations:
        locale = get_locale()
        if locale is None:
            return get_translations()
        key = str(locale)
        found = catalogues.get(key)
        if found is None:
            found = catalogues[key] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
