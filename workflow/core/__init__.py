"""Shared mechanisms every domain package uses: the model base, errors, workflows, audit,
transactions, pagination, security headers, localisation and the API plumbing.

No business rule lives here; those belong to the domain packages and to `workflow.policy`.
"""
