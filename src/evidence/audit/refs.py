"""The reference list of a document under audit, matched against references.bib.

Entries are split where a number or bullet starts one, or where a URL ends one
(patient pages often run entries together with only the link between them). Each
entry is parsed into author, year, title, journal, volume(issue) and link, then
matched to a verified bib entry: first by the identifier in the link (PMID,
PMCID, DOI), else by fuzzy title (rapidfuzz) with first author and year as
tie-breakers. Every field that disagrees is reported, as in
data/document_references.csv, so a medical writer sees what to correct.

Status (the `status` vocabulary), first that applies: `wrong` when the first author
or year is wrong, the title is far off, or the link points to a different work;
`unverifiable` when no entry matches, or the entry matched was itself never verified
(empty `verified` field) or marks the cited link as unverified; `minor_error` for a
journal, volume or issue that differs, fields left out, or a title one word off;
else `correct`. A DOI or PMID the entry does not record is noted, not judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, utils

from ..bib import Bibliography, Reference
from .read import _BULLET_RE, _URL_RE, Block

_ENTRY_START_RE = _BULLET_RE
_YEAR_RE = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")
_PMID_RE = re.compile(r"(?:pubmed(?:\.ncbi\.nlm\.nih\.gov)?/|PMID:?\s*)(\d{1,9})", re.I)
_PMCID_RE = re.compile(r"\b(PMC\d{4,})\b", re.I)
_DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)
_SOURCE_RE = re.compile(
    r"^(?P<journal>[^\d;]*?[A-Za-z][^\d;]*?)[.,]?\s*(?:(?P<year>(?:19|20)\d{2})\s*[;,]\s*)?"
    r"(?P<volume>\d+[A-Za-z]?)\s*(?:\((?P<issue>[^)]+)\))?\s*(?::\s*(?P<pages>[\w\u2013-]+))?\.?$"
)

TITLE_MATCH = 85  # title similarity at or above which a title alone identifies the entry
TITLE_WITH_AUTHOR_YEAR = 65  # lower bar when first author and year agree as well
TITLE_MINOR = 95  # below this, a matched title is reported as different (one word changed is about 90)


@dataclass
class CitedReference:
    """One entry of a document's reference list, as printed."""

    position: int
    raw: str
    authors: str = ""
    year: str = ""
    title: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    link: str = ""

    @property
    def first_author(self) -> str:
        """Surname of the first author, or the organisation when no person is named."""
        head = re.split(r",|\band\b|;|\bet al\b", self.authors, maxsplit=1)[0].strip()
        words = head.split()
        if len(words) == 2 and re.fullmatch(r"[A-Z]{1,3}", words[1]):  # AMA: "Aggarwal R"
            return words[0]
        return head


@dataclass
class RefMatch:
    """The outcome of matching one cited reference."""

    cited: CitedReference
    bib_key: str = ""
    link_target: str = ""
    method: str = ""
    title_similarity: int | None = None
    discrepancies: list[str] = field(default_factory=list)
    status: str = "unverifiable"


# ------------------------------------------------------------------------- splitting


def split_entries(blocks: list[Block]) -> list[str]:
    """Raw entry texts: a number/bullet starts an entry, a URL closes one."""
    entries: list[str] = []
    current: list[str] = []
    has_link = False

    def flush() -> None:
        nonlocal current, has_link
        text = " ".join(current).strip(" -\u2013\u2014\u2022")
        if text:
            entries.append(text)
        current, has_link = [], False

    for block in blocks:
        line = block.text.strip()
        if block.kind == "bullet" or _ENTRY_START_RE.match(line):
            flush()
            line = _ENTRY_START_RE.sub("", line, count=1)
        while line:
            url = _URL_RE.search(line)
            if url is None:
                if has_link:
                    flush()
                current.append(line)
                break
            before = line[: url.start()].strip()
            if before and has_link:
                flush()
            if before:
                current.append(before)
            current.append(url.group(0).rstrip(".,;)"))
            flush()
            line = line[url.end():].strip(" -\u2013\u2014\u2022")
    flush()
    return entries


# --------------------------------------------------------------------------- parsing


def parse_entry(position: int, raw: str) -> CitedReference:
    """Author, year, title, journal, volume(issue) and link of one printed entry."""
    ref = CitedReference(position=position, raw=raw)
    link = _URL_RE.search(raw)
    text = raw
    if link:
        ref.link = link.group(0).rstrip(".,;)")
        text = (raw[: link.start()] + raw[link.end():]).strip()
    text = re.sub(r"\s+", " ", text).strip(" -")
    harvard = re.match(r"^(?P<authors>.+?)[,.]?\s*\(?(?P<year>(?:19|20)\d{2})\)?[.,]\s*(?P<rest>.*)$", text)
    if harvard and len(harvard.group("authors")) < 200:
        ref.authors, ref.year = harvard.group("authors").strip(" ,"), harvard.group("year")
        ref.title, source = _title_and_source(harvard.group("rest"))
    else:
        ref.authors, _, rest = text.partition(". ")
        ref.title, source = _title_and_source(rest)
        year = _YEAR_RE.search(source or rest)
        ref.year = year.group(1) if year else ""
    _parse_source(ref, source)
    return ref


def _title_and_source(rest: str) -> tuple[str, str]:
    """Split 'Title. Journal, 51(6).' at the sentence break before the journal."""
    rest = rest.strip()
    parts = re.split(r"(?<=[.?!])\s+(?=[A-Z\d])", rest)
    if len(parts) == 1:
        return rest.rstrip(". "), ""
    for cut in range(len(parts) - 1, 0, -1):
        source = " ".join(parts[cut:])
        if _SOURCE_RE.match(source.strip()):
            return " ".join(parts[:cut]).rstrip(". "), source.strip()
    return rest.rstrip(". "), ""


def _parse_source(ref: CitedReference, source: str) -> None:
    """Journal, volume and issue from 'Neurology, 51(6 Suppl 5).' or 'N Engl J Med. 2022;387(14):1264'."""
    if not source:
        return
    found = _SOURCE_RE.match(source.strip())
    if found:
        ref.journal = found.group("journal").strip(" .,")
        ref.volume = found.group("volume") or ""
        ref.issue = (found.group("issue") or "").strip()
        ref.pages = found.group("pages") or ""
        if found.group("year") and not ref.year:
            ref.year = found.group("year")
    else:
        ref.journal = source.strip(" .")


def parse_reference_list(blocks: list[Block]) -> list[CitedReference]:
    """Every entry of a reference section, numbered from 1 in printed order."""
    return [parse_entry(i, raw) for i, raw in enumerate(split_entries(blocks), start=1)]


# -------------------------------------------------------------------------- matching


def _norm_url(url: str) -> str:
    url = re.sub(r"^https?://(www\.)?", "", url.strip().lower())
    return url.rstrip("/")


def identifiers(link: str) -> dict[str, str]:
    """PMID, PMCID, DOI and the bare address that a link carries."""
    found: dict[str, str] = {}
    if m := _PMCID_RE.search(link):
        found["pmcid"] = m.group(1).upper()
    if m := _PMID_RE.search(link):
        found["pmid"] = m.group(1)
    if m := _DOI_RE.search(link):
        found["doi"] = m.group(1).rstrip(".,;)/").lower()
    if link.strip():
        found["url"] = _norm_url(link)
    return found


def _ids_of(ref: Reference) -> dict[str, str]:
    ids = {}
    for name in ("pmid", "pmcid", "doi", "url"):
        value = ref.get(name).strip()
        if value:
            ids[name] = value.upper() if name == "pmcid" else _norm_url(value) if name == "url" else value.lower()
    return ids


def _shown(ids: dict[str, str]) -> str:
    return ", ".join(f"{k.upper()} {v}" for k, v in ids.items() if k != "url")


def _by_identifier(bib: Bibliography, ids: dict[str, str], title: str = "", year: str = "") -> tuple[str, str, str] | None:
    """(bib key, identifier name, label) of the entry carrying a cited identifier; PMID/PMCID/DOI before URL."""
    for name in ("pmid", "pmcid", "doi", "url"):
        if name not in ids:
            continue
        keys = [key for key, ref in bib.references.items() if _ids_of(ref).get(name) == ids[name]]
        if keys:
            key = max(keys, key=lambda k: (title_similarity(title, bib[k].get("title")), bib[k].get("year") == year))
            return key, name, (f"{name.upper()} {ids[name]}" if name != "url" else "same URL")
    return None


def _norm(text: str) -> str:
    text = re.sub(r"^\s*the\s+", "", text.lower())
    return utils.default_process(text.replace("&", " and ").replace("\u2011", "-"))


def _main_title(title: str) -> str:
    """The title before a subtitle ('Main: subtitle'), when the main part has at least 3 words."""
    head = re.split(r":\s", title, maxsplit=1)[0]
    return head if len(head.split()) >= 3 else title


def title_similarity(a: str, b: str) -> int:
    """0-100 word-order-insensitive similarity; a dropped subtitle does not count against a title.

    Token sort ratio rather than WRatio or token set ratio: those score a one-word
    title such as 'Dermatomyositis' near 100 against any title containing the word.
    """
    if not a.strip() or not b.strip():
        return 0
    pairs = {(a, b), (a, _main_title(b)), (_main_title(a), b), (_main_title(a), _main_title(b))}
    return round(max(fuzz.token_sort_ratio(_norm(x), _norm(y)) for x, y in pairs))


_SURNAMES: dict[int, tuple[Reference, str]] = {}


def _surname(ref: Reference) -> str:
    """First author's surname (or the organisation), remembered: parsing names costs ~0.2 ms per entry."""
    hit = _SURNAMES.get(id(ref))
    if hit is None or hit[0] is not ref:
        hit = (ref, ref.first_author_surname if ref.authors else ref.get("organization"))
        _SURNAMES[id(ref)] = hit
    return hit[1]


def _same_author(cited: CitedReference, ref: Reference) -> bool:
    first, known = _norm(cited.first_author), _norm(_surname(ref))
    if not first or not known:
        return False
    return first == known or first.split()[0] == known.split()[0] or fuzz.ratio(first, known) >= 90


def _by_title(bib: Bibliography, cited: CitedReference) -> tuple[str, int] | None:
    """The entry whose title is closest, when close enough (with author and year as support)."""
    best: tuple[float, str, int] | None = None
    for key, ref in bib.references.items():
        score = title_similarity(cited.title, ref.get("title"))
        author, year = _same_author(cited, ref), bool(cited.year) and cited.year == ref.get("year")
        accepted = score >= TITLE_MATCH or (score >= TITLE_WITH_AUTHOR_YEAR and author and year)
        rank = score + 5 * author + 3 * year
        if accepted and (best is None or rank > best[0]):
            best = (rank, key, score)
    return (best[1], best[2]) if best else None


def _is_abbreviation(short: str, full: str) -> bool:
    """'N Engl J Med' abbreviates 'New England Journal of Medicine': each word a prefix, in order."""
    skip = {"of", "the", "and", "in", "for", "on"}
    short_words = [w for w in _norm(short).split() if w not in skip]
    full_words = [w for w in _norm(full).split() if w not in skip]
    return len(short_words) == len(full_words) and all(f.startswith(s) for s, f in zip(short_words, full_words))


def same_journal(cited: str, known: str) -> bool:
    """The same journal, written out in full or in its standard (NLM/AMA) abbreviation."""
    return title_similarity(cited, known) >= 90 or _is_abbreviation(cited, known) or _is_abbreviation(known, cited)


def _field_findings(cited: CitedReference, ref: Reference, similarity: int) -> list[tuple[str, str]]:
    """(severity, message) for each printed field that disagrees with the verified entry."""
    out: list[tuple[str, str]] = []
    if cited.first_author and _surname(ref) and not _same_author(cited, ref):
        out.append(("wrong", f"first author '{cited.first_author}' should be '{_surname(ref)}'"))
    if cited.year and ref.get("year") and cited.year != ref.get("year"):
        out.append(("wrong", f"year {cited.year} should be {ref.get('year')}"))
    if cited.title and similarity < TITLE_MINOR:
        severity = "wrong" if similarity < TITLE_WITH_AUTHOR_YEAR else "minor"
        out.append((severity, f"title differs (similarity {similarity}%): entry has '{ref.get('title')}'"))
    if cited.journal and ref.get("journal") and not same_journal(cited.journal, ref.get("journal")):
        out.append(("minor", f"journal '{cited.journal}' should be '{ref.get('journal')}'"))
    for printed, name, label in ((cited.volume, "volume", "volume"), (cited.issue, "number", "issue")):
        known = ref.get(name)
        if printed and known and _norm(printed) != _norm(known):
            out.append(("minor", f"{label} {printed} should be {known}"))
    if ref.entry_type == "article":
        missing = [f"{label} ({ref.get(name)})" for printed, name, label in (
            (cited.journal, "journal", "journal"), (cited.volume, "volume", "volume"), (cited.pages, "pages", "pages"))
            if not printed and ref.get(name)]
        if missing:
            out.append(("minor", "missing " + ", ".join(missing)))
    return out


def _link_findings(
    ids: dict[str, str], by_id: tuple[str, str, str] | None, ref_key: str, bib: Bibliography
) -> list[tuple[str, str]]:
    """Does the cited link identify the matched entry? Unknown when the entry lacks that identifier."""
    if by_id and by_id[0] != ref_key:
        return [("wrong", f"link ({by_id[2]}) points to {by_id[0]}, not to the cited work {ref_key}")]
    if by_id:
        return []
    known = _ids_of(bib[ref_key])
    out: list[tuple[str, str]] = []
    for name in ("pmid", "pmcid", "doi"):
        if name in ids and name in known and ids[name] != known[name]:
            out.append(("wrong", f"link {name.upper()} {ids[name]} is not the entry's ({name.upper()} {known[name]})"))
        elif name in ids and name not in known:
            out.append(("note", f"link {name.upper()} {ids[name]} cannot be confirmed: references.bib records no {name}"))
    return out


def match_reference(bib: Bibliography, cited: CitedReference) -> RefMatch:
    """Match one cited reference (identifier first, else title) and list every discrepancy."""
    result = RefMatch(cited=cited)
    ids = identifiers(cited.link)
    by_id = _by_identifier(bib, ids, cited.title, cited.year) if ids else None
    by_title = _by_title(bib, cited) if cited.title else None
    id_title = title_similarity(cited.title, bib[by_id[0]].get("title")) if by_id else 0
    if by_id and (by_title is None or by_title[0] == by_id[0] or id_title >= TITLE_MATCH or by_title[1] < TITLE_MATCH):
        result.bib_key, result.method = by_id[0], f"identifier ({by_id[2]})"
    elif by_title:
        result.bib_key, result.method = by_title[0], "title"
    if not result.bib_key:
        result.discrepancies = ["no matching entry in references.bib"]
        if by_id is None and _shown(ids):
            result.discrepancies.append(f"identifier {_shown(ids)} is not in references.bib")
        return result
    result.link_target = by_id[0] if by_id else ""
    entry = bib[result.bib_key]
    result.title_similarity = title_similarity(cited.title, entry.get("title")) if cited.title else None
    findings = _link_findings(ids, by_id, result.bib_key, bib) + _field_findings(cited, entry, result.title_similarity or 0)
    if not entry.verified:
        findings.append(("unverifiable", "references.bib could not verify this entry (no field seen on a source page)"))
    elif by_id and by_id[0] == result.bib_key and _unverified(entry, by_id[1]):
        findings.append(("unverifiable", f"the cited {by_id[1].upper()} is marked unverified in references.bib"))
    result.discrepancies = [message for _, message in findings]
    result.status = _status({severity for severity, _ in findings})
    return result


def _unverified(ref: Reference, name: str) -> bool:
    """Is this identifier (pmid, doi, url...) left unverified in the entry (and not listed as verified)?"""
    if name in {v.strip().lower() for v in ref.verified}:
        return False
    return name in re.findall(r"[a-z]+", ref.get("unverified").lower())


def _status(severities: set[str]) -> str:
    for severity, status in (("wrong", "wrong"), ("unverifiable", "unverifiable"), ("minor", "minor_error")):
        if severity in severities:
            return status
    return "correct"


def audit_references(bib: Bibliography, blocks: list[Block]) -> list[RefMatch]:
    """Parse a reference section and match each entry."""
    return [match_reference(bib, cited) for cited in parse_reference_list(blocks)]
