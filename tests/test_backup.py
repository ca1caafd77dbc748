"""`kpi backup` and `kpi restore` on real databases of their own (two SQLite files, or two
PostgreSQL databases named after the test database) and real upload directories: a cycle with
every kind of row and some files goes through a backup, is changed, and comes back exactly;
damaged, foreign and newer archives are refused without changing anything."""

from __future__ import annotations

import io
import json
import os
import tarfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

import factories as f
from conftest import database_url, is_postgres
from workflow import create_app
from workflow.accounts.models import Person, Role
from workflow.backup import databases
from workflow.backup.archive import BackupError, member_name_is_safe
from workflow.extensions import db

pytestmark = pytest.mark.real_commits

SECRET_KEY = "sieu-bi-mat-khoa-phien-0123456789abcdef"
SMTP_PASSWORD = "mat-khau-thu-dien-tu-khong-duoc-lo"
DB_PASSWORD = "mat-khau-csdl-khong-duoc-lo"
# Tables the data below fills; every table of the schema is compared, filled or not.
FILLED = {
    "alembic_version", "amendment", "api_token", "audit_entry", "cycle", "job_run", "notification", "person", "proposal",
    "period", "registration", "registration_comment", "revision", "role_grant", "scheduler_lease", "subject", "target", "track", "unit",
    "unit_group",
}


# --- databases and applications of the tests' own ------------------------------------------------

def _admin_engine():
    url = make_url(database_url(Path("/nonexistent")).replace("postgresql://", "postgresql+psycopg://"))
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT"), url


class Site:
    """One installation: a database and an upload directory, with its application."""

    def __init__(self, name: str, tmp: Path, *, password: str | None = None) -> None:
        self.name = name
        self.uploads = tmp / f"uploads-{name}"
        if is_postgres():
            admin, url = _admin_engine()
            self.database = f"{url.database}_bk_{name}"
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{self.database}"'))
            admin.dispose()
            self.url = url.set(database=self.database, password=password).render_as_string(hide_password=False)
        else:
            self.url = f"sqlite:///{tmp}/{name}.sqlite3"
        self.app = create_app(overrides={
            "env": "testing", "database_url": self.url, "upload_dir": str(self.uploads), "secret_key": SECRET_KEY,
            "smtp_password": SMTP_PASSWORD, "base_url": "http://kpi.test",
        })
        self.app.config.update(KPI_FAST_PASSWORD_HASH=True, WTF_CSRF_ENABLED=False)

    def upgrade(self, revision: str = "head") -> None:
        with self.app.app_context():
            upgrade(revision=revision)

    def kpi(self, *args: str):
        # Inside this application's context: the commands run in whichever one is current.
        with self.app.app_context():
            return self.app.test_cli_runner().invoke(args=list(args))

    def rows(self) -> dict[str, list[dict]]:
        """Every row of every table, in primary-key order."""
        with self.app.app_context():
            meta = MetaData()
            meta.reflect(bind=db.engine)
            with db.engine.connect() as conn:
                return {
                    name: [dict(r._mapping) for r in conn.execute(select(table).order_by(*(table.primary_key.columns or table.columns)))]
                    for name, table in meta.tables.items()
                }

    def files(self) -> dict[str, bytes]:
        if not self.uploads.exists():
            return {}
        return {p.relative_to(self.uploads).as_posix(): p.read_bytes() for p in sorted(self.uploads.rglob("*")) if p.is_file()}

    def close(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        if is_postgres():
            admin, _ = _admin_engine()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def sites(tmp_path):
    made: list[Site] = []

    def make(name: str, **kw) -> Site:
        site = Site(name, tmp_path, **kw)
        made.append(site)
        return site

    yield make
    for site in made:
        site.close()


def populate(site: Site) -> None:
    """A cycle with people, units, registrations in several states, proposals, comments, an
    amendment, a token, a queued message, a scheduler tick, and files in the upload directory;
    all through the factories and the domain operations, committed."""
    from scheduler.runner import run_tick
    from workflow.accounts.operations import create_token
    from workflow.notifications.operations import send_test_message
    from workflow.targets import operations

    with site.app.app_context():
        assigned = f.complete_registration("assigned")
        head = db.session.get(Person, assigned.head_id)
        operations.request_amendment(assigned, [{"kind": "drop", "target_id": assigned.targets[2].id}], actor=head,
                                     reason="Chỉ tiêu không còn phù hợp sau sáp nhập")
        submitted = f.complete_registration("submitted", cycle=assigned.cycle)
        staff = f.person(Role.STAFF, full_name="Trần Thị Thu Hà")
        operations.create_proposal(submitted, {"kind": "change", "target_id": submitted.targets[0].id, "values": {"target_value": "1300", "plan_q4": "1300"}},
                                   actor=staff, reason="Năm trước đã thu 1.250 tỷ đồng")
        operations.add_comment(submitted, "Đề nghị làm rõ nguồn thu", actor=staff, target_id=submitted.targets[0].id)
        create_token(head, "tích hợp", actor=head)
        send_test_message(actor=f.person(Role.ADMIN))
        db.session.commit()
        run_tick(datetime.now(UTC), holder="test:1:backup")
    site.uploads.mkdir(parents=True, exist_ok=True)
    (site.uploads / "ab" / "cd").mkdir(parents=True)
    (site.uploads / "ab" / "cd" / "abcdef0123").write_bytes(b"%PDF-1.7 bien ban ban giao\n" * 50)
    (site.uploads / "ab" / "ef01").write_bytes(os.urandom(3 * 1024 * 1024 + 17))  # several chunks
    (site.uploads / "Báo cáo quý 1.txt").write_text("Kết quả thực hiện quý I", encoding="utf-8")
    (site.uploads / "empty").write_bytes(b"")


def change_everything(site: Site) -> None:
    """What happens after a backup: edits, deletions, additions, in the database and the files."""
    from workflow.targets.models import Comment

    with site.app.app_context():
        person = db.session.scalars(select(Person).order_by(Person.id)).first()
        person.full_name = "Đã đổi tên"
        db.session.execute(Comment.__table__.delete())
        f.unit(name="Đơn vị mới sau sao lưu")
        db.session.commit()
    (site.uploads / "ab" / "ef01").write_bytes(b"thay noi dung")
    (site.uploads / "empty").unlink()
    (site.uploads / "new-after-backup").write_bytes(b"moi")
    (site.uploads / "ab" / "cd" / "abcdef0123").unlink()
    (site.uploads / "ab" / "cd").rmdir()
    (site.uploads / "ab" / "cd").write_bytes(b"a file where a directory was")


def backup(site: Site, out: Path, *args: str) -> Path:
    out.mkdir(exist_ok=True)
    result = site.kpi("backup", "--output", str(out), *args)
    assert result.exit_code == 0, result.output + result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("wrote ")]
    return Path(line.split()[1])


def without_backup_entries(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {**rows, "audit_entry": [r for r in rows["audit_entry"] if r["action"] not in ("backup.create", "backup.restore")]}


def audit_actions(site: Site) -> list[str]:
    with site.app.app_context(), db.engine.connect() as conn:
        return list(conn.scalars(text("SELECT action FROM audit_entry ORDER BY id")))


# --- the round trip ------------------------------------------------------------------------------

def test_backup_change_restore_gives_back_every_row_and_every_file(sites, tmp_path):
    source = sites("src")
    source.upgrade()
    populate(source)
    rows, files = source.rows(), source.files()
    assert {name for name, table_rows in rows.items() if table_rows} == FILLED, "every table holds rows"
    archive = backup(source, tmp_path / "out")
    assert archive.stat().st_mode & 0o777 == 0o600
    assert audit_actions(source)[-1] == "backup.create"

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[-1] == "manifest.json" and names[0] == manifest["database"]["file"]
    assert {n for n in names if n.startswith("uploads/")} == {f"uploads/{name}" for name in files}
    assert manifest["format"] == "kpi-workflow-backup" and manifest["application_version"]
    assert manifest["database"]["dialect"] == ("postgresql" if is_postgres() else "sqlite")
    with source.app.app_context():
        from workflow.core.health import code_heads

        assert {manifest["alembic_revision"]} == code_heads()
    assert manifest["tables"] == {name: len(r) for name, r in rows.items()}
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert datetime.fromisoformat(manifest["created_at"]).tzinfo is not None

    change_everything(source)
    assert source.rows() != rows and source.files() != files
    refused = source.kpi("restore", str(archive))
    assert refused.exit_code == 1 and "--yes" in refused.stderr and "the database holds data" in refused.stderr
    assert source.files()["new-after-backup"] == b"moi"  # nothing changed

    result = source.kpi("restore", str(archive), "--yes")
    assert result.exit_code == 0, result.output + result.stderr
    assert "kpi db upgrade" not in result.stdout and "registration_comment" in result.stdout
    restored = source.rows()
    assert without_backup_entries(restored) == without_backup_entries(rows)
    assert audit_actions(source)[-1] == "backup.restore"
    assert source.files() == files
    assert not [p for p in source.uploads.iterdir() if p.name.startswith(".kpi-restore-")]

    # The identifiers go on from where they were: a new row takes the next one.
    with source.app.app_context():
        newcomer = f.person(Role.STAFF)
        db.session.commit()
        assert newcomer.id == max(r["id"] for r in rows["person"]) + 1

    # Into another database and directory, as the settings of that installation say.
    target = sites("dst")
    result = target.kpi("restore", str(archive))
    assert result.exit_code == 0, result.output + result.stderr
    assert without_backup_entries(target.rows()) == without_backup_entries(rows)
    assert target.files() == files
    with target.app.app_context():
        assert target.app.test_client().get("/readyz").status_code == 200


def test_the_manifest_counts_what_the_copy_holds_while_the_service_writes(sites, tmp_path):
    source = sites("busy")
    source.upgrade()
    stop = threading.Event()
    written = []

    def writer() -> None:
        engine = create_engine(source.app.config["SQLALCHEMY_DATABASE_URI"], connect_args={"timeout": 30} if not is_postgres() else {})
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO unit_group (code, name, position, version) VALUES (:c, :n, 0, 1)"),
                             {"c": f"G{len(written)}", "n": "Nhóm"})
            written.append(1)
        engine.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        archive = backup(source, tmp_path / "out")
    finally:
        stop.set()
        thread.join()
    with tarfile.open(archive) as tar:
        counted = json.load(tar.extractfile("manifest.json"))["tables"]["unit_group"]
    assert 20 <= counted < len(written) + 1
    target = sites("calm")
    result = target.kpi("restore", str(archive))  # restore checks every table's count against the manifest
    assert result.exit_code == 0, result.stderr
    assert len(target.rows()["unit_group"]) == counted


# --- refusals ---------------------------------------------------------------------------------------

def _rewrite(archive: Path, dest: Path, change) -> Path:
    """A copy of the archive, member by member, with `change(name, data) -> data` applied."""
    with tarfile.open(archive) as src, tarfile.open(dest, "w:gz", format=tarfile.PAX_FORMAT) as out:
        for member in src:
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return dest


@pytest.fixture
def backed_up(sites, tmp_path):
    source = sites("orig")
    source.upgrade()
    populate(source)
    return source, backup(source, tmp_path / "out")


def test_a_damaged_or_truncated_archive_is_refused_and_changes_nothing(backed_up, sites, tmp_path):
    source, archive = backed_up
    target = sites("victim")
    target.upgrade()
    with target.app.app_context():
        f.unit(name="Dữ liệu phải còn nguyên")
        db.session.commit()
    target.uploads.mkdir()
    (target.uploads / "keep").write_bytes(b"giu nguyen")
    before_rows, before_files = target.rows(), target.files()

    def flip(name: str, data: bytes) -> bytes:
        if name.startswith("uploads/ab/ef01"):
            return data[:1000] + bytes([data[1000] ^ 0xFF]) + data[1001:]
        return data

    tampered = _rewrite(archive, tmp_path / "tampered.tar.gz", flip)
    result = target.kpi("restore", str(tampered), "--yes")
    assert result.exit_code == 1 and "damaged: uploads/ab/ef01 does not match its checksum" in result.stderr

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    result = target.kpi("restore", str(truncated), "--yes")
    assert result.exit_code == 1 and "damaged or truncated" in result.stderr

    def extra(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            manifest = json.loads(data)
            del manifest["files"]["uploads/empty"]
            return json.dumps(manifest).encode()
        return data

    unlisted = _rewrite(archive, tmp_path / "unlisted.tar.gz", extra)
    result = target.kpi("restore", str(unlisted), "--yes")
    assert result.exit_code == 1 and "not listed: uploads/empty" in result.stderr

    assert target.rows() == before_rows and target.files() == before_files


def test_unsafe_member_names_are_refused():
    for name in ("uploads/../../etc/passwd", "/etc/passwd", "uploads/", "uploads//x", "uploads/./x", "other", "uploads/a\\b"):
        assert not member_name_is_safe(name), name
    for name in ("uploads/ab/cd/ef", "uploads/Báo cáo.pdf", "database.pgdump", "database.sqlite3", "manifest.json"):
        assert member_name_is_safe(name), name


def test_a_backup_from_a_newer_version_is_refused(sites, tmp_path):
    source = sites("future")
    source.upgrade()
    with source.app.app_context(), db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_a_later_release'"))
    archive = backup(source, tmp_path / "out")
    target = sites("present")
    result = target.kpi("restore", str(archive))
    assert result.exit_code == 1
    assert "made by a newer version of KPI Workflow (schema 0099_from_a_later_release" in result.stderr
    assert target.rows() == {}


def test_an_older_backup_restores_over_a_newer_schema_and_asks_for_an_upgrade(sites, tmp_path):
    source = sites("old")
    source.upgrade("0003_admin")
    with source.app.app_context():
        f.unit(name="Sở Nội vụ")
        db.session.commit()
    archive = backup(source, tmp_path / "out")
    target = sites("new")
    target.upgrade()
    populate(target)
    result = target.kpi("restore", str(archive), "--yes")
    assert result.exit_code == 0, result.stderr
    assert "run `kpi db upgrade` now" in result.stdout
    rows = target.rows()
    assert "notification" not in rows and rows["alembic_version"] == [{"version_num": "0003_admin"}]
    assert [r["name"] for r in rows["unit"]] == ["Sở Nội vụ"]
    assert target.files() == {}
    assert audit_actions(target)[-1] == "backup.restore"
    target.upgrade()  # the tables of the later schema are created anew
    assert target.app.test_client().get("/readyz").status_code == 200


def test_archives_hold_no_secrets_and_the_output_shows_none(sites, tmp_path):
    source = sites("secret", password=DB_PASSWORD if is_postgres() else None)
    source.upgrade()
    populate(source)
    out = tmp_path / "out"
    out.mkdir()
    result = source.kpi("backup", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    (archive,) = out.iterdir()
    with tarfile.open(archive) as tar:
        content = b"".join(tar.extractfile(m).read() for m in tar)
    target = sites("secret-restore")
    restored = target.kpi("restore", str(archive))
    for secret in (SECRET_KEY, SMTP_PASSWORD, DB_PASSWORD):
        assert secret.encode() not in content
        assert secret not in result.stdout + result.stderr + restored.stdout + restored.stderr


def test_keep_deletes_the_oldest_archives_only(sites, tmp_path):
    source = sites("kept")
    source.upgrade()
    out = tmp_path / "out"
    out.mkdir()
    for stamp in ("20200101T020000Z", "20200102T020000Z", "20200103T020000Z"):
        (out / f"kpi-backup-{stamp}.tar.gz").write_bytes(b"old")
    (out / "ghi-chu.txt").write_text("không phải bản sao lưu")
    result = source.kpi("backup", "--output", str(out), "--keep", "2")
    assert result.exit_code == 0, result.stderr
    remaining = sorted(p.name for p in out.iterdir())
    assert remaining[0] == "ghi-chu.txt" and remaining[1] == "kpi-backup-20200103T020000Z.tar.gz" and len(remaining) == 3
    assert "deleted the older kpi-backup-20200101T020000Z.tar.gz" in result.stdout


# --- PostgreSQL client tools -------------------------------------------------------------------------

def _kpi(app: Flask, *args: str):
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def _postgres_app(tmp_path: Path, **overrides) -> Flask:
    return create_app(overrides={"env": "testing", "database_url": "postgresql+psycopg://kpi@127.0.0.1:1/kpi?connect_timeout=1",
                                 "upload_dir": str(tmp_path / "up"), **overrides})


def test_a_missing_pg_dump_is_named_with_what_to_do(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = _kpi(_postgres_app(tmp_path, pg_bin_dir=str(empty)), "backup", "-o", str(tmp_path))
    assert result.exit_code == 1 and f"pg_dump not found in {empty}" in result.stderr
    monkeypatch.setenv("PATH", str(empty))
    result = _kpi(_postgres_app(tmp_path), "backup", "-o", str(tmp_path))
    assert result.exit_code == 1 and "pg_dump not found on PATH" in result.stderr and "KPI_PG_BIN_DIR" in result.stderr
    assert not list(tmp_path.glob("kpi-backup-*"))


@pytest.mark.parametrize("output, major", [
    ("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n", 15),
    ("pg_dump (PostgreSQL) 16.4\n", 16),
    ("pg_restore (PostgreSQL) 17beta1\n", 17),
    ("pg_dump (PostgreSQL) 9.6.24\n", 9),
])
def test_client_versions_are_read(output, major):
    assert databases.client_major(output) == major


def test_a_client_older_than_the_server_is_refused():
    assert databases.server_major(160004) == 16 and databases.server_major(90624) == 9
    databases.check_client("pg_dump", 16, 16)
    databases.check_client("pg_dump", 17, 16)
    with pytest.raises(BackupError, match="pg_dump is version 15, older than the PostgreSQL server \\(16\\).*postgresql-client-16"):
        databases.check_client("pg_dump", 15, 16)
    with pytest.raises(BackupError, match="cannot tell the version"):
        databases.client_major("something else")


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only: the real client tools against the real server")
def test_the_installed_client_tools_suit_the_server(app):
    settings = app.config["KPI"]
    with db.engine.connect() as conn:
        server = databases.server_major(int(conn.scalar(text("SHOW server_version_num"))))
    for tool in ("pg_dump", "pg_restore"):
        databases.check_client(tool, databases.tool_major(databases.find_tool(tool, settings)), server)


def test_a_backup_of_one_dialect_is_not_restored_into_the_other(backed_up, tmp_path):
    _, archive = backed_up
    other = "sqlite:///" + str(tmp_path / "other.sqlite3") if is_postgres() else "postgresql+psycopg://kpi@127.0.0.1:1/kpi?connect_timeout=1"
    app = create_app(overrides={"env": "testing", "database_url": other, "upload_dir": str(tmp_path / "o")})
    result = _kpi(app, "restore", str(archive))
    assert result.exit_code == 1 and "but the configured database is" in result.stderr
