"""`evidence audit PATH`: pre-fill an audit worksheet for a document about IVIG in myositis.

The audit does the clerical half of a claims review so the reviewer can do the
judging half. One module per step:

- read: the file into blocks (headings, paragraphs, bullets), refusing bad input;
- tag: sections, sentences, subtype and outcome domain, and which are statements;
- match: the evidence base (results, adverse events, claims) and its ranking;
- numbers: every figure a statement states, checked like with like;
- judge: a suggested verdict, its reason, its evidence rows and the flags;
- refs: the reference list against references.bib;
- write: worksheet.csv/.xlsx, references.csv and an offline report.html.
"""

from __future__ import annotations

from .match import BM25Index, Evidence, EvidenceRow, Regimen, _cached_evidence, load_evidence, tokens
from .numbers import Check, Quantity, check_count, check_percent, check_regimen, extract_quantities, number_check
from .pipeline import AuditResult, Statement, audit_document, doc_id_for
from .write import (
    OUTPUT_FILES,
    REFERENCE_COLUMNS,
    WORKSHEET_COLUMNS,
    format_summary,
    render_report,
    run_audit_cli,
    write_outputs,
)

__all__ = [
    "OUTPUT_FILES", "REFERENCE_COLUMNS", "WORKSHEET_COLUMNS", "AuditResult", "BM25Index", "Check", "Evidence",
    "EvidenceRow", "Quantity", "Regimen", "Statement", "_cached_evidence", "audit_document", "check_count",
    "check_percent", "check_regimen", "doc_id_for", "extract_quantities", "format_summary", "load_evidence",
    "number_check", "render_report", "run_audit_cli", "tokens", "write_outputs",
]
