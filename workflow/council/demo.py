"""Demo step: the 2025 cycle, fully evaluated and published, made through the real operations.

Every head's targets were assigned in January 2025 and reported on in four accepted quarterly
reports (results vary from head to head); the heads filed their self-assessments; the seven
council people scored everyone they are not recused from (the chair, head of the Organisation
Board, never scores herself, and members never score the head of their own unit; one member
declared a conflict); the secretary recorded a discipline; the session met with six of seven
members and the chair finalised the list; the committee accepted the proposals but one, which it
changed with a reason, and chose one of two heads tied at the quota's cut; the decisions were
published on 20 January 2026 and one head objected (the committee has still to answer).

The cycle stays in scoring, beside 2026 in execution, so the objection can be answered and the
whole evaluation browsed; heads open their 2025 result from the home page.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from workflow.accounts.models import Person
from workflow.calendar import window_for
from workflow.council import operations
from workflow.council.models import Position
from workflow.cycles.models import CycleState
from workflow.cycles.operations import create_cycle
from workflow.demo import province
from workflow.demo.steps import DemoContext, step
from workflow.extensions import db
from workflow.reports import operations as reports
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
OBJECTOR = "UB-TD"
CONFLICT = ("hoidong1", "STC", "Vợ của thành viên là Phó Giám đốc Sở Tài chính.")
ABSENT = "hoidong5"
DISAGREED = "UB-PY"


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)  # local time in Viet Nam


# How a head's year went: "star" exceeds most numbers and delivers early; "solid" reaches every
# target on time; "late" delivers one task twelve days late; "weak" misses one number.
PROFILES = (("star", 0.25), ("solid", 0.5), ("late", 0.15), ("weak", 0.1))


def _profile(code: str, rng: random.Random) -> str:
    if code in TIED:
        return "star"
    if code == DISCIPLINED:
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
    if profile == "weak" and index == 0:
        return rng.uniform(0.8, 0.93)
    return 1.0 if rng.random() < 0.8 else rng.uniform(1.0, 1.08)


def _actual(baseline: Decimal, target: Decimal, share: Decimal, progress: float) -> Decimal:
    """The cumulative value at the end of a quarter, on the way to baseline + progress × span
    (the span from the baseline, as the scoring engine measures progress)."""
    final = baseline + (target - baseline) * Decimal(str(round(progress, 4)))
    return (baseline + (final - baseline) * share).quantize(CENT)


def _register(ctx: DemoContext, code: str, cycle: Any, staff: Person, committee: Person, number: int) -> Registration:
    head = ctx.heads[code]
    registration = targets.create_registration(cycle, ctx.units[code], actor=head)
    db.session.flush()
    for spec in UNITS[code]:
        targets.add_target(registration, target_values(spec, YEAR), actor=head)
    for name, actor in (("submit", head), ("forward", staff)):
        targets.take_step(registration, name, actor=actor, version=registration.version)
        db.session.flush()
    targets.take_step(registration, "assign", actor=committee, version=registration.version,
                      decision={"decision_number": f"{number}-QĐ/TU", "decision_date": date(YEAR, 1, 20), "signer_id": committee.id})
    db.session.flush()
    for t in registration.targets:
        db.session.expire(t)  # read back as stored (kinds and directions as enums, not the strings given)
    return registration


def _report(registration: Registration, head: Person, staff: Person, profile: str, rng: random.Random) -> None:
    """Four accepted quarterly reports. The reports' windows are those of 2025; each report is
    created as the scheduler creates it when its window opens."""
    code = registration.unit.code
    progress = {t.id: _progress(profile, i, rng, code) for i, t in enumerate(t for t in registration.targets if t.kind == TargetKind.QUANTITATIVE)}
    tasks = [t for t in registration.targets if t.kind == TargetKind.TASK]
    late = tasks[0].id if profile == "late" and tasks else None
    early = {t.id: rng.randint(3, 30) for t in tasks}
    for quarter in (1, 2, 3, 4):
        window = window_for(registration.cycle, quarter)
        submitted = _at(window.due_on - timedelta(days=rng.randint(1, 6)), 10)
        report = QuarterlyReport(registration=registration, quarter=quarter, due_on=window.due_on)
        db.session.add(report)
        db.session.flush()
        entries = []
        for t in registration.targets:
            values: dict[str, Any] = {"target_id": t.id, "confidence": 3 if profile == "weak" else 4,
                                      "narrative": f"Quý {quarter}: triển khai {t.title.lower()} theo kế hoạch."}
            if t.kind == TargetKind.QUANTITATIVE:
                values["actual"] = _actual(t.baseline, t.target_value, SHARES[quarter - 1], progress[t.id])
            else:
                delivered = t.due_date + timedelta(days=12 if t.id == late else -early[t.id])
                done = delivered <= submitted.date()
                values["milestone_status"] = "done" if done else ("behind" if t.id == late else "in_progress")
                if done:
                    values["product_delivered"] = t.product
                    values["delivered_on"] = delivered
            entries.append(values)
        reports.save_entries(report, entries, actor=head, version=report.version, now=submitted)
        db.session.flush()
        reports.submit(report, actor=head, version=report.version, now=submitted)
        db.session.flush()
        reports.take_step(report, "accept", actor=staff, version=report.version, now=submitted + timedelta(days=3))
        db.session.flush()


def _general(profile: str, bias: float, rng: random.Random, code: str) -> dict[str, str]:
    if code in TIED:
        return {"political": "9.5", "ethics": "9.5", "discipline": "9"}
    base = {"star": 9.0, "solid": 8.0, "late": 7.5, "weak": 7.0}[profile] + bias
    return {c: str(Decimal(str(min(10.0, max(5.0, base + rng.gauss(0, 0.4))))).quantize(Decimal("0.5"))) for c in ("political", "ethics", "discipline")}


@step(60, "the 2025 cycle: scored by the council, decided and published")
def evaluated_year(ctx: DemoContext) -> None:
    rng = random.Random(2025)
    admin, committee = ctx.admin, ctx.people["thuongvu1"]
    cycle = ctx.cycles[YEAR] = create_cycle(YEAR, actor=admin, state=CycleState.SCORING)
    db.session.flush()
    staff_of = {code: db.session.get(Person, unit.staff_officer_id) for code, unit in ctx.units.items()}
    profiles: dict[str, str] = {}
    registrations: dict[str, Registration] = {}
    for number, code in enumerate(UNITS, start=1):
        registrations[code] = _register(ctx, code, cycle, staff_of[code], committee, number)
        profiles[code] = _profile(code, rng)
        if ctx.units[code].group.code == "MTTQ-DT" and code not in TIED:
            profiles[code] = "solid"  # the group of the two tied heads: the others are good, none excellent
        _report(registrations[code], ctx.heads[code], staff_of[code], profiles[code], rng)

    seats = {}
    for username, position in province.COUNCIL:
        seats[username] = operations.appoint_member(cycle, ctx.people[username], Position(position), actor=admin)
    db.session.flush()
    for code, registration in registrations.items():
        level = {"star": "excellent", "solid": "good", "late": "good", "weak": "completed"}[profiles[code]]
        item = operations.save_self_assessment(registration, {
            "summary": f"Năm {YEAR}, {ctx.units[code].name} đã tập trung thực hiện các chỉ tiêu, nhiệm vụ được giao; "
                       "các chỉ tiêu trọng điểm cơ bản đạt và vượt kế hoạch.",
            "shortcomings": "Một số nhiệm vụ còn chậm so với mốc tiến độ quý; phối hợp liên ngành có lúc chưa chặt chẽ.",
            "proposed_level": level}, actor=ctx.heads[code], version=None)
        db.session.flush()
        operations.submit_self_assessment(item, actor=ctx.heads[code], version=item.version)
    member, head_code, reason = CONFLICT
    operations.declare_conflict(seats[member], registrations[head_code], reason, actor=ctx.people[member])
    secretary = ctx.people["hoidong.thuky"]
    operations.record_discipline(registrations[DISCIPLINED], actor=secretary, reference="25-QĐ/UBKTTU ngày 12/8/2025",
                                 reason="Khiển trách do buông lỏng quản lý để xảy ra khai thác cát trái phép kéo dài.")
    db.session.flush()

    bias = {username: rng.gauss(0, 0.35) for username in seats}
    bias["hoidong4"] = 0.8  # a lenient member the chair's figures will show
    for code, registration in registrations.items():
        for username, seat in seats.items():
            person = ctx.people[username]
            if operations.queries.recusal(seat, registration) is not None:
                continue
            card = operations.open_scorecard(seat, registration, actor=person)
            db.session.flush()
            judgements: dict[str, Any] = {}
            if code in TIED:
                judgements = {str(t.id): {"exceeded": True} for t in registration.targets if t.kind == TargetKind.TASK}
            elif profiles[code] == "weak" and username in ("hoidong2", "hoidong3"):
                first = registration.targets[0]
                judgements = {str(first.id): {"errors": 1}}
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
            operations.save_scorecard(card, {"general": general, "judgements": judgements},
                                      actor=person, version=card.version)
            db.session.flush()
            operations.submit_scorecard(card, actor=person, version=card.version)
    db.session.flush()

    session = operations.open_session(cycle, actor=secretary, held_on=date(2026, 1, 15), place="Hội trường Tỉnh ủy")
    db.session.flush()
    operations.update_session(session, actor=secretary, version=session.version, held_on=session.held_on, place=session.place,
                              notes="Hội đồng thảo luận các trường hợp có điểm chênh lệch lớn và các trường hợp bằng điểm tại ngưỡng tỷ lệ.",
                              attendee_ids=[seat.id for username, seat in seats.items() if username != ABSENT])
    db.session.flush()
    chair = ctx.people["tb.btctu"]
    operations.finalise_session(session, actor=chair, version=session.version)
    db.session.flush()

    frozen = operations.queries.frozen_proposals(session)
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
    operations.publish(session, actor=committee, version=session.version, now=_at(date(2026, 1, 20), 15))
    db.session.flush()
    objector = registrations[OBJECTOR]
    operations.file_objection(objector, "Đề nghị Ban Thường vụ xem xét lại: nhiệm vụ quy hoạch phân khu Tây Thiên chậm do chờ ý kiến "
                                        "thẩm định của Bộ Xây dựng, không do chủ quan của địa phương.", actor=ctx.heads[OBJECTOR],
                              now=_at(date(2026, 1, 26), 10))
    db.session.flush()
    ctx.notes.append(f"2025: {len(registrations)} heads scored by the council ({len(seats)} people), decided and published; "
                     "one objection waits for the committee (thuongvu1).")
