"""Symbols and tints for verdicts, certainty and reference status, shared by every export.

Colour alone fails readers with colour-vision deficiency and black-and-white printers, so each
judgement also carries a symbol; fills are light tints of the vocabulary colours, so dark text
on them keeps its contrast.
"""

from __future__ import annotations

from . import vocab

VERDICT_SYMBOLS = {"supported": "\u2714", "partly_supported": "\u25d0", "not_supported": "\u2716",
                   "contradicted": "\u26a0", "not_assessable": "?"}
STATUS_SYMBOLS = {"correct": "\u2714", "minor_error": "\u25d0", "wrong": "\u2716", "unverifiable": "?"}
CERTAINTY_CIRCLES = {"high": 4, "moderate": 3, "low": 2, "very_low": 1}


def _code(vocabulary: vocab.Vocabulary, value: str) -> str | None:
    for term in vocabulary:
        if value in (term.code, term.label):
            return term.code
    return None


def certainty_mark(value: str) -> str:
    """'Moderate' or 'moderate' -> '⊕⊕⊕◯ Moderate' (GRADE's symbols); unknown text unchanged."""
    code = _code(vocab.CERTAINTY, str(value).strip())
    if code is None:
        return str(value)
    n = CERTAINTY_CIRCLES[code]
    return "\u2295" * n + "\u25ef" * (4 - n) + " " + vocab.CERTAINTY.label(code)


def verdict_mark(value: str) -> str:
    code = _code(vocab.VERDICT, str(value).strip())
    return f"{VERDICT_SYMBOLS[code]} {vocab.VERDICT.label(code)}" if code else str(value)


def status_mark(value: str) -> str:
    code = _code(vocab.REFERENCE_STATUS, str(value).strip())
    return f"{STATUS_SYMBOLS[code]} {vocab.REFERENCE_STATUS.label(code)}" if code else str(value)


def tint(colour: str, strength: float = 0.35) -> str:
    """A light tint (hex without '#') of a '#rrggbb' colour: strength of colour over white."""
    c = colour.lstrip("#")
    rgb = [int(c[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - v) * strength):02X}" for v in rgb)


def fill_for(column: str, value: str) -> str | None:
    """Tint for a cell of a Verdict, Certainty or Status column, else None."""
    vocabulary = {"verdict": vocab.VERDICT, "certainty": vocab.CERTAINTY, "status": vocab.REFERENCE_STATUS}.get(column.strip().lower())
    if vocabulary is None:
        return None
    text = str(value)
    for term in vocabulary:
        if text in (term.code, term.label) or text.endswith(" " + term.label):
            return tint(term.colour)
    return None


def mark(column: str, value: str) -> str:
    """The value with its symbol, for judgement columns; other columns unchanged."""
    name = column.strip().lower()
    if name == "verdict":
        return verdict_mark(value)
    if name == "certainty":
        return certainty_mark(value)
    if name == "status":
        return status_mark(value)
    return str(value)
