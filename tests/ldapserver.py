"""A real OpenLDAP server (Debian's `slapd`) on loopback for the tests, started by the test's
own process on a free port with a configuration and a database in a temporary folder, and
stopped at the end of the test module.

The directory holds the people of `PEOPLE` (uid, password, personnel code, e-mail) under
ou=people and the groups of `GROUPS` under ou=groups.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import skip_unless_available
from mailserver import free_port

SUFFIX = "dc=tinh,dc=test"
ROOT_DN, ROOT_PASSWORD = f"cn=admin,{SUFFIX}", "mat-khau-quan-tri-ldap"
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
# uid, password, personnel code, e-mail
PEOPLE = [
    ("an", "mat-khau-an", "CB001", "an@vinhphuc.test"),
    ("binh", "mat-khau-binh", "", "binh@vinhphuc.test"),  # no personnel code in the directory: matched by e-mail
    ("dung", "mat-khau-dung", "CB004", "dung@vinhphuc.test"),
    ("la", "mat-khau-la", "CB999", "la@ngoai.test"),  # in the directory, never imported
]
GROUPS = {"kpi-admins": ["an"], "kpi-staff": ["an", "binh"]}


@dataclass
class LdapServer:
    url: str
    base_dn: str = SUFFIX

    def group_dn(self, name: str) -> str:
        return f"cn={name},ou=groups,{SUFFIX}"

    def settings(self) -> dict[str, object]:
        return {"ldap_url": self.url, "ldap_bind_dn": ROOT_DN, "ldap_bind_password": ROOT_PASSWORD, "ldap_base_dn": SUFFIX,
                "ldap_group_roles": f"admin={self.group_dn('kpi-admins')}; staff={self.group_dn('kpi-staff')}"}


def _ldif() -> str:
    entries = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: tinh\no: Tinh",
               f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people",
               f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups"]
    for uid, password, code, mail in PEOPLE:
        lines = [f"dn: uid={uid},ou=people,{SUFFIX}", "objectClass: inetOrgPerson", f"uid: {uid}", f"cn: {uid}", f"sn: {uid}",
                 f"mail: {mail}", f"userPassword: {password}"]
        if code:
            lines.append(f"employeeNumber: {code}")
        entries.append("\n".join(lines))
    for name, members in GROUPS.items():
        entries.append("\n".join([f"dn: cn={name},ou=groups,{SUFFIX}", "objectClass: groupOfNames", f"cn: {name}"]
                                 + [f"member: uid={m},ou=people,{SUFFIX}" for m in members]))
    return "\n\n".join(entries) + "\n"


def _config(folder: Path) -> str:
    return f"""include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
database mdb
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {folder}/db
maxsize 10485760
access to attrs=userPassword by anonymous auth by self read by * none
access to * by users read by * none
"""


def _wait(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd stopped: {process.stderr.read().decode() if process.stderr else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("slapd did not start listening in 10 s")


@pytest.fixture(scope="module")
def ldap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdapServer]:
    skip_unless_available(Path(SLAPD).exists() and Path("/usr/lib/ldap").exists(), "OpenLDAP's slapd (Debian package slapd)")
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "db").mkdir()
    (folder / "slapd.conf").write_text(_config(folder))
    (folder / "data.ldif").write_text(_ldif())
    subprocess.run([SLAPADD, "-f", str(folder / "slapd.conf"), "-l", str(folder / "data.ldif")], check=True, capture_output=True)
    port = free_port()
    # -d 0: stay in the foreground, as this process's child, logging nothing.
    process = subprocess.Popen([SLAPD, "-f", str(folder / "slapd.conf"), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait(port, process)
        yield LdapServer(f"ldap://127.0.0.1:{port}")
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """End a server this test process started (and only it)."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
