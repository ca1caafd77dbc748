"""`kpi demo`: a realistic demo province in Vietnamese.

The loader builds the province (four groups of units, about 45 heads, staff, committee and
council members) and then runs the demo steps other packages register with `step(...)`, each
adding its part (registrations in every state, quarterly reports, scores). Everything goes
through the same operations the web pages use, so the demo also exercises the rules.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.demo.command import demo

    app.cli.add_command(demo)
