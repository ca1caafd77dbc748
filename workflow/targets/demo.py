"""Demo step: every 2026 registration officially assigned (registered in December 2025 from what
each head achieved in 2025, assigned on 20 January 2026), and the 2027 registrations in every
state (draft, submitted, under review with warnings and proposals, returned, assigned on 3
December 2026, one with an amendment requested and one amended), all made through the real
operations and dated as they happened."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from workflow.accounts.models import Person
from workflow.cycles.operations import advance_cycle, create_cycle
from workflow.demo.steps import RULES, DemoContext, at, step
from workflow.extensions import db
from workflow.targets import operations
from workflow.targets.demo_data import UNITS
from workflow.targets.models import Registration, Target
from workflow.targets.queries import registration_of

SHARES = (Decimal("0.2"), Decimal("0.45"), Decimal("0.7"), Decimal("1"))
CENT = Decimal("0.01")

# 2027: the state each unit's registration is left in (units not named have none yet).
STATES_2027 = {
    "draft": ["SKHDT", "TTT", "HU-SL", "TD", "HCCB"],
    "submitted": ["STC", "SCT", "HU-PY", "UB-PY", "MTTQ", "BTGTU", "HU-TD"],
    "reviewed": ["SGTVT", "SGDDT", "UB-BX", "HU-LT", "UBKTTU", "HLHPN"],
    "returned": ["SXD", "HU-YL", "BDVTU"],
    "assigned": ["SNNPTNT", "STNMT", "SYT", "SVHTTDL", "SNV", "STTTT", "BQLKCN", "HU-VY", "UB-VY", "HU-BX", "UB-TD",
                 "HU-TDG", "UB-TDG", "UB-LT", "UB-YL", "HU-VT", "UB-VT", "BTCTU", "BNCTU", "VPTU", "DUK", "LDLD"],
}
RETURN_REASONS = {
    "SXD": "Nhiệm vụ xử lý dự án Hoàng Vương chưa nêu rõ sản phẩm cuối cùng; đề nghị bổ sung mốc tiến độ từng quý và chỉ tiêu nhà ở xã hội cao hơn kết quả năm 2026.",
    "HU-YL": "Chưa xác định điểm nghẽn cụ thể của huyện; đề nghị làm rõ diện tích vùng sản xuất tập trung theo từng xã.",
    "BDVTU": "Chỉ tiêu hòa giải thành thấp hơn bình quân của tỉnh; đề nghị nâng lên ít nhất 88%.",
}


def _plan(baseline: Decimal, target: Decimal, cumulative: bool) -> dict[str, Decimal]:
    if cumulative:
        values = [(target * share).quantize(CENT) for share in SHARES]
    else:
        values = [(baseline + (target - baseline) * q / 4).quantize(CENT) for q in range(1, 5)]
    values[-1] = target
    return {f"plan_q{q}": v for q, v in zip(range(1, 5), values)}


def _milestones(due: date) -> dict[str, str]:
    last = (due.month - 1) // 3 + 1
    texts = {1: "Ban hành kế hoạch thực hiện, phân công đơn vị chủ trì"}
    for q in range(2, last):
        texts[q] = "Triển khai, kiểm tra tiến độ, tháo gỡ vướng mắc"
    texts[last] = "Hoàn thành, nghiệm thu sản phẩm"
    return {f"milestone_q{q}": texts.get(q, "") for q in range(1, 5)}


def _a_year_earlier(baseline: Decimal, target: Decimal) -> tuple[Decimal, Decimal]:
    """The (baseline, target) the same target had a year before: that year's target was this
    year's baseline, reached by the same step, or by the same ratio where a step back would fall
    to zero or below (a figure that doubled)."""
    step = target - baseline
    earlier = baseline - step
    if step > 0 and earlier <= 0:
        earlier = baseline * baseline / target
    return earlier, baseline


def _written_like(value: Decimal, *examples: Decimal) -> Decimal:
    """A figure written as the registration writes its others (whole numbers stay whole)."""
    whole = all(e == e.to_integral_value() for e in examples)
    return value.quantize(Decimal(1) if whole else Decimal("0.1"))


def target_values(spec: tuple, year: int, baseline: Decimal | None = None) -> dict[str, Any]:
    """The values of one demo target in `year`: 2027 as written; each earlier year one step
    behind (its target is the next year's baseline). `baseline`, when given, is the head's real
    result of the year before (2026 starts from what 2025 achieved)."""
    tags = spec[7] if spec[0] == "Q" else spec[6]
    flags = {"is_new": "N" in tags, "is_difficult": "D" in tags, "is_focal": "F" in tags, "is_bottleneck": "B" in tags}
    if spec[0] == "T":
        _, title, field, product, due, weight, _ = spec
        month, day = map(int, due.split("-"))
        due_date = date(year, month, day)
        return {"kind": "task", "title": title, "field": field, "product": product, "due_date": due_date,
                "weight": Decimal(weight), **_milestones(due_date), **flags}
    _, title, field, measure, first, goal, weight, _, *rest = spec
    direction = rest[0] if rest else "higher"
    start, target = Decimal(str(first)), Decimal(str(goal))
    for _ in range(2027 - year):
        start, target = _a_year_earlier(start, target)
    start = baseline if baseline is not None else start
    start, target = (_written_like(v, Decimal(str(first)), Decimal(str(goal))) for v in (start, target))
    return {"kind": "quantitative", "title": title, "field": field, "measure": measure, "baseline": start, "target_value": target,
            "direction": direction, "weight": Decimal(weight), **_plan(start, target, "C" in tags), **flags}


def _register(ctx: DemoContext, code: str, year: int, previous: list[Target] | None = None) -> Registration:
    unit, head = ctx.units[code], ctx.heads[code]
    registration = operations.create_registration(ctx.cycles[year], unit, actor=head)
    db.session.flush()
    for i, spec in enumerate(UNITS[code]):
        # 2026 starts from what the head really achieved in 2025.
        values = target_values(spec, year, ctx.results.get((code, i)) if year == 2026 else None)
        if previous and values["kind"] == "quantitative":
            values["previous_target_id"] = previous[i].id
        operations.add_target(registration, values, actor=head)
    return registration


def _step(registration: Registration, name: str, actor: Person, **kw: Any) -> None:
    operations.take_step(registration, name, actor=actor, version=registration.version, **kw)
    db.session.flush()


def _assign(registration: Registration, committee: Person, number: str, day: date) -> None:
    _step(registration, "assign", committee, decision={"decision_number": number, "decision_date": day, "signer_id": committee.id})


def _day(first: date, number: int, spread: int) -> date:
    """Heads do not all act on the same day: the `number`th of them acts within `spread` days."""
    return first + timedelta(days=number % spread)


@step(30, "registrations of targets: 2026 assigned, 2027 in every state")
def registrations(ctx: DemoContext) -> None:
    secretary, deputy, admin = ctx.people["thuongvu1"], ctx.people["thuongvu2"], ctx.admin
    staff_of = {code: db.session.get(Person, unit.staff_officer_id) for code, unit in ctx.units.items()}
    with at(date(2025, 11, 14), 9):
        ctx.cycles[2026] = create_cycle(2026, actor=admin, rules_file=str(RULES / "2026.toml"))
        db.session.flush()
    assigned_2026: dict[str, list[Target]] = {}
    for number, code in enumerate(UNITS, start=1):
        earlier = registration_of(ctx.cycles[2025].id, ctx.units[code].id) if 2025 in ctx.cycles else None
        with at(_day(date(2025, 12, 1), number, 5), 9):
            registration = _register(ctx, code, 2026, list(earlier.targets) if earlier else None)
        with at(_day(date(2025, 12, 8), number, 6), 16):
            _step(registration, "submit", ctx.heads[code])
        with at(_day(date(2026, 1, 5), number, 5), 10):
            _step(registration, "forward", staff_of[code])
        with at(date(2026, 1, 20), 15):
            _assign(registration, secretary, f"{100 + number}-QĐ/TU", date(2026, 1, 20))
        assigned_2026[code] = list(registration.targets)
    with at(date(2026, 1, 21), 8):
        advance_cycle(ctx.cycles[2026], "start_execution", actor=admin, version=ctx.cycles[2026].version)
        db.session.flush()

    with at(date(2026, 10, 15), 9):
        ctx.cycles[2027] = create_cycle(2027, actor=admin)
        db.session.flush()
    made: dict[str, Registration] = {}
    for state, codes in STATES_2027.items():
        for number, code in enumerate(codes):
            head, staff = ctx.heads[code], staff_of[code]
            with at(_day(date(2026, 11, 2), number, 5), 9):
                registration = made[code] = _register(ctx, code, 2027, assigned_2026[code])
            if state == "draft":
                continue
            with at(_day(date(2026, 11, 9), number, 5), 16):
                _step(registration, "submit", head)
            with at(_day(date(2026, 11, 16), number, 5), 10):
                if state == "returned":
                    _step(registration, "return", staff, reason=RETURN_REASONS[code])
                elif state in ("reviewed", "assigned"):
                    _step(registration, "forward", staff)
    with at(date(2026, 11, 24), 9):
        _review_with_warnings_and_proposals(ctx, made, staff_of)
    with at(date(2026, 11, 27), 14):
        _committee_adjusts(ctx, made, staff_of)
    with at(date(2026, 12, 3), 15):
        for number, code in enumerate(STATES_2027["assigned"], start=1):
            _assign(made[code], secretary if number % 2 else deputy, f"{number}-QĐ/TU", date(2026, 12, 3))
    _amendments(ctx, made)
    ctx.notes.append(f"Registrations: 45 assigned for 2026; {len(made)} for 2027 in every state.")


def _review_with_warnings_and_proposals(ctx: DemoContext, made: dict[str, Registration], staff_of: dict[str, Person]) -> None:
    """Staff at work on registrations under review: proposals, comments, and targets that
    draw warnings (a target below last year's result, a quarter plan that goes backwards)."""
    transport = made["SGTVT"]
    staff = staff_of["SGTVT"]
    rural_roads = transport.targets[3]
    committee = ctx.people["thuongvu3"]
    operations.update_target(rural_roads, {"target_value": Decimal("93.5"), "plan_q1": Decimal("93.5"), "plan_q2": Decimal("94.5"),
                                           "plan_q3": Decimal("93"), "plan_q4": Decimal("93.5")},
                             actor=committee, version=rural_roads.version, reason="Theo báo cáo của Sở về nguồn vốn năm 2027")
    operations.create_proposal(transport, {"kind": "change", "target_id": rural_roads.id,
                                           "values": {"target_value": "97", "plan_q1": "94.5", "plan_q2": "95.5", "plan_q3": "96.5", "plan_q4": "97"}},
                               actor=staff, reason="Năm 2026 đã đạt 94%; chỉ tiêu 93,5% là thấp hơn kết quả năm trước.")
    operations.create_proposal(transport, {"kind": "add", "values": {
        "kind": "task", "title": "Hoàn thành thẩm định, tiết kiệm chi phí các dự án giao thông sử dụng vốn ngân sách năm 2027",
        "field": "Giao thông", "product": "Báo cáo kết quả thẩm định và giá trị tiết kiệm được Sở Tài chính xác nhận",
        "due_date": "2027-12-15", "weight": "10", "is_difficult": True}},
        actor=staff, reason="Nhân rộng kết quả tiết kiệm 116 tỷ đồng (8,19% tổng giá trị trình thẩm định) của đề án giai đoạn trước.")
    operations.add_comment(transport, "Đề nghị Sở làm rõ cách xác định giá trị tiết kiệm để thống nhất khi chấm điểm.", actor=staff,
                           target_id=transport.targets[0].id)
    operations.add_comment(transport, "Sở sẽ gửi phụ lục phương pháp tính kèm báo cáo quý 1.", actor=ctx.heads["SGTVT"])

    education = made["SGDDT"]
    operations.create_proposal(education, {"kind": "drop", "target_id": education.targets[3].id}, actor=staff_of["SGDDT"],
                               reason="Nhiệm vụ học bạ số đã được giao cho Sở Thông tin và Truyền thông chủ trì.")
    finance = made["STC"]
    operations.add_comment(finance, "Chỉ tiêu thu ngân sách cần tách riêng thu tiền sử dụng đất.", actor=staff_of["STC"],
                           target_id=finance.targets[0].id)


def _committee_adjusts(ctx: DemoContext, made: dict[str, Registration], staff_of: dict[str, Person]) -> None:
    """Before assigning, the committee accepts a staff proposal and assigns a supplementary
    target of its own (giao bổ sung), rebalancing the weights."""
    committee = ctx.people["thuongvu1"]
    agriculture = made["SNNPTNT"]
    communes = agriculture.targets[1]
    proposal = operations.create_proposal(agriculture, {"kind": "change", "target_id": communes.id,
                                                        "values": {"target_value": "55", "plan_q4": "55"}},
                                          actor=staff_of["SNNPTNT"], reason="Có 15 xã đã hoàn thiện hồ sơ, đủ điều kiện thẩm định trong năm.")
    db.session.flush()
    operations.decide_proposal(proposal, "accept", actor=committee, version=proposal.version, note="Thống nhất nâng chỉ tiêu.")

    city = made["UB-VY"]
    revenue = city.targets[0]
    operations.update_target(revenue, {"weight": Decimal("20")}, actor=committee, version=revenue.version,
                             reason="Điều chỉnh tỷ trọng để giao bổ sung nhiệm vụ trọng điểm.")
    operations.supplement_target(city, target_values(("T", "Hoàn tất thu hồi đất dự án Khu nhà ở Hoàng Vương (14,42 ha)", "Xây dựng - đô thị",
                                                      "Quyết định thu hồi đất, tạo quỹ đất sạch thu hút dự án mới", "08-31", 10, "DF"), 2027),
                                 actor=committee, reason="Ban Thường vụ giao bổ sung nhiệm vụ xử lý dự án \"đóng băng\" nhiều năm.")


def _amendments(ctx: DemoContext, made: dict[str, Registration]) -> None:
    """One amendment requested by a head and waiting for the committee; one approved."""
    home = made["SNV"]
    with at(date(2026, 12, 4), 10):
        operations.request_amendment(home, [{"kind": "change", "target_id": home.targets[1].id, "values": {"due_date": "2027-11-30"}}],
                                     actor=ctx.heads["SNV"], reason="Lộ trình sắp xếp đơn vị hành chính cấp xã được Trung ương điều chỉnh.")
    digital = made["STTTT"]
    with at(date(2026, 12, 4), 11):
        amendment = operations.request_amendment(
            digital,
            [{"kind": "change", "target_id": digital.targets[0].id, "values": {"target_value": "80", "plan_q4": "80"}},
             {"kind": "change", "target_id": digital.targets[3].id, "values": {"weight": "15"}},
             {"kind": "change", "target_id": digital.targets[0].id, "values": {"weight": "35"}}],
            actor=ctx.people["thuongvu2"], reason="Tỉnh được chọn thí điểm dịch vụ công trực tuyến toàn trình; nâng chỉ tiêu và tỷ trọng.",
        )
        db.session.flush()
    with at(date(2026, 12, 5), 15):
        operations.decide_amendment(amendment, "approve", actor=ctx.people["thuongvu1"], version=amendment.version,
                                    note="Đồng ý điều chỉnh.", decision_number="210-QĐ/TU", decision_date=date(2026, 12, 5))
