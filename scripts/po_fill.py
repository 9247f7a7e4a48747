#!/usr/bin/env python
"""Fill or fix entries of a .po catalog from a {msgid: msgstr} table, clearing fuzzy flags.

    python scripts/po_fill.py locale/en/LC_MESSAGES/django.po translations.tsv

The TSV has one "msgid<TAB>msgstr" per line. Used after `make messages` to add the
English of new Vietnamese source strings without hand-editing the catalog.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(po_path: str, table_path: str) -> int:
    table = {}
    for line in Path(table_path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            key, value = line.split("\t", 1)
            table[key] = value
    # Normalise to one line per string so entries can be matched exactly.
    subprocess.run(["msgcat", "--no-wrap", "-o", po_path, po_path], check=True)
    lines = Path(po_path).read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith('msgid "') and i + 1 < len(lines) and lines[i + 1].startswith("msgstr "):
            msgid = line[7:-1].replace('\\"', '"')
            if msgid in table:
                # drop the previous-msgid comments and the fuzzy flag, keep the other flags
                while out and out[-1].startswith("#| "):
                    out.pop()
                if out and out[-1].startswith("#, "):
                    flags = [f.strip() for f in out.pop()[3:].split(",") if f.strip() != "fuzzy"]
                    if flags:
                        out.append("#, " + ", ".join(flags))
                out.append(line)
                out.append('msgstr "' + table[msgid].replace('"', '\\"') + '"')
                i += 2
                continue
        out.append(line)
        i += 1
    Path(po_path).write_text("\n".join(out) + "\n", encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", po_path[:-3] + ".mo", po_path], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
