"""Migrations: up, down and up again on a database of their own; the result matches the models."""

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from conftest import database_url, is_postgres
from workflow import create_app
from workflow.extensions import db


@pytest.fixture
def scratch_app(tmp_path):
    """An application on an empty database of its own (a separate schema on PostgreSQL)."""
    url = database_url(tmp_path / "scratch")
    if is_postgres():
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
            conn.execute(text("CREATE SCHEMA migration_test"))
        engine.dispose()
        url += ("&" if "?" in url else "?") + "options=-csearch_path%3Dmigration_test"
    else:
        (tmp_path / "scratch").mkdir()
    app = create_app(overrides={"env": "testing", "database_url": url})
    yield app
    with app.app_context():
        db.engine.dispose()
    if is_postgres():
        engine = create_engine(database_url(tmp_path).replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        engine.dispose()


@pytest.mark.real_commits
def test_upgrade_downgrade_upgrade_and_no_drift(scratch_app):
    with scratch_app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"person", "unit", "cycle", "audit_entry", "person_photo"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"


def test_a_single_head(app):
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}; give one a down_revision"


def _insert(conn, table: str, **values) -> None:
    """A row of `table` as it stands at this revision: the values given, and a plain value of its
    type for every other column that needs one."""
    from datetime import UTC, date, datetime

    from sqlalchemy import JSON, Boolean, Date, DateTime, Integer

    for column in inspect(conn).get_columns(table):
        name, kind = column["name"], column["type"]
        if name in values or column["nullable"] or column.get("autoincrement") is True or name == "id":
            continue
        values[name] = (1 if isinstance(kind, Integer) else True if isinstance(kind, Boolean) else datetime.now(UTC).replace(tzinfo=None)
                        if isinstance(kind, DateTime) else date(2026, 1, 1) if isinstance(kind, Date) else "{}" if isinstance(kind, JSON) else "x")
    conn.execute(text(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)})"), values)


@pytest.mark.real_commits
def test_adding_to_the_cycle_table_keeps_its_rows(scratch_app):
    """0008 adds columns to `cycle`, which other tables refer to. On SQLite a copy of the table
    (batch mode) would be refused by their foreign keys once rows exist; the upgrade keeps them."""
    with scratch_app.app_context():
        upgrade(revision="0007_list_index")
        with db.engine.begin() as conn:
            _insert(conn, "person", id=1, username="quantri", email="qt@kpi.test", locale="vi")
            _insert(conn, "cycle", id=1, year=2026, state="scoring", rules="{}")
            _insert(conn, "council_member", id=1, cycle_id=1, person_id=1, position="chair")
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT year, early_scoring_reason, scoring_opened_at FROM cycle")).all() == [(2026, "", None)]
            assert conn.execute(text("SELECT cycle_id FROM council_member")).scalar() == 1
        with db.engine.begin() as conn:
            for table in ("council_member", "cycle", "person"):
                conn.execute(text(f"DELETE FROM {table}"))
        downgrade(revision="base")


@pytest.mark.real_commits
def test_heads_become_the_heads_track_and_quarters_its_periods(scratch_app):
    """0012 moves a filled database into the framework: each head who registered becomes a
    subject of the heads track, each cycle gets the heads track's four quarters (due dates from
    its calendar), each report its quarter's period; down again, the rows are as they were."""
    with scratch_app.app_context():
        upgrade(revision="0011_discipline_categories")
        with db.engine.begin() as conn:
            _insert(conn, "person", id=1, username="truong", email="t@kpi.test", locale="vi")
            _insert(conn, "person", id=2, username="pho", email="p@kpi.test", locale="vi")
            _insert(conn, "unit_group", id=1, code="G1", name="Sở, ngành")
            _insert(conn, "unit", id=1, code="SYT", name="Sở Y tế", group_id=1)
            _insert(conn, "unit", id=2, code="SNV", name="Sở Nội vụ", group_id=1)
            for cycle_id, year in ((1, 2025), (2, 2026)):
                _insert(conn, "cycle", id=cycle_id, year=year, state="execution", rules="{}", starts_on=date(year, 1, 1), ends_on=date(year, 12, 31))
            _insert(conn, "registration", id=1, cycle_id=1, unit_id=1, head_id=1, state="assigned")
            _insert(conn, "registration", id=2, cycle_id=2, unit_id=1, head_id=1, state="assigned")
            _insert(conn, "registration", id=3, cycle_id=2, unit_id=2, head_id=2, state="draft")
            _insert(conn, "quarterly_report", id=1, registration_id=2, quarter=3, state="accepted", due_on=date(2026, 10, 12))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT code, subject_kind FROM track")).all() == [("heads", "person")]
            assert conn.execute(text("SELECT unit_id, person_id, kind FROM subject ORDER BY unit_id")).all() == [(1, 1, "person"), (2, 2, "person")]
            periods = conn.execute(text("SELECT cycle_id, number, starts_on, ends_on, due_on FROM period ORDER BY cycle_id, number")).all()
            assert [(p[0], p[1]) for p in periods] == [(c, q) for c in (1, 2) for q in (1, 2, 3, 4)]
            q3 = periods[6]
            assert (str(q3[2]), str(q3[3]), str(q3[4])) == ("2026-07-01", "2026-09-30", "2026-10-12")  # 10/10/2026 is a Saturday
            rows = conn.execute(text("SELECT g.id, s.unit_id, s.person_id FROM registration g JOIN subject s ON s.id = g.subject_id "
                                     "JOIN track t ON t.id = g.track_id AND t.code = 'heads' ORDER BY g.id")).all()
            assert rows == [(1, 1, 1), (2, 1, 1), (3, 2, 2)]
            assert conn.execute(text("SELECT p.cycle_id, p.number FROM quarterly_report r JOIN period p ON p.id = r.period_id")).all() == [(2, 3)]
        downgrade(revision="0011_discipline_categories")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT id, cycle_id, unit_id, head_id FROM registration ORDER BY id")).all() == [(1, 1, 1, 1), (2, 2, 1, 1), (3, 2, 2, 2)]
            assert conn.execute(text("SELECT registration_id, quarter FROM quarterly_report")).all() == [(2, 3)]
            assert "track" not in inspect(conn).get_table_names()
        upgrade()
        with db.engine.begin() as conn:
            for table in ("quarterly_report", "registration", "subject", "period", "track", "cycle", "unit", "unit_group", "person"):
                conn.execute(text(f"DELETE FROM {table}"))
        downgrade(revision="base")


def _servant_in_march(conn, person_id: int) -> None:
    """A civil servant (person `person_id`, subject 1) of Sở Nội vụ, and March 2026 of their track (period 1)."""
    _insert(conn, "person", id=person_id, username="lan", email="l@kpi.test", locale="vi")
    _insert(conn, "unit_group", id=1, code="G1", name="Sở, ngành")
    _insert(conn, "unit", id=1, code="SNV", name="Sở Nội vụ", group_id=1)
    _insert(conn, "track", id=2, code="civil_servants", name_vi="Công chức", subject_kind="person")
    _insert(conn, "subject", id=1, track_id=2, kind="person", unit_id=1, person_id=person_id)
    _insert(conn, "cycle", id=1, year=2026, state="execution", rules="{}", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    _insert(conn, "period", id=1, cycle_id=1, track_id=2, kind="month", number=3, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31),
            due_on=date(2026, 4, 7))


@pytest.mark.real_commits
def test_the_monthly_tables_and_direct_managers_come_and_go_with_people_kept(scratch_app):
    """0013 adds `person.manager_id` in place (people are referred to by many tables) and the
    monthly tables; down and up again with people, a manager, a product and a month kept or
    dropped as they should be."""
    with scratch_app.app_context():
        upgrade(revision="0012_tracks_subjects_periods")
        with db.engine.begin() as conn:
            _insert(conn, "person", id=1, username="truong", email="t@kpi.test", locale="vi")
            _servant_in_march(conn, person_id=2)
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE person SET manager_id = 1 WHERE id = 2"))
            _insert(conn, "monthly_product", id=1, unit_id=1, code="HS", name="Hồ sơ", measure="hồ sơ", coefficient=1, group_name="")
            _insert(conn, "monthly_plan", id=1, subject_id=1, period_id=1, state="agreed")
            _insert(conn, "monthly_line", id=1, plan_id=1, product_id=1, name="Hồ sơ", quantity=4, coefficient=1, due_on=date(2026, 3, 20),
                    origin="assigned")
        downgrade(revision="0012_tracks_subjects_periods")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT id, username FROM person ORDER BY id")).all() == [(1, "truong"), (2, "lan")]
            assert "monthly_plan" not in inspect(conn).get_table_names()
            assert "manager_id" not in {c["name"] for c in inspect(conn).get_columns("person")}
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT manager_id FROM person WHERE id = 2")).scalar() is None
        with db.engine.begin() as conn:
            for table in ("period", "cycle", "subject", "track", "unit", "unit_group", "person"):
                conn.execute(text(f"DELETE FROM {table}"))
        downgrade(revision="base")


@pytest.mark.real_commits
def test_votes_down_and_up_with_a_round_in_it(scratch_app):
    """0015 adds the vote tables; a database holding a round with a ballot goes down to 0012 and up again."""
    with scratch_app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            _insert(conn, "unit_group", id=1, code="G", name="Nhóm")
            _insert(conn, "unit", id=1, code="TU", name="Tỉnh ủy", group_id=1)
            _insert(conn, "vote_round", id=1, organiser_id=1, method="electronic", state="voting", rules="{}", held_on="2028-09-26")
            _insert(conn, "person", id=1, username="hv", email="hv@kpi.test", locale="vi")
            _insert(conn, "vote_candidate", id=1, round_id=1, person_id=1, post="Giám đốc")
            _insert(conn, "vote_ballot_tally", id=1, round_id=1, candidate_id=1, level="high", count=3)
        downgrade(revision="0012_tracks_subjects_periods")
        with db.engine.connect() as conn:
            assert "vote_round" not in inspect(conn).get_table_names()
            assert conn.execute(text("SELECT code FROM unit")).scalar() == "TU"
        upgrade()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM vote_round")).scalar() == 0
            for table in ("unit", "unit_group", "person"):
                conn.execute(text(f"DELETE FROM {table}"))
        downgrade(revision="base")


@pytest.mark.real_commits
def test_exclusion_reasons_become_codes_and_back(scratch_app):
    """0018 turns the worded reasons a person was left off the ballot (in either language) into codes,
    keeps any other words as the note of "other", and writes Vietnamese words back on the way down."""
    with scratch_app.app_context():
        upgrade(revision="0017_quota_exception_track")
        with db.engine.begin() as conn:
            _insert(conn, "unit_group", id=1, code="G", name="Nhóm")
            _insert(conn, "unit", id=1, code="TU", name="Tỉnh ủy", group_id=1)
            _insert(conn, "vote_round", id=1, organiser_id=1, method="paper", state="preparing", held_on="2028-09-26",
                    rules='{"min_months_in_post": 12}')
            reasons = ["Has announced retirement", "Đã có thông báo nghỉ hưu", "Elected or appointed less than 12 months before the vote",
                       "Được bầu, bổ nhiệm giữ chức vụ chưa đủ 12 tháng tính đến ngày lấy phiếu", "Đang điều trị bệnh dài ngày", ""]
            for i, reason in enumerate(reasons, start=1):
                _insert(conn, "person", id=i, username=f"p{i}", email=f"p{i}@kpi.test", locale="vi")
                _insert(conn, "vote_candidate", id=i, round_id=1, person_id=i, post="Giám đốc", excluded_reason=reason)
        upgrade(revision="0018_vote_exclusion_code")
        with db.engine.connect() as conn:
            assert "excluded_reason" not in {c["name"] for c in inspect(conn).get_columns("vote_candidate")}
            rows = conn.execute(text("SELECT excluded_code, excluded_note FROM vote_candidate ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("retirement_announced", ""), ("retirement_announced", ""), ("under_months_in_post", ""),
                                            ("under_months_in_post", ""), ("other", "Đang điều trị bệnh dài ngày"), ("", "")]
        downgrade(revision="0017_quota_exception_track")
        with db.engine.connect() as conn:
            assert "excluded_code" not in {c["name"] for c in inspect(conn).get_columns("vote_candidate")}
            words = conn.execute(text("SELECT excluded_reason FROM vote_candidate ORDER BY id")).scalars().all()
        assert words == ["Đã có thông báo nghỉ hưu", "Đã có thông báo nghỉ hưu",
                         "Được bầu, bổ nhiệm giữ chức vụ chưa đủ 12 tháng tính đến ngày lấy phiếu",
                         "Được bầu, bổ nhiệm giữ chức vụ chưa đủ 12 tháng tính đến ngày lấy phiếu", "Đang điều trị bệnh dài ngày", ""]
        upgrade()
        with db.engine.begin() as conn:
            for table in ("vote_candidate", "vote_round", "unit", "unit_group", "person"):
                conn.execute(text(f"DELETE FROM {table}"))
        downgrade(revision="base")


@pytest.mark.real_commits
def test_imported_lines_keep_their_source_and_mappings_get_a_purpose_and_back(scratch_app):
    """0022 adds `monthly_line.source` and gives each saved column mapping a purpose (the ratings'
    keep theirs, a name unique per purpose); down, the monthly mappings go and the ratings' stay."""
    with scratch_app.app_context():
        upgrade(revision="0021_monthly_year")
        with db.engine.begin() as conn:
            _servant_in_march(conn, person_id=1)
            _insert(conn, "monthly_plan", id=1, subject_id=1, period_id=1, state="agreed")
            _insert(conn, "monthly_line", id=1, plan_id=1, name="Hồ sơ", quantity=4, coefficient=1, due_on=date(2026, 3, 20), origin="assigned")
            _insert(conn, "rating_import_mapping", id=1, name="Một cửa", columns='{"unit": "ma_don_vi"}')
        upgrade(revision="0022_monthly_imports")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT source FROM monthly_line")).scalar() == ""
            assert conn.execute(text("SELECT purpose FROM rating_import_mapping")).scalar() == "ratings"
            _insert(conn, "rating_import_mapping", id=2, purpose="monthly", name="Một cửa", columns='{"key": "so_hs"}')
            conn.execute(text("UPDATE monthly_line SET source = 'Một cửa: HS-1'"))
        downgrade(revision="0021_monthly_year")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT id, name FROM rating_import_mapping")).all() == [(1, "Một cửa")]
            assert "source" not in {c["name"] for c in inspect(conn).get_columns("monthly_line")}
            assert conn.execute(text("SELECT name FROM monthly_line")).scalar() == "Hồ sơ"
        upgrade()
        with db.engine.begin() as conn:
            for table in ("monthly_line", "monthly_plan", "period", "cycle", "subject", "track", "unit", "unit_group", "rating_import_mapping", "person"):
                conn.execute(text(f"DELETE FROM {table}"))
        downgrade(revision="base")


@pytest.mark.real_commits
def test_the_months_of_ratings_are_counted_from_those_stored_and_dropped_down(scratch_app):
    """0023 keeps each unit's and official's month of ratings beside them, filled from the
    ratings and cases already stored; down, the two tables go and the ratings stay."""
    with scratch_app.app_context():
        upgrade(revision="0022_monthly_imports")
        with db.engine.begin() as conn:
            _servant_in_march(conn, person_id=1)
            _insert(conn, "rating_counter", id=1, unit_id=1, name="Quầy 1", official_id=1)
            verdicts = ["very_satisfied", "satisfied", "unsatisfied", "unsatisfied", "satisfied"]
            for i, verdict in enumerate(verdicts, start=1):
                _insert(conn, "rating", id=i, key=f"k{i}", dossier=f"HS-{i}", unit_id=1, counter_id=1, official_id=1 if i < 5 else None,
                        channel="kiosk", verdict=verdict, scores="{}", month=202603 if i < 4 else 202604)
            _insert(conn, "rating_case", id=1, rating_id=3, unit_id=1, official_id=1, state="answered", due_on=date(2026, 3, 20), justified=False)
            _insert(conn, "rating_case", id=2, rating_id=4, unit_id=1, official_id=1, state="open", due_on=date(2026, 4, 20))
        upgrade(revision="0023_ratings_months")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT unit_id, month, total, satisfied, cases, answered, unjustified FROM rating_unit_month ORDER BY month")).all() \
                == [(1, 202603, 3, 2, 1, 1, 1), (1, 202604, 2, 1, 1, 0, 0)]
            assert conn.execute(text("SELECT official_id, unit_id, month, total, satisfied, cases, answered, unjustified FROM rating_official_month "
                                     "ORDER BY month")).all() == [(1, 1, 202603, 3, 2, 1, 1, 1), (1, 1, 202604, 1, 0, 1, 0, 0)]
        downgrade(revision="0022_monthly_imports")
        with db.engine.connect() as conn:
            assert not {"rating_unit_month", "rating_official_month"} & set(inspect(conn).get_table_names())
            assert conn.execute(text("SELECT count(*) FROM rating")).scalar() == 5
        upgrade()
        with db.engine.begin() as conn:
            for table in ("rating_unit_month", "rating_official_month", "rating_case", "rating", "rating_counter", "period", "cycle", "subject", "track",
                          "unit", "unit_group", "person"):
                conn.execute(text(f"DELETE FROM {table}"))
        downgrade(revision="base")


@pytest.mark.real_commits
def test_opinions_down_and_up_with_a_round_in_it(scratch_app):
    """0019 adds the tables of rounds of opinions; a database holding a round, a subject, a person
    asked and a count goes down to 0017 with the rest of its rows kept, and up again."""
    with scratch_app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            _insert(conn, "person", id=1, username="lan", email="l@kpi.test", locale="vi")
            _insert(conn, "unit_group", id=1, code="G1", name="Sở, ngành")
            _insert(conn, "unit", id=1, code="SNV", name="Sở Nội vụ", group_id=1)
            heads = conn.execute(text("SELECT id FROM track WHERE code = 'heads'")).scalar()  # made by 0012
            _insert(conn, "subject", id=1, track_id=heads, kind="person", unit_id=1, person_id=1)
            _insert(conn, "cycle", id=1, year=2026, state="execution", rules="{}", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
            _insert(conn, "opinion_round", id=1, cycle_id=1, track_id=heads, state="open", rules="{}", opens_on=date(2026, 11, 2),
                    closes_on=date(2026, 11, 11))
            _insert(conn, "opinion_subject", id=1, round_id=1, subject_id=1)
            _insert(conn, "opinion_respondent", id=1, round_id=1, opinion_subject_id=1, person_id=1, relation="subordinate", criteria="[]",
                    answered=True)
            _insert(conn, "opinion_tally", id=1, opinion_subject_id=1, relation="subordinate", criterion="political", value=3, count=1)
            _insert(conn, "opinion_comments", id=1, opinion_subject_id=1, relation="subordinate", texts="[]")
        downgrade(revision="0017_quota_exception_track")
        with db.engine.connect() as conn:
            assert not {n for n in inspect(conn).get_table_names() if n.startswith("opinion_")}
            assert conn.execute(text("SELECT person_id FROM subject")).scalar() == 1
        upgrade()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM opinion_round")).scalar() == 0
            for table in ("cycle", "subject", "unit", "unit_group", "person"):
                conn.execute(text(f"DELETE FROM {table}"))
        downgrade(revision="base")


@pytest.mark.real_commits
def test_collective_waivers_and_rechecks_come_and_go_with_the_decisions_kept(scratch_app):
    """0020 adds the committee's waivers (leaders decided before their collective) and the leaders
    to decide again; a database holding one of each goes down to 0017 with its decisions kept,
    and up again."""
    with scratch_app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            _insert(conn, "person", id=1, username="btv", email="btv@kpi.test", locale="vi")
            _insert(conn, "unit_group", id=1, code="G", name="Xã")
            _insert(conn, "unit", id=1, code="DT", name="Xã Đạo Trù", group_id=1)
            _insert(conn, "cycle", id=1, year=2027, state="scoring", rules="{}", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
            _insert(conn, "track", id=11, code="collectives", subject_kind="collective")
            _insert(conn, "track", id=12, code="commune_leaders", subject_kind="person")
            _insert(conn, "subject", id=1, track_id=11, unit_id=1, kind="collective")
            _insert(conn, "subject", id=2, track_id=12, unit_id=1, person_id=1, kind="person")
            for registration_id in (1, 2):  # the collective's plan, the Party secretary's
                _insert(conn, "registration", id=registration_id, cycle_id=1, unit_id=1, head_id=1, state="assigned",
                        track_id=10 + registration_id, subject_id=registration_id)
            _insert(conn, "council_decision", id=1, cycle_id=1, registration_id=2, number=1, level="excellent", follows_proposal=True, decided_by_id=1)
            _insert(conn, "council_decision", id=2, cycle_id=1, registration_id=1, number=1, level="good", follows_proposal=False, decided_by_id=1)
            _insert(conn, "collective_waiver", id=1, cycle_id=1, collective_id=1, reason="Tập thể họp sau Tết", recorded_by_id=1)
            _insert(conn, "leader_recheck", id=1, cycle_id=1, registration_id=2, collective_decision_id=2, collective_level="good",
                    recomputed_level="good", decided_level="excellent")
        downgrade(revision="0017_quota_exception_track")
        with db.engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            assert "collective_waiver" not in tables and "leader_recheck" not in tables
            assert conn.execute(text("SELECT registration_id, level FROM council_decision ORDER BY id")).all() == [(2, "excellent"), (1, "good")]
        upgrade()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM collective_waiver")).scalar() == 0
            conn.execute(text("INSERT INTO collective_waiver (id, cycle_id, collective_id, reason, recorded_by_id, created_at) "
                              "VALUES (1, 1, 1, 'Lần nữa', 1, '2028-01-20 08:00:00')"))
            for table in ("collective_waiver", "council_decision", "registration", "subject", "track", "cycle", "unit", "unit_group", "person"):
                conn.execute(text(f"DELETE FROM {table}" + (" WHERE id > 10" if table == "track" else "")))
        downgrade(revision="base")
