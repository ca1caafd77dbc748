"""Demo step: the 2026 cycle in execution with its first three quarters reported by the 45
heads, through the real operations: most reports accepted, some late, one returned and
resubmitted, drafts and missing reports in the third quarter, requests for support with and
without directions, and a few evidence files (a PDF and a PNG made on the spot).

Figures follow each target's plan with a spread from unit to unit (a fixed seed, so every
demo is the same): most near or above plan, some at risk, a few off track.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from workflow.accounts.models import Person
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.demo.steps import DemoContext, during, step
from workflow.extensions import db
from workflow.reports import operations as ops
from workflow.reports import progress
from workflow.reports.models import QuarterlyReport
from workflow.targets.models import Registration, Target, TargetKind
from workflow.targets.operations import targets_in_force
from workflow.targets.queries import registration_of

YEAR = 2026
CENT = Decimal("0.01")
# Units reporting late (days after the due date), per quarter.
LATE = {1: {"SCT": 3, "HU-SL": 6, "TD": 2}, 2: {"SCT": 5, "UB-TD": 4, "HCCB": 9, "BTGTU": 1}, 3: {"HU-SL": 2, "UB-YL": 3}}
# Units that fall behind (their figures at 75–88% of plan): at risk, a few off track.
BEHIND = {"SXD", "HU-SL", "UB-TD", "SCT", "HCCB", "TTT"}
# The third quarter: drafts not yet submitted, and units that have not started.
Q3_DRAFT = {"SKHDT", "HU-YL", "MTTQ", "BDVTU"}
Q3_MISSING = {"TD", "HCCB"}
# Submitted in Q3 but not yet accepted by the staff agency.
Q3_AWAITING = {"STC", "SYT", "HU-PY", "UB-BX", "VPTU", "HLHPN", "SVHTTDL"}
RETURN = ("SXD", 2, "Số liệu nhà ở xã hội quý 2 chưa khớp với báo cáo của UBND các huyện; đề nghị rà soát, bổ sung biểu tổng hợp theo từng dự án.")
NARRATIVES = [
    "Triển khai đúng kế hoạch; đã giao chỉ tiêu cụ thể cho từng phòng, đơn vị và kiểm tra tiến độ hằng tháng.",
    "Kết quả đạt khá; một số phần việc chậm do thủ tục đầu tư, đơn vị đã làm việc với các sở để tháo gỡ.",
    "Tổ chức nhiều cuộc làm việc trực tiếp với cơ sở, xử lý dứt điểm các vướng mắc phát sinh trong quý.",
    "Đã ban hành kế hoạch chi tiết, phân công rõ người, rõ việc, rõ thời hạn; kết quả được cập nhật trên hệ thống.",
]
BEHIND_NARRATIVES = [
    "Tiến độ chậm so với kế hoạch do vướng mắc giải phóng mặt bằng và nguồn vốn đối ứng chưa bố trí kịp.",
    "Kết quả chưa đạt kế hoạch quý; nguyên nhân chủ yếu do thiếu nhân lực chuyên môn và thủ tục kéo dài.",
]
REQUESTS = [
    ("SXD", 2, "support", "Đề nghị Ban Thường vụ chỉ đạo UBND các huyện đẩy nhanh giao đất sạch cho 3 dự án nhà ở xã hội.",
     "Giao UBND tỉnh chỉ đạo các huyện hoàn thành giao đất sạch trước 30/9/2026; Sở Xây dựng báo cáo kết quả hằng tháng.", "thuongvu1"),
    ("HU-SL", 1, "obstacle", "Lực lượng kiểm tra khai thác cát trái phép ban đêm còn mỏng; chưa có phương tiện tuần tra trên sông.",
     "Công an tỉnh phối hợp bố trí lực lượng và xuồng tuần tra; Huyện ủy chỉ đạo xử lý nghiêm, báo cáo trước 15/5.", "thuongvu3"),
    ("UB-TD", 2, "support", "Đề nghị tỉnh hỗ trợ kinh phí lập quy hoạch phân khu du lịch tâm linh Tây Thiên.",
     "Sở Tài chính tham mưu bố trí kinh phí từ nguồn dự phòng ngân sách tỉnh năm 2026.", "thuongvu2"),
    ("SCT", 2, "obstacle", "Hai dự án cụm công nghiệp chậm do nhà đầu tư hạ tầng chưa thu xếp được vốn.", None, None),
    ("HCCB", 2, "support", "Đề nghị bổ sung 01 biên chế chuyên trách công tác tuyên truyền.", None, None),
    ("SGTVT", 3, "support", "Đề nghị ưu tiên vốn duy tu đường giao thông nông thôn cho 3 huyện miền núi.",
     "Giao Sở Kế hoạch và Đầu tư cân đối trong kế hoạch vốn năm 2027; Sở Giao thông vận tải lập danh mục ưu tiên.", "thuongvu1"),
]
EVIDENCE = [("STC", 1, "pdf"), ("SGTVT", 2, "png"), ("HU-VY", 2, "pdf"), ("SNNPTNT", 3, "pdf")]


def _moment(day: date, hour: int, cal: WorkingCalendar) -> datetime:
    return datetime.combine(day, time(hour), cal.zone)


def _factor(code: str, quarter: int, target: Target, rng: random.Random) -> Decimal:
    if code in BEHIND and target.position % 2 == 1:
        return Decimal(str(rng.uniform(0.72, 0.9)))
    return Decimal(str(rng.uniform(0.95, 1.08)))


def _entry(code: str, quarter: int, target: Target, rng: random.Random, quarter_end: date) -> dict[str, Any]:
    behind = code in BEHIND and target.position % 2 == 1
    values: dict[str, Any] = {"target_id": target.id, "narrative": rng.choice(BEHIND_NARRATIVES if behind else NARRATIVES),
                              "confidence": rng.choice([2, 3]) if behind else rng.choice([4, 4, 5])}
    if target.kind == TargetKind.QUANTITATIVE:
        plan = target.quarter_plan[quarter - 1]
        start = progress.start_of(target.baseline, target.target_value, target.plan_q1, target.direction)
        values["actual"] = (start + (plan - start) * _factor(code, quarter, target, rng)).quantize(CENT)
        return values
    due = target.due_date
    if due is not None and due <= quarter_end and not behind:
        values.update(milestone_status="done", product_delivered=target.product,
                      delivered_on=min(quarter_end, due + timedelta(days=rng.choice([-12, -5, 0, 4]))))
    else:
        values["milestone_status"] = "behind" if behind and quarter > 1 else "in_progress"
    return values


def _pdf(title: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, text=title.encode("ascii", "replace").decode())
    return bytes(pdf.output())


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (243, 245, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 140, 60, 180), fill=(139, 26, 26))
    draw.rectangle((90, 100, 130, 180), fill=(139, 26, 26))
    draw.rectangle((160, 60, 200, 180), fill=(139, 26, 26))
    draw.rectangle((230, 30, 270, 180), fill=(194, 124, 14))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _evidence(code: str, quarter: int, kind: str) -> tuple[bytes, str]:
    if kind == "pdf":
        return _pdf(f"Bao cao ket qua quy {quarter}/{YEAR} - {code}"), "Báo cáo kết quả.pdf"
    return _png(), "Biểu đồ tiến độ.png"


@step(40, "quarterly reports: 2026 first to third quarter, with requests, directions and evidence")
def reports(ctx: DemoContext) -> None:
    cycle = ctx.cycles[YEAR]
    cal = WorkingCalendar(calendar_rules(cycle))
    rng = random.Random(2026)
    staff_of = {code: db.session.get(Person, unit.staff_officer_id) for code, unit in ctx.units.items()}
    registrations: dict[str, Registration] = {code: registration_of(cycle.id, unit.id) for code, unit in ctx.units.items()}
    evidence = {(code, quarter): kind for code, quarter, kind in EVIDENCE}
    requests = {(code, quarter): (kind, body) for code, quarter, kind, body, *_ in REQUESTS}
    raised: dict[tuple[str, int], Any] = {}
    raised_at: dict[tuple[str, int], datetime] = {}
    made: dict[tuple[str, int], QuarterlyReport] = {}
    for quarter in (1, 2, 3):
        window = cal.window(YEAR, quarter)
        for code, registration in registrations.items():
            if quarter == 3 and code in Q3_MISSING:
                continue
            head = ctx.heads[code]
            days = LATE.get(quarter, {}).get(code)
            submitted_on = window.due_on + timedelta(days=days) if days else window.due_on - timedelta(days=rng.choice([1, 2, 3, 6]))
            moment = _moment(submitted_on, 10, cal)
            opened = _moment(window.opens_on + timedelta(days=2), 9, cal)
            with during(opened):
                report = made[code, quarter] = ops.open_report(registration, quarter, actor=head, now=opened)
                db.session.flush()
            targets = targets_in_force(registration)
            entries = [_entry(code, quarter, t, rng, window.quarter_ends_on) for t in targets]
            if quarter == 3 and code in Q3_DRAFT:
                with during(opened + timedelta(days=rng.randint(3, 10))) as now:
                    ops.save_entries(report, entries[: max(1, len(entries) // 2)], actor=head, version=report.version, now=now)
                continue
            with during(moment):
                ops.save_entries(report, entries, actor=head, version=report.version, now=moment)
                if (code, quarter) in evidence:
                    data, name = _evidence(code, quarter, evidence[code, quarter])
                    ops.add_evidence(report, io.BytesIO(data), name, actor=head, target_id=targets[0].id)
                if (code, quarter) in requests:
                    kind, body = requests[code, quarter]
                    raised[code, quarter] = ops.raise_request(report, kind, body, actor=head)
                    raised_at[code, quarter] = moment
                db.session.flush()
                ops.submit(report, actor=head, version=report.version, now=moment)
                db.session.flush()
            reviewed = moment + timedelta(days=2)
            if (code, quarter) == RETURN[:2]:
                with during(reviewed):
                    ops.take_step(report, "return", actor=staff_of[code], version=report.version, reason=RETURN[2], now=reviewed)
                    db.session.flush()
                with during(moment + timedelta(days=4)) as again:
                    ops.submit(report, actor=head, version=report.version, now=again)
                    db.session.flush()
                reviewed = moment + timedelta(days=5)
            if not (quarter == 3 and code in Q3_AWAITING):
                with during(reviewed):
                    ops.take_step(report, "accept", actor=staff_of[code], version=report.version, now=reviewed)
        db.session.flush()
    for code, quarter, _, _, direction, author in REQUESTS:
        if direction:
            request = raised[code, quarter]
            with during(raised_at[code, quarter] + timedelta(days=6)):
                ops.give_direction(request, direction, actor=ctx.people[author], version=request.version)
    submitted = sum(1 for r in made.values() if r.ever_submitted)
    ctx.notes.append(f"Reports: {len(made)} opened for 2026 Q1–Q3 ({submitted} submitted), {len(raised)} requests for support.")
