"""Inputs drawn in Python for the grids that have hundreds of them (the team's assessment: four
per product of every member). A Jinja macro costs tens of microseconds a call; this, a few. The
HTML is the forms macros' (`templates/macros/forms.html`), with the value shown the Vietnamese way.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from workflow.core import formats


def grid_input(name: str, label: str, value: Any, kind: str = "number", placeholder: str = "",
               class_: str = "mb-0 label-hidden") -> Markup:
    """A labelled text input of a grid's cell: `kind` number (decimal comma), whole or date
    (dd/mm/yyyy, with `placeholder`); a value already text (a refused form's) is shown as typed."""
    if value is None:
        shown = ""
    elif isinstance(value, str):
        shown = value
    elif kind == "date":
        shown = formats.day(value)
    else:
        shown = formats.number(value)
    # Markup.format escapes through string.Formatter, slower than the macro: escape, then join.
    name_ = escape(name)
    if kind == "date":
        extra = f' inputmode="numeric" autocomplete="off" placeholder="{escape(placeholder)}" data-date=""'
    else:
        extra = f' inputmode="{"decimal" if kind == "number" else "numeric"}" autocomplete="off" data-number=""'
    return Markup(f'<div class="{escape(class_)}"><label class="form-label" for="f-{name_}">{escape(label)}</label>'
                  f'<input class="form-control" id="f-{name_}" name="{name_}" type="text" value="{escape(shown)}"{extra}></div>')
