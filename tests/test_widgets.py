"""The grid's inputs drawn in Python (workflow/core/widgets.py): the same HTML as the forms'
macros, values the Vietnamese way, everything a person typed escaped."""

from datetime import date
from decimal import Decimal

from workflow.core.widgets import grid_input


def test_a_number_shows_a_decimal_comma_and_a_label_for_its_input():
    html = str(grid_input("lines.7.assessed_quantity", "Số lượng được tính", Decimal("1234.5")))
    assert '<label class="form-label" for="f-lines.7.assessed_quantity">Số lượng được tính</label>' in html
    assert 'id="f-lines.7.assessed_quantity" name="lines.7.assessed_quantity"' in html
    assert 'value="1.234,5"' in html and 'inputmode="decimal"' in html and "data-number" in html


def test_a_date_shows_day_month_year_with_its_placeholder_and_a_whole_number_a_numeric_keyboard():
    html = str(grid_input("lines.7.assessed_on", "Ngày hoàn thành", date(2026, 3, 18), "date", "ngày/tháng/năm"))
    assert 'value="18/03/2026"' in html and 'placeholder="ngày/tháng/năm"' in html and "data-date" in html
    whole = str(grid_input("lines.7.errors", "Lỗi", 2, "whole"))
    assert 'value="2"' in whole and 'inputmode="numeric"' in whole


def test_typed_text_is_shown_as_typed_and_escaped_and_nothing_is_none():
    html = str(grid_input('a"><script>', 'Nhãn <b>', '"><img src=x onerror=alert(1)>'))
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in html
    assert 'value=""' in str(grid_input("x", "X", None))
