"""Importing the organisation: preview, errors named per row, valid rows only, idempotence,
transfers, hires and departures, through the admin pages, the API and `kpi import`."""

from __future__ import annotations

import io
from copy import deepcopy

import pytest
from sqlalchemy import func, select

from factories import person
from factories import unit as make_unit
from workflow import policy
from workflow.accounts.models import Person, Role, RoleGrant, SignInSession
from workflow.core.audit import AuditEntry
from workflow.core.errors import DomainError, PermissionDenied
from workflow.directory import operations
from workflow.directory.models import DirectoryImport, ImportState, Position
from workflow.directory.reading import join_csv
from workflow.directory.workbook import headings
from workflow.directory.workbook import write as workbook
from workflow.extensions import db
from workflow.framework.models import Subject, Track
from workflow.units.models import Unit, UnitGroup

ORG = {
    "units": [
        ["TINH", "Tỉnh Vĩnh Phúc", "", "KT", "Khối tỉnh"],
        ["SNV", "Sở Nội vụ", "TINH", "KT", ""],
        ["STC", "Sở Tài chính", "TINH", "KT", ""],
        ["X-DT", "Xã Đạo Trù", "TINH", "KX", "Khối xã"],
    ],
    "positions": [
        ["GD", "Giám đốc Sở", "heads", "", "có"],
        ["CV", "Chuyên viên", "civil_servants", "", "không"],
        ["BT", "Bí thư Đảng ủy xã", "commune_leaders", "party_secretary_commune", "có"],
    ],
    "people": [
        ["CB001", "Nguyễn Văn An", "an@vinhphuc.test", "SNV", "GD", "", "01/01/2024"],
        ["CB002", "Trần Thị Bình", "binh@vinhphuc.test", "SNV", "CV", "CB001", "2024-03-15"],
        ["CB003", "Lê Văn Cường", "cuong@vinhphuc.test", "STC", "GD", "", ""],
        ["CB004", "Phạm Thị Dung", "dung@vinhphuc.test", "STC", "CV", "CB003", ""],
        ["CB005", "Triệu Văn Đạo", "dao@vinhphuc.test", "X-DT", "BT", "", ""],
    ],
}


def org(**changes) -> dict[str, list[list[str]]]:
    data = deepcopy(ORG)
    for sheet, fn in changes.items():
        fn(data[sheet])
    return data


def imported(data=None, *, valid_only: bool = False, filename: str = "to-chuc.xlsx") -> DirectoryImport:
    batch = operations.preview(workbook(data or ORG), kind="xlsx", filename=filename, actor=policy.SYSTEM)
    operations.apply(batch, actor=policy.SYSTEM, valid_only=valid_only)
    return batch


def signing_in_with(server, app, monkeypatch):
    """The organisation imported, and the application pointed at a sign-in server of the tests."""
    for name, value in server.settings().items():
        monkeypatch.setitem(app.config["KPI"], name, value)
    imported(ORG)
    db.session.commit()
    return server


def by_code(code: str) -> Person:
    return db.session.scalar(select(Person).where(Person.personnel_code == code))


def unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def head_of(code: str) -> str | None:
    return db.session.scalar(select(Person.personnel_code).join(RoleGrant, RoleGrant.person_id == Person.id)
                             .join(Unit, RoleGrant.unit_id == Unit.id).where(RoleGrant.role == Role.HEAD, Unit.code == code))


def subjects(code: str) -> set[tuple[str, str, str, bool]]:
    rows = db.session.execute(select(Track.code, Unit.code, Subject.title, Subject.active).join(Track, Subject.track_id == Track.id)
                              .join(Unit, Subject.unit_id == Unit.id).join(Person, Subject.person_id == Person.id)
                              .where(Person.personnel_code == code))
    return {tuple(r) for r in rows}


def counts() -> dict[str, int]:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in (Unit, UnitGroup, Person, Position, Subject, RoleGrant)}


def test_the_preview_says_what_would_be_created_and_writes_nothing_else():
    before = counts()
    batch = operations.preview(workbook(ORG), kind="xlsx", filename="to-chuc.xlsx", actor=policy.SYSTEM)
    assert counts() == before
    assert batch.state == ImportState.PREVIEWED and batch.content
    p = batch.preview
    assert p["errors"] == []
    assert p["counts"]["units"]["create"] == 4
    assert p["counts"]["positions"]["create"] == 3
    assert p["counts"]["people"]["create"] == 5
    assert p["heads"] == 3
    assert [row[2] for row in p["changes"]["units.create"]] == ["TINH", "SNV", "STC", "X-DT"]


def test_apply_builds_the_tree_the_people_their_tracks_and_the_heads():
    batch = imported()
    assert batch.state == ImportState.APPLIED and batch.content == b""
    assert unit("SNV").parent_id == unit("TINH").id and unit("TINH").parent_id is None
    assert unit("X-DT").group.name == "Khối xã"
    binh = by_code("CB002")
    assert (binh.username, binh.unit.code, binh.title, binh.manager.personnel_code, binh.started_on.isoformat()) == (
        "cb002", "SNV", "Chuyên viên", "CB001", "2024-03-15")
    assert binh.password_hash == "" and binh.active
    assert head_of("SNV") == "CB001" and head_of("STC") == "CB003" and head_of("X-DT") == "CB005"
    assert subjects("CB002") == {("civil_servants", "SNV", "", True)}
    assert subjects("CB005") == {("commune_leaders", "X-DT", "party_secretary_commune", True)}
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "directory.import")).all()
    assert len(entries) == 1 and entries[0].object_id == batch.id
    assert ["people", "create", "CB002", "Trần Thị Bình", 3, {}] in entries[0].data["rows"]
    assert ["heads", "grant", "SNV", "CB001"] in entries[0].data["rows"]


def test_the_same_file_twice_changes_nothing(count_statements):
    imported()
    before = counts()
    versions = dict(db.session.execute(select(Person.personnel_code, Person.version).where(Person.personnel_code.is_not(None))).all())
    again = imported()
    assert counts() == before
    assert all(n == 0 for tally in again.preview["counts"].values() for n in tally.values())
    assert dict(db.session.execute(select(Person.personnel_code, Person.version).where(Person.personnel_code.is_not(None))).all()) == versions


def _errors(batch: DirectoryImport) -> set[tuple[str, int, str]]:
    return {(sheet, line, column) for sheet, line, column, _ in batch.preview["errors"]}


def test_every_bad_row_is_named_and_nothing_is_written_while_errors_remain(english):
    def bad_units(rows):
        rows.append(["SNV", "Sở Nội vụ (trùng)", "TINH", "KT", ""])  # line 6: duplicate code
        rows.append(["P-X", "Phòng X", "KHONG-CO", "KT", ""])  # line 7: unknown parent
        rows.append(["P-Y", "Phòng Y", "TINH", "G" * 33, "Nhóm quá dài"])  # line 8: a code too long

    def bad_people(rows):
        rows[3][5] = "CB004x"  # CB004 (line 5): unknown manager
        rows.append(["CB006", "Đỗ Văn Sáu", "", "SNV", "CV", "CB001", ""])  # line 7: missing e-mail
        rows.append(["CB007", "Vũ Văn Bảy", "bay@vinhphuc.test", "SNV", "CV", "CB008", ""])  # line 8: a loop with line 9
        rows.append(["CB008", "Hoàng Thị Tám", "tam@vinhphuc.test", "SNV", "CV", "CB007", ""])
        rows.append(["CB009", "Ngô Văn Chín", "chin@vinhphuc.test", "P-X", "CV", "", "31/02/2024"])  # line 10: bad unit, bad date

    before = counts()
    batch = operations.preview(workbook(org(units=bad_units, people=bad_people)), kind="xlsx", filename="x.xlsx", actor=policy.SYSTEM)
    assert _errors(batch) == {("units", 6, "code"), ("units", 7, "parent_code"), ("units", 8, "group_code"), ("people", 5, "manager_code"), ("people", 7, "email"),
                              ("people", 8, "manager_code"), ("people", 9, "manager_code"), ("people", 10, "unit_code"),
                              ("people", 10, "start_date")}
    messages = {(sheet, line): why for sheet, line, column, why in batch.preview["errors"]}
    assert messages[("units", 7)] == "Unknown parent unit KHONG-CO: it is not in the file."
    assert "first at line 3" in messages[("units", 6)]
    assert messages[("people", 7)] == "The e-mail address is missing."
    assert "CB007 → CB008 → CB007" in messages[("people", 8)]
    with pytest.raises(DomainError, match="8 rows have errors"):
        operations.apply(batch, actor=policy.SYSTEM)
    assert counts() == before

    operations.apply(batch, actor=policy.SYSTEM, valid_only=True)
    assert unit("SNV").name == "Sở Nội vụ" and unit("P-X") is None
    assert by_code("CB002").active and by_code("CB004") is None and by_code("CB006") is None and by_code("CB007") is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "directory.import"))
    assert entry.data["valid_only"] and len(entry.data["skipped"]) == 9


def test_positions_name_tracks_and_sheets_that_exist(english):
    def bad(rows):
        rows.append(["XX", "Chức vụ lạ", "nobody", "", "không"])
        rows.append(["YY", "Phó chủ tịch", "commune_leaders", "no_such_sheet", "không"])
        rows.append(["ZZ", "Lái xe", "", "", "có lẽ"])

    batch = operations.preview(workbook(org(positions=bad)), kind="xlsx", filename="x.xlsx", actor=policy.SYSTEM)
    assert _errors(batch) == {("positions", 5, "track"), ("positions", 6, "title"), ("positions", 7, "leads_unit")}


def test_two_heads_of_one_unit_are_refused(english):
    def second_head(rows):
        rows[1][4] = "GD"  # CB002 in SNV, also director

    batch = operations.preview(workbook(org(people=second_head)), kind="xlsx", filename="x.xlsx", actor=policy.SYSTEM)
    assert [e[1:] for e in batch.preview["errors"]] == [[3, "position_code", "The unit SNV already has a head in this file: CB001 (line 2)."]]


def test_next_months_file_applies_transfers_hires_and_departures(as_person):
    imported()
    dung = by_code("CB004")
    as_person(dung)  # signed in somewhere
    assert db.session.scalar(select(func.count()).select_from(SignInSession).where(SignInSession.person_id == dung.id)) == 1

    def next_month(rows):
        rows[1][3], rows[1][5] = "STC", "CB003"  # CB002 moves to STC
        rows[2][4] = "CV"  # CB003 is no longer director …
        del rows[3]  # CB004 leaves
        rows.append(["CB010", "Đinh Văn Mười", "muoi@vinhphuc.test", "STC", "GD", "", "01/02/2025"])  # … CB010 is

    batch = imported(org(people=next_month))
    c = batch.preview["counts"]["people"]
    assert (c["create"], c["move"], c["deactivate"]) == (1, 1, 1)
    assert by_code("CB002").unit.code == "STC" and by_code("CB002").manager.personnel_code == "CB003"
    assert subjects("CB002") == {("civil_servants", "SNV", "", False), ("civil_servants", "STC", "", True)}
    dung = by_code("CB004")
    assert not dung.active and subjects("CB004") == {("civil_servants", "STC", "", False)}
    assert db.session.scalar(select(func.count()).select_from(SignInSession).where(SignInSession.person_id == dung.id)) == 0
    assert head_of("STC") == "CB010"
    assert subjects("CB003") == {("heads", "STC", "", False), ("civil_servants", "STC", "", True)}
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "directory.import").order_by(AuditEntry.id)).all()[-1].data["rows"]
    assert ["heads", "revoke", "STC", "CB003"] in rows and ["people", "deactivate", "CB004", "Phạm Thị Dung", 0, {}] in rows

    # She comes back: the same account, active again.
    assert imported().preview["counts"]["people"]["reactivate"] == 1 and by_code("CB004").active


def test_a_unit_no_longer_in_the_file_is_deactivated_and_an_account_made_by_hand_is_adopted_by_email():
    hand = person(email="an@vinhphuc.test", username="an.nguyen")
    make_unit(code="CU")
    imported()
    assert not unit("CU").active
    assert by_code("CB001").id == hand.id and by_code("CB001").username == "an.nguyen"


def test_only_administrators_import():
    staff = person(Role.STAFF)
    with pytest.raises(PermissionDenied):
        operations.preview(workbook(ORG), kind="xlsx", filename="x.xlsx", actor=staff)
    assert policy.can(person(Role.ADMIN), "directory.import")


def test_the_admin_page_uploads_previews_and_applies(as_person):
    client = as_person(person(Role.ADMIN))
    page = client.post("/admin/directory", data={"file": (io.BytesIO(workbook(ORG)), "to-chuc.xlsx")}, content_type="multipart/form-data")
    assert page.status_code == 302
    preview = client.get(page.headers["Location"])
    assert preview.status_code == 200 and "Xã Đạo Trù" in preview.text
    batch_id = int(page.headers["Location"].rsplit("/", 1)[1])
    done = client.post(f"/admin/directory/{batch_id}/apply")
    assert done.status_code == 302 and unit("X-DT") is not None
    def no_email(rows):
        rows[4][2] = ""  # CB005, line 6

    page = client.post("/admin/directory", data={"file": (io.BytesIO(workbook(org(people=no_email))), "thang-sau.xlsx")},
                       content_type="multipart/form-data")
    bad = page.headers["Location"]
    assert "Thiếu địa chỉ thư điện tử." in client.get(bad).text
    assert client.post(f"{bad}/apply").status_code == 422
    assert client.post(f"{bad}/apply", data={"valid_only": "1"}).status_code == 302
    assert by_code("CB005").active and by_code("CB005").email == "dao@vinhphuc.test"  # its row was left as it was
    refused = client.post("/admin/directory", data={"file": (io.BytesIO(b"PK\x03\x04not a zip"), "x.xlsx")}, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert as_person(person(Role.STAFF)).get("/admin/directory").status_code == 403


def test_csv_files_and_the_api(as_person, app):
    def csv(sheet: str) -> bytes:
        lines = [headings(sheet)] + ORG[sheet]
        return "\n".join(",".join(cells) for cells in lines).encode("utf-8-sig")

    content = join_csv([csv("people"), csv("units"), csv("positions")])
    batch = operations.preview(content, kind="csv", filename="csv", actor=policy.SYSTEM)
    assert batch.preview["errors"] == [] and batch.preview["counts"]["people"]["create"] == 5

    from workflow.accounts import operations as accounts

    admin = person(Role.ADMIN)
    _, token = accounts.create_token(admin, "nhân sự", actor=admin)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"units": [dict(zip(["code", "name", "parent_code", "group_code", "group_name"], r)) for r in ORG["units"]],
            "positions": [dict(zip(["code", "name", "track", "title", "leads_unit"], r)) for r in ORG["positions"]],
            "people": [dict(zip(["personnel_code", "full_name", "email", "unit_code", "position_code", "manager_code", "start_date"], r))
                       for r in ORG["people"]]}
    body["people"][0]["email"] = ""
    response = app.test_client().post("/api/v1/directory/imports", json={**body, "apply": True}, headers=headers)
    assert response.status_code == 422
    response = app.test_client().post("/api/v1/directory/imports", json=body, headers=headers)
    assert response.status_code == 201
    assert [e[:3] for e in response.json["preview"]["errors"]] == [["people", 1, "email"], ["people", 2, "manager_code"]]
    applied = app.test_client().post(f"/api/v1/directory/imports/{response.json['id']}/apply", json={"valid_only": True}, headers=headers)
    assert applied.status_code == 200 and applied.json["state"] == "applied"
    # CB001's row is in error and so is CB002's, whose manager CB001 is: neither is imported.
    assert by_code("CB001") is None and by_code("CB002") is None and by_code("CB003").active


def test_kpi_import_previews_then_applies(app, tmp_path):
    path = tmp_path / "to-chuc.xlsx"
    path.write_bytes(workbook(ORG))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "people: create 5" in result.output and unit("SNV") is None
    result = runner.invoke(args=["import", str(path), "--apply"])
    assert result.exit_code == 0, result.output
    assert unit("SNV") is not None


def test_the_example_workbook_under_docs_is_the_demo_provinces():
    from workflow.directory.demo import EXAMPLE, example
    from workflow.directory.reading import COLUMNS, read_xlsx

    shipped = read_xlsx(EXAMPLE.read_bytes())
    for sheet, rows in example().items():
        assert [[row.values[name] for name in COLUMNS[sheet]] for row in getattr(shipped, sheet)] == rows, (
            "docs/directory-example.xlsx is out of date: python -m workflow.directory.demo")


def test_a_partial_push_changes_only_its_rows_and_may_refer_to_what_is_imported(as_person, app):
    imported()
    from workflow.accounts import operations as accounts

    admin = person(Role.ADMIN)
    _, token = accounts.create_token(admin, "nhân sự", actor=admin)
    db.session.commit()
    push = {"complete": False, "apply": True, "people": [
        {"personnel_code": "CB011", "full_name": "Hà Văn Mười Một", "email": "muoimot@vinhphuc.test", "unit_code": "STC",
         "position_code": "CV", "manager_code": "CB003"},  # a hire, under a manager already imported
        {"personnel_code": "CB002", "full_name": "Trần Thị Bình", "email": "binh@vinhphuc.test", "unit_code": "X-DT",
         "position_code": "CV", "manager_code": "CB005"},  # a transfer
        {"personnel_code": "CB003", "full_name": "Lê Văn Cường", "email": "cuong@vinhphuc.test", "unit_code": "STC",
         "position_code": "GD", "manager_code": "CB011"},  # a loop through the new hire: refused
    ]}
    response = app.test_client().post("/api/v1/directory/imports", json={**push, "valid_only": True}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.json
    preview = response.json["preview"]
    assert not preview["complete"] and {tuple(e[1:3]) for e in preview["errors"]} == {(1, "manager_code"), (3, "manager_code")}
    assert preview["counts"]["people"]["deactivate"] == 0
    assert by_code("CB002").unit.code == "X-DT" and by_code("CB002").manager.personnel_code == "CB005"
    assert by_code("CB001").active and by_code("CB004").active and by_code("CB011") is None
