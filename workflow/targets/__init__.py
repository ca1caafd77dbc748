"""Target assignment: heads register targets and tasks for the year, staff review and
propose adjustments, the committee adjusts, supplements and officially assigns them; after
that, targets change only through amendments.

Other packages read the targets in force with `operations.targets_in_force(registration)`
and last cycle's results with `warnings.previous_results(targets)`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow import rules
    from workflow.core.api import register
    from workflow.targets import api, dashboard, demo, views  # noqa: F401  (dashboard, demo: register on import)
    from workflow.targets.warnings import RegistrationRulesSchema

    rules.section("registration", RegistrationRulesSchema)
    app.register_blueprint(views.bp)
    register(api.blp)
