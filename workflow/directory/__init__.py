"""The province's organisation from the systems it already has, and sign-in with its directory.

- `reading.py`: the personnel office's workbook or CSV files (units, positions, people) as rows;
- `plan.py`: what an import would change, and every bad row with its line, column and why;
- `operations.py`: preview (the file kept on the server) and apply, in bulk statements;
- `views.py` (admin pages: upload → preview → apply), `api.py`, `cli.py` (`kpi import`);
- `models.py`: positions mapped to tracks and titles, the imports themselves;
- `ldap.py`, `oidc.py`: sign-in with the province's LDAP or Active Directory, or its OpenID
  Connect provider, matched to imported people.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.accounts.operations import add_password_check
    from workflow.core.api import register
    from workflow.directory import api, cli, demo, ldap, models, views  # noqa: F401  (models: the tables; demo: its step)
    from workflow.settings import SettingsError

    app.register_blueprint(views.bp)
    app.register_blueprint(views.signin)
    register(api.blp)
    cli.init_app(app)
    try:
        ldap.group_roles(app.config["KPI"]["ldap_group_roles"])  # refused at start-up, not at someone's sign-in
    except ldap.DirectoryError as exc:
        raise SettingsError(str(exc)) from None
    add_password_check(ldap.check_password)
