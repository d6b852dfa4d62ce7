"""AMA references against published AMA Manual of Style examples.

Examples are the reference-list examples of the AMA Manual of Style, 11th edition, as
reproduced by library guides: section 3.11 (references to journal articles; 3.11.1 complete
data: more than 6 authors -> first 3 and "et al"; 3.11.2 journal names italic and NLM-abbreviated)
and section 3.15.1 (websites: author, title of the item, name of the website, published date,
accessed date, URL).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence import ama, bib

ROOT = Path(__file__).resolve().parents[1]

EXAMPLES = r"""
@article{lempke2020,
  author = {Lempke, Landon B. and Schmidt, Julianne D. and Lynall, Robert C.},
  title = {Athletic trainers' concussion-assessment and concussion-management practices: an update},
  journal = {J Athl Train}, year = {2020}, volume = {55}, number = {1}, pages = {17--26},
  doi = {10.4085/1062-6050-322-18}
}
@article{huang2009,
  author = {Huang, Weiyun and Lee, Sau L. and Lu, L. X.},
  title = {Mechanistic approaches to predicting oral drug absorption},
  journal = {AAPS J}, year = {2009}, volume = {11}, number = {2}, pages = {217-224},
  doi = {10.1208/s12248-009-9098-z}
}
@article{messier2021,
  author = {Messier, Stephen P. and Mihalko, Shannon L. and Beavers, Daniel and others},
  title = {Joint compressive forces among adults with knee osteoarthritis: the START randomized clinical trial},
  journal = {JAMA}, year = {2021}, volume = {325}, number = {7}, pages = {646-657},
  doi = {10.1001/jama.2021.0411}
}
@article{cdc2013,
  author = {{Centers for Disease Control and Prevention (CDC)}},
  title = {Recommended adult immunization schedule-United States, 2013},
  journal = {J Midwifery Womens Health}, year = {2013}, volume = {58}, number = {2}, pages = {215-220},
  doi = {10.1111/jmwh.12046}
}
@article{seven,
  author = {One, A. and Two, B. and Three, C. and Four, D. and Five, E. and Six, F. and Seven, G.},
  title = {Seven authors}, journal = {The New England Journal of Medicine}, year = {2000}, volume = {1}, pages = {1-2}
}
@article{particles,
  author = {van der Kooi, Anneke J. and de Visser, Marianne and Smith, Jr., John A. and Dubois, Jean-Paul},
  title = {Names}, journal = {Neurology}, year = {2001}, volume = {2}, pages = {3},
  note = {read on a mirror page; this is bookkeeping}
}
@online{site,
  organization = {Centers for Disease Control and Prevention},
  title = {Immunization schedules},
  url = {https://www.cdc.gov/vaccines/schedules/index.html},
  date = {2024-02-01}, urldate = {2026-11-21},
  note = {working note that must never print}
}
"""


@pytest.fixture(scope="module")
def refs(tmp_path_factory):
    path = tmp_path_factory.mktemp("ama") / "examples.bib"
    path.write_text(EXAMPLES, encoding="utf-8")
    return bib.load_bibliography(path)


def test_journal_article_with_three_authors_matches_ama_3_11(refs):
    # AMA 11th ed. 3.11 example (Lempke et al 2020)
    assert refs.ama("lempke2020") == ("Lempke LB, Schmidt JD, Lynall RC. Athletic trainers' concussion-assessment and "
                                      "concussion-management practices: an update. J Athl Train. 2020;55(1):17-26. "
                                      "doi:10.4085/1062-6050-322-18")


def test_second_published_journal_example(refs):
    # AMA 11th ed. 3.11 example (Huang et al 2009): given names reduced to initials without periods
    assert refs.ama("huang2009") == ("Huang W, Lee SL, Lu LX. Mechanistic approaches to predicting oral drug absorption. "
                                     "AAPS J. 2009;11(2):217-224. doi:10.1208/s12248-009-9098-z")


def test_truncated_author_list_prints_et_al(refs):
    # AMA 11th ed. 3.11.1: more than 6 authors -> first 3 then "et al" (Messier et al 2021 example)
    assert refs.ama("messier2021").startswith("Messier SP, Mihalko SL, Beavers D, et al. Joint compressive forces")
    assert refs.ama("messier2021").endswith("JAMA. 2021;325(7):646-657. doi:10.1001/jama.2021.0411")


def test_seven_authors_become_three_and_et_al(refs):
    assert refs.ama("seven").startswith("One A, Two B, Three C, et al. Seven authors.")


def test_group_author_stays_whole(refs):
    # AMA 11th ed. 3.11 group-author example (CDC 2013)
    assert refs.ama("cdc2013") == ("Centers for Disease Control and Prevention (CDC). Recommended adult immunization "
                                   "schedule-United States, 2013. J Midwifery Womens Health. 2013;58(2):215-220. "
                                   "doi:10.1111/jmwh.12046")


def test_particles_kept_and_suffix_after_initials_no_notes(refs):
    # particles keep their spelling and place; Jr follows the initials; hyphenated given name keeps its hyphen
    text = refs.ama("particles")
    assert text.startswith("van der Kooi AJ, de Visser M, Smith JA Jr, Dubois J-P. Names.")
    assert "bookkeeping" not in text


def test_nlm_abbreviation_in_italics_in_the_rich_form(refs):
    assert ama.journal_abbreviation("The New England Journal of Medicine") == "N Engl J Med"
    assert refs.ama("seven").count("N Engl J Med. 2000;1:1-2.") == 1
    assert "<i>N Engl J Med</i>. 2000;1:1-2." in refs.ama_html("seven")
    runs = ama.runs(refs["seven"])
    assert [r.text for r in runs if r.italic] == ["N Engl J Med"]


def test_website_has_site_published_accessed_and_url(refs):
    # AMA 11th ed. 3.15.1 (websites): title of the item, name of the website, published, accessed, URL
    text = refs.ama("site")
    assert text == ("Immunization schedules. Centers for Disease Control and Prevention. Published February 1, 2024. "
                    "Accessed November 21, 2026. https://www.cdc.gov/vaccines/schedules/index.html")
    assert "working note" not in text


def test_html_form_escapes_markup(tmp_path):
    path = tmp_path / "x.bib"
    path.write_text("@article{x, author = {Doe, Jane}, title = {<script>alert(1)</script>}, journal = {Blood}, year = {2020}}",
                    encoding="utf-8")
    refs = bib.load_bibliography(path)
    assert "<script>" not in refs.ama_html("x") and "&lt;script&gt;" in refs.ama_html("x")


def test_project_bibliography_never_prints_bookkeeping_fields():
    refs = bib.load_bibliography(ROOT / "references.bib")
    for key in refs.keys():
        ref = refs[key]
        text = refs.ama(key)
        for name in ("note", "note2", "verified", "unverified"):
            value = ref.get(name).strip()
            if len(value) > 12:
                assert value not in text, (key, name)


@pytest.mark.parametrize("journal,abbreviation", [
    # as printed on the NLM Index Medicus list or on the article's PubMed record
    ("New England Journal of Medicine", "N Engl J Med"),
    ("The Journal of Rheumatology", "J Rheumatol"),
    ("Archivum Immunologiae et Therapiae Experimentalis", "Arch Immunol Ther Exp (Warsz)"),
    ("Arthritis Research & Therapy", "Arthritis Res Ther"),  # PubMed 38233885
    ("Cochrane Database of Systematic Reviews", "Cochrane Database Syst Rev"),  # PubMed 22895935
    ("The Rheumatologist", "The Rheumatologist"),  # not an NLM-indexed title: printed in full
])
def test_nlm_abbreviations(journal, abbreviation):
    assert ama.journal_abbreviation(journal) == abbreviation
