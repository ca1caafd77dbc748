"""The demo province's organisation as its personnel office would export it
(docs/directory-example.xlsx), imported by the demo: its units as they stand, and the officials
of four departments — each department's head of a division (trưởng phòng) and the civil servants
and public employees who report to them — placed in their tracks by their positions.

`example()` gives the workbook's rows; the file under docs/ is written from it
(`python -m workflow.directory.demo`), and a test checks that the two agree.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from workflow.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "docs" / "directory-example.xlsx"
POSITIONS = [
    ["TP", "Trưởng phòng chuyên môn", "civil_servants", "", "không"],
    ["CV", "Chuyên viên", "civil_servants", "", "không"],
    ["VC", "Viên chức", "public_employees", "", "không"],
]
# (unit, division, [(family name, given names)]): the first is the head of the division.
OFFICIALS = [
    ("SKHDT", "Phòng Tổng hợp, quy hoạch", ["Nguyễn Thị Thanh", "Trần Văn Hải", "Lê Thị Ngọc Ánh", "Phạm Đức Anh"]),
    ("STC", "Phòng Quản lý giá và công sản", ["Vũ Văn Khoa", "Đỗ Thị Thu Trang", "Hoàng Minh Đức", "Bùi Thị Hoa"]),
    ("SNV", "Phòng Tổ chức, biên chế", ["Đặng Văn Tùng", "Ngô Thị Hằng", "Dương Quốc Bảo", "Lý Thị Huyền"]),
    ("SYT", "Phòng Nghiệp vụ y", ["Phan Thị Liên", "Trịnh Văn Hoàng", "Mai Thị Quỳnh", "Tạ Văn Lợi"]),
]


def example() -> dict[str, list[list[str]]]:
    """The rows of the example workbook, by sheet."""
    from workflow.demo import province
    from workflow.framework.demo import COMMUNES

    units = [[code, name, "", group, dict(province.GROUPS)[group]] for code, name, group, *_ in province.UNITS]
    units += [[code, name, parent, "HUYEN-TP", ""] for code, name, parent, _ in COMMUNES]
    people = []
    for unit, _, names in OFFICIALS:
        lead = None
        for i, name in enumerate(names):
            code = f"VP-{unit}-{i + 1:02d}"
            position = "TP" if i == 0 else ("VC" if unit == "SYT" else "CV")
            people.append([code, name, f"{code.lower()}@vinhphuc.demo", unit, position, lead or "", date(2020 + i, 3, 1).strftime("%d/%m/%Y")])
            lead = lead or code
    return {"units": units, "positions": [list(p) for p in POSITIONS], "people": people}


def _step() -> None:
    from workflow.demo.steps import DemoContext, at, step

    @step(34, "the organisation from the personnel office's workbook (docs/directory-example.xlsx): officials of four departments")
    def import_workbook(ctx: DemoContext) -> None:
        from workflow.directory import operations

        with at(date(2026, 1, 6), 10):
            batch = operations.preview(Path(EXAMPLE).read_bytes(), kind="xlsx", filename=EXAMPLE.name, actor=ctx.admin)
            operations.apply(batch, actor=ctx.admin)
        ctx.notes.append(f"Directory: {EXAMPLE.name} imported ({batch.preview['counts']['people']['create']} officials of "
                         f"{len(OFFICIALS)} departments in their tracks)")


_step()


if __name__ == "__main__":
    from workflow.directory.workbook import write

    EXAMPLE.write_bytes(write(example()))
    print(f"wrote {EXAMPLE}")
