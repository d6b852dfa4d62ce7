"""Each named cross-column rule fires on a row written to break it, and names file, row and field.

A case edits one row of a copy of the shipped data; the rule's name must appear in the
message with the right location. A rule without a case fails `test_every_rule_has_a_case`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from evidence import rules
from evidence.data import collect

Edit = Callable[[list[dict[str, str]]], int]


def _edit(root: Path, table: str, change: Edit) -> int:
    path = root / "data" / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        cols, rows = list(reader.fieldnames or []), list(reader)
    index = change(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return index + 1


def first(rows: list[dict[str, str]], **where: str) -> int:
    for i, row in enumerate(rows):
        if all((row[k] != "") if v == "*" else (row[k] == v) for k, v in where.items()):
            return i
    raise LookupError(where)


def setting(where: dict[str, str], **values: str) -> Edit:
    def change(rows: list[dict[str, str]]) -> int:
        i = first(rows, **where)
        rows[i].update(values)
        return i
    return change


CASES: dict[str, tuple[str, Edit]] = {
    "events_within_total": ("results", setting({"measure": "count", "total": "*"}, events="100000")),
    "arm_in_study": ("results", setting({"study_id": "proderm", "arm_id": "proderm_ivig"}, arm_id="dalakas1993_ivig")),
    "comparator_in_study": ("results", setting({"comparator_arm_id": "*"}, comparator_arm_id="lim2020firstline_ivig")),
    "percent_matches_counts": ("results", setting({"measure": "count", "percent": "*"}, percent="3")),
    "percent_in_its_column": ("results", setting({"measure": "percent", "percent": "*"}, percent="")),
    "effect_has_value": ("results", setting({"measure": "effect", "effect": "*"}, effect="", ci_low="", ci_high="", p_value="", p_text="")),
    "effect_has_type": ("results", setting({"measure": "effect", "effect": "*"}, effect_type="")),
    "count_has_events": ("results", setting({"measure": "count", "events": "*"}, events="", percent="")),
    "ci_ordered": ("results", setting({"measure": "effect", "ci_low": "*", "ci_high": "*"}, ci_low="5", ci_high="1", effect="")),
    "effect_within_ci": ("results", setting({"measure": "effect", "ci_low": "*", "ci_high": "*", "effect": "*"}, effect="999")),
    "contrast_has_comparator": ("results", setting({"measure": "count", "result_kind": "arm_outcome"}, result_kind="between_arm")),
    "arms_add_up": ("studies", setting({"study_id": "walter2000ibm"}, n_enrolled="999", arm_sum_note="")),
    "role_fits_intervention": ("arms", setting({"arm_id": "proderm_placebo"}, arm_role="ivig")),
    "patients_within_at_risk": ("adverse_events", setting({"patients": "*", "n_at_risk": "*"}, patients="100000")),
    "events_within_infusions": ("adverse_events", setting({"events": "*", "infusions": "*"}, events="99999999", note="")),
    "ae_has_counts": ("adverse_events", setting({"patients": "*"}, patients="", events="")),
    "ae_arm_in_study": ("adverse_events", setting({"arm_id": "proderm_ivig"}, arm_id="dalakas1993_ivig")),
    "evidence_exists": ("claims", setting({"evidence": "*"}, evidence="no_such_row")),
    "verdict_cites_evidence": ("claims", setting({"verdict": "supported"}, evidence="")),
    "certainty_for_efficacy": ("claims", setting({"claim_type": "efficacy", "verdict": "supported"}, certainty="")),
    "certainty_within_rating": ("claims", setting({"subtype": "dm", "outcome_domain": "composite", "certainty": "moderate"},
                                                   certainty="high")),
    "rating_rows_exist": ("certainty", setting({"result_ids": "*"}, result_ids="no_such_row")),
    "rating_studies_exist": ("certainty", setting({"studies": "*"}, studies="no_such_study")),
    "recommendation_from_guidance": ("recommendations", setting({"rec_id": "*"}, study_id="proderm")),
    "recommendation_cites_its_paper": ("recommendations", setting({"rec_id": "*"}, bib_key="aggarwal2022proderm")),
    "primary_not_on_bare_ip": ("results", setting({"source_tier": "primary"}, source_url="http://192.0.2.7/pubmed/123")),
    "no_working_notes": ("results", setting({"note": "*"}, note="Figure looked up in this session")),
}


def test_every_rule_has_a_case():
    names = {r.name for r in rules.RULES} | {rules.SOURCE_RULE.name, "no_working_notes"}
    assert names == set(CASES), names ^ set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_fires_and_names_file_row_field(project, name):
    table, change = CASES[name]
    row = _edit(project, table, change)
    _, _, problems = collect(project)
    hits = [p for p in problems if f"[{name}]" in p.message]
    assert hits, [str(p) for p in problems][:5]
    hit = next((p for p in hits if p.row == row), hits[0])
    assert hit.file == f"data/{table}.csv" and hit.row == row and hit.field
    assert str(hit).startswith(f"data/{table}.csv, row {row}")


def test_shipped_data_breaks_no_rule():
    from conftest import ROOT

    _, _, problems = collect(ROOT)
    assert problems == []
