"""The rubric file: loading, the errors that name file, key and line, snapshots and changes."""

import json
from decimal import Decimal

import pytest
from flask_babel import force_locale

import factories as f
from workflow.rules import RulesError, _line_of, parse_rules
from workflow.scoring.rubric import DEFAULT_RUBRIC, Rubric, RubricError, load_rubric, parse_rubric, rubric_from_rules
from workflow.settings import PROJECT_ROOT

DEFAULT_TEXT = (PROJECT_ROOT / DEFAULT_RUBRIC).read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English; one test reads them in Vietnamese."""
    with force_locale("en"):
        yield


def edited(old: str, new: str, text: str = DEFAULT_TEXT) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once in the default rubric"
    return text.replace(old, new)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The number of the n-th line (comments aside) holding `fragment`."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line.split("#")[0]]
    return lines[occurrence - 1]


def problems(text: str, locale: str = "en") -> list[str]:
    with force_locale(locale), pytest.raises(RubricError) as info:
        parse_rubric(text, "r.toml")
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def test_the_default_rubric_follows_the_domain():
    rubric = load_rubric()
    assert rubric.total_points == 100
    assert [(c.code, c.max_points) for c in rubric.general] == [("political", 10), ("ethics", 10), ("discipline", 10)]
    assert rubric.tasks.max_points == 70
    assert rubric.tasks.deductions.per_error_percent == rubric.tasks.deductions.per_delay_percent == 25
    assert [(lv.code, lv.min_points) for lv in rubric.levels] == [("excellent", 90), ("good", 70), ("completed", 50), ("not_completed", 0)]
    excellent, good, completed, _ = rubric.levels
    assert (excellent.min_on_time_percent, excellent.min_exceeded_percent) == (100, 30)
    assert good.min_on_time_percent == 100 and good.min_exceeded_percent is None
    assert (completed.min_done_percent, completed.max_late_percent) == (100, 20)
    assert all(lv.refuse_if_disciplined for lv in rubric.levels[:3])
    assert (rubric.quota.level, rubric.quota.max_percent, rubric.quota.base_levels) == ("excellent", 20, ("excellent", "good"))
    assert rubric.aggregation.method == "mean"
    assert excellent.name.get("vi") == "Hoàn thành xuất sắc nhiệm vụ" and excellent.name.get("en") == "Excellent"


def test_bad_toml_names_the_file_and_line():
    text = edited('method = "mean"', 'method = "mean')
    (message,) = problems(text)
    assert message.startswith("r.toml: ")
    broken = line_of(text, 'method = "mean')
    assert f"line {broken}" in message


def test_a_missing_key_points_at_its_table():
    text = edited('method = "mean"\n', "")
    assert problems(text) == [f"r.toml:{line_of(text, '[aggregation]')}: aggregation.method: This field is required."]


def test_a_wrong_type_names_the_key_and_its_line():
    text = edited("max_points = 70", 'max_points = "seventy"')
    assert problems(text) == [f"r.toml:{line_of(text, 'seventy')}: tasks.max_points: Must be a number."]


def test_a_misspelt_key_is_refused():
    text = edited("floor_percent = 0\nlate_counts", "flor_percent = 0\nlate_counts")
    assert f"r.toml:{line_of(text, 'flor_percent')}: tasks.timeliness.flor_percent: Unknown field." in problems(text)


def test_overlapping_levels_are_refused_at_the_second_level():
    text = edited("min_points = 70", "min_points = 90")
    (message,) = problems(text)
    assert message.startswith(f"r.toml:{line_of(text, 'min_points = 90', 2)}: levels.1.min_points: ")
    assert "Level good starts at 90, which overlaps level excellent (from 90)" in message


def test_levels_out_of_order_are_refused():
    text = edited("min_points = 50", "min_points = 75")
    (message,) = problems(text)
    assert message.startswith(f"r.toml:{line_of(text, 'min_points = 75')}: levels.2.min_points: Level completed starts at 75")


def test_the_lowest_level_starts_at_zero_without_conditions():
    text = edited('code = "not_completed"\nname = { vi = "Không hoàn thành nhiệm vụ", en = "Not completed" }\nmin_points = 0',
                  'code = "not_completed"\nname = { vi = "Không hoàn thành nhiệm vụ", en = "Not completed" }\nmin_points = 10\nmin_done_percent = 50')
    assert problems(text) == [
        f"r.toml:{line_of(text, 'min_points = 10')}: levels.3.min_points: The lowest level must start at 0 so that every score has a level.",
        f"r.toml:{line_of(text, '[[levels]]', 4)}: levels.3: The lowest level must have no extra conditions: "
        "it is where everyone who meets no other level goes.",
    ]


def test_an_unknown_method_lists_the_known_ones():
    text = edited('method = "mean"', 'method = "mode"')
    line = line_of(text, 'method = "mode"')
    assert problems(text) == [f"r.toml:{line}: aggregation.method: Must be one of: mean, median, trimmed_mean."]


def test_points_that_do_not_add_up_are_refused():
    text = edited("max_points = 70", "max_points = 60")
    assert problems(text) == [
        f"r.toml:{line_of(text, 'total_points')}: total_points: "
        "The general criteria (30) and the task results (60) add up to 90, not 100."
    ]


def test_percentages_stay_within_0_and_100():
    text = edited("per_error_percent = 25", "per_error_percent = 125")
    assert problems(text) == [f"r.toml:{line_of(text, 'per_error_percent')}: tasks.deductions.per_error_percent: Must be at most 100."]
    text = edited("max_late_percent = 20", "max_late_percent = -1")
    assert problems(text) == [f"r.toml:{line_of(text, 'max_late_percent')}: levels.2.max_late_percent: Must be at least 0."]
    text = edited("min_exceeded_percent = 30", "min_exceeded_percent = 30.125")
    assert problems(text) == [f"r.toml:{line_of(text, '30.125')}: levels.0.min_exceeded_percent: At most 2 decimal places."]


def test_factor_weights_add_up_to_100():
    text = edited("quantity = 50, quality = 25", "quantity = 60, quality = 25")
    assert problems(text) == [
        f"r.toml:{line_of(text, 'factor_weights')}: tasks.factor_weights: The weights of quantity, quality and timeliness must add up to 100."
    ]


def test_levels_named_elsewhere_must_exist():
    text = edited('level = "excellent"', 'level = "outstanding"')
    text = edited('failing_levels = ["not_completed"]', 'failing_levels = ["failed"]', text)
    assert problems(text) == [
        f"r.toml:{line_of(text, 'outstanding')}: quota.level: Unknown level outstanding (known: excellent, good, completed, not_completed).",
        f"r.toml:{line_of(text, 'failing_levels')}: subordinates.failing_levels.0: Unknown level failed "
        "(known: excellent, good, completed, not_completed).",
    ]


def test_codes_are_unique():
    text = edited('code = "ethics"', 'code = "political"')
    second = line_of(text, 'code = "political"', 2)
    assert problems(text) == [f"r.toml:{second}: general.1.code: The code political is used twice."]


def test_several_problems_are_reported_together():
    text = edited('method = "mean"', 'method = "mode"')
    text = edited("per_delay_percent = 25", "per_delay_percent = 250", text)
    assert len(problems(text)) == 2


def test_the_line_finder_walks_arrays_of_tables_and_inline_tables():
    text = DEFAULT_TEXT
    assert _line_of(text, "levels.1.min_points") == line_of(text, "min_points = 70")
    assert _line_of(text, "general.2.name.en") == line_of(text, "Discipline and working style")
    assert _line_of(text, "tasks.deductions.mode") == line_of(text, 'mode = "additive"')
    assert _line_of(text, "nothing.here") is None
    inline = 'general = [\n  { code = "a", max_points = 10 },\n  { code = "b", max_points = "x" },\n]\n'
    assert _line_of(inline, "general.1.max_points") == 3


def test_snapshot_round_trips_through_json():
    rubric = load_rubric()
    snapshot = json.loads(json.dumps(rubric.to_snapshot()))
    assert snapshot["levels"][0]["min_points"] == "90"  # numbers kept as text: nothing lost to floats
    assert Rubric.from_snapshot(snapshot) == rubric
    assert Rubric.from_snapshot(snapshot).to_snapshot() == snapshot


def test_a_tampered_snapshot_is_refused():
    snapshot = load_rubric().to_snapshot()
    snapshot["levels"][1]["min_points"] = "95"
    with pytest.raises(RubricError, match=r"<snapshot>: levels.1.min_points: Level good starts at 95"):
        Rubric.from_snapshot(snapshot)


def test_a_snapshot_does_not_follow_later_edits_of_the_file(tmp_path):
    path = tmp_path / "rubric.toml"
    path.write_text(DEFAULT_TEXT, encoding="utf-8")
    snapshot = load_rubric(path).to_snapshot()
    path.write_text(edited("min_points = 90", "min_points = 85"), encoding="utf-8")
    assert load_rubric(path).level("excellent").min_points == 85
    assert Rubric.from_snapshot(snapshot).level("excellent").min_points == 90


def test_changes_give_a_validated_copy():
    rubric = load_rubric()
    changed = rubric.with_changes({"quota.max_percent": 25, "levels.excellent.min_points": "88.5", "aggregation.method": "median"})
    assert (changed.quota.max_percent, changed.level("excellent").min_points, changed.aggregation.method) == (25, Decimal("88.5"), "median")
    assert rubric.quota.max_percent == 20  # the original is untouched
    with pytest.raises(RubricError, match=r"\(what-if\): quota.maximum: "):
        rubric.with_changes({"quota.maximum": 30})
    with pytest.raises(RubricError, match=r"\(what-if\): levels.outstanding.min_points: "):
        rubric.with_changes({"levels.outstanding.min_points": 30})
    with pytest.raises(RubricError, match=r"levels.1.min_points: Level good starts at 95"):
        rubric.with_changes({"levels.good.min_points": 95})


def test_the_rules_file_names_the_rubric():
    from workflow.rules import load_rules

    rules = load_rules("config/rules/default.toml")
    assert rules["scoring"] == {"rubric": DEFAULT_RUBRIC}
    assert rubric_from_rules(f.cycle(2031).rules) == load_rubric()


def test_a_bad_rubric_named_by_the_rules_is_an_error_of_the_rules(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(edited("max_points = 70", "max_points = 60"), encoding="utf-8")
    with pytest.raises(RulesError) as info:
        parse_rules(f'version = "1"\n[scoring]\nrubric = "{bad}"\n', "rules.toml")
    message = str(info.value)
    assert message.startswith(f"rules.toml:3: scoring.rubric: {bad}:")
    assert "total_points: The general criteria (30) and the task results (60) add up to 90, not 100." in message
    with pytest.raises(RulesError, match="rules.toml:3: scoring.rubric: missing.toml: No such file or directory"):
        parse_rules('version = "1"\n[scoring]\nrubric = "missing.toml"\n', "rules.toml")


def test_rubric_errors_are_translated():
    text = edited("max_points = 70", "max_points = 60")
    (message,) = problems(text, locale="vi")
    assert message.endswith("total_points: Các tiêu chí chung (30) và kết quả thực hiện nhiệm vụ (60) cộng lại được 90, không phải 100.")
    text = edited("max_points = 70", 'max_points = "seventy"')
    assert problems(text, locale="vi") == [f"r.toml:{line_of(text, 'seventy')}: tasks.max_points: Phải là một số."]
