"""Demo step: the monthly round of 2026 for the civil servants of the Department of Home Affairs
(SNV) and the Department of Finance (STC), through the real operations: each department's
product catalogue and two shared templates; at SNV the deputy director is the servants' direct
manager, at STC the director; January to March assessed and approved (one servant did not
self-assess in February and is flagged; March's assessment of one servant returned once by the
head), April assessed and waiting for the head, May self-assessed, June's products assigned."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.demo.steps import DemoContext, at, step
from workflow.extensions import db
from workflow.framework import queries as framework_queries
from workflow.monthly import operations, queries
from workflow.monthly.models import Product

YEAR = 2026
TEMPLATES = [("VB-TM", "Văn bản tham mưu (tờ trình, báo cáo, công văn)", "văn bản", "1", "Văn bản"),
             ("HOP-CB", "Cuộc họp, hội nghị chuẩn bị nội dung", "cuộc họp", "0.5", "Tổng hợp")]
CATALOGUES = {
    "SNV": [("HS-TD", "Hồ sơ thẩm định đề án vị trí việc làm", "hồ sơ", "1", "Tổ chức, biên chế"),
            ("HS-TT", "Hồ sơ tuyển dụng, tiếp nhận công chức", "hồ sơ", "0.5", "Công chức, viên chức"),
            ("BC-CCHC", "Báo cáo kiểm tra cải cách hành chính", "báo cáo", "3", "Cải cách hành chính")],
    "STC": [("HS-DT", "Hồ sơ thẩm định dự toán", "hồ sơ", "1", "Ngân sách"),
            ("BC-QT", "Báo cáo quyết toán dự án hoàn thành", "báo cáo", "2", "Đầu tư"),
            ("BC-TTR", "Báo cáo thanh tra chuyên ngành", "báo cáo", "3", "Thanh tra")],
}
# Each servant's month: (product code, quantity, day due, recurring), of their department's catalogue.
PLANS = {
    "cc.snv.lan": [("HS-TT", 6, 20, True), ("VB-TM", 4, 28, True)],
    "cc.snv.duc": [("HS-TD", 5, 25, True), ("HOP-CB", 2, 15, False)],
    "cc.snv.hoa": [("BC-CCHC", 1, 27, False), ("VB-TM", 3, 28, True)],
    "cc.stc.tuan": [("HS-DT", 8, 22, True), ("VB-TM", 2, 28, True)],
    "cc.stc.ha": [("BC-QT", 2, 26, True)],
    "cc.stc.son": [("BC-TTR", 1, 27, False), ("VB-TM", 2, 28, True)],
}
# (username, month): what the manager finds — (quantity short on the first product, errors, days late).
FINDINGS = {("cc.snv.duc", 2): (1, 0, 0), ("cc.snv.hoa", 3): (0, 1, 0), ("cc.stc.ha", 1): (0, 0, 3), ("cc.stc.son", 2): (0, 1, 2),
            ("cc.snv.lan", 3): (0, 0, 1)}
NOT_SELF_ASSESSED = {("cc.stc.son", 2)}
RETURNED = ("cc.snv.hoa", 3, "Báo cáo kiểm tra cải cách hành chính tháng 3 có sai sót số liệu; đề nghị ghi nhận lỗi chất lượng.")


@step(35, "monthly products of civil servants: catalogues, January–March approved, April awaiting approval, May self-assessed, June assigned")
def monthly(ctx: DemoContext) -> None:
    cycle = ctx.cycles[YEAR]
    cal = WorkingCalendar(calendar_rules(cycle))
    admin = ctx.admin
    deputy = ctx.people["pgd.snv"]
    with at(date(YEAR, 1, 2), 8):
        for code, name, measure, coefficient, group in TEMPLATES:
            operations.save_product(None, {"code": code, "name": name, "measure": measure, "coefficient": Decimal(coefficient), "group": group},
                                    actor=admin)
        for unit_code, rows in CATALOGUES.items():
            for code, name, measure, coefficient, group in rows:
                operations.save_product(ctx.units[unit_code].id, {"code": code, "name": name, "measure": measure,
                                                                  "coefficient": Decimal(coefficient), "group": group}, actor=ctx.heads[unit_code])
        for username in PLANS:
            if username.startswith("cc.snv."):
                operations.set_manager(ctx.people[username], deputy, actor=admin)
    track = framework_queries.track("civil_servants")
    products = {(p.unit_id, p.code): p for p in db.session.scalars(db.select(Product))}
    for number in range(1, 7):
        period = queries.month_period(cycle.id, number)
        assert period is not None and track is not None
        first = cal.next_working_day(period.starts_on)
        plans = {}
        with at(first, 8, 30):
            for username, lines in PLANS.items():
                servant = ctx.people[username]
                subject = framework_queries.subject(track.id, servant.unit_id, servant.id)
                manager = queries.direct_manager(servant, servant.unit_id)
                plan = operations.open_month(subject, period, actor=manager)
                db.session.flush()
                if number == 1:
                    for code, quantity, day, recurring in lines:
                        product = products.get((servant.unit_id, code)) or products[(None, code)]
                        operations.add_line(plan, {"product_id": product.id, "quantity": Decimal(quantity), "due_on": period.starts_on.replace(day=day),
                                                   "recurring": recurring}, actor=manager, version=plan.version)
                        db.session.flush()
                else:
                    operations.carry_over(plan, actor=manager, version=plan.version)
                    db.session.flush()
                operations.take_step(plan, "assign", actor=manager, version=plan.version)
                plans[username] = (plan, manager)
        if number == 6:
            continue
        last = cal.previous_working_day(period.ends_on)
        with at(last, 16):
            for username, (plan, _) in plans.items():
                if (username, number) in NOT_SELF_ASSESSED:
                    continue
                short, _, late = FINDINGS.get((username, number), (0, 0, 0))
                entries = [{"line_id": ln.id, "delivered_quantity": ln.quantity - (short if i == 0 else 0),
                            "delivered_on": ln.due_on + timedelta(days=late if i == 0 else -1),
                            "evidence_link": f"https://eoffice.vinhphuc.gov.vn/van-ban/{plan.id}-{ln.position}"} for i, ln in enumerate(plan.lines)]
                operations.save_self_assessment(plan, entries, actor=ctx.people[username], version=plan.version)
                db.session.flush()
                operations.take_step(plan, "self_assess", actor=ctx.people[username], version=plan.version)
        if number == 5:
            continue
        with at(period.due_on, 10):
            for username, (plan, manager) in plans.items():
                short, errors, late = FINDINGS.get((username, number), (0, 0, 0))
                entries = [{"line_id": plan.lines[0].id, "errors": errors}]
                if (username, number) in NOT_SELF_ASSESSED:
                    entries = [{"line_id": ln.id, "assessed_quantity": ln.quantity, "assessed_on": ln.due_on, "errors": errors if i == 0 else 0}
                               for i, ln in enumerate(plan.lines)]
                if (username, number) == RETURNED[:2]:
                    entries = [{"line_id": plan.lines[0].id}]
                operations.assess(plan, entries, actor=manager, version=plan.version)
                db.session.flush()
        if number == 4:
            continue
        with at(period.due_on + timedelta(days=1), 14):
            for username, (plan, _) in plans.items():
                head = ctx.heads[ctx.people[username].unit.code]
                if (username, number) == RETURNED[:2]:
                    operations.take_step(plan, "return", actor=head, version=plan.version, reason=RETURNED[2])
                    db.session.flush()
                    operations.assess(plan, [{"line_id": plan.lines[0].id, "errors": 1}], actor=plans[username][1], version=plan.version)
                    db.session.flush()
                operations.take_step(plan, "approve", actor=head, version=plan.version)
    ctx.notes.append("Monthly round 2026: SNV and STC catalogues; January–March approved, April awaiting approval, May self-assessed, June assigned")
