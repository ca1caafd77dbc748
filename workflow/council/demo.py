"""Demo step: the 2025 cycle, fully evaluated and published, made through the real operations
and dated as it happened (`workflow.demo.steps.at`).

The cycle was created in November 2024 with the rules of its year; every head registered in
December and was officially assigned their targets on 20 January 2025; the four quarterly reports
came in before each due date and were accepted; the council was seated in December 2025 and the
heads filed their self-assessments; scoring opened on 13 January 2026, the day after the last
reports were due, and the seven council people scored everyone they are not recused from (the
chair, head of the Organisation Board, never scores herself, and members never score the head of
their own unit; one member declared a conflict); the secretary recorded a discipline; the session met on 15 January with six of seven
members and the chair finalised the list; the committee accepted the proposals but one, which it
changed with a reason, and chose one of two heads tied at the quota's cut; the decisions were
published on 20 January 2026, and the head whose task was late for want of the ministry's
appraisal objected on the 26th (the committee has still to answer).

The levels spread as a province's do: most heads good, a few excellent within the quota, a few
who missed numbers at "completed", the disciplined head and the late one not completed. Each
year-end result is kept (`ctx.results`): it is the baseline the head registers for 2026.

The cycle stays in scoring, beside 2026 in execution, so the objection can be answered and the
whole evaluation browsed; heads open their 2025 result from the home page.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from workflow.accounts.models import Person
from workflow.calendar import window_for
from workflow.council import operations
from workflow.council.models import Position
from workflow.cycles.operations import advance_cycle, create_cycle
from workflow.demo import province
from workflow.demo.steps import RULES, DemoContext, at, local, step
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.reports import operations as reports
from workflow.reports import progress as measure
from workflow.reports.models import QuarterlyReport
from workflow.targets import operations as targets
from workflow.targets.demo import target_values
from workflow.targets.demo_data import UNITS
from workflow.targets.models import Registration, TargetKind

YEAR = 2025
CENT = Decimal("0.01")
SHARES = (Decimal("0.2"), Decimal("0.45"), Decimal("0.7"), Decimal("1"))
# Two heads of the Front and mass organisations with the same results and the same scores: with
# six heads in the group the quota allows one "excellent", so they tie at the cut.
TIED = ("MTTQ", "HLHPN")
OVERRIDDEN = "SXD"  # the committee decides a lower level than proposed, with its reason
DISCIPLINED = "HU-SL"
# The head whose planning task came in late because the ministry's appraisal did: the rules make
# that "not completed", and the head objects with that reason.
OBJECTOR = "UB-TD"
CONFLICT = ("hoidong1", "STC", "Vợ của thành viên là Phó Giám đốc Sở Tài chính.")
ABSENT = "hoidong5"
DISAGREED = "UB-PY"


# How a head's year went, in the shares a province sees: most reach every target on time
# ("solid"), some exceed most of them ("star"), a few reach their numbers but deliver products
# the council finds wanting and score low on the general criteria ("weak": "completed").
PROFILES = (("star", 0.25), ("solid", 0.63), ("weak", 0.12))


def _profile(code: str, rng: random.Random) -> str:
    if code in TIED:
        return "star"
    if code == OBJECTOR:
        return "late"
    roll, total = rng.random(), 0.0
    for name, share in PROFILES:
        total += share
        if roll < total:
            return name
    return "solid"


def _progress(profile: str, index: int, rng: random.Random, code: str) -> float:
    """How far one number went towards its target (1: exactly; above: exceeded)."""
    if code in TIED:
        return 1.2
    if profile == "star":
        return rng.uniform(1.04, 1.3) if index % 3 != 2 else 1.0
    return 1.0 if rng.random() < 0.8 else rng.uniform(1.0, 1.08)


def _round(value: Decimal, like: Decimal) -> Decimal:
    """A result written as its target is (whole numbers stay whole)."""
    return value.quantize(Decimal(1) if like == like.to_integral_value() else CENT)


def _register(ctx: DemoContext, code: str, cycle: Any, staff: Person, committee: Person, number: int, rng: random.Random) -> Registration:
    head = ctx.heads[code]
    with at(date(2024, 12, 2) + timedelta(days=rng.randint(0, 4)), 9):
        registration = targets.create_registration(cycle, ctx.units[code], actor=head)
        db.session.flush()
        for spec in UNITS[code]:
            targets.add_target(registration, target_values(spec, YEAR), actor=head)
    with at(date(2024, 12, 9) + timedelta(days=rng.randint(0, 6)), 16):
        targets.take_step(registration, "submit", actor=head, version=registration.version)
        db.session.flush()
    with at(date(2025, 1, 6) + timedelta(days=rng.randint(0, 4)), 10):
        targets.take_step(registration, "forward", actor=staff, version=registration.version)
        db.session.flush()
    with at(date(YEAR, 1, 20), 15):
        targets.take_step(registration, "assign", actor=committee, version=registration.version,
                          decision={"decision_number": f"{number}-QĐ/TU", "decision_date": date(YEAR, 1, 20), "signer_id": committee.id})
        db.session.flush()
    for t in registration.targets:
        db.session.expire(t)  # read back as stored (kinds and directions as enums, not the strings given)
    return registration


def _report(ctx: DemoContext, registration: Registration, head: Person, staff: Person, profile: str, rng: random.Random) -> None:
    """Four accepted quarterly reports. The reports' windows are those of 2025; each report is
    created as the scheduler creates it when its window opens."""
    code = registration.unit.code
    numbers = [t for t in registration.targets if t.kind == TargetKind.QUANTITATIVE]
    progress = {t.id: _progress(profile, i, rng, code) for i, t in enumerate(numbers)}
    finals = {t.id: _round(t.baseline + (t.target_value - t.baseline) * Decimal(str(round(progress[t.id], 4))), t.target_value) for t in numbers}
    tasks = [t for t in registration.targets if t.kind == TargetKind.TASK]
    late = tasks[0].id if profile == "late" and tasks else None
    early = {t.id: rng.randint(3, 30) for t in tasks}
    for quarter in (1, 2, 3, 4):
        window = window_for(registration.cycle, quarter)
        submitted = local(window.due_on - timedelta(days=rng.randint(3, 8)), 10)
        with at(window.opens_on, 7):
            report = QuarterlyReport(registration=registration, period=framework.period_of(registration.cycle, registration.track, quarter),
                                     quarter=quarter, due_on=window.due_on)
            db.session.add(report)
            db.session.flush()
        entries = []
        for t in registration.targets:
            values: dict[str, Any] = {"target_id": t.id, "confidence": 3 if profile == "weak" else 4,
                                      "narrative": f"Quý {quarter}: triển khai {t.title.lower()} theo kế hoạch."}
            if t.kind == TargetKind.QUANTITATIVE:
                start = measure.start_of(t.baseline, t.target_value, t.plan_q1, t.direction)
                values["actual"] = (start + (finals[t.id] - start) * SHARES[quarter - 1]).quantize(CENT)
            else:
                delivered = t.due_date + timedelta(days=45 if t.id == late else -early[t.id])
                done = delivered <= submitted.date()
                values["milestone_status"] = "done" if done else ("behind" if t.id == late else "in_progress")
                if done:
                    values["product_delivered"] = t.product
                    values["delivered_on"] = delivered
                if t.id == late:
                    values["narrative"] = (f"Quý {quarter}: hồ sơ quy hoạch đã trình Bộ Xây dựng thẩm định từ tháng 6; "
                                           "địa phương đã có văn bản đôn đốc, đang chờ ý kiến thẩm định.")
            entries.append(values)
        with at(submitted.date(), 10):
            reports.save_entries(report, entries, actor=head, version=report.version, now=submitted)
            db.session.flush()
            reports.submit(report, actor=head, version=report.version, now=submitted)
            db.session.flush()
        with at(submitted.date() + timedelta(days=2), 14) as accepted:
            reports.take_step(report, "accept", actor=staff, version=report.version, now=accepted)
            db.session.flush()
    for position, t in enumerate(registration.targets):
        if t.id in finals:
            ctx.results[(code, position)] = finals[t.id]


def _general(profile: str, bias: float, rng: random.Random, code: str) -> dict[str, str]:
    if code in TIED:
        return {"political": "9.5", "ethics": "9.5", "discipline": "9"}
    base = {"star": 9.0, "solid": 8.0, "late": 7.5, "weak": 5.5}[profile] + bias
    return {c: str(Decimal(str(min(10.0, max(5.0, base + rng.gauss(0, 0.4))))).quantize(Decimal("0.5"))) for c in ("political", "ethics", "discipline")}


SELF_ASSESSMENTS = {
    "star": ("các chỉ tiêu trọng điểm đều đạt và vượt kế hoạch, các nhiệm vụ hoàn thành trước thời hạn.",
             "Phối hợp liên ngành có lúc chưa chặt chẽ.", "excellent"),
    "solid": ("các chỉ tiêu, nhiệm vụ được giao đều hoàn thành đúng tiến độ.",
              "Một số phần việc còn chậm so với mốc tiến độ quý, đã khắc phục trong quý IV.", "good"),
    "weak": ("các chỉ tiêu, nhiệm vụ được giao đều hoàn thành, tuy chất lượng một số sản phẩm chưa cao.",
             "Hai sản phẩm phải chỉnh sửa sau nghiệm thu; công tác kiểm tra, đôn đốc chưa thường xuyên.", "good"),
    "late": ("các chỉ tiêu định lượng đều đạt; nhiệm vụ quy hoạch phân khu Tây Thiên chậm do chờ ý kiến thẩm định của Bộ Xây dựng.",
             "Nhiệm vụ quy hoạch phân khu hoàn thành chậm 45 ngày vì lý do khách quan.", "good"),
}


@step(10, "the 2025 cycle: registered, reported, scored by the council, decided and published")
def evaluated_year(ctx: DemoContext) -> None:
    rng = random.Random(2025)
    admin, committee = ctx.admin, ctx.people["thuongvu1"]
    with at(date(2024, 11, 15), 9):
        cycle = ctx.cycles[YEAR] = create_cycle(YEAR, actor=admin, rules_file=str(RULES / f"{YEAR}.toml"))
        db.session.flush()
    staff_of = {code: db.session.get(Person, unit.staff_officer_id) for code, unit in ctx.units.items()}
    profiles: dict[str, str] = {}
    registrations: dict[str, Registration] = {}
    for number, code in enumerate(UNITS, start=1):
        registrations[code] = _register(ctx, code, cycle, staff_of[code], committee, number, rng)
    with at(date(YEAR, 1, 21), 8):
        advance_cycle(cycle, "start_execution", actor=admin, version=cycle.version)
        db.session.flush()
    for code, registration in registrations.items():
        profiles[code] = _profile(code, rng)
        if ctx.units[code].group.code == "MTTQ-DT" and code not in TIED:
            profiles[code] = "solid"  # the group of the two tied heads: the others are good, none excellent
        _report(ctx, registration, ctx.heads[code], staff_of[code], profiles[code], rng)

    with at(date(YEAR, 12, 1), 10):
        seats = {username: operations.appoint_member(cycle, ctx.people[username], Position(position), actor=admin)
                 for username, position in province.COUNCIL}
        db.session.flush()
    member, head_code, reason = CONFLICT
    with at(date(YEAR, 12, 3), 15):
        operations.declare_conflict(seats[member], registrations[head_code], reason, actor=ctx.people[member])
    secretary = ctx.people["hoidong.thuky"]
    with at(date(YEAR, 12, 5), 9):
        operations.record_discipline(registrations[DISCIPLINED], actor=secretary, reference="25-QĐ/UBKTTU ngày 12/08/2025",
                                     reason="Khiển trách do buông lỏng quản lý để xảy ra khai thác cát trái phép kéo dài.")
        db.session.flush()
    for code, registration in registrations.items():
        done, shortcomings, level = SELF_ASSESSMENTS[profiles[code]]
        with at(date(YEAR, 12, 15) + timedelta(days=rng.randint(0, 8)), 16):
            item = operations.save_self_assessment(registration, {
                "summary": f"Năm {YEAR}, {ctx.units[code].name} đã tập trung thực hiện các chỉ tiêu, nhiệm vụ được giao; {done}",
                "shortcomings": shortcomings, "proposed_level": level}, actor=ctx.heads[code], version=None)
            db.session.flush()
            operations.submit_self_assessment(item, actor=ctx.heads[code], version=item.version)

    with at(date(2026, 1, 13), 8):  # the day after the last quarter's reports were due
        advance_cycle(cycle, "open_scoring", actor=admin, version=cycle.version)
        db.session.flush()
    bias = {username: rng.gauss(0, 0.35) for username in seats}
    bias["hoidong4"] = 0.8  # a lenient member the chair's figures will show
    for code, registration in registrations.items():
        for username, seat in seats.items():
            person = ctx.people[username]
            if operations.queries.recusal(seat, registration) is not None:
                continue
            judgements: dict[str, Any] = {}
            if code in TIED:
                judgements = {str(t.id): {"exceeded": True} for t in registration.targets if t.kind == TargetKind.TASK}
            elif profiles[code] == "weak":
                # Two products below standard, as every member finds them.
                judgements = {str(t.id): {"errors": 2} for t in registration.targets[:2]}
            general = _general(profiles[code], bias[username], rng, code)
            if code == DISAGREED and username == "hoidong2":
                # One member judges far more severely: the head is flagged for discussion.
                general = {"political": "6", "ethics": "6", "discipline": "5.5"}
                first = registration.targets[0]
                judgements = {str(first.id): {"errors": 2}}
            if code == "SGTVT" and username == "hoidong1":
                first = next(t for t in registration.targets if t.kind == TargetKind.QUANTITATIVE)
                judgements = {str(first.id): {"overrides": [{"figure": "quality_percent", "value": "90",
                                                             "reason": "Theo kết luận kiểm tra, 3/40 km đường nghiệm thu phải sửa chữa lại."}]}}
            with at(date(2026, 1, 13) + timedelta(days=rng.randint(0, 1)), 9 + rng.randint(0, 7), rng.randint(0, 59)):
                card = operations.open_scorecard(seat, registration, actor=person)
                db.session.flush()
                operations.save_scorecard(card, {"general": general, "judgements": judgements}, actor=person, version=card.version)
                db.session.flush()
                operations.submit_scorecard(card, actor=person, version=card.version)
    db.session.flush()

    with at(date(2026, 1, 14), 17):
        session = operations.open_session(cycle, actor=secretary, held_on=date(2026, 1, 15), place="Hội trường Tỉnh ủy")
        db.session.flush()
    with at(date(2026, 1, 15), 16):
        operations.update_session(session, actor=secretary, version=session.version, held_on=session.held_on, place=session.place,
                                  notes="Hội đồng thảo luận các trường hợp có điểm chênh lệch lớn và các trường hợp bằng điểm tại ngưỡng tỷ lệ.",
                                  attendee_ids=[seat.id for username, seat in seats.items() if username != ABSENT])
        db.session.flush()
    with at(date(2026, 1, 15), 17):
        operations.finalise_session(session, actor=ctx.people["tb.btctu"], version=session.version)
        db.session.flush()

    frozen = operations.queries.frozen_proposals(session)
    with at(date(2026, 1, 19), 14):
        overridden = frozen[registrations[OVERRIDDEN].id]
        lower = {"excellent": "good", "good": "completed", "completed": "not_completed"}.get(overridden.level or "", "completed")
        operations.decide(overridden, actor=committee, level=lower,
                          reason="Sau phiên họp Hội đồng, Thanh tra tỉnh kết luận dự án nhà ở xã hội chậm 6 tháng so với cam kết.")
        ties = [p for p in frozen.values() if p.level is None and p.options]
        for i, proposal in enumerate(sorted(ties, key=lambda p: p.registration_id)):
            chosen = proposal.options[0] if i == 0 else proposal.options[1]
            operations.decide(proposal, actor=committee, level=chosen,
                              reason="Bằng điểm tại ngưỡng tỷ lệ; Ban Thường vụ xét kết quả giải quyết điểm nghẽn của từng đơn vị.")
        operations.accept_all(session, actor=committee)
        for proposal in frozen.values():
            if proposal.level is None and proposal.registration_id not in {t.registration_id for t in ties}:
                operations.decide(proposal, actor=committee, level="not_completed", reason="Không có phiếu chấm.")
        db.session.flush()
    with at(date(2026, 1, 20), 15) as published:
        operations.publish(session, actor=committee, version=session.version, now=published)
        db.session.flush()
    objector = registrations[OBJECTOR]
    with at(date(2026, 1, 26), 10) as filed:
        operations.file_objection(objector, "Đề nghị Ban Thường vụ xem xét lại: nhiệm vụ quy hoạch phân khu Tây Thiên chậm do chờ ý kiến "
                                            "thẩm định của Bộ Xây dựng, không do chủ quan của địa phương.", actor=ctx.heads[OBJECTOR],
                                  now=filed)
        db.session.flush()
    ctx.notes.append(f"2025: {len(registrations)} heads scored by the council ({len(seats)} people), decided and published; "
                     "one objection waits for the committee (thuongvu1).")
