"""AMA Manual of Style (11th ed.) references: one formatter for every output.

A reference is built once as a list of runs (text, italic), then rendered as plain text
(CSV, XLSX, slides' notes), escaped HTML (site, notebooks) or Word runs (DOCX), so the
journal is italic wherever the medium allows and the words are the same everywhere.

Names are split with bibtexparser 2's own name parser (first / von / last / jr), so
particles ("van der Kooi AJ") and suffixes ("Smith JA Jr") come out as AMA wants them;
braced corporate authors stay whole. Only fields that describe the work are printed:
`note`, `verified` and `unverified` are the project's bookkeeping and never appear.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts, split_multiple_persons_names

# Journal -> NLM title abbreviation, for the journals references.bib holds. Each was read on
# the NLM-derived Index Medicus list (JabRef abbrv.jabref.org, journal_abbreviations_medicus.csv)
# or on the journal's PubMed record; the source of each is given beside it.
# Journals whose NLM abbreviation was not seen on such a page are absent: they print in full.
NLM_ABBREVIATIONS: dict[str, str] = {
    "American Journal of Hematology": "Am J Hematol",  # medicus list
    "Annals of Internal Medicine": "Ann Intern Med",  # medicus list
    "Annals of the Rheumatic Diseases": "Ann Rheum Dis",  # medicus list
    "Archivum Immunologiae et Therapiae Experimentalis": "Arch Immunol Ther Exp (Warsz)",  # medicus list
    "Arthritis and Rheumatism": "Arthritis Rheum",  # medicus list
    "Arthritis Research & Therapy": "Arthritis Res Ther",  # PubMed 38233885
    "Autoimmunity Reviews": "Autoimmun Rev",  # PubMed 34800685
    "Blood": "Blood",  # medicus list
    "Clinical and Experimental Rheumatology": "Clin Exp Rheumatol",  # medicus list
    "Clinical Reviews in Allergy & Immunology": "Clin Rev Allergy Immunol",  # medicus list
    "Clinical Rheumatology": "Clin Rheumatol",  # medicus list
    "Cochrane Database of Systematic Reviews": "Cochrane Database Syst Rev",  # PubMed 22895935
    "Frontiers in Immunology": "Front Immunol",  # PubMed 34603326
    "Journal of Allergy and Clinical Immunology": "J Allergy Clin Immunol",  # medicus list
    "Journal of Neurology": "J Neurol",  # medicus list
    "Journal of Rheumatology": "J Rheumatol",  # medicus list
    "Journal of Pediatrics": "J Pediatr",  # medicus list
    "MMWR Morbidity and Mortality Weekly Report": "MMWR Morb Mortal Wkly Rep",  # medicus list
    "Medicina (Buenos Aires)": "Medicina (B Aires)",  # medicus list ("Medicina")
    "Modern Rheumatology": "Mod Rheumatol",  # PubMed 24387253
    "Neurological Sciences": "Neurol Sci",  # PubMed 36905450
    "Neurology": "Neurology",  # medicus list
    "New England Journal of Medicine": "N Engl J Med",  # medicus list
    "QJM": "QJM",  # medicus list
    "Rheumatology (Oxford)": "Rheumatology (Oxford)",  # PMC record: NLM title "Rheumatology (Oxford, England)"
    "Transfusion": "Transfusion",  # medicus list
}

_FOLDED = {re.sub(r"^the\s+", "", k.lower()): v for k, v in NLM_ABBREVIATIONS.items()}

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


@dataclass(frozen=True)
class Run:
    """A stretch of reference text; italic for the journal or website name."""

    text: str
    italic: bool = False


def journal_abbreviation(journal: str) -> str:
    """The NLM abbreviation where known (a leading 'The' ignored), else the title as given."""
    key = re.sub(r"^the\s+", "", journal.strip().rstrip(".").lower())
    return _FOLDED.get(key, journal.strip().rstrip("."))


def _initials(given: list[str]) -> str:
    """'Anneke J.' -> 'AJ'; 'Jean-Paul' -> 'J-P' (AMA keeps the hyphen of a hyphenated given name)."""
    out = []
    for word in given:
        parts = [p for p in word.replace(".", " ").split("-")]
        letters = ["".join(q[0] for q in p.split() if q) for p in parts]
        out.append("-".join(x for x in letters if x))
    return "".join(out)


def author_name(raw: str, plain=lambda s: s) -> str:
    """One raw BibTeX name in AMA form: 'van der Kooi AJ', 'Smith JA Jr', corporate names whole."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and raw.count("{") == 1:
        return plain(raw)
    try:
        parts = parse_single_name_into_parts(raw)
    except InvalidNameError:
        return plain(raw)
    last = plain(" ".join(parts.von + parts.last))
    if not parts.first and len(parts.last) == 1 and parts.last[0].startswith("{"):
        return last
    name = f"{last} {_initials([plain(g) for g in parts.first])}".strip()
    if parts.jr:
        name += " " + plain(" ".join(parts.jr)).replace(".", "")
    return name


def author_list(raw: str, plain=lambda s: s) -> str:
    """All authors when six or fewer, else the first three and 'et al' (AMA 11th ed., 3.11.1)."""
    names = [n for n in split_multiple_persons_names(raw) if n.strip()] if raw.strip() else []
    truncated = any(n.strip().lower() == "others" for n in names)
    names = [n for n in names if n.strip().lower() != "others"]
    if not names:
        return ""
    shown = [author_name(n, plain) for n in names]
    if len(shown) > 6 or truncated:
        return ", ".join(shown[:3]) + ", et al"
    return ", ".join(shown)


def _date(value: str) -> str:
    """'2026-11-21' -> 'November 21, 2026'; anything else as written."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value.strip())
    if m:
        d = date(int(m[1]), int(m[2]), int(m[3]))
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    return value.strip()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def runs(ref) -> list[Run]:
    """The reference as runs; `ref` is a bib.Reference (decoded fields, raw author string)."""
    from .bib import plain

    get = ref.get
    out: list[Run] = []
    authors = author_list(ref.raw_author or "", plain) if (ref.raw_author or "").strip() else ""
    organization = get("organization").strip()
    if authors:
        out.append(Run(_sentence(authors) + " "))
    elif organization and ref.entry_type == "article":
        out.append(Run(_sentence(organization) + " "))
    title = get("title").strip()
    if title:
        out.append(Run(_sentence(title) + " "))
    if ref.entry_type == "article":
        journal = get("journal")
        if journal:
            out.append(Run(journal_abbreviation(journal), italic=True))
            out.append(Run(". "))
        source = get("year")
        if get("volume"):
            source += f";{get('volume')}"
            if get("number"):
                source += f"({get('number')})"
        elif get("number"):
            source += f";({get('number')})"
        if get("pages"):
            source += ":" + get("pages").replace("\u2013", "-").replace("--", "-")
        if source:
            out.append(Run(source + ". "))
    else:
        publisher = get("publisher") or get("howpublished") or (organization if not authors else "")
        container = get("journal") or get("booktitle")
        if container:
            out.append(Run(container, italic=True))
            out.append(Run(". "))
        published = _date(get("date")) if get("date") else get("year")
        if ref.entry_type == "manual" and publisher and published:
            out.append(Run(f"{publisher.rstrip('.')}; {published}. "))  # 'Company; year.' as for package inserts
            published = ""
        elif publisher and publisher != title:
            out.append(Run(_sentence(publisher) + " "))
        if published:
            out.append(Run(f"{'Published ' if ref.entry_type == 'online' else ''}{published}. "))
        if get("urldate"):
            out.append(Run(f"Accessed {_date(get('urldate'))}. "))
    if get("doi"):
        out.append(Run(f"doi:{get('doi')}"))
    elif get("url"):
        out.append(Run(get("url")))
    text_end = out[-1].text.rstrip() if out else ""
    if out:
        out[-1] = Run(text_end, out[-1].italic)
    return [r for r in out if r.text]


def text(ref) -> str:
    """Plain text (journal not marked), for CSV, XLSX and speaker notes."""
    return re.sub(r"\s+", " ", "".join(r.text for r in runs(ref))).strip()


def html_text(ref) -> str:
    """Escaped HTML with the journal in <i>; no text from the data becomes markup."""
    return "".join(f"<i>{html.escape(r.text)}</i>" if r.italic else html.escape(r.text) for r in runs(ref)).strip()


def add_to_paragraph(paragraph, ref, size=None) -> None:
    """Append the reference to a python-docx paragraph, the journal as an italic run."""
    for r in runs(ref):
        run = paragraph.add_run(r.text)
        run.italic = r.italic or None
        if size is not None:
            run.font.size = size
