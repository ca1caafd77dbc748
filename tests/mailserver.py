"""A real SMTP server on loopback for tests (aiosmtpd), and what it received.

`MailServer` runs aiosmtpd's Controller on 127.0.0.1 and a free port, optionally with STARTTLS
or implicit TLS (a certificate made at test time by `trustme`) and with a login; it can be
stopped and started again on the same port, and told to refuse given recipients. The fixture
`smtp` points the application's settings at it.
"""

from __future__ import annotations

import email
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "kpi-mailer", "mat-khau-smtp"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=default_policy)  # type: ignore[return-value]


class Handler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refusals: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    # handled=False: let aiosmtpd answer a refusal with 535 (else it waits for the hook to).
    return AuthResult(success=ok, handled=False)


class MailServer:
    def __init__(self, security: str = "none", *, login: bool = False, tls_dir: Path | None = None) -> None:
        self.security = security
        self.login = login
        self.port = free_port()
        self.handler = Handler()
        self.ca_file = ""
        self.server_context: ssl.SSLContext | None = None
        if security != "none":
            import trustme

            ca = trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            self.server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(self.server_context)
            assert tls_dir is not None
            self.ca_file = str(tls_dir / "smtp-ca.pem")
            ca.cert_pem.write_to_path(self.ca_file)
        self.controller: Controller | None = None

    def _controller(self) -> Controller:
        kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": self.port}
        if self.security == "ssl":
            kwargs["ssl_context"] = self.server_context
        elif self.security == "starttls":
            kwargs.update(tls_context=self.server_context, require_starttls=True)
        if self.login:
            # aiosmtpd counts only STARTTLS as TLS for AUTH; implicit TLS is encrypted all the same.
            kwargs.update(authenticator=_authenticator, auth_required=True, auth_require_tls=self.security == "starttls")
        return Controller(self.handler, **kwargs)

    def start(self) -> None:
        self.controller = self._controller()
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def refuse(self, address: str, reply: str = "550 5.1.1 No such user here") -> None:
        self.handler.refusals[address] = reply

    def accept(self, address: str) -> None:
        self.handler.refusals.pop(address, None)

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def recipients(self) -> list[str]:
        return [r for m in self.received for r in m.rcpt_tos]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.received) < count:
            time.sleep(0.05)
        return self.received

    def settings(self) -> dict[str, Any]:
        """The application settings that point at this server."""
        return {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_security": self.security,
            "smtp_user": USER if self.login else "",
            "smtp_password": PASSWORD if self.login else "",
            "smtp_ca_file": self.ca_file,
            "smtp_timeout_seconds": 5,
        }

    def environ(self) -> dict[str, str]:
        """The same, as KPI_* variables for a subprocess."""
        return {f"KPI_{k.upper()}": str(v) for k, v in self.settings().items()}


def configure(app: Any, monkeypatch: pytest.MonkeyPatch, server: MailServer) -> None:
    for key, value in server.settings().items():
        monkeypatch.setitem(app.config["KPI"], key, value)


@pytest.fixture
def smtp(app, monkeypatch, tmp_path):
    """A plain SMTP server on loopback that the application sends to."""
    server = MailServer()
    server.start()
    configure(app, monkeypatch, server)
    yield server
    server.stop()
