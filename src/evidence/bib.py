"""references.bib: reading, checking, looking up and formatting in AMA style.

bibtexparser 2 silently moves broken entries (syntax errors, duplicate keys,
duplicate fields) into `library.failed_blocks`; we turn each into an error that
names the entry and its line. LaTeX is decoded only in copies used for display,
never written back.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
)

from .errors import EvidenceError, Problem

logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^\d{1,9}$")
PMCID_RE = re.compile(r"^PMC\d+$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_-]*$")

REQUIRED_FIELDS = {
    "article": ("author", "title", "journal", "year"),
    "manual": ("title", "year"),
    "online": ("title", "url"),
    "misc": ("title",),
    "book": ("title", "year"),
    "incollection": ("author", "title", "booktitle", "year"),
}

_ACCENTS = {"'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303", "H": "\u030b", "c": "\u0327", "v": "\u030c"}
_ACCENT_RE = re.compile(r"\\(['\"`^~Hcv])\s*\{?\\?([A-Za-z])\}?")


def plain(text: str) -> str:
    """A display copy of a BibTeX value: LaTeX accents decoded, braces and escapes removed."""
    out = text
    if "\\" in out:  # accents and \i are LaTeX commands: no backslash, nothing to decode (most values)
        out = re.sub(r"\\i(?![A-Za-z])", "\u0131", out)
        out = _ACCENT_RE.sub(lambda m: m.group(2) + _ACCENTS[m.group(1)], out)
    out = out.replace("\u0131\u0302", "\u00ee")
    out = out.replace(r"\&", "&").replace("--", "\u2013").replace("{", "").replace("}", "")
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", out).strip())


@dataclass
class Reference:
    """A display-ready view of one entry (decoded, never written back)."""

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int | None = None
    verified: set[str] = field(default_factory=set)
    raw_author: str = ""

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    def _raw_names(self) -> list[str]:
        """Author names split on ' and ' outside braces, so {Centers for X and Y} stays whole; kept for
        the author string it was split from (labels ask for every study's names several times)."""
        raw = self.raw_author or self.fields.get("author", "")
        cached = self.__dict__.get("_names")
        if cached is None or cached[0] != raw:
            cached = (raw, self._split_names(raw))
            self.__dict__["_names"] = cached
        return list(cached[1])

    @staticmethod
    def _split_names(raw: str) -> list[str]:
        names, depth, start, i = [], 0, 0, 0
        while i < len(raw):
            ch = raw[i]
            depth += ch == "{"
            depth -= ch == "}"
            if depth == 0 and raw[i:i + 5].lower() == " and ":
                names.append(raw[start:i])
                start = i + 5
                i += 5
                continue
            i += 1
        names.append(raw[start:])
        return [n.strip() for n in names if n.strip()]

    @property
    def authors(self) -> list[str]:
        return [plain(n) for n in self._raw_names()]

    @property
    def has_authors(self) -> bool:
        """Whether any author is named (without decoding the names)."""
        return bool(self._raw_names())

    @property
    def corporate_authors(self) -> set[str]:
        return {plain(n) for n in self._raw_names() if n.startswith("{") and n.endswith("}")}

    @property
    def first_author_surname(self) -> str:
        names = self._raw_names()
        if not names:
            return self.get("organization")
        if names[0].startswith("{") and names[0].endswith("}"):
            return plain(names[0])
        first = plain(names[0])
        return first.split(",")[0].strip() if "," in first else first.split()[-1]


def format_ama(ref: Reference) -> str:
    """An AMA (11th ed.) citation as plain text; `evidence.ama` builds it (and the rich forms)."""
    from . import ama

    return ama.text(ref)


class Bibliography:
    """All entries of a .bib file by key, with the file's problems."""

    def __init__(self, path: Path, references: dict[str, Reference]):
        self.path = path
        self.references = references

    def __contains__(self, key: object) -> bool:
        return key in self.references

    def __getitem__(self, key: str) -> Reference:
        return self.references[key]

    def __len__(self) -> int:
        return len(self.references)

    def keys(self) -> list[str]:
        return list(self.references)

    def ama(self, key: str) -> str:
        return format_ama(self.references[key])

    def ama_html(self, key: str) -> str:
        """Escaped HTML with the journal in italics."""
        from . import ama

        return ama.html_text(self.references[key])

    def short(self, key: str) -> str:
        """'Aggarwal 2022' style label for captions; kept per key for the fields it was made from (every
        study label and every caption asks for it)."""
        ref = self.references[key]
        made_from = (id(ref), ref.raw_author, ref.get("author"), ref.get("title"), ref.get("year"), ref.get("organization"))
        cache = self.__dict__.setdefault("_short", {})
        hit = cache.get(key)
        if hit is not None and hit[0] == made_from:
            return hit[1]
        title = plain(ref.get("title"))
        surname = plain(ref.first_author_surname) or (key if title.startswith("[") else " ".join(title.split()[:4]))
        if len(ref._raw_names()) > 1:
            surname += " et al"
        label = f"{surname} {ref.get('year')}".strip()
        cache[key] = (made_from, label)
        return label


def _entry_problems(path: str, entry: Entry) -> list[Problem]:
    problems: list[Problem] = []
    fields = {f.key.lower(): str(f.value) for f in entry.fields}
    line = entry.start_line + 1 if entry.start_line is not None else None
    where = {"file": path, "line": line}
    if not KEY_RE.match(entry.key):
        problems.append(Problem(message=f"entry '{entry.key}': key must be lowercase letters, digits, '_' or '-'", **where))
    required = REQUIRED_FIELDS.get(entry.entry_type.lower(), ("title",))
    declared = {v.strip() for v in fields.get("unverified", "").split(",")}
    for name in required:
        # A field nobody could verify is left out on purpose, and says so in `unverified`;
        # the title is the one field no entry can do without.
        if not fields.get(name, "").strip() and (name == "title" or name not in declared):
            problems.append(Problem(message=f"entry '{entry.key}': required field '{name}' is missing", field=name, **where))
    checks = (("doi", DOI_RE, "10.NNNN/suffix"), ("pmid", PMID_RE, "digits only"), ("pmcid", PMCID_RE, "PMC followed by digits"))
    for name, pattern, shape in checks:
        value = fields.get(name, "").strip()
        if value and not pattern.match(value):
            problems.append(Problem(message=f"entry '{entry.key}': {name} '{value}' is not of the form {shape}", field=name, **where))
    year = fields.get("year", "").strip()
    if year and not re.fullmatch(r"\d{4}", year):
        problems.append(Problem(message=f"entry '{entry.key}': year '{year}' is not a four-digit year", field="year", **where))
    return problems


def _failed_block_problem(path: str, block) -> Problem:
    line = block.start_line + 1 if block.start_line is not None else None
    if isinstance(block, DuplicateBlockKeyBlock):
        message = f"duplicate key '{block.key}' (an entry with this key appears earlier)"
    elif isinstance(block, DuplicateFieldKeyBlock):
        dup = ", ".join(sorted(block.duplicate_keys or [])) or "?"
        inner = getattr(block, "ignore_error_block", None)
        message = f"entry '{getattr(inner, 'key', '?')}' has a duplicate field: {dup}"
    elif isinstance(block, ParsingFailedBlock):
        head = (block.raw or "").strip().splitlines()[0][:60] if block.raw else ""
        message = f"syntax error in the entry starting '{head}' (unbalanced braces or a missing comma?)"
    else:
        message = "entry could not be parsed"
    return Problem(file=path, line=line, message=message)


MONTH_MACROS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
_BARE_WORD = re.compile(r"^[A-Za-z_][\w:.+/-]*$")


def _undefined_macros(path: str, raw, defined: set[str]) -> list[Problem]:
    """A bare word as a field value is a @string macro; an undefined one would silently become
    the field's text (a title reading 'undefinedmacro'), so it is an error."""
    problems = []
    for entry in raw.entries:
        for f in entry.fields:
            value = str(f.value).strip()
            if not value or value[0] in "{\"" or value.isdigit():
                continue
            for part in (p.strip() for p in value.split("#")):
                if _BARE_WORD.match(part) and part.lower() not in defined and part.lower() not in MONTH_MACROS:
                    line = entry.start_line + 1 if entry.start_line is not None else None
                    problems.append(Problem(file=path, line=line, field=f.key,
                                            message=f"entry '{entry.key}': '{part}' is not a defined @string macro (brace the value if it is text)"))
    return problems


def _duplicate_identifiers(path: str, entries: list[Entry]) -> list[Problem]:
    """One entry per work: two entries with the same PMID, PMCID or DOI are the same paper."""
    seen: dict[tuple[str, str], str] = {}
    problems = []
    for entry in entries:
        title = next((plain(str(f.value)) for f in entry.fields if f.key.lower() == "title"), "")
        year = next((str(f.value).strip() for f in entry.fields if f.key.lower() == "year"), "")
        normalised = re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()
        if len(normalised) > 20:
            first = seen.setdefault(("title", f"{normalised} ({year})"), entry.key)
            if first != entry.key:
                line = entry.start_line + 1 if entry.start_line is not None else None
                problems.append(Problem(file=path, line=line, field="title",
                                        message=f"entry '{entry.key}' has the same title and year as '{first}': one entry per work"))
        for name in ("pmid", "pmcid", "doi"):
            value = next((str(f.value).strip().lower() for f in entry.fields if f.key.lower() == name), "")
            if not value:
                continue
            first = seen.setdefault((name, value), entry.key)
            if first != entry.key:
                line = entry.start_line + 1 if entry.start_line is not None else None
                problems.append(Problem(file=path, line=line, field=name,
                                        message=f"entry '{entry.key}' has the same {name} ({value}) as '{first}': one entry per work"))
    return problems


def _working_notes(path: str, entries: list[Entry]) -> list[Problem]:
    from .rules import working_note

    problems = []
    for entry in entries:
        for f in entry.fields:
            if f.key.lower() in ("url", "doi", "verified", "unverified"):
                continue
            phrase = working_note(str(f.value))
            if phrase:
                line = entry.start_line + 1 if entry.start_line is not None else None
                problems.append(Problem(file=path, line=line, field=f.key,
                                        message=f"entry '{entry.key}' reads like a working note ('{phrase}'): say what the source shows"))
    return problems


def read_bibliography(path: Path, display_name: str | None = None) -> tuple[Bibliography, list[Problem]]:
    """Parse a .bib file; returns the entries that parsed and every problem found."""
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Bibliography(path, {}), [Problem(file=name, message="file not found")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Bibliography(path, {}), [Problem(file=name, message=f"not UTF-8 text (byte {exc.start})")]
    from bibtexparser.middlewares import RemoveEnclosingMiddleware, ResolveStringReferencesMiddleware

    # Parse once without middlewares (bare macro names are still visible then), check them,
    # then resolve strings and enclosing braces as bibtexparser's default stack would.
    library = bibtexparser.parse_string(text, parse_stack=[])
    problems = [_failed_block_problem(name, b) for b in library.failed_blocks]
    problems += _undefined_macros(name, library, {s.key.lower() for s in library.strings})
    library = RemoveEnclosingMiddleware(allow_inplace_modification=True).transform(
        ResolveStringReferencesMiddleware(allow_inplace_modification=True).transform(library))
    problems += _duplicate_identifiers(name, library.entries)
    problems += _working_notes(name, library.entries)
    refs: dict[str, Reference] = {}
    for entry in library.entries:
        problems.extend(_entry_problems(name, entry))
        fields = {f.key.lower(): plain(str(f.value)) for f in entry.fields}
        verified = {v.strip() for v in fields.get("verified", "").split(",") if v.strip()}
        refs[entry.key] = Reference(
            key=entry.key,
            entry_type=entry.entry_type.lower(),
            fields=fields,
            line=entry.start_line + 1 if entry.start_line is not None else None,
            verified=verified,
            raw_author=next((str(f.value) for f in entry.fields if f.key.lower() == "author"), ""),
        )
    return Bibliography(path, refs), problems


def load_bibliography(path: Path, display_name: str | None = None) -> Bibliography:
    """Like read_bibliography, but raises EvidenceError on any problem."""
    bib, problems = read_bibliography(path, display_name)
    if problems:
        raise EvidenceError(problems)
    return bib
