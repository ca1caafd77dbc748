"""The Excel workbook of a whole cycle, written as a stream (openpyxl's write-only mode) so that
memory stays flat whatever the number of heads: heads are read from the database in chunks.

Sheets (in Vietnamese, as officials file them):
- "Tổng hợp": one row per head: unit, group, head, each member's total, the panel score, its
  spread, the proposed level, the committee's decision and its reason;
- one more such sheet for each other track the council scores that has subjects (the commune
  leaders, the collectives), named by the track; a collective not classified under the 12-month
  rule is a row of its own, "Không xếp loại" with its sentence;
- "Chỉ tiêu": one row per target in force: assigned values, weight, the four quarters' accepted
  values (or task statuses), the year-end figure;
- "Điểm thành viên": one row per scorecard submitted: each general criterion, the task points,
  the total and the level it implied;
- "Thông tin": the cycle, the rubric version, when the file was made.

Numbers are real numbers shown the Vietnamese way (1.234,5), dates dd/mm/yyyy and times in the
province's time zone (`workflow.core.formats.excel_cell`).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from workflow.accounts.models import Person
from workflow.core import excel, formats
from workflow.core.models import utcnow
from workflow.council import proposals, queries
from workflow.council.models import Decision, Scorecard, ScorecardState
from workflow.council.presenters import level_names
from workflow.council.rules import council_tracks
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.rules import tracks_of
from workflow.reports.display import milestone_labels
from workflow.reports.models import QuarterlyReport, ReportEntry, ReportState
from workflow.targets.models import Registration, Target, TargetKind

CHUNK = 500
BOLD = Font(bold=True)


def _header(sheet: Any, titles: Sequence[str]) -> None:
    excel.append(sheet, titles, font=BOLD)


def _number(value: Any) -> Any:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


SUMMARY_AFTER = ["Điểm của Hội đồng", "Phương pháp", "Số phiếu", "Độ lệch chuẩn", "Khoảng chênh", "Đề xuất của Hội đồng", "Cần thảo luận",
                 "Quyết định của Ban Thường vụ", "Lý do khác đề xuất"]
NOT_CLASSIFIED = "Không xếp loại"


def _sheet_title(name: str) -> str:
    """A track's name as a sheet's title: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in name if c not in "[]:*?/\\")[:31].strip() or "Nhóm"


def _summary(book: Any, title: str, panel: proposals.Panel, members: Sequence[Any], decisions: dict[int, tuple[str | None, str]],
             head_names: dict[int, str]) -> Any:
    """One row per subject of a track: each member's total, the panel score, the proposal, the
    committee's decision; a collective not classified with its sentence (the 12-month rule)."""
    names = level_names(panel.rubric)
    sheet = book.create_sheet(title)
    unclassified = list(panel.not_classified)
    _header(sheet, ["Nhóm", "Cơ quan, đơn vị", "Người đứng đầu", *[f"Điểm: {m.person.full_name}" for m in members], *SUMMARY_AFTER,
                    *(["Ghi chú"] if unclassified else [])])
    for head in panel.heads:
        p = panel.proposal(head.registration_id)
        ratings = panel.ratings(head.registration_id)
        level, reason = decisions.get(head.registration_id, (None, ""))
        excel.append(sheet, [head.group_name, head.unit_name, head_names.get(head.registration_id, ""),
                             *[_number(ratings.get(m.id)) for m in members], _number(p.panel.score), p.panel.method, p.panel.ratings,
                             _number(p.panel.stdev), _number(p.panel.range),
                             names.get(p.level or "", "Hòa tại ngưỡng" if p.quota.status == "tie" else ""),
                             "Có" if p.needs_discussion else "", names.get(level or "", ""), reason])
    for head, standing in unclassified:
        excel.append(sheet, [head.group_name, head.unit_name, head_names.get(head.registration_id, ""), *[None for _ in members],
                             None, "", None, None, None, NOT_CLASSIFIED, "", NOT_CLASSIFIED, "", standing.sentence_vi()])
    return sheet


def write_workbook(cycle: Cycle, target: Any) -> None:
    """Write the cycle's workbook to `target` (a path or a binary file)."""
    panel = proposals.compute(cycle)
    rubric = panel.rubric
    names = level_names(rubric)
    milestones = milestone_labels()
    members = queries.members(cycle.id)
    member_names = {m.id: m.person.full_name for m in members}
    latest = select(Decision.registration_id, func.max(Decision.number).label("n")).where(Decision.cycle_id == cycle.id).group_by(Decision.registration_id).subquery()
    decisions = {r: (level, reason) for r, level, reason in db.session.execute(
        select(Decision.registration_id, Decision.level, Decision.reason).join(latest, (Decision.registration_id == latest.c.registration_id) & (Decision.number == latest.c.n)))}
    head_names = dict(db.session.execute(
        select(Registration.id, Person.full_name).join(Person, Registration.head_id == Person.id).where(Registration.cycle_id == cycle.id)).all())

    book = Workbook(write_only=True)
    _summary(book, "Tổng hợp", panel, members, decisions, head_names)
    for code in council_tracks(cycle)[1:]:  # after the heads'
        other = proposals.compute(cycle, track=code)
        if other.heads or other.not_classified:
            _summary(book, _sheet_title(tracks_of(cycle.rules)[code]["name"]["vi"]), other, members, decisions, head_names)

    targets_sheet = book.create_sheet("Chỉ tiêu")
    with force_locale("vi"):  # the workbook is in Vietnamese, as it is filed
        quarters = [formats.quarter(q) for q in (1, 2, 3, 4)]
    _header(targets_sheet, ["Cơ quan, đơn vị", "Chỉ tiêu, nhiệm vụ", "Loại", "Đơn vị tính", "Xuất phát", "Chỉ tiêu giao", "Tỷ trọng",
                            *quarters, "Kết quả cuối năm"])
    cards_sheet = book.create_sheet("Điểm thành viên")
    criteria = [c.code for c in rubric.general]
    _header(cards_sheet, ["Cơ quan, đơn vị", "Người đứng đầu", "Thành viên", *[c.name.vi for c in rubric.general], "Điểm tiêu chí chung",
                          "Điểm kết quả nhiệm vụ", "Tổng điểm", "Mức tương ứng", "Nộp lúc"])
    for chunk in _chunks(panel.heads):
        ids = [h.registration_id for h in chunk]
        units = {h.registration_id: h.unit_name for h in chunk}
        values: dict[int, dict[int, Any]] = defaultdict(dict)
        rows = db.session.execute(
            select(ReportEntry.target_id, QuarterlyReport.quarter, ReportEntry.actual, ReportEntry.milestone_status)
            .join(QuarterlyReport, ReportEntry.report_id == QuarterlyReport.id)
            .where(QuarterlyReport.registration_id.in_(ids), QuarterlyReport.state == ReportState.ACCEPTED)
        )
        for target_id, quarter, actual, status in rows:
            values[target_id][quarter] = _number(actual) if actual is not None else (milestones[status] if status else None)
        for t in db.session.scalars(select(Target).where(Target.registration_id.in_(ids), Target.dropped.is_(False)).order_by(Target.registration_id, Target.position)):
            quarters = [values[t.id].get(q) for q in (1, 2, 3, 4)]
            final = next((v for v in reversed(quarters) if v is not None), None)
            quantitative = t.kind == TargetKind.QUANTITATIVE
            excel.append(targets_sheet, [units[t.registration_id], t.title, "Chỉ tiêu" if quantitative else "Nhiệm vụ", t.measure,
                                  _number(t.baseline), _number(t.target_value) if quantitative else t.product, _number(t.weight), *quarters, final])
        for card in db.session.execute(
            select(Scorecard.registration_id, Scorecard.member_id, Scorecard.general, Scorecard.general_points, Scorecard.task_points,
                   Scorecard.total, Scorecard.level, Scorecard.submitted_at)
            .where(Scorecard.registration_id.in_(ids), Scorecard.state == ScorecardState.SUBMITTED)
            .order_by(Scorecard.registration_id, Scorecard.member_id)
        ):
            general = card.general or {}
            excel.append(cards_sheet, [units[card.registration_id], head_names.get(card.registration_id, ""), member_names.get(card.member_id, ""),
                                *[_number(Decimal(general[c])) if general.get(c) else None for c in criteria], _number(card.general_points),
                                _number(card.task_points), _number(card.total), names.get(card.level or "", ""),
                                card.submitted_at])
        db.session.expire_all()

    info = book.create_sheet("Thông tin")
    for label, value in (("Kỳ đánh giá", cycle.name), ("Thang điểm", f"{rubric.name.vi} ({rubric.version})"),
                         ("Số người được đánh giá", len(panel.heads)), ("Lập lúc", utcnow())):
        excel.append(info, [label, value])
    book.save(target)


def workbook_file(cycle: Cycle) -> Any:
    """The workbook in a temporary file (deleted when closed), ready to send."""
    out = tempfile.TemporaryFile(suffix=".xlsx")
    write_workbook(cycle, out)
    out.seek(0)
    return out
