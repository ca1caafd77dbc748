"""Backups: `kpi backup` writes one archive of the database and every uploaded file;
`kpi restore` verifies such an archive and puts both back.

- `archive.py`: the archive format (a gzip-compressed tar with a JSON manifest of checksums),
  written and read as streams, never held in memory;
- `databases.py`: a consistent copy of the database and its restoration, per dialect
  (PostgreSQL through pg_dump / pg_restore, SQLite through its online backup API);
- `operations.py`: the two procedures, their checks and their audit entries;
- `cli.py`: the commands.

The archive holds personal data and password hashes: it is written readable by its owner only.
It never holds the settings (database password, secret key, SMTP password).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow.backup.cli import backup, restore

    app.cli.add_command(backup)
    app.cli.add_command(restore)
