"""Pagination of list pages and list endpoints: always two statements (count and page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from workflow.core.inputs import whole_number
from workflow.core.schemas import BaseSchema
from workflow.extensions import db

T = TypeVar("T")
MAX_PER_PAGE = 100
# Far beyond any list, and small enough that the row offset fits every database's integer.
MAX_PAGE = 1_000_000


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def clamp(page: Any, per_page: Any, default_per_page: int = 25) -> tuple[int, int]:
    """Read page numbers from untrusted query strings without ever failing: what is not a page
    number (from 1 to MAX_PAGE) is the first page."""
    number = whole_number(page, maximum=MAX_PAGE)
    page = 1 if number is None else max(1, number)
    size = whole_number(per_page)
    per_page = default_per_page if size is None else min(MAX_PER_PAGE, max(1, size))
    return page, per_page


def paginate(stmt: Select[Any], page: int, per_page: int, *, scalars: bool = True, count: Select[Any] | None = None) -> Page[Any]:
    """A page of `stmt`; the total is counted by `count` when given (a cheaper statement that
    counts the same rows), or else around `stmt` itself."""
    if count is None:
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(count) or 0
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(rows.scalars() if scalars else rows)
    return Page(items=items, page=page, per_page=per_page, total=total)


class PageArgs(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PageMeta(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


_envelopes: dict[type[Schema], type[Schema]] = {}


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """The envelope {"items": [...], "meta": {...}} for a list endpoint of `item_schema`."""
    if item_schema not in _envelopes:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _envelopes[item_schema] = Schema.from_dict(
            {"items": fields.List(fields.Nested(item_schema)), "meta": fields.Nested(PageMeta)},
            name=name,
        )
    return _envelopes[item_schema]


def page_payload(page: Page[Any]) -> dict[str, Any]:
    return {
        "items": page.items,
        "meta": {"page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages},
    }
