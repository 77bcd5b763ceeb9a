"""`python -m techrace.core.levers FILE`: rewrite the generated lever table between its markers in FILE."""

from __future__ import annotations

import sys
from pathlib import Path

from techrace.core.levers import lever_table

BEGIN, END = "<!-- BEGIN GENERATED LEVERS -->", "<!-- END GENERATED LEVERS -->"


def main(path: str) -> int:
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"{path}: no {BEGIN} ... {END} markers", file=sys.stderr)
        return 2
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    file.write_text(f"{head}{BEGIN}\n{lever_table()}{END}{tail}", encoding="utf-8")
    print(f"{path}: updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/levers.md"))
