#!/bin/sh
# Extract every translatable string, merge it into the Vietnamese catalogue, and compile it.
# Then translate the new or fuzzy entries in workflow/translations/vi/LC_MESSAGES/messages.po
# and run this again (tests/test_i18n.py fails while any entry is untranslated or fuzzy).
set -eu
cd "$(dirname "$0")/.."
bin=$(dirname "$(command -v python)")
pybabel=${PYBABEL:-$bin/pybabel}
$pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-location --sort-output \
  --project "KPI Workflow" -o workflow/translations/messages.pot .
if [ -f workflow/translations/vi/LC_MESSAGES/messages.po ]; then
  $pybabel -q update -i workflow/translations/messages.pot -d workflow/translations -l vi --no-fuzzy-matching --ignore-obsolete
else
  $pybabel -q init -i workflow/translations/messages.pot -d workflow/translations -l vi
fi
$pybabel compile -d workflow/translations -l vi --statistics
