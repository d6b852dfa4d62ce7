"""Resolve git conflict blocks by keeping both sides (ours first): for parallel appends."""
import re
import sys
from pathlib import Path

for name in sys.argv[1:]:
    p = Path(name)
    text = p.read_text(encoding="utf-8")

    def both(m: re.Match) -> str:
        ours, theirs = m.group(1), m.group(2)
        sep = "\n\n" if ours.rstrip().endswith(("]", ")", '"')) is False and ours.strip().startswith(("def ", "@", "class ", "#")) else ""
        return ours + sep + theirs

    p.write_text(re.sub(r"<<<<<<< [^\n]*\n(.*?)=======\n(.*?)>>>>>>> [^\n]*\n", both, text, flags=re.S), encoding="utf-8")
