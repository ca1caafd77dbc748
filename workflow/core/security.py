"""Response headers, request ids, session lifetime, and what a reverse proxy tells us.

The Content-Security-Policy allows scripts and styles only from this site's own static files:
no inline script, no CDN (the service runs on intranets without internet access).

Behind `proxy_hops` trusted proxies, the client's address and scheme are read from
X-Forwarded-For and X-Forwarded-Proto (werkzeug's ProxyFix), so sign-in throttling, the audit
log and the access log see the person's address rather than the proxy's, and `request.is_secure`
is true behind HTTPS. Only those two headers are trusted: the example nginx configuration sets
them, and a header the proxy does not overwrite could be forged by the client.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

from flask import Flask, Response, g, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def init_app(app: Flask) -> None:
    settings = app.config["KPI"]
    if settings["proxy_hops"] > 0:
        hops = settings["proxy_hops"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)  # type: ignore[method-assign]
    secure = settings["base_url"].startswith("https://")
    idle = timedelta(minutes=settings["session_idle_minutes"])
    max_age = settings["session_max_hours"] * 3600
    app.config.update(
        SESSION_COOKIE_NAME="kpi_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=idle,
        SESSION_REFRESH_EACH_REQUEST=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex

    @app.before_request
    def expire_session() -> None:
        # The cookie's own expiry is only advice to the browser; enforce both limits here.
        if "_user_id" not in session:
            return
        now = time.time()
        started = session.get("_auth_at", now)
        seen = session.get("_seen_at", now)
        if now - seen > idle.total_seconds() or now - started > max_age:
            session.clear()
            g.session_expired = True
            return
        if now - seen > 30:
            session["_seen_at"] = now

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Whatever a view or send_file chose: a page, a download (evidence, an export, a PDF) or
        # an API answer seen by someone signed in must not be kept by a browser or a proxy.
        if ("_user_id" in session or request.path.startswith("/api/")) and request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        headers["X-Request-ID"] = g.get("request_id", "")
        return response


def start_session() -> None:
    """Called on sign-in, after Flask-Login has stored the user."""
    now = time.time()
    session.permanent = True
    session["_auth_at"] = now
    session["_seen_at"] = now
