"""Numbers, dates and quarters the Vietnamese way (workflow.core.formats): the grammar of what a
person types, how every output writes them, and the two doors they come through, the web forms
(Vietnamese) and the JSON API (JSON numbers and machine strings, as before)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from openpyxl import load_workbook
from pypdf import PdfReader

import factories as f
from council_support import council, open_scoring, published, reported_registration, score
from workflow.accounts.models import Role
from workflow.core import formats
from workflow.extensions import db
from workflow.targets.models import Target

PO = Path(__file__).resolve().parent.parent / "workflow/translations/vi/LC_MESSAGES/messages.po"

# --- the grammar ----------------------------------------------------------------------------

ACCEPTED = [
    ("650,5", "650.5"),
    ("1.234,5", "1234.5"),
    ("1 234,5", "1234.5"),
    ("1\u00a0234,5", "1234.5"),  # no-break space
    ("1\u202f234,5", "1234.5"),  # narrow no-break space
    ("1\u2009234,5", "1234.5"),  # thin space
    ("1.234", "1234"),  # the dot separates thousands, always
    ("1.234.567,89", "1234567.89"),
    ("1234,5", "1234.5"),
    ("0,125", "0.125"),
    ("1,234", "1.234"),  # the comma is the decimal mark, always
    ("-12,5", "-12.5"),
    ("\u221212,5", "-12.5"),  # the minus sign a word processor writes
    ("+7", "7"),
    ("  42  ", "42"),
]
REFUSED = [
    "650.5",  # a dot before other than three digits
    "12.34",
    "1,234.5",  # the English way
    "1.23,4",  # a group of two
    "1.2345",
    "1.234 567",  # two kinds of separator
    "1..234",
    ",5",
    "5,",
    "1,2,3",
    "1e5",
    "NaN",
    "Infinity",
    "mười",
    "",
    "1" * 65,
]


@pytest.mark.parametrize("typed, value", ACCEPTED)
def test_numbers_written_the_vietnamese_way_are_read(typed, value):
    assert formats.parse_number(typed) == Decimal(value)


@pytest.mark.parametrize("typed", REFUSED)
def test_ambiguous_or_malformed_numbers_are_refused(typed):
    with pytest.raises(formats.FormatError):
        formats.parse_number(typed)


def test_a_refused_number_is_shown_back_rewritten_in_the_persons_language():
    with force_locale("vi"):
        with pytest.raises(formats.FormatError) as refused:
            formats.parse_number("650.5")
        assert refused.value.message == ("Viết số theo cách Việt Nam: dấu phẩy trước phần thập phân, dấu chấm phân cách hàng nghìn, "
                                         "ví dụ 650,5.")
        with pytest.raises(formats.FormatError) as refused:
            formats.parse_number("1,234.5")
        assert "ví dụ 1.234,5." in refused.value.message
    with force_locale("en"), pytest.raises(formats.FormatError) as refused:
        formats.parse_number("abc")
    assert refused.value.message == "Write the number the Vietnamese way: a comma before the decimals and dots between thousands, for example 1.234,5."


def test_whole_numbers_use_the_same_grammar():
    assert formats.parse_whole("1.000") == 1000 and formats.parse_whole("2,0") == 2
    with pytest.raises(formats.FormatError):
        formats.parse_whole("2,5")


@pytest.mark.parametrize("typed, day", [
    ("31/03/2027", date(2027, 3, 31)), ("7/3/2027", date(2027, 3, 7)), ("31.03.2027", date(2027, 3, 31)),
    ("31-03-2027", date(2027, 3, 31)), ("2027-03-31", date(2027, 3, 31)), (" 01/05/2031 ", date(2031, 5, 1)),
])
def test_dates_are_read_day_first_or_iso(typed, day):
    assert formats.parse_day(typed) == day


@pytest.mark.parametrize("typed", ["7/12/26", "03/31/2027", "31/02/2027", "2027/03/31", "31/03", "31/03-2027", "hôm nay", ""])
def test_two_digit_years_impossible_dates_and_the_american_order_are_refused(typed):
    with pytest.raises(formats.FormatError):
        formats.parse_day(typed)


def test_api_values_keep_their_machine_meaning_and_form_values_the_vietnamese_one():
    assert formats.read_number(650.5) == Decimal("650.5") and formats.read_number(12) == 12
    assert formats.read_number("1.234") == Decimal("1.234")  # an API client's string
    assert formats.read_number("92,5") == Decimal("92.5")  # a lone decimal comma, accepted before
    with formats.typed_by_person():
        assert formats.read_number("1.234") == 1234
        with pytest.raises(formats.FormatError):
            formats.read_number("650.5")
    with pytest.raises(formats.FormatError):
        formats.read_number(True)


# --- showing ---------------------------------------------------------------------------------

def test_numbers_dates_and_times_are_shown_one_way_in_both_languages(app):
    moment = datetime(2026, 12, 6, 21, 27, tzinfo=UTC)  # 04:27 on 7 December in Hà Nội
    for locale in ("vi", "en"):
        with force_locale(locale):
            assert formats.number(Decimal("1234.5000")) == "1.234,5"
            assert formats.number(Decimal("92.5"), "#,##0.00") == "92,50"
            assert formats.number(-0.0) == "0" and formats.number(None) == ""
            assert formats.day(date(2031, 5, 1)) == "01/05/2031"
            assert formats.day(moment) == "07/12/2026"
            assert formats.day_time(moment) == "07/12/2026 04:27"
            assert formats.time_of_day(moment) == "04:27"
            template = app.jinja_env.from_string("{{ d|date }} · {{ m|datetime }} · {{ m|datetime('short') }} · {{ m|time }} · {{ n|number }} · {{ 4|quarter }}")
            assert template.render(d=date(2031, 5, 1), m=moment, n=1234.5).startswith(
                "01/05/2031 · 07/12/2026 04:27 · 07/12/2026 04:27 · 04:27 · 1.234,5 · ")
    with force_locale("vi"):
        assert formats.quarter(4) == "Quý 4"


def test_excel_cells_are_real_numbers_with_a_vietnamese_format():
    assert formats.excel_cell(Decimal("1234.5000")) == (1234.5, "[$-42A]#,##0.0")
    assert formats.excel_cell(Decimal("1200.0000")) == (1200, "[$-42A]#,##0")
    assert formats.excel_cell(0.125) == (0.125, "[$-42A]#,##0.000")
    assert formats.excel_cell(date(2027, 3, 31)) == (date(2027, 3, 31), "DD/MM/YYYY")
    assert formats.excel_cell(datetime(2026, 12, 6, 21, 27, tzinfo=UTC)) == (datetime(2026, 12, 7, 4, 27), "DD/MM/YYYY HH:MM")
    assert formats.excel_cell("=1+1") == ("=1+1", None) and formats.excel_cell(True) == (True, None)


# --- the two doors: web forms and the API ------------------------------------------------------

QUANT = {"kind": "quantitative", "title": "Vốn đầu tư thu hút mới", "field": "Kinh tế - đầu tư", "measure": "triệu USD", "direction": "higher"}


def test_a_target_form_reads_vietnamese_numbers_and_shows_them_back_with_a_comma(as_person):
    reg = f.registration()
    client = as_person(f.head_of(reg))
    form = {**QUANT, "baseline": "650,5", "target_value": "1.234,5", "plan_q1": "700", "plan_q2": "800,25", "plan_q3": "1 000",
            "plan_q4": "1.234,5", "weight": "12,5"}
    assert client.post(f"/registrations/{reg.id}/targets/new", data=form).status_code == 302
    target = db.session.scalars(db.select(Target).where(Target.registration_id == reg.id)).one()
    assert (target.baseline, target.target_value, target.plan_q2, target.plan_q3, target.weight) == (
        Decimal("650.5"), Decimal("1234.5"), Decimal("800.25"), Decimal("1000"), Decimal("12.5"))
    page = client.get(f"/registrations/{reg.id}/targets/{target.id}/edit").get_data(as_text=True)
    for name, shown in (("baseline", "650,5"), ("target_value", "1.234,5"), ("plan_q2", "800,25"), ("weight", "12,5")):
        assert re.search(rf'name="{name}" type="text"\s+value="{re.escape(shown)}"', page), name
    assert 'type="number"' not in page and 'inputmode="decimal"' in page


def test_a_target_form_refuses_a_dot_before_the_decimals_by_the_field(as_person):
    reg = f.registration()
    client = as_person(f.head_of(reg))
    form = {**QUANT, "baseline": "650.5", "target_value": "1234,5", "plan_q1": "700", "plan_q2": "800", "plan_q3": "900",
            "plan_q4": "1234,5", "weight": "12,5"}
    response = client.post(f"/registrations/{reg.id}/targets/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and reg.targets == []
    assert 'id="baseline-error">Viết số theo cách Việt Nam: dấu phẩy trước phần thập phân, dấu chấm phân cách hàng nghìn, ví dụ 650,5.' in page
    assert 'value="650.5"' in page  # what was typed stays in the form


def test_a_date_field_reads_day_month_year(as_person):
    reg = f.registration()
    client = as_person(f.head_of(reg))
    form = {**{k: str(v) for k, v in f.TASK.items() if k != "due_date"}, "due_date": "30/09/2027", "weight": "40"}
    assert client.post(f"/registrations/{reg.id}/targets/new", data=form).status_code == 302
    target = db.session.scalars(db.select(Target).where(Target.registration_id == reg.id)).one()
    assert target.due_date == date(2027, 9, 30)
    page = client.get(f"/registrations/{reg.id}/targets/{target.id}/edit").get_data(as_text=True)
    assert re.search(r'name="due_date" type="text"\s+value="30/09/2027"', page) and 'type="date"' not in page


def test_the_api_keeps_json_numbers_and_machine_strings(as_person):
    reg = f.registration()
    head = f.head_of(reg)
    client = as_person(head)
    body = {**QUANT, "baseline": 650.5, "target_value": "1.234", "plan_q1": 700, "plan_q2": "800.25", "plan_q3": 900, "plan_q4": "1.234",
            "weight": 12.5}
    response = client.post(f"/api/v1/registrations/{reg.id}/targets", json=body, headers=f.api_headers(head))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert Decimal(created["baseline"]) == Decimal("650.5") and Decimal(created["target_value"]) == Decimal("1.234")
    assert Decimal(created["weight"]) == Decimal("12.5")
    task = {**{k: str(v) for k, v in f.TASK.items()}, "due_date": "2027-09-30", "weight": 40}
    response = client.post(f"/api/v1/registrations/{reg.id}/targets", json=task, headers=f.api_headers(head))
    assert response.status_code == 201 and response.get_json()["due_date"] == "2027-09-30"


def test_a_scorecard_reads_vietnamese_scores_and_shows_them_back(as_person):
    cycle = f.year(2027)
    registration = reported_registration(cycle, actual="1200")
    open_scoring(cycle)
    member = council(cycle, members=1)["m1"]
    client = as_person(member.person)
    first = registration.targets[0].id
    version = re.search(r'name="version" value="(\d+)"', client.get(f"/council/{cycle.id}/score/{registration.id}").get_data(as_text=True))[1]
    form = {"version": version, "general.political": "9,5", "general.ethics": "8", "general.discipline": "9,25", f"j.{first}.quality_percent": "92,5"}
    assert client.post(f"/council/{cycle.id}/score/{registration.id}", data=form).status_code == 302
    page = client.get(f"/council/{cycle.id}/score/{registration.id}").get_data(as_text=True)
    assert 'name="general.political" type="text" inputmode="decimal" autocomplete="off" data-number\n             value="9,5"' in page
    assert f'value="92,5"' in page
    version = re.search(r'name="version" value="(\d+)"', page)[1]
    refused = client.post(f"/council/{cycle.id}/score/{registration.id}/autosave", data={**form, "version": version, "general.ethics": "8.5"})
    assert refused.status_code == 422 and "ví dụ 8,5" in refused.get_json()["errors"]["general.ethics"][0]


# --- outputs ---------------------------------------------------------------------------------

def test_the_quarter_workbook_has_real_numbers_and_dates_in_vietnamese_formats(app):
    from workflow.reports import operations as ops
    from workflow.reports.export import workbook

    reg = f.assigned_registration(2026)
    head = f.head_of(reg)
    report = ops.open_report(reg, 1, actor=head, now=datetime(2026, 4, 2, 3, tzinfo=UTC))
    db.session.flush()
    ops.save_entries(report, f.full_entries(reg, actual="1234.5"), actor=head, version=report.version, now=datetime(2026, 4, 2, 3, tzinfo=UTC))
    db.session.flush()
    book = load_workbook(io.BytesIO(workbook(reg.cycle, 1, now=datetime(2026, 12, 6, 21, 27, tzinfo=UTC))))
    summary, detail = book.worksheets
    assert summary["B2"].number_format == "DD/MM/YYYY" and summary["B3"].number_format == "DD/MM/YYYY HH:MM"
    assert summary["B3"].value == datetime(2026, 12, 7, 4, 27)  # the province's time
    revenue = next(row for row in detail.iter_rows(min_row=2) if row[5].value == "Thu ngân sách nhà nước trên địa bàn")
    plan, actual = revenue[8], revenue[9]
    assert (plan.value, plan.number_format) == (300, "[$-42A]#,##0")
    assert (actual.value, actual.number_format) == (1234.5, "[$-42A]#,##0.0")


@pytest.fixture
def decided(app):
    cycle = f.year(2027)
    regs = [reported_registration(cycle, actual="1150", unit=f.unit(name="Huyện ủy Tam Đảo"))]
    open_scoring(cycle)
    seats = council(cycle, members=2)
    for name in ("m1", "m2", "chair"):
        score(seats[name], regs[0], general=("9", "8,5", "9"))
    published(cycle, regs, seats)
    return cycle, regs, seats


def test_the_cycle_workbook_and_the_evaluation_sheet_write_numbers_and_dates_the_vietnamese_way(decided, as_person):
    from workflow.council.export import write_workbook

    cycle, regs, seats = decided
    out = io.BytesIO()
    write_workbook(cycle, out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    targets = book["Chỉ tiêu"]
    assert [c.value for c in targets[1]][7:11] == ["Quý 1", "Quý 2", "Quý 3", "Quý 4"]
    baseline = targets.cell(row=2, column=5)
    assert baseline.value == 1000 and baseline.number_format == "[$-42A]#,##0"
    cards = book["Điểm thành viên"]
    assert cards.cell(row=2, column=5).value == 8.5 and cards.cell(row=2, column=5).number_format == "[$-42A]#,##0.0"
    assert cards.cell(row=2, column=11).number_format == "DD/MM/YYYY HH:MM"

    head = f.head_of(regs[0])
    response = as_person(head).get(f"/council/results/{regs[0].id}/sheet.pdf")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "1.000,00 → 1.200,00 tỷ đồng" in text and "1.150,00 tỷ đồng" in text
    assert re.search(r"Quyết định \(phiên bản 1\) ngày \d{2}/\d{2}/\d{4}\.", text)
    assert re.search(r"ngày \d{2}/\d{2}/\d{4}", text.split("Quyết định giao chỉ tiêu")[1])
    assert not re.search(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{2}(?![\d/])", text)  # no two-digit year
    assert not re.search(r"(?<![\w.,])\d+\.(?:\d{1,2}|\d{4,})(?![\w.])", text)  # no decimal point


# --- words -----------------------------------------------------------------------------------

def _vietnamese_texts() -> list[tuple[str, str]]:
    with PO.open("rb") as fh:
        return [(m.id if isinstance(m.id, str) else m.id[0], m.string if isinstance(m.string, str) else " ".join(m.string))
                for m in read_po(fh) if m.id]


def test_vietnamese_text_addresses_everyone_as_dong_chi():
    other = re.compile(r"(?i)\b(?:bạn|anh/chị|anh chị|ông/bà|quý vị)\b")
    assert [(i, s) for i, s in _vietnamese_texts() if other.search(s)] == []


def test_quarters_are_written_with_their_digit():
    roman = re.compile(r"(?i)\bquý (?:I|II|III|IV)\b")
    assert [(i, s) for i, s in _vietnamese_texts() if roman.search(s)] == []
    with force_locale("vi"):
        assert [formats.quarter(q) for q in (1, 2, 3, 4)] == ["Quý 1", "Quý 2", "Quý 3", "Quý 4"]


def test_an_assignment_decision_date_shows_in_full(as_person):
    reg = f.complete_registration("assigned")
    reg.decision_date = date(2031, 5, 1)
    staff = f.person(Role.STAFF)
    page = as_person(staff).get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert "01/05/2031" in page and "1/5/31" not in page
