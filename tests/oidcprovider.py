"""A certified OpenID provider on loopback for the tests: panva's `oidc-provider` from the npm
registry (installed into tests/oidc by .ci/run with `npm ci`), run by Node as a child of the
test's process on a free port (tests/oidc/provider.mjs), stopped at the end of the module.

Its accounts are those of `ACCOUNTS` (login, password, claims); its one client is this service,
whose redirect address is the test application's base URL + /login/oidc/callback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from conftest import skip_unless_available
from ldapserver import stop
from mailserver import free_port

HERE = Path(__file__).parent / "oidc"
CLIENT_ID, CLIENT_SECRET = "kpi-workflow", "bi-mat-cua-ung-dung-kpi"
# login: (password, claims)
ACCOUNTS = {
    "an": ("mat-khau-an", {"personnel_code": "CB001", "email": "an@vinhphuc.test", "email_verified": True, "name": "Nguyễn Văn An"}),
    "binh": ("mat-khau-binh", {"email": "binh@vinhphuc.test", "email_verified": True}),  # no code: matched by e-mail
    "cuong": ("mat-khau-cuong", {"email": "cuong@vinhphuc.test", "email_verified": False}),  # unverified: never matched by it
    "dung": ("mat-khau-dung", {"personnel_code": "CB004", "email": "dung@vinhphuc.test", "email_verified": True}),
    "la": ("mat-khau-la", {"personnel_code": "CB999", "email": "la@ngoai.test", "email_verified": True}),
}


@dataclass
class OpenIdProvider:
    issuer: str

    def settings(self) -> dict[str, object]:
        return {"oidc_issuer": self.issuer, "oidc_client_id": CLIENT_ID, "oidc_client_secret": CLIENT_SECRET,
                "oidc_scopes": "openid email profile personnel"}

    def sign_in(self, authorization_url: str, login: str, password: str, *, until: str) -> str:
        """What a browser does at the provider: follow it to its form, sign in, and follow the
        redirects until one leaves for `until`; returns that address (the form's page if the
        provider refused the password)."""
        browser = requests.Session()
        url, form_posted = authorization_url, False
        for _ in range(12):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200 and "<form" in response.text:
                if form_posted:
                    return url  # the provider refused the password
                action = urljoin(url, response.text.split('action="', 1)[1].split('"', 1)[0])
                response = browser.post(action, data={"login": login, "password": password}, allow_redirects=False, timeout=10)
                form_posted = True
                if response.status_code == 200:
                    return url
            location = urljoin(url, response.headers["Location"])
            if location.startswith(until):
                return location
            url = location
        raise AssertionError("the provider never sent the browser back")


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory, app) -> Iterator[OpenIdProvider]:
    node = shutil.which("node")
    skip_unless_available(bool(node) and (HERE / "node_modules" / "oidc-provider").exists(),
                          "Node.js and tests/oidc/node_modules (cd tests/oidc && npm ci)")
    port = free_port()
    config = tmp_path_factory.mktemp("oidc") / "config.json"
    config.write_text(json.dumps({
        "client": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                   "redirect_uris": [app.config["KPI"]["base_url"].rstrip("/") + "/login/oidc/callback"]},
        "accounts": {login: {"password": password, "claims": claims} for login, (password, claims) in ACCOUNTS.items()},
    }))
    process = subprocess.Popen([node, str(HERE / "provider.mjs"), str(port), str(config)], cwd=HERE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if line.strip() != "ready":
            raise RuntimeError(f"oidc-provider did not start: {line!r}")
        yield OpenIdProvider(f"http://127.0.0.1:{port}")
    finally:
        stop(process)
