#!/usr/bin/env python
"""Fill Vietnamese translations from a JSON file {"English msgid": "bản dịch", ...}.

Usage: tools/update-translations.sh; python tools/fill-translations.py new.json (or other.po);
tools/update-translations.sh (recompiles). Lists what is still untranslated."""
import json, sys
from babel.messages.pofile import read_po, write_po
path = "workflow/translations/vi/LC_MESSAGES/messages.po"
with open(path, "rb") as fh:
    cat = read_po(fh)
source = sys.argv[1]
if source.endswith(".po"):
    # Another catalogue (e.g. a branch's, when merging): take its translated entries.
    with open(source, "rb") as fh:
        tr = {m.id: m.string for m in read_po(fh) if m.id and m.string and not m.fuzzy}
else:
    tr = json.load(open(source, encoding="utf-8"))
n = 0
# From another catalogue only what is still untranslated here: ours wins where both translate.
only_missing = source.endswith(".po")
for m in cat:
    if only_missing and m.string:
        continue
    if m.id and m.id in tr:
        m.string = tr[m.id]; n += 1
        m.flags.discard("fuzzy")
with open(path, "wb") as fh:
    write_po(fh, cat, width=100, omit_header=False, sort_output=True)
missing = [m.id for m in cat if m.id and not m.string]
print(f"applied {n}; still missing {len(missing)}")
for x in missing: print("  ", repr(x))
