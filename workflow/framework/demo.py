"""The demo province's tracks besides its heads: every unit of the four groups as a collective,
the civil servants of two departments evaluated monthly (Nghị định 335/2025/NĐ-CP), a deputy who
is both a deputy head and a civil servant (a subject of two tracks), and the key leaders of two
communes, each scored on their title's own sheet (biểu điểm theo chức danh, as in Cầu Ngang)."""

from __future__ import annotations

from datetime import date

from workflow import policy
from workflow.accounts import operations as accounts
from workflow.accounts.passwords import hash_password
from workflow.demo import province
from workflow.demo.steps import DemoContext, at, step
from workflow.extensions import db
from workflow.framework import operations, queries
from workflow.units.models import Unit

# (unit code, username, full name, title)
CIVIL_SERVANTS = [
    ("SNV", "cc.snv.lan", "Phạm Thị Lan", "Chuyên viên Phòng Công chức, viên chức"),
    ("SNV", "cc.snv.duc", "Nguyễn Minh Đức", "Chuyên viên Phòng Tổ chức, biên chế"),
    ("SNV", "cc.snv.hoa", "Lê Thị Hòa", "Chuyên viên Phòng Cải cách hành chính"),
    ("STC", "cc.stc.tuan", "Trần Anh Tuấn", "Chuyên viên Phòng Quản lý ngân sách"),
    ("STC", "cc.stc.ha", "Vũ Thu Hà", "Chuyên viên Phòng Tài chính đầu tư"),
    ("STC", "cc.stc.son", "Đỗ Văn Sơn", "Chuyên viên Thanh tra Sở"),
]
# A deputy head of the Department of Home Affairs: a deputy (366) and a civil servant (335).
DEPUTY = ("SNV", "pgd.snv", "Hoàng Văn Quý", "Phó Giám đốc Sở Nội vụ")
# (code, name, parent unit, [(username, full name, title, sheet)])
COMMUNES = [
    ("P-LB", "Phường Liên Bảo", "UB-VY", [("bt.lienbao", "Nguyễn Văn Bảo", "Bí thư Đảng ủy phường Liên Bảo", "party_secretary_commune"),
                                          ("ct.lienbao", "Trần Thị Liên", "Chủ tịch UBND phường Liên Bảo", "commune_chair")]),
    ("X-DT", "Xã Đạo Trù", "UB-TD", [("bt.daotru", "Triệu Văn Đạo", "Bí thư Đảng ủy xã Đạo Trù", "party_secretary_commune"),
                                      ("ct.daotru", "Lý Thị Trù", "Chủ tịch UBND xã Đạo Trù", "commune_chair")]),
]


@step(32, "evaluation tracks: collectives of the four groups, civil servants of two departments (monthly), commune leaders by title")
def tracks(ctx: DemoContext) -> None:
    admin = ctx.admin
    rules = ctx.cycles[2026].rules
    password_hash = hash_password(province.DEMO_PASSWORD)
    track = {t.code: t for t in (queries.track(code) for code in ("collectives", "civil_servants", "deputies", "commune_leaders")) if t}

    def person(unit: Unit, username: str, full_name: str, title: str):
        p = accounts.create_person(actor=policy.SYSTEM, username=username, full_name=full_name, email=f"{username}@vinhphuc.demo",
                                   title=title, unit_id=unit.id, password_hash=password_hash)
        db.session.flush()
        ctx.people[username] = p
        return p

    with at(date(2026, 1, 5), 9):
        for unit in ctx.units.values():
            operations.add_subject(track["collectives"], unit_id=unit.id, person_id=None, rules=rules, actor=admin)
        for code, username, full_name, title in CIVIL_SERVANTS:
            servant = person(ctx.units[code], username, full_name, title)
            operations.add_subject(track["civil_servants"], unit_id=servant.unit_id, person_id=servant.id, rules=rules, actor=admin)
        code, username, full_name, title = DEPUTY
        deputy = person(ctx.units[code], username, full_name, title)
        for name in ("deputies", "civil_servants"):
            operations.add_subject(track[name], unit_id=deputy.unit_id, person_id=deputy.id, rules=rules, actor=admin)
        for code, name, parent, leaders in COMMUNES:
            commune = Unit(code=code, name=name, group_id=ctx.units[parent].group_id, parent_id=ctx.units[parent].id,
                           staff_officer_id=ctx.units[parent].staff_officer_id)
            db.session.add(commune)
            db.session.flush()
            operations.add_subject(track["collectives"], unit_id=commune.id, person_id=None, rules=rules, actor=admin)
            for username, full_name, title, sheet in leaders:
                leader = person(commune, username, full_name, title)
                operations.add_subject(track["commune_leaders"], unit_id=commune.id, person_id=leader.id, title=sheet, rules=rules, actor=admin)
    ctx.notes.append(f"Tracks: {len(ctx.units) + len(COMMUNES)} collectives, {len(CIVIL_SERVANTS) + 1} civil servants (monthly), "
                     f"{sum(len(c[3]) for c in COMMUNES)} commune leaders on their titles' sheets")
