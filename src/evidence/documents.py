"""The Word documents: claims register and reference audit per document, summary of findings per subtype.

Each builder reshapes a `tables` frame for the page (fewer, fuller columns; judgements with
symbols; references with italic journals) and hands it to `word`. The summary of findings reads
its column names from `tables.summary_of_findings` and maps what it recognises onto the
GRADEpro layout, so a reshaped frame (more columns, a footnotes column) still renders, and a
column it does not know is carried over as it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from . import marks, tables, vocab, word
from .data import EvidenceBase, split_ids
from .rules import CITABLE_ROWS

CERTAINTY_KEY = ("GRADE certainty: \u2295\u2295\u2295\u2295 High, the true effect is probably close to the estimate; "
                 "\u2295\u2295\u2295\u25ef Moderate, probably close but possibly substantially different; "
                 "\u2295\u2295\u25ef\u25ef Low, may be substantially different; "
                 "\u2295\u25ef\u25ef\u25ef Very low, likely to be substantially different.")


def primary_key(base: EvidenceBase, study_id: str) -> str | None:
    """The bib key of a study's primary report (else its first report)."""
    reports = base.tables["reports"]
    rep = reports[reports["study_id"] == study_id]
    if not len(rep):
        return None
    prim = rep[rep["role"] == "primary"]
    return str((prim if len(prim) else rep).iloc[0]["bib_key"])


def evidence_keys(base: EvidenceBase, evidence: str) -> list[str]:
    """Bib keys behind evidence ids (citable rows or studies), in order, once each."""
    res = base.tables["results"].set_index("result_id")
    aes = base.tables["adverse_events"].set_index("ae_id")
    bib_of = {str(i): str(k) for table, col in CITABLE_ROWS.items() if table not in ("results", "adverse_events")
              and table in base.tables and "bib_key" in base.tables[table]
              for i, k in zip(base.tables[table][col], base.tables[table]["bib_key"]) if isinstance(k, str)}
    keys: list[str] = []
    for ev in split_ids(evidence):
        if ev in res.index:
            keys.append(str(res.at[ev, "bib_key"]))
        elif ev in bib_of:
            keys.append(bib_of[ev])
        else:
            key = primary_key(base, aes.at[ev, "study_id"] if ev in aes.index else ev)
            if key:
                keys.append(key)
    return [k for k in dict.fromkeys(keys) if k in base.bib]


def claims_register_docx(base: EvidenceBase, doc_id: str, path: Path, paper: str = "a4") -> Path:
    """One table for the whole register, a band row per section; references of the evidence cited."""
    register = tables.claims_register(base, doc_id)
    title = str(base.tables["documents"].set_index("doc_id").at[doc_id, "title"])
    frame = pd.DataFrame({
        "Section": register["Section"],
        "Claim": register["Claim"],
        "What the document claims (our words)": register["What the document claims (our words)"],
        "Topic": [" \n".join(x for x in (t, s, o) if isinstance(x, str) and x)
                  for t, s, o in zip(register["Type"], register["Subtype"], register["Outcome"])],
        "Verdict": register["Verdict"],
        "Certainty": register["Certainty"],
        "Rationale": register["Rationale"],
        "Evidence": register["Evidence"].map(lambda e: "; ".join(split_ids(e))),
    })
    keys: list[str] = []
    for ev in register["Evidence"]:
        keys += [k for k in evidence_keys(base, ev) if k not in keys]
    counts = register["Verdict"].value_counts()
    summary = ", ".join(f"{marks.verdict_mark(v)} {n}" for v, n in counts.items())
    intro = (f"{len(register)} claims of the document, in its order, each judged against the evidence base "
             f"({summary}). Topic gives claim type, subtype and outcome. {CERTAINTY_KEY}")
    return word.write_tables_docx(path, f"Claims audit: {title}", {"": frame}, intro=intro,
                                  references=[base.bib[k] for k in keys], paper=paper, band="Section")


def reference_audit_docx(base: EvidenceBase, doc_id: str, path: Path, paper: str = "a4") -> Path:
    """Each entry of the document's reference list beside the verified record (AMA, journal italic)."""
    refs = base.tables["document_references"]
    refs = refs[refs["doc_id"] == doc_id]
    audit = tables.reference_audit(base, doc_id)
    audit["Verified entry"] = [base.bib[k] if isinstance(k, str) and k in base.bib else "" for k in refs["bib_key"]]
    title = str(base.tables["documents"].set_index("doc_id").at[doc_id, "title"])
    counts = audit["Status"].value_counts()
    intro = (f"{len(audit)} references listed by the document, each compared with the work it names "
             f"({', '.join(f'{marks.status_mark(s)} {n}' for s, n in counts.items())}).")
    return word.write_tables_docx(path, f"Reference audit: {title}", {"": audit}, intro=intro, paper=paper)


def _column(frame: pd.DataFrame, *needles: str, exclude: tuple[str, ...] = ()) -> str | None:
    for needle in needles:
        for col in frame.columns:
            name = str(col).lower()
            if needle in name and not any(x in name for x in exclude):
                return col
    return None


def _footnote_texts(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    return [text] if text else []


_LETTERS_AT_END = re.compile(r"\(([a-z](?:,\s*[a-z])*)\)\s*$")
_FOOTNOTE = re.compile(r"(?:^|\s)([a-z])\. ")


def _split_footnotes(text: str) -> tuple[str, list[tuple[str, str]]]:
    """'Lead text. a. First reason. b. Second.' -> ('Lead text.', [('a', 'First reason.'), ('b', 'Second.')])."""
    marks_at = [m for m in _FOOTNOTE.finditer(text)]
    if not marks_at:
        return text, []
    lead = text[: marks_at[0].start()].strip()
    found = []
    for i, m in enumerate(marks_at):
        end = marks_at[i + 1].start() if i + 1 < len(marks_at) else len(text)
        found.append((m.group(1), text[m.end(): end].strip()))
    return lead, found


def sof_layout(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The summary-of-findings frame in GRADEpro order, with certainty as symbols plus lettered
    footnotes. Returns the frame to print and the footnotes ('a. reason ...')."""
    used: set[str] = set()

    def take(*needles: str, exclude: tuple[str, ...] = ()) -> str | None:
        col = _column(frame.drop(columns=list(used)), *needles, exclude=exclude)
        if col is not None:
            used.add(col)
        return col

    outcome = take("outcome")
    participants = take("participants", "studies")
    relative = take("relative")
    comparator = take("risk with comparator", "risk with placebo", "comparator", "control")
    ivig = take("risk with ivig", "risk with intervention", "ivig")
    difference = take("difference")
    certainty = take("certainty")
    notes_col = take("footnote", "reason")
    comments = take("comment")
    if notes_col is None and comments is not None:
        notes_col, comments = comments, None  # reasons for the rating travel as footnotes, GRADEpro style
    out: dict[str, list[Any]] = {}
    letters: dict[str, str] = {}
    for label, col in (("Outcomes", outcome), ("Participants (studies)", participants),
                       ("Relative effect (95% CI)", relative), ("Risk with comparator (per 1,000)", comparator),
                       ("Risk with IVIG (per 1,000)", ivig), ("Difference (per 1,000)", difference)):
        if col is not None:
            out[label] = [word.cell_text(v).replace(" per 1000", "") for v in frame[col]]
    lettered = certainty is not None and any(_LETTERS_AT_END.search(str(v)) for v in frame[certainty])
    if lettered and notes_col is not None:
        # The summary already letters its footnotes: certainty reads 'Moderate (a)' and the comment
        # ends with 'a. reason'. Keep those letters and move the reasons below the table.
        cells, kept_comments = [], []
        for value, comment in zip(frame[certainty], frame[notes_col]):
            m = _LETTERS_AT_END.search(word.cell_text(value))
            word_part = word.cell_text(value)[: m.start()].strip() if m else word.cell_text(value)
            tags = [t.strip() for t in m.group(1).split(",")] if m else []
            lead, found = _split_footnotes(word.cell_text(comment))
            for letter, text in found:
                letters.setdefault(text, letter)
            kept_comments.append(lead)
            cells.append(word.Rich([(marks.certainty_mark(word_part), "")] + ([(",".join(tags), "sup")] if tags else [])))
        out["Certainty"] = cells
        if any(kept_comments):
            out["Comments"] = kept_comments
        certainty = comments = notes_col = None
    if certainty is not None:
        cells = []
        for i, value in enumerate(frame[certainty]):
            tags = []
            for text in _footnote_texts(frame[notes_col].iloc[i]) if notes_col is not None else []:
                letters.setdefault(text, "abcdefghijklmnopqrstuvwxyz"[len(letters) % 26])
                tags.append(letters[text])
            cells.append(word.Rich([(marks.certainty_mark(word.cell_text(value)), "")] + ([(",".join(tags), "sup")] if tags else [])))
        out["Certainty"] = cells
    if comments is not None:
        out["Comments"] = [word.cell_text(v) for v in frame[comments]]
    for col in frame.columns:
        if col not in used:
            out[str(col)] = [word.cell_text(v) for v in frame[col]]
    notes = [f"{letter}. {text}" for text, letter in sorted(letters.items(), key=lambda kv: kv[1])]
    table = pd.DataFrame(out)
    empty = [c for c in table.columns if all(not word.cell_text(v).strip() for v in table[c])]
    return table.drop(columns=empty), notes  # e.g. absolute-effect columns where no study has counts


def sof_references(base: EvidenceBase, subtype: str) -> list[str]:
    cert = base.tables["certainty"]
    keys: list[str] = []
    for studies in cert.loc[cert["subtype"] == subtype, "studies"]:
        for sid in split_ids(studies):
            key = primary_key(base, sid)
            if key and key in base.bib and key not in keys:
                keys.append(key)
    return keys


def summary_of_findings_docx(base: EvidenceBase, subtype: str, path: Path, paper: str = "a4") -> Path:
    """GRADEpro-shaped summary of findings: outcomes, participants, relative and absolute effects,
    certainty (symbols, word, lettered footnotes with the reasons), references."""
    frame, notes = sof_layout(tables.summary_of_findings(base, subtype))
    label = vocab.SUBTYPE.label(subtype)
    intro = (f"Population: people with {label.lower() if label[:1].isupper() and label[1:2].islower() else label}. "
             "Intervention: intravenous immunoglobulin (IVIG). Comparison: placebo or the comparator each study used. "
             "Absolute effects are per 1,000 patients, computed from the reported counts. " + CERTAINTY_KEY)
    keys = sof_references(base, subtype)
    return word.write_tables_docx(path, f"Summary of findings: IVIG for {label}", {"": frame}, intro=intro,
                                  references=[base.bib[k] for k in keys], notes=notes, paper=paper)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
