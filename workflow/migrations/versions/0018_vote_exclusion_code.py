"""Why a person is left off the ballot is kept as a code, worded in the reader's language when shown

- vote_candidate.excluded_code: "retirement_announced", "under_months_in_post",
  "elected_in_vote_year" or "other" ("" when the person is voted on);
- vote_candidate.excluded_note: the free text of "other";
- vote_candidate.excluded_reason (the words, in the language of whoever added the person) goes:
  the words the application wrote become their code; any other words become "other" with the words
  as the note. Downgrading writes the Vietnamese words back.

Revision ID: 0018_vote_exclusion_code
Revises: 0017_quota_exception_track
Create Date: 2026-12-07 06:10:00

"""
import json

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0018_vote_exclusion_code'
down_revision = '0017_quota_exception_track'
branch_labels = None
depends_on = None

# The words the application wrote (English and Vietnamese) before this revision.
RETIREMENT = ("Has announced retirement", "Đã có thông báo nghỉ hưu")
UNDER_MONTHS = ("Elected or appointed less than ", "Được bầu, bổ nhiệm giữ chức vụ chưa đủ ")


def code_of(words):
    """(code, note) of the words a candidate row held."""
    words = (words or "").strip()
    if not words:
        return "", ""
    if words in RETIREMENT:
        return "retirement_announced", ""
    if words.startswith(UNDER_MONTHS):
        return "under_months_in_post", ""
    return "other", words[:300]


def words_of(code, note, rules):
    """The Vietnamese words of a code, as the application wrote them before this revision."""
    if code == "retirement_announced":
        return RETIREMENT[1]
    if code == "under_months_in_post":
        return f"{UNDER_MONTHS[1]}{int(rules.get('min_months_in_post') or 0)} tháng tính đến ngày lấy phiếu"
    if code == "elected_in_vote_year":
        return "Được bầu, phê chuẩn trong năm lấy phiếu tín nhiệm"
    return note or ""


def upgrade():
    with op.batch_alter_table('vote_candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('excluded_code', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('excluded_note', sa.String(length=300), server_default='', nullable=False))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, excluded_reason FROM vote_candidate WHERE excluded_reason <> ''")).all()
    for id_, words in rows:
        code, note = code_of(words)
        conn.execute(sa.text("UPDATE vote_candidate SET excluded_code = :code, excluded_note = :note WHERE id = :id"),
                     {"code": code, "note": note, "id": id_})
    with op.batch_alter_table('vote_candidate', schema=None) as batch_op:
        batch_op.drop_column('excluded_reason')


def downgrade():
    with op.batch_alter_table('vote_candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('excluded_reason', sa.String(length=300), server_default='', nullable=False))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT c.id, c.excluded_code, c.excluded_note, r.rules FROM vote_candidate c "
                                "JOIN vote_round r ON r.id = c.round_id WHERE c.excluded_code <> ''")).all()
    for id_, code, note, rules in rows:
        rules = json.loads(rules) if isinstance(rules, str) else (rules or {})
        conn.execute(sa.text("UPDATE vote_candidate SET excluded_reason = :words WHERE id = :id"),
                     {"words": words_of(code, note, rules)[:300], "id": id_})
    with op.batch_alter_table('vote_candidate', schema=None) as batch_op:
        batch_op.drop_column('excluded_note')
        batch_op.drop_column('excluded_code')
