#!/usr/bin/env python3
"""List untranslated or fuzzy entries of every zh_Hans catalogue; apply translations from a
tab-separated file (msgid<TAB>msgstr, or for plurals msgid<TAB>msgstr<TAB>msgstr_plural).

    scripts/po_status.py                 # summary and the missing msgids
    scripts/po_status.py --apply FILE    # fill missing entries from FILE
"""

import argparse
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues():
    for path in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        if ".venv" in path.parts:
            continue
        yield path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apply")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="fill missing entries with the translation another catalogue has for the same msgid",
    )
    args = parser.parse_args()
    table = {}
    if args.apply:
        for line in Path(args.apply).read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            table[parts[0].replace("\\n", "\n")] = [p.replace("\\n", "\n") for p in parts[1:]]
    if args.reuse:
        for path in catalogues():
            for entry in polib.pofile(str(path), wrapwidth=0):
                if entry.translated() and "fuzzy" not in entry.flags and not entry.msgctxt:
                    values = [entry.msgstr] if not entry.msgid_plural else [entry.msgstr_plural.get(0, "")]
                    table.setdefault(entry.msgid, values)
    missing_total = 0
    for path in catalogues():
        po = polib.pofile(str(path), wrapwidth=0)
        changed = False
        for entry in po:
            if entry.obsolete:
                continue
            if table and entry.msgid in table and (not entry.translated() or "fuzzy" in entry.flags):
                values = table[entry.msgid]
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: values[-1]}
                else:
                    entry.msgstr = values[0]
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                changed = True
        if changed:
            po.metadata["Language"] = "zh_Hans"
            po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
            po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
            po.save()
        missing = [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
        missing_total += len(missing)
        if not args.quiet:
            print(f"{path.relative_to(ROOT)}: {len(po.translated_entries())} translated, {len(missing)} missing")
            for e in missing:
                print("   ", repr(e.msgid) + (f" | plural {e.msgid_plural!r}" if e.msgid_plural else ""))
    return 1 if missing_total else 0


if __name__ == "__main__":
    sys.exit(main())
