"""Calendar attachments (.ics) for reminders about a deadline, made with `icalendar`.

The event's UID is stable (derived from what the deadline is about, not from the message), so
each later reminder about the same deadline updates the entry already in the person's calendar
instead of adding another; SEQUENCE grows with each update, as calendar clients expect.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import parseaddr

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from workflow.core.models import utcnow

PRODID = "-//KPI Workflow//Reporting calendar//VI"
# A deadline is information, not a meeting invitation: nobody is asked to accept or decline.
METHOD = "PUBLISH"
EVENT_LENGTH = timedelta(minutes=30)


def uid_for(*parts: object, domain: str) -> str:
    return "-".join(str(p) for p in parts) + "@" + domain


def deadline_event(
    uid: str,
    summary: str,
    description: str,
    due_at: datetime,
    url: str,
    organizer: str,
    *,
    sequence: int = 0,
    stamp: datetime | None = None,
) -> str:
    """An iCalendar document with one event ending at `due_at` and an alarm the day before.

    `organizer` is an address as in KPI_MAIL_FROM ("Name <addr>" or "addr"); `due_at` must be
    aware (its zone is written into the file, so the entry shows in the reader's local time).
    """
    if due_at.tzinfo is None:
        raise ValueError("due_at must be an aware datetime")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", METHOD)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp or utcnow())
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("description", f"{description}\n\n{url}" if url else description)
    event.add("dtstart", due_at - EVENT_LENGTH)
    event.add("dtend", due_at)
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", url)
    name, address = parseaddr(organizer)
    if address:
        who = vCalAddress(f"mailto:{address}")
        if name:
            who.params["cn"] = vText(name)
        event.add("organizer", who)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical().decode("utf-8")


_METHOD_LINE = re.compile(r"^METHOD:([A-Za-z-]+)\r?$", re.MULTILINE)


def method_of(ics: str) -> str:
    """The METHOD of an iCalendar document (for the attachment's Content-Type). A look at its
    one line rather than a full parse: the dispatcher asks this for every message it sends."""
    match = _METHOD_LINE.search(ics)
    return match.group(1).upper() if match else METHOD
