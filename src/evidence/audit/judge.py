"""A suggested verdict for each statement, with its reason, its evidence rows and flags.

The judge works from what the evidence says, not from shared words alone:

- relevant rows: results and adverse events ranked by BM25 (synonyms folded, number
  words read as digits), kept only when they share the statement's subtype (or the
  statement names none) and outcome domain, and share at least one topic word beyond
  the generic ones ("IVIG", "myositis", "patients"). Rows cited by a registered claim of
  another document that matches the statement closely are added. Rows whose source is
  the document under audit (same host) and that document's own registered claims are
  never offered: no circular evidence. Nothing relevant means "no evidence in the base",
  never a weak match.
- findings: per subtype and outcome, the certainty the base gives and whether the
  controlled trials found no benefit (match.Finding).
- flags: named checks a writer needs (FLAGS), each with its evidence in the reason.

Verdict order (first that applies): contradicted (a stated figure disagrees with a
like-for-like row, or blanket efficacy for a subtype whose controlled trials were null);
not_supported (a figure with no source; "proven" against low certainty); partly_supported
(a flag, a partial figure, an unhedged claim on low certainty, a mechanism resting on biopsy rows); supported (relevant rows
and no flag); not_assessable (nothing relevant in the base).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlparse

import numpy as np

from .. import vocab
from ..stats import risk_difference
from .match import Evidence, EvidenceRow, Finding, tokens
from .numbers import NUMBER_TREATED, OTHER_MEASURE, extract_quantities, normalise_numbers, row_ids_in
from .tag import _EMPHASIS_RE, mentioned_subtypes
from .tag import STRICT_IVIG_RE as _STRICT_IVIG_RE

FLAGS = {
    "subtype_generalised": "evidence from one subtype stated for all myositis",
    "null_trial": "controlled trials of this subtype found no significant benefit",
    "absolute_word": "an absolute word the numbers do not bear out",
    "incidence_vs_prevalence": "incidence and prevalence confused",
    "trial_total_for_arm": "a trial's total used where an arm's denominator belongs",
    "figure_without_source": "a figure with no source in the base",
    "comparison_without_evidence": "a comparison (better, fewer, faster, than) no controlled contrast in the base makes",
    "listed_item_without_evidence": "some items of a list (symptoms, risks, drugs) appear in no row of the base",
}
MAX_EVIDENCE = 3
EFFICACY_DOMAINS = frozenset(
    {"strength", "skin", "swallowing", "enzymes", "function_qol", "composite", "steroid_sparing", "lung", "time_to_response",
     "survival", "treatment_position"})
_GENERIC = frozenset(tokens(
    "ivig immunoglobulin immune globulin intravenous myositis patients patient people treatment therapy treated study "
    "studies trial trials disease used use help helps"))
EFFICACY_RE = re.compile(
    r"\b(?:improv\w*|effective\w*|efficacy|benefi\w*|helps?|helped|works?|respon\w+|reduc\w+|reliev\w+|restor\w+|"
    r"stronger|better|easier|regain\w*|comes? back|clear(?:s|ed)?|success\w*|treat(?:s|ed)? effectively"
    r"|helpful|promising|useful|valuable|worthwhile|(?:can|may|will|to) treat|treats|worked|life[- ]changing)\b", re.I)
# A sentence about trials or the evidence itself ("the earlier trials were small"), or a study's design.
_EVIDENCE_TALK_RE = re.compile(
    r"\b(?:trials?|stud(?:y|ies)|studied|tested|investigated|evaluated|evidence|data|research|placebo|double-blind"
    r"|randomi[sz]ed|open-label|extension)\b", re.I)
# "Trials must be large and long": what research should do, not what it found.
_RESEARCH_NEEDS_RE = re.compile(
    r"\b(?:trials?|stud(?:y|ies)|research)\b[^.]{0,40}\b(?:must|should|need to|needs to|ought to|would need)\b", re.I)
# A guideline or policy a sentence attributes to a body by name ("NHS England commissioning policy").
_GUIDANCE_WORD_RE = re.compile(r"\b(?:guidance|guidelines?|polic(?:y|ies)|criteria|consensus|recommendations?)\b", re.I)
_BODY_RE = re.compile(
    r"\b(?:(?:UK|US|USA) )?(?:Department|Ministry) of Health\b|\b(?:[A-Z]{2,6}(?: [A-Z][a-z]+)?|[A-Z][a-z]+ Clinic)\b")
_NEGATION_RE = re.compile(r"\b(?:not|no|never|without|neither|nor|fail(?:ed|s)?|lack\w*)\b|n['\u2019]t\b", re.I)
_HEDGE_RE = re.compile(
    r"\b(?:may|might|can|could|some|often|usually|generally|typically|mostly|possibl\w*|probabl\w*|potential\w*|suggest\w*"
    r"|appears?|likely|help)\b", re.I)
_ABSOLUTE_RE = re.compile(
    r"(?<!not )(?<!n't )(?<!n\u2019t )\b(rare(?:ly)?|uncommon|proven|proved|proves|consistently|no approved|always|safe(?:ly)?|never|guaranteed?|cures?"
    r"|(?<=the )only|only(?=\s+(?:\w+\s+){0,2}?(?:approved|fda|licensed|labelled|labeled|product|brand|drug|medicine|treatment|option)\b)"
    r"|well[- ]tolerated|good safety profile"
    r"|first(?=\s+(?:and only\s+)?(?:fda|approved|ivig|immunoglobulin|drug|medicine|product|brand)))\b", re.I)
# Tempered efficacy ("less predictable", "limited", "questionable") agrees with null trials rather than defying them.
_TEMPERED_RE = re.compile(
    r"\b(?:less|limited|modest|unclear|uncertain|questionable|unpredictable|inconsistent|mixed|marginal(?:ly)?|slight(?:ly)?"
    r"|minimal|inconclusive|only (?:about|around|a|some|in)|no (?:evidence|proof)|resists?|unproven|short-lived|transient"
    r"|temporary)\b", re.I)
# Statements about other treatments: the base holds IVIG evidence only.
_OTHER_DRUG_RE = re.compile(
    r"\b(?:steroids?|corticosteroids?|glucocorticoids?|prednis\w+|immunosuppress\w+|methotrexate|azathioprine|mycophenolate"
    r"|rituximab|cyclophosphamide|tacrolimus|ciclosporin|cyclosporine|hydroxychloroquine|csDMARDs?|DMARDs?"
    r"|methylprednisolone|plasma exchange|plasmapheresis|leu[ck]o?pheresis|tofacitinib|JAK inhibitors?|abatacept"
    r"|acthar|repository corticotropin|interferon[\w -]*|physical therapy|physiotherapy|speech therapy|occupational therapy"
    r"|(?:structured )?exercise|supportive (?:care|measures|management))\b", re.I)
_THESE_DRUGS_RE = re.compile(r"\b(?:these|such|those|the) (?:drugs|medications|medicines|agents)\b", re.I)


# Raising the dose or giving it more often: practice a dosing row would have to show.
_ESCALATION_RE = re.compile(
    r"\b(?:rais\w*|increas\w*|higher|escalat\w*|doubl\w*)\b[^.;]{0,30}?\b(?:dose|doses|dosing|frequency)\b"
    r"|\b(?:more often|more frequent(?:ly)?)\b", re.I)
# How much IVIG is used: prescribing data the base does not hold.
_USAGE_RE = re.compile(
    r"\bmore and more\b|\bincreasingly (?:used|common|prescribed)\b|\b(?:growing|rising|increasing) use\b"
    r"|\bused (?:more|less) (?:often|and)\b|\b(?:most|second|third) (?:most )?(?:commonly |often |frequently )?used\b"
    r"|\b(?:more|less) (?:inclined|likely|willing) to (?:offer|use|prescribe|give|try)\b", re.I)
_PRODUCT_GENERIC = frozenset(tokens(
    "ivig immunoglobulin immune globulin intravenous product products brand brands made contain contains healthy "
    "human people patient patients antibody antibodies"))


def _product_fact_missing(sentence: str, rows: list[EvidenceRow]) -> bool:
    """A product statement whose distinctive words ("donors", "pooled") no offered row shares."""
    said = set(tokens(sentence)) - _PRODUCT_GENERIC - _GENERIC - _MODIFIERS
    if not said:
        return False
    brands = {w for r in rows for w in _label_parts(r.label)}
    said -= brands
    seen = {w for r in rows for w in tokens(f"{r.outcome} {r.figure}")}
    return bool(said) and not (said & seen)


# "DM is a rare disease", "NAM patients are relatively few": how common the disease is, against the rate rows.
_RARE_DISEASE_RE = re.compile(r"\brare\b|\buncommon\b|\b(?:relatively |very )?few\b|\bunusual\b", re.I)
RARE_BELOW_PER_MILLION = 500.0  # the EU definition of a rare disease: fewer than 5 in 10,000 people


def _rarity_check(sentence: str, subtype: str, evidence: Evidence,
                  hosts: frozenset[str]) -> tuple[str, str, list[EvidenceRow]] | None:
    """(verdict, reason, rows) for a statement that the disease is rare, from its prevalence rows (the EU
    threshold, under 5 in 10,000); incidence rows count when no prevalence is held."""
    if not _RARE_DISEASE_RE.search(sentence) or _IVIG_RE.search(sentence) and not _DISEASE_FACT_RE_J.search(sentence):
        return None
    rows = [r for r in evidence.rate_rows if r.subtype == subtype and allowed_row(r, hosts)]
    prevalence = [r for r in rows if r.rate[0] == "prevalence"]
    if _ULTRA_RARE_RE.search(sentence):
        # the EU's ultra-rare bound (1 in 50,000) is one of prevalence: a yearly incidence cannot settle it
        if not prevalence:
            return "not_assessable", "the base gives no prevalence to test 'ultra-rare' (under 20 per million) against", []
        top = max(r.rate[2] for r in prevalence)
        verdict = "supported" if top < ULTRA_RARE_BELOW_PER_MILLION else "partly_supported"
        return verdict, f"prevalence at most {top:g} per million against the ultra-rare bound of 20 ({_cite(prevalence, 2)})", \
            prevalence[:MAX_EVIDENCE]
    held = prevalence or [r for r in rows if r.rate[0] == "incidence"]
    if not held:
        return None
    top = max(r.rate[2] for r in held)
    shown = _cite(held, 2)
    if top < RARE_BELOW_PER_MILLION:
        return "supported", f"consistent with the base: at most {top:g} per million, under the EU rare-disease threshold of 500 ({shown})", held[:MAX_EVIDENCE]
    return "partly_supported", f"the base's rates reach {top:g} per million, above the EU rare-disease threshold of 500 ({shown})", held[:MAX_EVIDENCE]


_ULTRA_RARE_RE = re.compile(r"\bultra-?rare\b", re.I)
ULTRA_RARE_BELOW_PER_MILLION = 20.0  # EU: fewer than 1 in 50,000
_DISEASE_FACT_RE_J = re.compile(r"\b(?:disease|condition|disorder|myositis|myopathy|patients)\b", re.I)


def _unheld_guidance(sentence: str, evidence: Evidence) -> str:
    """The body whose guidance the sentence cites ("NHS England policy allows...") when the base holds no
    recommendation or guidance study of that body; else ""."""
    if not _GUIDANCE_WORD_RE.search(sentence):
        return ""
    # "UK Department of Health": the body, without the country in front of it
    found = [" ".join(w) if (w := m.group(0).split())[0] not in _NOT_BODIES else " ".join(w[1:])
             for m in _BODY_RE.finditer(sentence)]
    bodies = [b for b in found if b and b.split()[0] not in _NOT_BODIES]
    if not bodies:
        return ""
    held = " ".join(f"{r.label} {r.study}" for r in evidence.recommendation_rows) + " " + " ".join(evidence.by_study)
    held_words = set(re.findall(r"[a-z]+", held.lower()))  # "efns2008_rec01" holds "efns"; "almayouf" no "mayo"
    missing = [b for b in bodies if b.split()[0].lower() not in held_words]
    return missing[0] if missing and len(missing) == len(bodies) else ""


_NOT_BODIES = frozenset("IVIG IVIg IG SCIG DM PM IBM IMNM JDM IIM ILD CK MMT TIS FDA EMA US UK USA RCT RCTs TEE VTE".split())


def about_other_treatment(sentence: str, context: str = "") -> bool:
    """The sentence speaks of other drugs (steroids, immunosuppressants), not of IVIG."""
    if _STRICT_IVIG_RE.search(sentence) or (_STRICT_IVIG_RE.search(context) and not _THESE_DRUGS_RE.search(sentence)):
        return False  # "IVIG may suit patients who: cannot tolerate high-dose steroids"
    return bool(_OTHER_DRUG_RE.search(sentence) or (_THESE_DRUGS_RE.search(sentence) and _OTHER_DRUG_RE.search(context)))


_COMMON_RE = re.compile(r"\b(?:common(?:ly)?|frequent(?:ly)?|most often)\b", re.I)
# "To show benefit", "whether the treatments work": a benefit asked about, not asserted.
_HYPOTHETICAL_RE = re.compile(
    r"\b(?:whether|to (?:show|detect|test|prove|see|find out|assess|determine|predict))\b[^.;]{0,50}?"
    r"\b(?:benefi\w*|works?|improv\w*|effective\w*|respond\w*|helps?)\b", re.I)
_PREVALENCE_RE = re.compile(r"\bpreval\w*|\bliving with\b|\baffects?\b\s+(?:about|around|some|approximately|\d)", re.I)
_INCIDENCE_RE = re.compile(r"\bincidence\b|\bnew cases\b|\bper year\b|\beach year\b|\bannually\b", re.I)
_UNIVERSAL_RE = re.compile(
    r"\ball (?:types|forms|kinds|subtypes)\b|\bevery (?:type|form|kind|subtype|patient)\b|\bany (?:type|form|kind) of\b"
    r"|\ball (?:patients|people) with\b", re.I)
_YEARLY_RE = re.compile(r"\bnew cases\b|\bper year\b|\beach year\b|\ba year\b|\bannually\b|person-years", re.I)
_IVIG_RE = re.compile(r"\bIVI?G\b|immun[eo]\s*globulin|\binfusions?\b|\btreatment\b|\btherapy\b", re.I)
# "In one retrospective review...", "a Chinese study found...": figures attributed to a study
# that the sentence describes but the base does not hold.
_OTHER_STUDY_RE = re.compile(
    r"\b(?:a|an|one|another|in (?:a|one))\s+(?:\w+[\s-]+){0,4}?(?:study|review|trial|series|audit|survey|analysis|report)\b",
    re.I)
# "Better tolerated than", "fewer reactions", "faster relief", "strongest results when started early":
# a claim of difference needs a row that measures the difference.
# A comparison states its other side ("than", "compared with") or is a superlative; a bare
# comparative ("fewer reactions") counts only beside a named comparator (a brand, other drugs).
_COMPARATIVE_RE = re.compile(
    r"\b(?!(?:rather|other|more|less|fewer|greater|over|under|later|earlier|after|never|ever) than\b)\w+er than\b"
    r"|\b(?:fewer|less) \w+ than\b|\bthan (?:other|some|standard)\b|\bcompared (?:with|to)\b|\bversus\b|\bvs\.?"
    r"|\b(?:strongest|best(?:[- ]tolerated)?|most effective|superior)\b", re.I)
_BARE_COMPARATIVE_RE = re.compile(r"\b(?:better|fewer|faster|quicker|sooner|easier to|more effective)\b", re.I)
_COMPARATOR_RE = re.compile(
    r"gamunex|privigen|octagam|gammagard|panzyga|hizentra|flebogamma|gammaked|bivigam|asceniv|gammaplex|\bbrands?\b"
    r"|\bproducts?\b|\bother (?:treatments?|drugs?|medications?|medicines|products?|therap\w+|immunosuppress\w*)"
    r"|\bimmunosuppress\w*|\bsteroids?\b|\bplacebo\b|\bstandard (?:treatment|therapy|care)", re.I)
# Mechanism statements about muscle tissue can be set against repeat biopsies; immunology cannot.
_IMMUNE_RE = re.compile(
    r"\b(?:immune|antibod\w*|receptors?|cytokines?|complement|Fc\w*|T[- ]cells?|B[- ]cells?|immune cells|autoantibod\w*)\b", re.I)
_TISSUE_RE = re.compile(r"\b(?:biops\w*|histolog\w*|fib(?:re|er)s?|inflam\w*|necro\w*|tissue|damage|cd\d+\+?|cells?)\b", re.I)
# "Side effects such as headache, fatigue and low-grade fever": each listed item is a small claim.
_LIST_RE = re.compile(r"\b(?:like|such as|including|include[sd]?|e\.g\.|for example)\s*:?\s*(?P<items>[^.()]+)", re.I)
_ITEM_SPLIT_RE = re.compile(r"\s*(?:,|;|\bor\b|\band\b|\bnor\b)\s*", re.I)
_CLAUSE_START = frozenset("which that who whose cause causes make makes help helps can may might is are was were".split())
_MODIFIERS = frozenset(tokens(
    "mild low grade severe moderate common rare certain other some body your first high very slight sudden new "
    "symptom symptoms side effect effects condition conditions problem problems issue issues"))


def _uncovered_items(sentence: str, evidence: Evidence) -> list[str]:
    """Items of a list in the sentence that no row of the base mentions, when other items are found."""
    vocabulary = evidence.row_words
    if not vocabulary:
        return []
    covered, missing = 0, []
    for m in _LIST_RE.finditer(sentence):
        for item in _ITEM_SPLIT_RE.split(m.group("items")):
            words = set(tokens(item)) - _GENERIC - _MODIFIERS
            first = item.strip().split(" ", 1)[0].lower()
            if not words or len(words) > 2 or first in _CLAUSE_START:
                continue  # an empty or clause-length piece is not a list item
            if words & vocabulary:
                covered += 1
            else:
                missing.append(item.strip())
    return missing if covered and missing else []


_MANAGES_RE = re.compile(
    r"\brespond(?:s|ed)? (?:well )?to\b|\bprevent\w*|\blessen\w*|\bsettle\w* (?:with|when|once|on)\b|\brelieved? (?:by|with)\b|\bmanaged\b"
    r"|\bpre-?medicat\w*|\bslow(?:ing|ed|er)? (?:the )?(?:infusion|rate)|\bhydrat\w*|\bfluids\b|\bkeep them from\b"
    r"|\b(?:lower|reduc|cut|decreas)\w* the (?:chance|risk|odds)\b|\bbefore the infusion\b", re.I)
# What a means of management is said to achieve, and a row that compares with and without it.
_EFFECT_CLAIMED_RE = re.compile(
    r"\bprevent\w*|\blessen\w*|\breduc\w*|\blower\w*|\bease[sd]?\b|\bhelps?\b|\bkeep\w* (?:them|it|these|reactions)"
    r"|\bavoid\w*|\bminimi[sz]\w*|\bcut\w*", re.I)
_COMPARED_RE = re.compile(r"\bby\b|\bvs\.?\b|\bversus\b|\bcompared\b|\bwith(?:out)? premedication\b", re.I)
_SEVERAL_STUDIES_RE = re.compile(
    r"\b(?:several|multiple|many|numerous|various|a number of)\s+(?:\w+\s+){0,2}?(?:studies|trials|series|reports)\b", re.I)
# An infection passed on by the product ("a blood product, so it carries a risk of infection"), and a row on that.
_TRANSMISSION_RE = re.compile(
    r"\bblood[- ]borne\b|\btransmi(?:t|ss)\w*|\bcatch\w* (?:an? )?(?:infection|virus)|\bpass(?:ed|ing)? on\b[^.]{0,30}infect"
    r"|\bblood product\b[^.]{0,60}\b(?:risk|chance) of (?:an? )?infection", re.I)
_TRANSMITTED_ROW_RE = re.compile(r"transmi|pathogen|blood-borne|viral (?:inactivation|safety)", re.I)
# "The TIS runs from 0 to 100": how a measure is scored.
_SCALE_RE = re.compile(r"\b(?:runs?|ranges?|goes|going) from \d+ to \d+\b|\bon a scale (?:of|from) \d+\b"
                       r"|\bhigher scores? (?:mean|meaning|indicat)", re.I)
# Where and by whom IVIG is given, and a duration in hours.
_SETTING_RE = re.compile(r"\bnurses?\b|\b(?:doctor['\u2019]?s )?office\b|\bclinic\b|\bhospital\b|\binfusion (?:cent(?:re|er)|suite)"
                         r"|\bat home\b|\bhome infusion\b", re.I)
_HOURS_RE = re.compile(r"\bhours?\b", re.I)
# "Some doctors think...", "other experts say...", "early reports suggested...": an opinion reported, not asserted.
_OPINION_RE = re.compile(
    r"\b(?:some|other|many|a few) (?:doctors|experts|clinicians|physicians|specialists|neurologists|rheumatologists)"
    r" (?:think|say|believe|feel|argue|suggest)\b|\b(?:early|earlier|initial|first|anecdotal) reports (?:suggested|claimed)\b"
    r"|\bit (?:was|has been) suggested\b|\bthe authors? called\b", re.I)
# "Analysts expect the approval to widen use", "the decision could open the way": a forecast, which no study tests
_FORECAST_RE = re.compile(
    r"\b(?:analysts?|observers?|investors?|the (?:company|firm|maker|manufacturer)|industry)\s+(?:\w+\s+)?"
    r"(?:expects?|predicts?|anticipates?|forecasts?|projects?|hopes?)\b"
    r"|\b(?:the|this|that) (?:approval|decision|ruling|launch)\s+(?:is (?:expected|likely) to|could|may|might|will)\s+"
    r"(?:\w+\s+)?(?:expand|widen|broaden|increase|open|change|boost|spur|drive)\b", re.I)
_HARM_NAMED_RE = re.compile(
    r"side[- ]effects?|\breactions?\b|\bsymptoms\b|\badverse\b|\bdiscomfort|\bcomfortable\b|\bpre-?medicat", re.I)
_MANAGEMENT_WORDS = frozenset(tokens(
    "premedication premedicated rate slow slower slowing slowed hydration hydrated fluids fluid antihistamine "
    "antihistamines paracetamol acetaminophen caffeine recurrence reexposure"))
_HARM_WORDS = frozenset(tokens(
    "headache fever meningitis thrombo renal anaphylaxis allergic urticaria chills myalgia fatigue nausea vomiting "
    "hemolysis stroke infarct"))
# Advice to the reader ("call your doctor if", "drink fluids") is not a claim about how often harms occur.
_ADVICE_RE = re.compile(r"\b(?:call|contact|tell|ask|seek|drink|should|make sure|let your|needing|needs prompt)\b", re.I)
_WATCH_FOR_RE = re.compile(r"\bsigns? of\b|\bwatch for\b|\bwarning signs?\b|\bsymptoms? (?:of|to report)\b", re.I)
_REPORTS_RE = re.compile(
    r"\b(?:found|find|finds|showed|shows|reported|reports|linked|links|concluded?|observed|noted|described)\b", re.I)
# Words that make a hedged claim a firm one: "can bring meaningful relief for many patients".
# Words that make a benefit sound greater than a trial's effect size can show.
_INTENSIFIER_RE = re.compile(
    r"\b(?:extremely (?:well|effective)|dramatic(?:ally)?(?: effective)?|life[- ]changing|remarkabl[ey]\w*|excellent"
    r"|highly effective|particularly effective|very effective|miracul\w*|game[- ]chang\w*|transformative)\b", re.I)
_STRONG_RE = re.compile(
    r"\b(?:many|most|majority|significant(?:ly)?|substantial(?:ly)?|steady|dramatic(?:ally)?|life[- ]changing|marked(?:ly)?)\b",
    re.I)
_ORDER = {"supported": 0, "partly_supported": 1, "not_supported": 2, "contradicted": 3, "not_assessable": -1}
CERTAINTY_LOW = ("low", "very_low")
RARE_BELOW = {"uncommon": 10.0}  # percent at or above which a frequency word is overstated (default 1%)


@dataclass
class Judgement:
    """The judge's suggestion for one statement."""

    verdict: str
    reason: str
    evidence: list[EvidenceRow] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@lru_cache(maxsize=4096)
def _host(url: str) -> str:
    host = urlparse(url if "//" in url else f"//{url}").netloc.lower()
    return host[4:] if host.startswith("www.") else host


def own_hosts(evidence: Evidence, doc_id: str, url: str = "") -> frozenset[str]:
    """Hosts whose rows count as the document under audit itself (its URL, as registered or given)."""
    hosts = {_host(url)} if url else set()
    docs = evidence.documents
    if docs is not None and "url" in docs:
        for row in docs[docs["doc_id"] == doc_id].itertuples():
            hosts.add(_host(str(row.url)))
    return frozenset(h for h in hosts if h)


@lru_cache(maxsize=4096)
def _sentence_words(sentence: str) -> tuple[str, frozenset[str], frozenset[str]]:
    lowered = sentence.lower()
    return lowered, frozenset(re.findall(r"[a-z0-9]+", lowered)), frozenset(re.findall(r"\b(?:19|20)\d\d\b", sentence))


@lru_cache(maxsize=4096)
def _brand(label: str) -> str:
    m = re.match(r"[a-z]+", label.lower())
    return m.group(0) if m and len(m.group(0)) > 3 else ""


@lru_cache(maxsize=4096)
def _label_parts(label: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", label.lower()))


def names_study(sentence: str, row: EvidenceRow) -> bool:
    """The sentence names the row's study: its label ("ProDERM"), its first author ("Dalakas", with the
    year when the sentence gives one) or its journal ("in Clinical and Experimental Dermatology")."""
    lowered, words, years = _sentence_words(sentence)
    parts = _label_parts(row.label) if row.label else frozenset()
    if parts and parts <= words:
        return True
    brand = _brand(row.label) if row.design == "drug_label" and row.label else ""
    if brand and brand in words:
        return True  # a label is named by its brand ("Octagam 10% USPI" by "Octagam")
    surname, year, journal = row.names
    if surname and surname in words:
        return not years or year in years
    return bool(journal) and journal in lowered


SUBTYPE_FREE_DOMAINS = frozenset({"safety", "dosing", "product"})  # a product's facts and harms do not change with the subtype


def _subtype_fits(row: EvidenceRow, subtype: str) -> bool:
    """A row speaks to a statement's subtype: the same one, a mixed population that includes it,
    or any subtype for facts about the product itself (dose, safety, composition)."""
    if subtype == "myositis" or row.subtype in (subtype, "myositis"):
        return True
    return row.subtype == "any_indication" or row.domain in SUBTYPE_FREE_DOMAINS


# Design words a page uses for a study, and the study designs they fit.
_DESIGN_WORDS = [
    (re.compile(r"\b(?:placebo[- ]controlled|randomi[sz]ed|double[- ]blind|crossover)\b", re.I), {"rct_parallel", "rct_crossover"}),
    (re.compile(r"\b(?:open[- ]label|open study|uncontrolled|prospective)\b", re.I), {"open_label_trial", "prospective_cohort"}),
    (re.compile(r"\b(?:retrospective|chart review|cohort|case series|single[- ](?:centre|center|institution))\b", re.I),
     {"retrospective_cohort", "case_series", "observational_safety", "prospective_cohort"}),
    (re.compile(r"\b(?:systematic review|meta-analysis|pooled)\b", re.I), {"systematic_review", "meta_analysis"}),
]
_SIZE_RE = re.compile(
    r"(?:\b(?:more than|over)\s+)?\b(\d{2,4})\s+(?:[A-Za-z/-]+\s+){0,2}?(?:patients|participants|adults|children|people|subjects)\b",
    re.I)


def named_studies(sentence: str, evidence: Evidence) -> frozenset[str]:
    """Studies of the base the sentence names by label, first author or journal, or describes
    unmistakably: its design and its enrolment ("a placebo-controlled trial of 15 patients")."""
    if len(_NAMED_MEMO) > 4 and id(evidence) not in _NAMED_MEMO:
        _NAMED_MEMO.clear()  # keep the memo to the bases in use
    memo = _NAMED_MEMO.setdefault(id(evidence), (evidence, {}))
    if memo[0] is not evidence:  # an id reused by a new base
        memo = _NAMED_MEMO[id(evidence)] = (evidence, {})
    if sentence not in memo[1]:
        if len(memo[1]) > 20000:
            memo[1].clear()
        memo[1][sentence] = _named_studies(sentence, evidence)
    return memo[1][sentence]


_NAMED_MEMO: dict[int, tuple[Evidence, dict[str, frozenset[str]]]] = {}


def named_by_weeks_only(sentence: str, evidence: Evidence) -> bool:
    """The studies the sentence names were inferred from a design word and a week alone ("the double-blind
    period ... a 24-week extension"), the weakest sign: a study named before or the page's own study wins."""
    named = named_studies(sentence, evidence)
    return bool(named) and not any(names_study(sentence, rows[0]) for st in named if (rows := evidence.by_study.get(st))) \
        and not _SIZE_RE.search(sentence)


def _named_studies(sentence: str, evidence: Evidence) -> frozenset[str]:
    named = {study for study, rows in evidence.by_study.items() if rows and names_study(sentence, rows[0])}
    if named:
        return frozenset(named)
    designs = set().union(*(kinds for pattern, kinds in _DESIGN_WORDS if pattern.search(sentence)))
    sizes = {int(m.group(1)) for m in _SIZE_RE.finditer(sentence) if not m.group(0).lower().startswith(("more", "over"))}
    weeks = {float(m.group(1)) for m in _WEEKS_RE.finditer(sentence)}
    subtypes = set(mentioned_subtypes(sentence))
    if not designs or not (sizes or weeks):
        return frozenset()
    # "a placebo-controlled trial of 15 patients"; "a randomised trial found that 16 weeks of IVIG...":
    # the design with the enrolment, or with the week its results are reported at.
    fits = {study for study, (n, design, subtype) in evidence.enrolment.items()
            if design in designs and (not subtypes or subtype in subtypes or subtype == "myositis")
            and (n in sizes if sizes else bool(weeks & evidence.timepoints.get(study, frozenset())))}
    return frozenset(fits) if len(fits) == 1 else frozenset()


_WEEKS_RE = re.compile(r"\b(\d{1,3})[- ]weeks?\b", re.I)
# "A Boston group retrospectively analysed more than 400 patients": a study the sentence introduces.
_INTRODUCES_RE = re.compile(
    r"\b(?:researchers|investigators|scientists|clinicians|a (?:\w+ ){0,2}?(?:group|team))\b[^.]{0,80}?"
    r"\b(?:analy[sz]ed|studied|followed|tracked|reviewed|enrolled|examined|looked (?:back )?(?:at|into)|compared|assessed"
    r"|surveyed)\b", re.I)


_COHORT_RE = re.compile(
    r"\b\d{2,5}\s+(?:[\w/-]+\s+){0,5}?(?:patients|participants|adults|children|people|subjects)\b[^.]{0,80}?"
    r"\b(?:were|was)\s+(?:\w+\s+)?(?:followed|treated|given|included|enrolled|studied|analy[sz]ed|reviewed|identified)\b", re.I)


def introduces_study(sentence: str) -> bool:
    """The sentence presents a study of its own ("researchers reviewed 400 patients", "in a new cohort study",
    "23 patients given IVIG were followed for 31 months")."""
    if _INTRODUCES_RE.search(sentence) or _COHORT_RE.search(normalise_numbers(sentence)):
        return True
    # "a retrospective study of 412 patients" whose size no study of the base has
    return bool(_OTHER_STUDY_RE.search(sentence) and any(p.search(sentence) for p, _ in _DESIGN_WORDS)
                and _SIZE_RE.search(sentence))


def relevant_rows(sentence: str, subtype: str, domain: str, evidence: Evidence, doc_id: str,
                  hosts: frozenset[str], focus: frozenset[str] = frozenset(), said: str = "") -> list[EvidenceRow]:
    """The rows a reviewer would cite for this statement, best first; empty when the base holds none.

    `sentence` may carry the sentence it refers back to; `said` is the statement's own sentence,
    whose named harm decides which adverse-event rows lead. `focus`: studies the sentence names,
    or that the sentences before it named ("the 42 patients"): their rows of the same outcome lead.
    """
    index = evidence.index
    if index is None:
        return []
    words = set(tokens(sentence)) - _GENERIC
    if not words:
        return []
    scores = index.scores(list(words))
    top = np.argpartition(-scores, 60)[:60] if len(scores) > 60 else np.arange(len(scores))
    if not ((index.domains[top] == domain) & ~index.is_claim[top]).any():
        # Common words ("infusion") can rank every row of the statement's outcome below 60 others:
        # then the best 10 of that outcome are looked at too.
        own = np.where((index.domains == domain) & ~index.is_claim, scores, 0.0)
        top = np.union1d(top, np.argpartition(-own, 10)[:10] if len(own) > 10 else np.arange(len(own)))
    order = top[np.argsort(-scores[top], kind="stable")]
    by_id = evidence.numeric_rows
    picked: list[EvidenceRow] = []
    seen: set[str] = set()
    score_of: dict[str, float] = {}

    def allowed(row: EvidenceRow) -> bool:
        return not (row.url and _host(row.url) in hosts) and row.id not in seen

    for i in order:
        if scores[i] <= 0:
            break
        row = index.rows[i]
        if row.table == "claims":
            if row.study == doc_id or scores[i] < 0.5 * scores[order[0]]:
                continue
            for cited in row.cites:
                hit = by_id.get(cited)
                if hit and allowed(hit) and _subtype_fits(hit, subtype) and hit.domain == domain:
                    picked.append(hit)
                    seen.add(hit.id)
                    score_of[hit.id] = float(scores[i])
            continue
        if not allowed(row) or not _subtype_fits(row, subtype):
            continue
        shared = words & set(index.row_tokens[i])
        same_side = (row.domain == "safety") == (domain == "safety")
        if (row.domain == domain and shared) or (len(shared) >= 2 and same_side):
            picked.append(row)
            seen.add(row.id)
            score_of[row.id] = float(scores[i])
    primary = _strongest_first([r for r in picked if r.domain == domain], score_of, domain, subtype)
    harms = harms_named(said or sentence) if domain == "safety" else set()
    if harms:
        # "Headaches occur in fewer than 5%": rows whose outcome is that harm lead, before the graded
        # rows and before rows that mention it only in passing (headache among meningitis symptoms).
        named_harm = [r for r in index.rows if r.domain == "safety" and r.table != "claims"
                      and not (r.url and _host(r.url) in hosts) and _subtype_fits(r, subtype)
                      and harms & set(tokens(r.outcome))]
        if named_harm:
            named_harm.sort(key=lambda r: (-len(harms & set(tokens(r.outcome))), _population_rank(r, subtype),
                                           _DESIGN_RANK.get(r.design, 6), _KIND_RANK.get(r.kind, 2)))
            chosen = {r.id for r in named_harm}
            return (named_harm + [r for r in primary if r.id not in chosen])[:MAX_EVIDENCE]
    # The rows the base's grading for this subtype and outcome rests on come first: a reviewer cites those.
    key_ids = _graded_ids(evidence, subtype, domain)
    found = {r.id for r in primary}
    if (not focus and primary and not _HAS_FIGURE_RE.search(said or sentence) and subtype != "myositis"
            and domain in EFFICACY_DOMAINS - {"treatment_position"}):
        # A general statement of benefit ("IVIG helps DM skin"): the graded rows lead even when other
        # rows share more of its words; a reviewer cites the trials the grading rests on.
        lead = [by_id[i] for i in key_ids if i in by_id and allowed_row(by_id[i], hosts)]
        chosen = {r.id for r in lead}
        primary = lead + [r for r in primary if r.id not in chosen]
    elif any(i in found for i in key_ids) and not _HAS_FIGURE_RE.search(said or sentence):
        # (a stated figure keeps the best-matching rows first: "71.1% at week 40" is the week-40 row's)
        # Graded rows among the relevant ones lead (study order of the grading).
        lead = [r for i in key_ids for r in primary if r.id == i]
        primary = lead + [r for r in primary if r.id not in key_ids]
    elif not primary and (domain in EFFICACY_DOMAINS or domain == "safety"):
        # Nothing matched by words ("safe and effective"): the rows the grading for this subtype and outcome rests on.
        primary = [by_id[i] for i in key_ids if i in by_id and allowed(by_id[i])]
    if focus:  # the study the sentence speaks of comes before the graded rows
        # a named study's own rows describe who it enrolled ("the trial enrolled 95 adults")
        named = [r for st in sorted(focus) for r in evidence.by_study.get(st, [])
                 if (r.domain == domain or domain == "epidemiology") and not (r.url and _host(r.url) in hosts)]
        if named:
            # the primary end point before a subgroup's rows, unless the sentence names the subgroup
            # (a stated figure keeps the best-matching rows first, for the number check)
            said_words = set(tokens(said or sentence))
            if extract_quantities(said or sentence):
                named.sort(key=lambda r: (-score_of.get(r.id, 0.0), bool(_CONTROL_ARM_RE.search(r.figure.split(":")[0]))))
            else:
                named.sort(key=lambda r: (_subgroup_unnamed(r, said_words), r.id not in key_ids,
                                          bool(_CONTROL_ARM_RE.search(r.figure.split(":")[0])), -score_of.get(r.id, 0.0)))
            chosen = {r.id for r in named}
            primary = named + [r for r in primary if r.id not in chosen]
    if primary and primary[0].kind == "within_arm_change" and not extract_quantities(said or sentence):
        # a change within the IVIG arm is no comparison: the same study's contrast with placebo leads
        contrast = next((r for r in evidence.by_study.get(primary[0].study, []) if r.kind == "between_arm"
                         and r.domain == primary[0].domain and allowed_row(r, hosts)), None)
        if contrast is not None:
            primary = [contrast] + [r for r in primary if r.id != contrast.id]
    if primary or domain in (EFFICACY_DOMAINS - {"composite"}) | {"mechanism", "epidemiology"}:
        return primary[:MAX_EVIDENCE]  # an outcome the base does not report is not backed by another outcome
    return picked[:MAX_EVIDENCE]


_SUBGROUP_RE = re.compile(
    r"\b(?:in|among) (?:the )?([\w-]+(?: [\w-]+)?) (?:patients|participants|subgroup)\b|\bsubgroup\b|\b[\w-]+-(?:positive|negative)\b",
    re.I)


def _subgroup_unnamed(row: EvidenceRow, said: set[str]) -> bool:
    """The row is a subgroup's ("TIS response in MSA-positive patients") and the sentence names no word of it."""
    m = _SUBGROUP_RE.search(row.outcome)
    if not m:
        return False
    marker = set(tokens(m.group(0))) - _GENERIC - {"patients", "participants", "subgroup", "among", "positive", "negative"}
    return not (marker & said)


_MEASURED_DOMAINS = frozenset({"strength", "skin", "swallowing", "enzymes", "function_qol", "lung", "composite"})
_MEASURES_RE = re.compile(
    r"\b(?:track\w*|monitor\w*|measur\w*|assess\w*|tested|testing|tests?|checked|checks?)\b", re.I)
_COST_RE = re.compile(r"\bcost(?:s|ly|-effective\w*)?\b|\bprices?\b|\bexpensive\b|\binsurance\b|\binsurers?\b"
                      r"|\breimburse\w*|\bco-?pays?\b|\bout-of-pocket\b", re.I)


_SIGNALS_RE = re.compile(r"\b(?:signals?|signs? of|indicates?|could indicate|points? to|warns? of)\b", re.I)


def all_harms(sentence: str) -> set[str]:
    """Every harm the sentence names ("headache (42%), pyrexia (19%) and nausea (16%)")."""
    return set(tokens(sentence)) & _HARM_WORDS


def harms_named(sentence: str) -> set[str]:
    """The harm a sentence is about: the first it names ("aseptic meningitis, which causes severe
    headache, affects under 1%": the meningitis), or the one a sign points to ("severe headache
    may signal aseptic meningitis")."""
    m = _SIGNALS_RE.search(sentence)
    text = sentence[m.end():] if m and set(tokens(sentence[m.end():])) & _HARM_WORDS else sentence
    first = next((w for w in tokens(text) if w in _HARM_WORDS), None)
    return {first} if first else set()


# Evidence hierarchy a reviewer cites by: controlled trials, then syntheses and labels, then open
# and observational studies; for treatment position, guidance first; for how IVIG is given, the
# label and guidance first (a trial's count of cycles given is no dosing advice). Arm and contrast
# figures before descriptions, baselines last.
_DESIGN_RANK = {"rct_parallel": 0, "rct_crossover": 0, "meta_analysis": 1, "systematic_review": 1, "drug_label": 1,
                "open_label_trial": 2, "prospective_cohort": 2, "retrospective_cohort": 3, "observational_safety": 3,
                "case_series": 4, "guideline": 5, "consensus": 5, "narrative_review": 5}
_GUIDANCE_RANK = {"guideline": 0, "consensus": 0, "systematic_review": 1, "meta_analysis": 1, "drug_label": 1}
_DOSING_RANK = {"drug_label": 0, "guideline": 1, "consensus": 1, "systematic_review": 2, "meta_analysis": 2,
                "rct_parallel": 3, "rct_crossover": 3}
_RANKS = {"treatment_position": _GUIDANCE_RANK, "regulatory": _GUIDANCE_RANK, "dosing": _DOSING_RANK}
_KIND_RANK = {"between_arm": 0, "arm_outcome": 0, "pooled_estimate": 0, "adverse_event": 0, "recommendation": 0,
              "within_arm_change": 1, "descriptive": 2, "distribution_category": 2, "baseline": 3}


def _population_rank(row: EvidenceRow, subtype: str) -> int:
    """The statement's own subtype first, then myositis populations, then patients of any indication."""
    if subtype != "myositis" and row.subtype == subtype:
        return 0
    return 2 if row.subtype == "any_indication" else 1


def _strongest_first(rows: list[EvidenceRow], score_of: dict[str, float], domain: str,
                     subtype: str = "myositis") -> list[EvidenceRow]:
    """Rows close to the best match (at least half its score): the statement's population first, then
    the strongest design; the rest by score."""
    if not rows:
        return rows
    best = max(score_of.get(r.id, 0.0) for r in rows)
    close = [r for r in rows if score_of.get(r.id, 0.0) >= 0.5 * best]
    ranks = _RANKS.get(domain, _DESIGN_RANK)
    close.sort(key=lambda r: (_population_rank(r, subtype), ranks.get(r.design, 6), _KIND_RANK.get(r.kind, 2)))
    chosen = {r.id for r in close}
    return close + [r for r in rows if r.id not in chosen]


_HAS_FIGURE_RE = re.compile(r"\d")


def allowed_row(row: EvidenceRow, hosts: frozenset[str]) -> bool:
    """A row may be offered unless its page is the audited document's own."""
    return not (row.url and _host(row.url) in hosts)


def _graded_ids(evidence: Evidence, subtype: str, domain: str) -> tuple[str, ...]:
    """The rows the base's grading for this subtype and outcome rests on."""
    finding = _finding(evidence, subtype, domain)
    return finding.result_ids if finding else ()


def _finding(evidence: Evidence, subtype: str, domain: str) -> Finding | None:
    key_domain = "strength" if domain == "composite" and subtype == "ibm" else domain
    return evidence.findings.get((subtype, key_domain)) or evidence.findings.get((subtype, domain))


def _cite(rows: list[EvidenceRow], limit: int = 2) -> str:
    return "; ".join(f"{r.label or r.study} {r.outcome}: {r.figure} ({r.id})".replace(":  (", " (") for r in rows[:limit])


def _is_efficacy(sentence: str, domain: str) -> bool:
    return domain in EFFICACY_DOMAINS and bool(EFFICACY_RE.search(sentence))


def _negated(sentence: str) -> bool:
    return bool(_NEGATION_RE.search(sentence))


def _absolute_findings(sentence: str, rows: list[EvidenceRow], finding: Finding | None,
                       null_elsewhere: list[Finding]) -> list[str]:
    """Each absolute word the numbers do not bear out, with the figure that says so."""
    out = []
    topic = set(tokens(sentence)) - _GENERIC
    for word in {m.group(1).lower() for m in _ABSOLUTE_RE.finditer(sentence)}:
        if word.startswith("rare") or word in ("never", "uncommon"):
            # Read as a lay reader would: "rare" is under 1 in 100, "uncommon" under 1 in 10.
            bound = RARE_BELOW.get(word, 1.0)
            # "Side effects are rare" names no harm: any adverse-event rate among the rows tests it.
            general = not (topic & _HARM_WORDS)
            common = [r for r in rows if r.percent is not None and r.percent >= bound and r.domain == "safety"
                      and (general or set(tokens(r.outcome)) & topic)]
            if common:
                out.append(f"'{word}' but {_cite(common, 1)} is {common[0].percent:.0f}%")
        elif word in ("proven", "proved", "proves", "consistently", "guaranteed", "guarantee", "cure", "cures", "always"):
            if finding is None or finding.certainty in CERTAINTY_LOW or finding.null or null_elsewhere:
                basis = (f"{finding.certainty.replace('_', ' ')} certainty ({', '.join(finding.studies[:3])})"
                         if finding else "no graded finding in the base")
                if null_elsewhere:
                    basis += f"; null controlled trials in {', '.join(sorted({f.subtype for f in null_elsewhere}))}"
                out.append(f"'{word}' against {basis}")
        elif word.startswith(("safe", "well", "good")):
            serious = [r for r in rows if r.kind == "adverse_event" and r.percent]
            if serious:
                out.append(f"'{word}' although adverse events occur: {_cite(serious, 1)}")
        elif word in ("first", "only", "no approved"):
            labels = [r for r in rows if r.design == "drug_label" or r.table == "approvals"]
            if not labels:
                out.append(f"'{word}' with no approval or label row in the base to confirm it")
    return sorted(out)


_APPROVAL_CLAIM_RE = re.compile(r"\bapprov\w*|\blicen[cs]ed\b|\blabel(?:l)?ed for\b|\bindicated for\b", re.I)
_NOT_APPROVED_RE = re.compile(
    r"\b(?:not|no|never|nor|isn['\u2019]t|is not|aren['\u2019]t|without)\s+(?:\w+\s+){0,3}?(?:approv|licen|label|indicat)"
    r"|\boff[- ]label\b|\bunapproved\b|\bunlicen[cs]ed\b", re.I)
# "the only approved treatment", "the sole IVIG", "only Octagam is approved"; not "approved only recently".
_ONLY_APPROVED_RE = re.compile(
    r"\b(?:the|an?|its) (?:only|sole)\b|\bonly (?:(?:FDA|EMA)[- ])?(?:approved|licen[cs]ed|labell?ed)\b"
    r"|\bonly\s+[A-Z][\w-]+(?:\s+\d+%)?\s+(?:is|has been)\s+(?:approved|licen[cs]ed)", re.I)
# "Until now there was no approved treatment", "before this, IVIG was used off-label": the time before an approval
_BEFORE_APPROVAL_RE = re.compile(
    r"\buntil (?:now|recently|then|this|that|\d{4})\b|\bbefore (?:this|that|then|now|the (?:approval|decision|\d{4}))\b"
    r"|\bprior to (?:this|that|the)\b|\bpreviously\b|\bformerly\b|\bhad (?:been )?(?:no|not)\b|\bthere (?:was|were) no\b"
    r"|\bfor (?:years|decades)\b", re.I)
_CHILD_RE = re.compile(r"\bchild\w*|\bjuvenile\b|\bpaediatric|\bpediatric|\bteens?\b", re.I)


def _approval_check(sentence: str, subtype: str, evidence: Evidence) -> tuple[str, str, list[EvidenceRow]] | None:
    """(verdict, reason, rows) for a statement on what IVIG is approved for, from the approvals rows; else None.

    IVIG is approved where an IVIG product's approval row covers the subtype (adults only when the
    row says so); "the only approved treatment" also needs no other agent approved for it.
    """
    if not (_APPROVAL_CLAIM_RE.search(sentence) and _IVIG_RE.search(sentence)):
        return None
    rows = evidence.approval_rows
    if not rows:
        return None
    child = subtype == "jdm" or bool(_CHILD_RE.search(sentence))

    def covers(r: EvidenceRow, code: str) -> bool:
        adults_only = "adult" in r.approval[2].lower()
        return r.approval[1] == "approved" and r.subtype == code and not (child and adults_only)

    code = "dm" if subtype == "jdm" else subtype
    ivig = [r for r in rows if r.approval[0] == "ivig" and covers(r, code)]
    shown = ivig or [r for r in rows if r.approval[0] == "ivig" and r.approval[1] == "approved"]
    cite = _cite(shown, 1)
    if _NOT_APPROVED_RE.search(sentence) and ivig and _BEFORE_APPROVAL_RE.search(sentence):
        # true of the years before the first IVIG approval; the base can say when that was
        first = min(ivig, key=lambda r: r.approval[3] or "9999")
        since = f"{first.label} approved {first.approval[3]}" if first.approval[3] else first.label
        others = [r for r in rows if r.approval[0] != "ivig" and r.approval[1] == "approved"
                  and (covers(r, code) or covers(r, "myositis"))]
        if _STRICT_IVIG_RE.search(sentence) or not others:
            return ("supported", f"speaks of the time before the first IVIG approval for this group ({since})",
                    [first] + [r for r in ivig if r is not first][:MAX_EVIDENCE - 1])
        return ("partly_supported", f"before the first IVIG approval ({since}) the base also holds another approved agent: "
                f"{_cite(others, 1)}", ([first] + others)[:MAX_EVIDENCE])
    if _NOT_APPROVED_RE.search(sentence):
        if ivig:
            return "contradicted", f"an IVIG product is approved for this group: {cite}", ivig[:MAX_EVIDENCE]
        return "supported", f"no IVIG approval for this group in the base; the approvals it holds: {cite}", shown[:MAX_EVIDENCE]
    if subtype == "myositis" and not ivig:
        return ("partly_supported", f"IVIG is approved for one form only, not for myositis as a whole: {cite}",
                shown[:MAX_EVIDENCE])
    if not ivig:
        return "contradicted", f"no IVIG product is approved for this group; the approvals the base holds: {cite}", shown[:MAX_EVIDENCE]
    if _ONLY_APPROVED_RE.search(sentence):
        # "the only approved IVIG product": other IVIG products; "the only approved treatment": any agent.
        among_ivig = bool(re.search(r"\b(?:only|sole)\s+(?:[\w-]+\s+){0,3}?(?:IVI?G|immun[eo]\s*globulin)\s+(?:products?|brands?)\b",
                                    sentence, re.I))
        products = {r.label for r in ivig}
        others = [r for r in rows if r.approval[1] == "approved" and (covers(r, code) or covers(r, "myositis"))
                  and (r.approval[0] == "ivig" and r.label not in products if among_ivig else r.approval[0] != "ivig")]
        if others:
            return ("contradicted", f"not the only approved treatment: {_cite(others, 1)}", (ivig + others)[:MAX_EVIDENCE])
    return "supported", f"consistent with the approvals: {cite}", ivig[:MAX_EVIDENCE]


# Where a statement puts IVIG in the treatment sequence, and where each recommendation puts it.
_LATER_RE = re.compile(
    r"\b(?:after|when|if|once|where)\b[^.;]{0,60}?\b(?:fail\w*|not (?:respond\w*|work\w*|effective|enough|tolerated)"
    r"|(?:haven|hasn|don|doesn|aren|isn)['\u2019]?t|inadequate\w*|insufficient\w*|poorly tolerated|intoleran\w*"
    r"|contraindicated|cannot be (?:given|used)|side effects)"
    r"|\bsecond[- ]line\b|\bthird[- ]line\b|\brefractory\b|\bresistant\b|\bdespite\b|\bsalvage\b|\badd-on\b"
    r"|\badjunct\w*|\b(?:has|have|had) not (?:responded|worked)\b|\bis added\b|\badded (?:early|to)\b|\bnon-?responsive\b|\bunresponsive\b|\bnonresponsive\b"
    r"|\bnot responded\b|\bto add or switch\b", re.I)
_FIRST_RE = re.compile(
    r"\bfirst[- ]line\b|\binitial (?:treatment|therapy)\b|\bfirst (?:choice|treatment)\b|\bfrom the (?:start|outset)\b"
    r"|\bat (?:diagnosis|onset)\b|\binduction\b|\bfront[- ]line\b", re.I)
# "resistant to first-line corticosteroids", "after first-line therapy fails": first-line named as what came before
_AFTER_FIRST_LINE_RE = re.compile(
    r"\b(?:resistant|refractory|unresponsive|despite|after|when|if|once|fail\w*|failure of|not respond\w*|inadequate\w*"
    r"|insufficient\w*|intoleran\w*|beyond)\b[^.;]{0,30}?\bfirst[- ]line\b", re.I)
_AGAINST_RE = re.compile(r"\bnot recommended\b|\binsufficient\b|\bno convincing\b|\bnot (?:been )?established\b", re.I)


def _position(text: str, claim: bool = False) -> str:
    """'later' (after other treatment fails), 'first' (first-line or induction) or ''.

    A claim that names both ("first-line, or as an add-on") is read for its first-line part, which is
    what guidance may not back; a recommendation that names a later use is a later one.
    """
    later = bool(_LATER_RE.search(text))
    if claim and _FIRST_RE.search(_LATER_RE.sub(" ", _AFTER_FIRST_LINE_RE.sub(" ", text))):
        return "first"
    if later:
        return "later"
    return "first" if _FIRST_RE.search(text) else ""


# Situations a statement of use may name; guidance that names none of them does not speak to them.
_SITUATIONS = {
    "flares": re.compile(r"\bflares?\b|\brelapses?\b", re.I),
    "pregnancy": re.compile(r"\bpregnan\w*", re.I),
    "maintenance": re.compile(r"\bmaintenance\b|\blong[- ]term\b", re.I),
    "anti-SRP": re.compile(r"\bSRP\b", re.I),
    "anti-HMGCR": re.compile(r"\bHMGCR\b|\bstatin", re.I),
    "cancer": re.compile(r"\bcancer\b|\bmalignan\w*", re.I),
    "infection": re.compile(r"\binfections?\b", re.I),
    "elderly": re.compile(r"\belderly\b|\bolder (?:adults|patients)\b", re.I),
}


def _unaddressed_situations(sentence: str, rows: list[EvidenceRow]) -> list[str]:
    """Situations the statement names that none of the guidance rows mentions ("IVIG is used for flares")."""
    text = " ".join(f"{r.outcome} {r.text}" for r in rows)
    return [name for name, pattern in _SITUATIONS.items() if pattern.search(sentence) and not pattern.search(text)]


def _guidance_for(subtype: str, evidence: Evidence, hosts: frozenset[str]) -> list[EvidenceRow]:
    """Recommendations for IVIG in the subtype (the family's count for each; adult DM's for JDM where JDM has none),
    the subtype's own and the firmest kinds of guidance first."""
    recs = [r for r in evidence.recommendation_rows if not (r.url and _host(r.url) in hosts)
            and (r.subtype in (subtype, "myositis") or subtype == "myositis" or (subtype == "jdm" and r.subtype == "dm"))
            and not _AGAINST_RE.search(r.outcome)]
    if subtype == "jdm" and any(r.subtype == "jdm" for r in recs):
        recs = [r for r in recs if r.subtype != "dm"]
    recs.sort(key=lambda r: (r.subtype != subtype, _GUIDANCE_RANK.get(r.design, 6)))
    return recs


_STEROID_WORDS = r"(?:(?:cortico|gluco)?steroids?|glucocorticoids?|corticosteroids?|prednis\w+)"
# "Corticosteroids are usually the first step", "treated first with glucocorticoids": the standard first treatment.
_STANDARD_FIRST_RE = re.compile(
    rf"\b{_STEROID_WORDS}\b[^.;]{{0,40}}?\b(?:first(?:[- ]line)?|mainstay|initial|usual|standard)\b"
    rf"|\b(?:first(?:[- ]line)?|initial) (?:step|treatment|therapy|choice)\b[^.;]{{0,40}}?\b{_STEROID_WORDS}\b"
    rf"|\b(?:treated|managed|begins?|starts?) (?:first |initially |usually )?with (?:\w+ ){{0,2}}?{_STEROID_WORDS}\b"
    rf"|\b(?:is|are) (?:usually |typically |often |mostly |first |initially )?(?:treated|managed)\b[^.;]{{0,50}}?\b{_STEROID_WORDS}\b",
    re.I)


# "the first study to confirm", "the first randomised trial": not "the first phase 3" or "first large" trial,
# which an earlier small trial does not refute.
_FIRST_STUDY_RE = re.compile(
    r"\bfirst (?:(?:randomi[sz]ed|controlled|placebo[- ]controlled|double[- ]blind),?\s+)*(?:study|trial|RCT)\b", re.I)
_CONTROLLED = frozenset({"rct_parallel", "rct_crossover"})


def _first_study_check(sentence: str, focus: frozenset[str], evidence: Evidence,
                       hosts: frozenset[str]) -> tuple[str, str, list[EvidenceRow]] | None:
    """(verdict, reason, rows) for "the first study to show..." about the one study it names, held against
    the controlled trials of the same subtype the base dates earlier; None when none is earlier."""
    if len(focus) != 1 or not _FIRST_STUDY_RE.search(sentence):
        return None
    own = evidence.by_study.get(next(iter(focus)), [])
    if not own or not own[0].names[1].isdigit() or own[0].design not in _CONTROLLED:
        return None
    year, subtype = int(own[0].names[1]), own[0].subtype
    earlier = [rows for st, rows in evidence.by_study.items()
               if rows and st not in focus and rows[0].design in _CONTROLLED and rows[0].subtype == subtype
               and rows[0].names[1].isdigit() and int(rows[0].names[1]) < year and allowed_row(rows[0], hosts)]
    if not earlier:
        return None
    first = min(earlier, key=lambda rows: int(rows[0].names[1]))
    label = first[0].label or first[0].study
    return ("contradicted", f"an earlier controlled trial in the same subtype came first: {label} ({first[0].names[1]})",
            [r for r in first if r.table == "results"][:MAX_EVIDENCE] or first[:MAX_EVIDENCE])


# "(Neurology 1997;48:712-716)": a journal citation in the running text.
_CITATION_RE = re.compile(r"\b(?P<year>(?:19|20)\d{2})\s*;\s*(?P<volume>\d+)(?:\s*\([^)]*\))?\s*:\s*(?P<page>\d+)")
_NAME_RE = re.compile(r"\b([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)\b(?=,|\s+and\b|\s+et al|\s+and colleagues)")


def _citation_check(sentence: str, evidence: Evidence) -> tuple[str, str, list[EvidenceRow]] | None:
    """(verdict, reason, rows) for a sentence crediting a journal citation to named authors, held against
    the base's bibliography entry with that year, volume and first page; None when it names no such entry."""
    m = _CITATION_RE.search(sentence)
    if not m or evidence.bib is None:
        return None
    for ref in evidence.bib.references.values():
        pages = re.split(r"[-\u2013]", ref.get("pages"))[0].strip()
        if ref.get("year") == m.group("year") and ref.get("volume") == m.group("volume") and pages == m.group("page"):
            surnames = {n.split(",")[0].strip().strip("{}") for n in ref._raw_names()}
            named = set(_NAME_RE.findall(sentence)) - {"Neurology", "Medicine", "Journal", "Lancet"}
            cited = f"{ref.get('journal')} {m.group('year')};{m.group('volume')}:{ref.get('pages')}"
            lead_author = ref._raw_names()[0].split(",")[0].strip().strip("{}") if ref._raw_names() else ""
            # the study of the base this entry reports: same first author and year
            rows = [r for rs in evidence.by_study.values() if rs and rs[0].names[:2] == (lead_author.lower(), m.group("year"))
                    for r in rs if r.table == "results"][:MAX_EVIDENCE]
            if named & surnames:
                return "supported", f"the citation {cited} is {lead_author} et al., as the sentence says", rows
            if named:
                return ("contradicted", f"{cited} is {lead_author} et al. ({ref.get('title')}), not "
                        f"{', '.join(sorted(named))}", rows)
    return None


def _standard_first_check(sentence: str, subtype: str, evidence: Evidence,
                          hosts: frozenset[str]) -> tuple[str, str, list[EvidenceRow]] | None:
    """(verdict, reason, rows) for a statement that steroids come first, held against guidance that keeps
    IVIG for when first-line treatment fails; None when the sentence says something else."""
    if _STRICT_IVIG_RE.search(sentence) or not _STANDARD_FIRST_RE.search(sentence) or _negated(sentence):
        return None
    later = [r for r in _guidance_for(subtype, evidence, hosts) if _position(r.outcome) == "later"]
    if not later:
        return None
    return ("supported", f"guidance keeps IVIG for when first-line treatment fails: {_cite(later, 2)}",
            later[:MAX_EVIDENCE])


def _position_check(sentence: str, subtype: str, evidence: Evidence,
                    hosts: frozenset[str]) -> tuple[str, str, list[EvidenceRow]] | None:
    """(verdict, reason, rows) for a statement placing IVIG first-line or after other treatment fails,
    held against the recommendations for the subtype (the family's recommendations count for each); else None.

    First-line where no recommendation puts it there is not supported; where some do (for a subgroup),
    partly. After failure of first-line treatment is supported when recommendations say so.
    """
    claimed = _position(sentence, claim=True)
    if not claimed and _UNIVERSAL_RE.search(sentence) and _STRICT_IVIG_RE.search(sentence) and not _negated(sentence):
        # "all patients with DM should receive IVIG": guidance that keeps it for refractory disease says otherwise
        later = [r for r in _guidance_for(subtype, evidence, hosts) if _position(r.outcome) == "later"]
        if later:
            return ("not_supported", f"guidance keeps IVIG for some patients, after other treatment fails, not all: "
                                     f"{_cite(later, 2)}", later[:MAX_EVIDENCE])
    if not claimed or _negated(_LATER_RE.sub(" ", sentence)):  # "not first-line"; "when steroids fail" is no negation
        return None
    recs = _guidance_for(subtype, evidence, hosts)
    first = [r for r in recs if _position(r.outcome) == "first"]
    later = [r for r in recs if _position(r.outcome) == "later"]
    if claimed == "first":
        if first:
            return ("partly_supported", f"guidance puts IVIG first-line only in part: {_cite(first, 1)}"
                    + (f"; elsewhere after other treatment fails: {_cite(later, 1)}" if later else ""),
                    (first + later)[:MAX_EVIDENCE])
        if later:
            return ("not_supported", f"guidance places IVIG after first-line treatment fails, not first: {_cite(later, 2)}",
                    later[:MAX_EVIDENCE])
        return None
    if later:
        own = [r for r in recs if r.subtype == subtype]
        if (subtype != "myositis" and own and not any(r.figure.lower().startswith("recommended") for r in own)
                and not _TENTATIVE_RE.search(sentence)):
            # "IVIG is added in severe IMNM": the subtype's own guidance only suggests it, on weak evidence
            return ("partly_supported", f"guidance for this subtype only suggests IVIG, conditionally: {_cite(own, 2)}",
                    (own + [r for r in later if r not in own])[:MAX_EVIDENCE])
        return "supported", f"guidance places IVIG after other treatment fails: {_cite(later, 2)}", later[:MAX_EVIDENCE]
    return None


# "may be considered", "an option", "is recommended": a statement no firmer than conditional guidance.
_TENTATIVE_RE = re.compile(
    r"\b(?:may|might|can|could|consider\w*|options?|possible|sometimes|recommend\w*|advis\w*|suggest\w*)\b", re.I)


_SIMILAR_RE = re.compile(
    r"\b(?:similar|comparable|alike|no (?:significant |meaningful |real )?difference|did not differ|do not differ"
    r"|the same (?:in|between|for))\b", re.I)
_ARMS_RE = re.compile(r"\bplacebo\b|\bcontrol\b|\bgroups?\b|\barms?\b|\bboth\b|\bbetween\b", re.I)
_CONTROL_ARM_RE = re.compile(r"placebo|control", re.I)
_PAIR_GENERIC = frozenset(tokens("event events patients group groups arm arms treatment immunoglobulin placebo"))

# Words that narrow an outcome: "serious adverse events" and "related TEAEs" are not all adverse events.
_QUALIFIER_RE = re.compile(
    r"\bserious\b|\bsevere\b|\brelated\b|\binfusional\b|\bpossibly\b|\bprobably\b|\bdiscontinu\w*|\bfatal\b|\bgrade [345]\b"
    r"|\bper infusion\b|\binfusions? with\b|\brecurren\w*|\bre-?exposure\b|\brechalleng\w*|\blinked by\b|\bhistory\b"
    r"|\bonset\b|\bcourse\b|\brecover\w*|\btiming\b", re.I)


def qualifiers(text: str) -> set[str]:
    """The narrowing words of an outcome or sentence."""
    return {m.group(0).lower() for m in _QUALIFIER_RE.finditer(text)}


def same_qualifiers(sentence: str, rows: list[EvidenceRow]) -> list[EvidenceRow]:
    """Rows whose outcome adds no qualifier the sentence lacks ("serious", "related", "per infusion"),
    when there are any: a statement on all adverse events is not held against serious ones."""
    said = qualifiers(sentence)
    plain = [r for r in rows if qualifiers(f"{r.outcome} {r.figure}") <= said]
    return plain or rows


def _events_of_total(r: EvidenceRow) -> bool:
    """The row's first two counts are its events and its total (a row may list only sizes: study, arm)."""
    if len(r.counts) < 2 or not 0 <= r.counts[0] <= r.counts[1] or r.counts[1] == 0:
        return False
    return r.percent is None or abs(100.0 * r.counts[0] / r.counts[1] - r.percent) < 1.5


def _arm_pairs(rows: list[EvidenceRow], evidence: Evidence, hosts: frozenset[str]) -> list[tuple[EvidenceRow, EvidenceRow]]:
    """(IVIG arm, control arm) rows of one study and outcome with counts, for the studies among `rows`."""
    pairs = []
    for study in dict.fromkeys(r.study for r in rows):
        pool = [r for r in evidence.by_study.get(study, []) if _events_of_total(r) and allowed_row(r, hosts)]
        for control in (r for r in pool if _CONTROL_ARM_RE.search(r.figure.split(":")[0])):
            treated = [r for r in pool if r.outcome.lower() == control.outcome.lower() and r.id != control.id
                       and not _CONTROL_ARM_RE.search(r.figure.split(":")[0])]
            if treated:
                pairs.append((min(treated, key=lambda r: abs(r.counts[1] - control.counts[1])), control))
    return pairs


def _similarity_check(sentence: str, domain: str, rows: list[EvidenceRow], evidence: Evidence,
                      hosts: frozenset[str]) -> tuple[str, str, list[EvidenceRow]] | None:
    """(verdict, reason, rows) for "adverse events were similar with IVIG and placebo", from the two arms'
    counts: arms whose risk difference has a 95% interval excluding zero are not similar."""
    if not (_SIMILAR_RE.search(sentence) and _ARMS_RE.search(sentence)) or not rows:
        return None
    pairs = [(t, c) for t, c in _arm_pairs(rows, evidence, hosts) if t.domain == domain]
    said = set(tokens(sentence)) - _PAIR_GENERIC
    pairs = [p for p in pairs if p[0] in same_qualifiers(sentence, [t for t, _ in pairs])]
    if not pairs:
        return None
    treated, control = max(pairs, key=lambda p: len(said & set(tokens(p[0].outcome))))
    rd = risk_difference(treated.counts[0], treated.counts[1], control.counts[0], control.counts[1])
    shown = (f"{treated.outcome}: {treated.counts[0]}/{treated.counts[1]} vs {control.counts[0]}/{control.counts[1]}, "
             f"difference {100 * rd.estimate:.0f} points (95% CI {100 * rd.ci_low:.0f} to {100 * rd.ci_high:.0f})")
    if rd.ci_low > 0 or rd.ci_high < 0:
        return "contradicted", f"the arms differ: {shown} ({treated.label})", [treated, control]
    return "supported", f"the arms do not differ: {shown} ({treated.label})", [treated, control]


def _trial_total_for_arm(sentence: str, rows: list[EvidenceRow]) -> str:
    """'37 of 95': the numerator is an arm's count but the denominator the whole trial's enrolment."""
    for m in re.finditer(r"\b(\d+)\s*(?:of|out of|/)\s*(\d+)\b", sentence):
        a, b = int(m.group(1)), int(m.group(2))
        for r in rows:
            if len(r.counts) >= 3 and r.counts[0] == a and r.counts[1] != b and b in r.counts[2:]:
                return f"{a} of {b}: {b} is the trial's enrolment, the arm's denominator is {r.counts[1]} ({r.id})"
    return ""


def _unbacked_comparison(sentence: str, rows: list[EvidenceRow]) -> str:
    """The comparative words of a claim of difference that no row measures, or "".

    A row measures a difference when it is a between-arm contrast, or when two arms of one
    study are among the rows. Tempered or negated sentences ("less predictable") are not claims of difference.
    """
    if _TEMPERED_RE.search(sentence):
        return ""
    found = list(_COMPARATIVE_RE.finditer(sentence))
    if _COMPARATOR_RE.search(sentence):
        found += list(_BARE_COMPARATIVE_RE.finditer(sentence))
    # "not better than" denies a difference; a negation elsewhere ("if treatments aren't working") does not.
    words = sorted({m.group(0).lower() for m in found if not _negated(sentence[max(0, m.start() - 25):m.start()])})
    if not words:
        return ""
    arms: dict[str, set[str]] = {}
    for r in rows:
        if r.kind == "between_arm":
            return ""
        if r.kind == "arm_outcome" and ":" in r.figure:
            arms.setdefault(r.study, set()).add(r.figure.split(":", 1)[0])
    if any(len(a) >= 2 for a in arms.values()):
        return ""
    return f"'{', '.join(words)}' claims a difference that no controlled contrast among the rows measures"


CLAIM_MATCH = 75  # similarity (0-100) of sorted folded words at which a statement says what a registered claim says


# Words that make a claim assert something more: a borrowed claim must not add them.
_CLAIM_ASSERTS = frozenset(tokens("safe safety tolerated proven first only rare approved cure"))


def registered_claim(sentence: str, subtype: str, evidence: Evidence, doc_id: str) -> EvidenceRow | None:
    """The registered claim of another document that says the same thing, if one does.

    Claims of the document under audit are never used (its own verdicts would be circular).
    """
    from rapidfuzz import fuzz, process

    claims, texts = evidence.claims
    if not claims:
        return None
    said = set(tokens(sentence))
    query = " ".join(sorted(said))
    for text, _score, i in process.extract(query, texts, scorer=fuzz.token_sort_ratio, limit=5, score_cutoff=CLAIM_MATCH):
        claim = claims[i]
        if claim.study != doc_id and (claim.subtype == subtype or "myositis" in (claim.subtype, subtype)):
            words = set(text.split())
            shared = said & words
            # similar spelling is not the same claim: most of the shorter one's words must be shared
            # and a claim that also asserts what the sentence does not ("safe and effective" for "effective") is another claim
            extra = (words - said) & _CLAIM_ASSERTS
            if (len(words) >= 3 and len(shared) >= 3 and len(shared) >= 0.6 * min(len(said), len(words))
                    and not extra):
                return claim
    return None


def judge(sentence: str, subtype: str, domain: str, rows: list[EvidenceRow], number_status: str,
          number_detail: str, evidence: Evidence, doc_id: str = "", hosts: frozenset[str] = frozenset(),
          context: str = "", focus: frozenset[str] = frozenset(), unheld: bool = False) -> Judgement:
    """The suggested verdict, its one-line reason, its rows and its flags (rules in the module doc).

    `unheld`: the sentence speaks of a study the page introduced and the base does not hold.
    """
    # A sentence that reports what one study found, with its figures borne out, is a report, not a
    # general claim: the body of evidence's low certainty does not make it overstated.
    reports_a_study = number_status == "match" or bool(
        _REPORTS_RE.search(sentence) and any(names_study(sentence, r) for r in rows))
    flags: list[str] = []
    notes: list[str] = []
    finding = _finding(evidence, subtype, domain)
    efficacy = (_is_efficacy(sentence, domain) and not _negated(sentence) and not _TEMPERED_RE.search(sentence)
                and not _HYPOTHETICAL_RE.search(sentence))
    hedged = bool(_HEDGE_RE.search(sentence)) and not _STRONG_RE.search(sentence)
    # Overall response and daily function rest on strength where a subtype's trials measured only that.
    judged_by = {domain, "strength"} if domain in ("composite", "function_qol") else {domain}
    others = [f for (s, d), f in evidence.findings.items() if d in judged_by and f.null and s not in ("myositis", subtype)]
    named = set(mentioned_subtypes(sentence))  # "for PM and DM": IBM's null trials do not bear on it
    null_elsewhere = [f for f in others if not named or f.subtype in named] if subtype == "myositis" else []

    if efficacy and finding is not None and finding.null:
        flags.append("null_trial")
        notes.append(f"controlled trials found no significant benefit ({', '.join(finding.studies[:3])})")
    elif efficacy and null_elsewhere:
        flags.append("null_trial")
        notes.append(f"null controlled trials in {', '.join(sorted({f.subtype for f in null_elsewhere}))}")
    subtypes = {r.subtype for r in rows if r.domain in EFFICACY_DOMAINS}
    if (efficacy and subtype == "myositis" and len(subtypes) == 1 and next(iter(subtypes)) not in ("myositis", "any_indication")
            and len(mentioned_subtypes(_EMPHASIS_RE.sub("", sentence))) < 2):  # "for PM and DM" generalises nothing
        flags.append("subtype_generalised")
        notes.append(f"the rows are all {vocab.SUBTYPE.label(next(iter(subtypes)))}")
    absolute = _absolute_findings(sentence, rows, finding, null_elsewhere)
    # "Proven in myositis" where one subtype's trials give moderate or high certainty: true of that
    # subtype, overstated for the family (partly), not unsupported.
    proven_somewhere = subtype == "myositis" and any(
        f.certainty in ("moderate", "high") and not f.null for (s, d), f in evidence.findings.items()
        if d in judged_by and s != "myositis")
    if absolute:
        flags.append("absolute_word")
        notes.extend(absolute)
    # A stated population rate leads with the incidence or prevalence rows it was held against.
    if "per million" in number_detail:
        words = set(re.findall(r"[A-Za-z0-9_]+", number_detail))
        held = [r for r in evidence.rate_rows if r.id in words]
        rows = held + [r for r in rows if r not in held]
    own_rows = [r for r in rows if r.subtype == subtype or subtype == "myositis"]  # PM/DM rows say nothing of JDM
    incidence_rows = any(_INCIDENCE_RE.search(r.outcome) or (r.rate and r.rate[0] == "incidence") for r in own_rows)
    prevalence_rows = any(re.search(r"preval", r.outcome, re.I) or (r.rate and r.rate[0] == "prevalence") for r in own_rows)
    if (_PREVALENCE_RE.search(sentence) and not _YEARLY_RE.search(sentence)
            and incidence_rows and not prevalence_rows):
        flags.append("incidence_vs_prevalence")
        notes.append("the base gives an incidence, the sentence a prevalence")
    elif _INCIDENCE_RE.search(sentence) and prevalence_rows and not incidence_rows:
        flags.append("incidence_vs_prevalence")
        notes.append("the base gives a prevalence, the sentence an incidence")
    denominator = _trial_total_for_arm(sentence, rows)
    if not denominator and NUMBER_TREATED in number_detail:
        denominator = "the number treated is given as the number who improved"
    if denominator:
        flags.append("trial_total_for_arm")
        notes.append(denominator)
    about_product = bool(_IVIG_RE.search(sentence) or _IVIG_RE.search(context)) or domain in ("safety", "dosing", "product")
    # "Signs of an allergic reaction, such as hives": what to watch for, not a claim of frequency.
    missing_items = _uncovered_items(sentence, evidence) if about_product and not _WATCH_FOR_RE.search(sentence) else []
    if missing_items:
        flags.append("listed_item_without_evidence")
        notes.append(f"no row of the base mentions {', '.join(repr(i) for i in missing_items[:3])}")
    comparison = _unbacked_comparison(sentence, rows) if about_product or efficacy else ""
    if comparison:
        flags.append("comparison_without_evidence")
        notes.append(comparison)
    # "Headaches respond to fluids and paracetamol": how a harm is managed needs rows on its management,
    # not rows on how often it occurs.
    # "prevent its complications" speaks of the disease: management is of a harm the sentence names.
    harm_text = f"{context} {sentence}"
    managing = (domain in ("safety", "dosing") and bool(_MANAGES_RE.search(sentence)) and about_product
                and number_status != "match"
                and bool(set(tokens(harm_text)) & _HARM_WORDS or _HARM_NAMED_RE.search(harm_text)))
    if managing:
        words = set(tokens(sentence))
        topic, harms = words - _GENERIC - _MANAGEMENT_WORDS, words & _HARM_WORDS

        def speaks_to(r: EvidenceRow) -> bool:
            # a shared means of management, and no harm other than the sentence's (renal advice is no headache advice)
            row_words = set(tokens(f"{r.outcome} {r.text}"))
            return bool(row_words & words & _MANAGEMENT_WORDS) and not (row_words & _HARM_WORDS) - harms

        how = [r for r in evidence.management_rows if not (r.url and _host(r.url) in hosts)
               and _subtype_fits(r, subtype) and speaks_to(r)]
        how.sort(key=lambda r: (-len(set(tokens(f"{r.outcome} {r.text}")) & topic), _DESIGN_RANK.get(r.design, 6)))
        rows = how[:MAX_EVIDENCE]
    quantities = extract_quantities(sentence)
    figures = [q for q in quantities if q.kind in ("percent", "count", "rate", "infusion_rate", "events")]
    if not figures and number_status == "nothing to compare":
        # A duration or age ("lasts 12 to 23 months", "started 671 days after diagnosis") that no row states.
        weeks = set().union(*(evidence.timepoints.get(st, frozenset()) for st in focus)) if focus else set()
        figures = [q for q in quantities if q.kind == "span"
                   and not (_WEEKS_RE.search(q.text) and q.low in weeks)]  # "16 weeks of IVIG" in the trial it names
    if figures and (not rows or number_status == "nothing to compare"):
        flags.append("figure_without_source")
        notes.append(f"no row in the base gives {', '.join(q.text for q in figures[:2])}")

    # "No patient improved" is about the treatment's effect too, negated or not.
    about_ivig = (bool(_IVIG_RE.search(sentence)) or bool(_IVIG_RE.search(context)) or efficacy
                  or (domain in EFFICACY_DOMAINS and bool(_TEMPERED_RE.search(sentence)) and bool(EFFICACY_RE.search(sentence)))
                  or (domain in EFFICACY_DOMAINS and bool(EFFICACY_RE.search(sentence)))
                  or any(r.study in focus for r in rows)  # a sentence about the study it names or follows
                  or number_status in ("match", "partial")
                  or domain in ("safety", "dosing", "regulatory", "product")
                  # "Strength is tracked with manual muscle tests": how response is measured, which the trials show
                  or (domain in _MEASURED_DOMAINS and bool(_MEASURES_RE.search(sentence))))
    if not about_ivig and not flags:
        # The base holds IVIG evidence, not disease descriptions: a trial's baseline table is no source for them.
        rows = [r for r in rows if figures and r.domain == domain and r.kind in ("descriptive", "pooled_estimate")]
    basis = _cite(rows)
    certainty = f"{finding.certainty.replace('_', ' ')} certainty" if finding and finding.certainty else ""
    elsewhere = (bool(_OTHER_STUDY_RE.search(sentence)) and number_status not in ("match", "partial") and not focus
                 and not any(names_study(sentence, r) for r in rows))
    if figures and elsewhere and "figure_without_source" not in flags:
        flags.append("figure_without_source")
        notes.append(f"the figures come from a study the base does not hold ({', '.join(q.text for q in figures[:2])})")
    body = _unheld_guidance(sentence, evidence)
    product_gap = domain == "product" and _product_fact_missing(sentence, rows)
    escalation = domain == "dosing" and bool(_ESCALATION_RE.search(sentence)) and not any(
        _ESCALATION_RE.search(f"{r.outcome} {r.text}") for r in evidence.dosing_rows)
    ruled_out = bool(escalation or (_USAGE_RE.search(sentence) or product_gap or body or _RESEARCH_NEEDS_RE.search(sentence)
                                    or _OPINION_RE.search(sentence) or _FORECAST_RE.search(sentence)
                                    or _TRANSMISSION_RE.search(sentence)
                                    or _SCALE_RE.search(sentence)
                                    or about_other_treatment(sentence, context) or unheld)
                     and number_status not in ("match", "partial", "mismatch"))
    rarity = _rarity_check(sentence, subtype, evidence, hosts) if domain == "epidemiology" and not figures else None
    if rarity:
        verdict, lead, rows = rarity
        ruled_out = True
    elif escalation and number_status != "match":
        verdict, lead = "not_supported", "no row in the base shows IVIG doses raised or given more often"
    elif _USAGE_RE.search(sentence) and number_status not in ("match", "partial", "mismatch"):
        verdict, lead, rows = "not_assessable", "the base holds no data on how often IVIG is used", []
    elif product_gap and number_status not in ("match", "partial", "mismatch") and not flags:
        verdict, lead, rows = "not_assessable", "no row in the base states this product fact", []
    elif body and number_status not in ("match", "partial", "mismatch"):
        verdict, lead, rows = "not_assessable", f"the base does not hold the {body} guidance the sentence cites", []
    elif (_TRANSMISSION_RE.search(sentence) and number_status not in ("match", "partial", "mismatch")
          and not any(_TRANSMITTED_ROW_RE.search(f"{r.outcome} {r.text}") for r in evidence.safety_rate_rows + rows)):
        verdict, lead, rows, flags = "not_assessable", "no row in the base gives a risk of infection passed on by IVIG", [], []
    elif _SCALE_RE.search(sentence) and number_status not in ("match", "partial", "mismatch"):
        verdict, lead, rows, flags = "not_assessable", "says how a measure is scored, not what a study found", [], []
    elif (domain == "dosing" and _SETTING_RE.search(sentence) and number_status not in ("match", "partial", "mismatch")
          and not any(_SETTING_RE.search(f"{r.outcome} {r.text}") for r in rows)):
        # "given by a nurse in an infusion centre over several hours": the label's rates give the hours, nothing the place
        if _HOURS_RE.search(sentence) and rows:
            verdict, lead = "partly_supported", "the label's infusion rates imply hours; no row states where or by whom IVIG is given"
        else:
            verdict, lead, rows, flags = "not_assessable", "no row in the base states where or by whom IVIG is given", [], []
    elif _FORECAST_RE.search(sentence) and number_status not in ("match", "partial", "mismatch"):
        verdict, lead, rows, flags = "not_assessable", "a forecast of what will happen, not a finding", [], []
    elif _OPINION_RE.search(sentence) and number_status not in ("match", "partial", "mismatch"):
        verdict, lead, rows, flags = "not_assessable", "reports what some people think or once suggested, not a finding", [], []
    elif _RESEARCH_NEEDS_RE.search(sentence) and number_status not in ("match", "partial", "mismatch"):
        verdict, lead, rows, flags = "not_assessable", "says what research should do, not what it found", [], []
    elif (about_other_treatment(sentence, context) and domain != "steroid_sparing" and not focus
            and not (domain == "treatment_position" and _STANDARD_FIRST_RE.search(sentence))
            and number_status not in ("match", "partial", "mismatch")):
        verdict, lead = "not_assessable", "about other treatments; the base holds IVIG evidence"
        rows, flags = [], [f for f in flags if f == "figure_without_source"]
    elif unheld and number_status not in ("match", "partial"):
        verdict, lead = "not_assessable", "about a study the page reports and the base does not hold"
        if figures and "figure_without_source" not in flags:
            flags.append("figure_without_source")
    elif figures and elsewhere:
        verdict, lead = "not_assessable", "no evidence in the base for the study it cites"
    elif number_status == "mismatch":
        wrong = next((d for d in number_detail.split(" | ") if "mismatch" in d or NUMBER_TREATED in d),
                     next((d for d in number_detail.split(" | ") if " vs " in d), number_detail))
        verdict, lead = "contradicted", f"the stated figure disagrees: {wrong}"
    elif ("null_trial" in flags and (subtype != "myositis" or _UNIVERSAL_RE.search(sentence)) and rows and not hedged
          and (_STRICT_IVIG_RE.search(f"{context} {sentence}") or focus or _IVIG_RE.search(sentence))):
        # "works for all types of myositis" is contradicted by one subtype's null trials, like a claim about that subtype.
        verdict, lead = "contradicted", "efficacy stated where controlled trials were null"
    elif managing and not rows:
        verdict, lead = "not_assessable", "no row in the base shows how this harm is prevented or managed"
    elif not rows and finding is None and efficacy and not hedged and domain != "treatment_position":
        # "IVIG improves survival" with no study behind it: a benefit asserted, none shown.
        verdict, lead = "not_supported", "no study in the base shows this benefit"
    elif (_COST_RE.search(sentence) and number_status != "mismatch"
          and not EFFICACY_RE.search(_COST_RE.sub(" ", sentence))):  # "clinically and cost-effective": the benefit is judged
        verdict, lead = "not_assessable", "the base holds no cost, price or insurance data"
    elif not rows and finding is None:
        verdict = "not_supported" if figures and about_ivig else "not_assessable"
        lead = "no evidence in the base"
    elif "incidence_vs_prevalence" in flags and OTHER_MEASURE in number_detail:
        verdict, lead = "not_supported", "the figure is the base's yearly incidence, not a prevalence" if _PREVALENCE_RE.search(
            sentence) else "the figure is the base's prevalence, not a yearly incidence"
        rows = own_rows + [r for r in rows if r not in own_rows]
        basis = _cite(rows)
    elif "figure_without_source" in flags and (not rows or number_status == "nothing to compare"):
        # The base holds no figure of that kind to hold it against: it can neither back nor refute it.
        verdict, lead = "not_assessable", "no row in the base gives this figure"
    elif ("figure_without_source" in flags or "comparison_without_evidence" in flags
          or (any(a.startswith(("'proven'", "'proved'", "'proves'")) for a in absolute) and not proven_somewhere)):
        verdict, lead = "not_supported", "not borne out by the base"
    elif flags or number_status == "partial":
        verdict, lead = "partly_supported", "overstated or only partly backed"
    elif (number_status == "match" and _SEVERAL_STUDIES_RE.search(sentence)
          and len({r.study for r in rows if r.id in row_ids_in(number_detail)}) == 1):
        # "several prospective studies show 70%": the base has the figure from one study only
        one_study = next(r.label or r.study for r in rows if r.id in row_ids_in(number_detail))
        verdict, lead = "partly_supported", f"the figure comes from one study in the base ({one_study}), not several"
    elif (domain == "composite" and not EFFICACY_RE.search(sentence) and not figures and number_status != "match"
          and not _negated(sentence)
          and not focus and not _EVIDENCE_TALK_RE.search(f"{context} {sentence}")):
        # No outcome named and no benefit claimed ("the doctor may order a saline drip"): nothing to weigh.
        verdict, lead = "not_assessable", "no evidence in the base: the sentence names no outcome or benefit the base reports"
    elif domain == "mechanism" and _IMMUNE_RE.search(sentence):
        verdict, lead = "not_assessable", "no study of how IVIG acts on the immune system is in the base"
    elif domain == "mechanism" and _TISSUE_RE.search(sentence) and any(_TISSUE_RE.search(r.outcome) for r in rows):
        verdict, lead = "partly_supported", "the base shows tissue changes after IVIG, not how IVIG acts"
    elif domain == "mechanism":
        verdict, lead = "not_assessable", "no study of how IVIG acts is in the base"
    elif (domain in EFFICACY_DOMAINS and _TEMPERED_RE.search(sentence) and EFFICACY_RE.search(sentence)
          and finding and (finding.null or finding.certainty in CERTAINTY_LOW) and rows):
        # "only marginal improvement", "inconclusive": what null or weak trials show
        verdict, lead = "supported", "consistent with the base: the trials found little or no benefit"
    elif (domain == "safety" and _COMMON_RE.search(sentence) and not _HEDGE_RE.search(sentence.replace("often", ""))
          and any(r.percent is not None and r.percent >= 5 for r in rows)):
        verdict, lead = "supported", "consistent with the base: the harm is common in the rows"
    elif (finding and finding.certainty in CERTAINTY_LOW and not hedged and not reports_a_study
          and (efficacy or (domain == "safety" and finding.certainty == "very_low" and not _ADVICE_RE.search(sentence)))):
        verdict, lead = "partly_supported", f"stated firmly on {certainty} evidence"
    elif managing and rows and _EFFECT_CLAIMED_RE.search(sentence) and not any(
            r.kind == "between_arm" or _COMPARED_RE.search(r.outcome) for r in rows):
        # "a slower rate prevents reactions": the label advises it, no row measured what it prevents
        verdict, lead = "partly_supported", "the base gives the advice, not a measured effect of it"
    elif ((efficacy or domain in EFFICACY_DOMAINS) and rows and number_status != "match" and not reports_a_study
          and (m := _INTENSIFIER_RE.search(sentence)) and not (finding and finding.certainty == "high")):
        # "worked extremely well", "life-changing": more than moderate or lower certainty evidence shows
        graded = f"{finding.certainty.replace('_', ' ')} certainty evidence" if finding and finding.certainty else "the base"
        verdict, lead = "partly_supported", f"'{m.group(0).lower()}' says more than {graded} shows"
    elif rows:
        verdict, lead = "supported", "consistent with the base"
    elif not about_ivig:
        verdict, lead = "not_assessable", "describes the disease, not IVIG; no row in the base states it"
    else:
        verdict, lead = "not_assessable", "no evidence in the base"
    approval = _approval_check(sentence, subtype, evidence) if domain == "regulatory" and not _FORECAST_RE.search(sentence) else None
    if approval and number_status != "mismatch":
        verdict, lead, rows = approval
        basis = _cite(rows)
        flags = [f for f in flags if f != "absolute_word"] if verdict == "supported" else flags
    similar = _similarity_check(sentence, domain, rows, evidence, hosts) if number_status != "mismatch" else None
    if similar:
        verdict, lead, rows = similar
        basis = _cite(rows)
    position = (_position_check(sentence, subtype, evidence, hosts)
                if domain == "treatment_position" and number_status != "mismatch" and not approval
                and not _USAGE_RE.search(sentence) and not unheld and not about_other_treatment(sentence, context)
                and not body else None)  # guidance from a body the base does not hold is not replaced by other bodies
    if position:
        verdict, lead, rows = position
        basis = _cite(rows)
    citation = _citation_check(sentence, evidence)
    if citation:
        verdict, lead, rows = citation
        basis = _cite(rows)
    first_trial = _first_study_check(sentence, focus, evidence, hosts) if number_status != "mismatch" else None
    if first_trial:
        verdict, lead, rows = first_trial
        basis = _cite(rows)
        flags = flags + ["absolute_word"] if "absolute_word" not in flags else flags
    steroids_first = (_standard_first_check(sentence, subtype, evidence, hosts)
                      if not (position or approval) and number_status != "mismatch" else None)
    if steroids_first:
        verdict, lead, rows = steroids_first
        basis = _cite(rows)
    guidance = [r for r in evidence.recommendation_rows if allowed_row(r, hosts)
                and (r.subtype in (subtype, "myositis") or subtype == "myositis")]
    unaddressed = _unaddressed_situations(f"{context} {sentence}", guidance) if domain == "treatment_position" else []
    if unaddressed and verdict in ("supported", "partly_supported"):
        # "an option for maintenance, or in pregnancy": the guidance in the base is silent on pregnancy.
        named = ", ".join(unaddressed)
        if verdict == "supported" and _position(sentence):
            verdict, lead = "partly_supported", f"guidance in the base says nothing on {named}; {lead}"
        elif verdict == "supported":
            verdict, lead, rows, basis = "not_assessable", f"no guidance in the base speaks to {named}", [], ""
    # A judged claim lends its verdict only where the checks here found nothing to weigh against it.
    # a verdict a specific check reached (approval, treatment position, similar arms, a rule that the base cannot
    # speak to it) is not replaced by a look-alike claim
    unchecked = (not flags and number_status not in ("partial", "mismatch") and verdict != "contradicted"
                 and not (approval or position or similar or steroids_first or first_trial or citation or ruled_out))
    claim = registered_claim(sentence, subtype, evidence, doc_id) if unchecked else None
    if claim is not None and claim.figure in vocab.VERDICT:
        by_id = evidence.numeric_rows
        cited = [by_id[c] for c in claim.cites if c in by_id and not (by_id[c].url and _host(by_id[c].url) in hosts)]
        verdict = claim.figure
        lead = f"as registered claim {claim.id} ({claim.study}): {claim.label}"
        rows = cited[:MAX_EVIDENCE] or rows
        basis = _cite(rows)
    if verdict == "not_assessable" and not (claim is not None and rows) and set(flags) <= {"figure_without_source"}:
        # Nothing in the base decides it: the nearest rows would be padding, not evidence.
        rows, basis = [], ""
    parts = [lead] + notes
    if number_status in ("partial", "match") and verdict != "not_assessable":
        parts.append(f"figures: {number_detail.split(' | ')[0]}")
    if certainty and rows:
        parts.append(certainty)
    if basis:
        parts.append(f"rests on {basis}")
    return Judgement(verdict, "; ".join(dict.fromkeys(parts)), rows, flags)


def severity(verdict: str) -> int:
    """Weakest first in the report: contradicted, not supported, partly, not assessable, supported."""
    return {"contradicted": 0, "not_supported": 1, "partly_supported": 2, "not_assessable": 3, "supported": 4}.get(verdict, 5)
