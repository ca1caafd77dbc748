#!/bin/sh
# After `git merge BRANCH` conflicts in the catalogue: keep ours, re-extract, take the branch's
# translations for what is new, and recompile.
set -eu
cd "$(dirname "$0")/.."
branch=$1
tmp=$(mktemp --suffix .po)
git show "$branch:workflow/translations/vi/LC_MESSAGES/messages.po" > "$tmp"
git checkout --ours workflow/translations
./tools/update-translations.sh >/dev/null
python tools/fill-translations.py "$tmp"
./tools/update-translations.sh
rm -f "$tmp"
