"""Text from users (ruleset names and descriptions, save headers, ids) made safe for a terminal.

Every face prints user-supplied text through `printable`: control characters (ESC, OSC, BEL, C1 codes,
carriage returns ...) become visible escapes such as `\\x1b`, so a crafted ruleset or save cannot move
the cursor, retitle the window or hide text. Newlines and tabs may be kept for multi-line fields.
"""

from __future__ import annotations

import unicodedata


def printable(text: object, keep_newlines: bool = False) -> str:
    """`text` with every control or format character shown as an escape instead of acting on the terminal."""
    out: list[str] = []
    for char in str(text):
        if keep_newlines and char in "\n\t":
            out.append(char)
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") or char in "\u2028\u2029":
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def encodable(text: str, encoding: str | None) -> str:
    """`text` as the output stream can encode it (a non-UTF-8 terminal gets `?` rather than a traceback)."""
    if not encoding:
        return text
    return text.encode(encoding, errors="replace").decode(encoding, errors="replace")
