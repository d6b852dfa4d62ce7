"""Sections, subtype and domain tags, and which sentences are statements."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numbers import extract_quantities
from .read import Block, Document

# ------------------------------------------------------------------------- sections

REFERENCE_HEADING_RE = re.compile(
    r"^\W*(references?|bibliography|sources|works cited|citations|literature cited|further reading)\b", re.I)
SERVICE_HEADING_RE = re.compile(
    r"\b(disclaimer|contact us|about us|privacy|terms of (use|service)|copyright|related (posts|articles)|share this)\b", re.I)


@dataclass
class Section:
    """The text under one heading (the first section may have no heading)."""

    title: str
    level: int
    blocks: list[Block] = field(default_factory=list)
    subtype: str | None = None  # named by this heading or the nearest enclosing one

    @property
    def is_references(self) -> bool:
        return bool(REFERENCE_HEADING_RE.match(self.title))

    @property
    def is_service(self) -> bool:
        return bool(SERVICE_HEADING_RE.search(self.title))


def split_sections(doc: Document) -> list[Section]:
    """Sections in order; each inherits the subtype its heading (or a parent heading) names."""
    sections = [Section("", 0)]
    stack: list[tuple[int, str | None]] = []
    for block in doc.blocks:
        if block.kind != "heading":
            sections[-1].blocks.append(block)
            continue
        while stack and stack[-1][0] >= block.level:
            stack.pop()
        named = named_subtype(block.text)
        inherited = next((s for _, s in reversed(stack) if s), None)
        stack.append((block.level, named))
        sections.append(Section(block.text.rstrip(":").strip(), block.level, subtype=named or inherited))
    return [s for s in sections if s.blocks or s.title]


# --------------------------------------------------------------------------- tagging

_SUBTYPE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("jdm", re.compile(r"\bjuvenile\b|\bJDM\b|\bchild(?:ren|hood)?\b|\bp(?:a)?ediatric|\bteens?\b|\badolescen", re.I)),
    ("ibm", re.compile(r"inclusion[\s-]+body\s+myositis|\bs?IBM\b", re.I)),
    ("imnm", re.compile(r"necroti[sz]ing|\bIMNM\b|\bNAM\b|\banti-?HMGCR\b|\bHMG-?CoA reductase\b|\banti-?SRP\b"
                        r"|\bstatin[- ](?:triggered|associated|induced|related) (?:autoimmune |immune[- ]mediated )?myopath", re.I)),
    ("dm", re.compile(r"(?i:dermatomyositis)|\bDM\b")),
    ("pm", re.compile(r"(?i:polymyositis)|\bPM\b")),
]


# The family named as such ("for myositis", "in inflammatory myopathies"), not "this form of myositis".
_FAMILY_RE = re.compile(
    r"(?<!this )(?<!that )(?<!such )(?<!form of )(?<!type of )\b(?:myositis|(?:idiopathic )?inflammatory myopath\w*|IIMs?)\b", re.I)
_EXCLUDED_RE = re.compile(
    r"\b(?:excluding|except(?:\s+for)?|other than|apart from|but not|not including|without)\s+[^.;:()]*", re.I)


def mentioned_subtypes(text: str) -> list[str]:
    """Subtype codes a text names, leaving out those it excludes ("myopathies excluding inclusion body
    myositis"); juvenile wins over dermatomyositis (JDM is DM in children)."""
    text = _EXCLUDED_RE.sub(" ", text)
    found = [code for code, pattern in _SUBTYPE_PATTERNS if pattern.search(text)]
    if "jdm" in found and "dm" in found:
        found.remove("dm")
    return found


def named_subtype(text: str) -> str | None:
    """The one subtype a heading or title names, or None when it names none or several."""
    found = mentioned_subtypes(text)
    return found[0] if len(found) == 1 else None


_DISEASE_RE = re.compile(r"myosit|myopath", re.I)


def document_subtype(doc: Document, sections: list[Section]) -> str:
    """The subtype the title names, else 'myositis'.

    The title is the file's own title (HTML <title>, Word core title) or else the
    first heading that names the disease at all: a page may open with a banner or an
    image caption ('IV drip') before its real title.
    """
    # A plain-text page often opens with its title as a first line of its own (no full stop).
    opening = [b.text for b in doc.blocks[:1] if len(b.text) <= 200 and not b.text.rstrip().endswith(".")]
    for text in [doc.title] + opening + [s.title for s in sections if s.title]:
        if text and (_DISEASE_RE.search(text) or mentioned_subtypes(text)):
            return named_subtype(text) or "myositis"
    return "myositis"


# "Especially in DM", "including a trial in DM", "among them a DM trial": an example, not the claim's population.
_EMPHASIS_RE = re.compile(
    r"\b(?:especially|particularly|in particular|notably|including|among them|among which)\b[^.;:\u2014]*", re.I)


def tag_subtype(sentence: str, section_subtype: str | None, default: str, carried: str | None = None) -> str:
    """Subtype of one sentence: what it names, else the one the sentence before named, else its
    section's, else the document's.

    A subtype named only for emphasis ("helps many patients, especially those with
    dermatomyositis") does not narrow the claim, which is about the patients in general. A
    sentence naming several subtypes ("effective in PM/DM") is about the family, unless its
    section's heading names one of them (an IBM section contrasting IBM with PM/DM).
    """
    found = mentioned_subtypes(_EMPHASIS_RE.sub("", sentence))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        return section_subtype if section_subtype in found else "myositis"
    if carried and _FAMILY_RE.search(sentence):
        carried = None  # "approved for myositis": the family, whatever the sentence before named
    return carried or section_subtype or default


def _any(*alternatives: str, ignore_case: bool = True) -> re.Pattern[str]:
    """One regex matching any of the alternatives (kept one per line so a reviewer can read them)."""
    return re.compile("|".join(alternatives), re.I if ignore_case else 0)


# Order breaks ties: the more specific domain comes first.
DOMAIN_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("regulatory", _any(
        r"\bFDA\b", r"\bEMA\b", r"\bapprov(?:al|ed|es)\b", r"\bindicat(?:ed|ion)\b", r"\blicen[cs]ed\b", r"\boff[- ]label\b")),
    ("survival", _any(r"\bsurviv", r"\bmortality\b", r"\bdeaths?\b", r"\blife expectancy\b", r"\bdie[sd]?\b", r"\bfatal")),
    ("dosing", _any(
        r"\d\s*(?:g|grams?|mg)\s*(?:/|per)\s*(?:kg|kilo)", r"(?<!steroid )(?<!prednisone )\bdos(?:e|es|ing|age)\b(?!\s+(?:of\s+)?(?:cortico|gluco)?(?:steroid|corticoid|prednis|methylpred))",
        r"\bover (?:several|a few|\d+(?:\s*(?:-|to)\s*\d+)?) hours\b", r"\bthrough an? (?:intravenous|IV) line\b",
        r"\b(?:into|through) a vein\b", r"\bgiven (?:each|every) day\b", r"\bevery\s+(?:\d+|other)\b",
        r"\bonce a month\b", r"\bmonthly\b", r"\bconsecutive days\b", r"\bmaintenance\b", r"\binfusion (?:rate|schedule)",
        r"\bstart(?:s|ed)? slowly\b", r"\binfusions? (?:can |may |usually |often )?tak(?:e|es|ing)\b", r"\bschedule\b",
        r"\bloading\b", r"\bm[gl]\s*/\s*kg\s*/", r"\b(?:maximum|initial|starting|infusion) rates?\b")),
    ("product", _any(
        r"gamunex", r"privigen", r"octagam", r"gammagard", r"panzyga", r"hizentra", r"flebogamma", r"gammaked",
        r"bivigam", r"asceniv", r"gammaplex", r"sucrose", r"\bbrands?\b", r"\bdonors?\b", r"\bdonated\b", r"\bplasma\b",
        r"\bpooled from\b")),
    ("safety", _any(
        r"headache", r"meningitis", r"kidney", r"\brenal\b", r"thrombo", r"\bclots?\b", r"\bVTE\b", r"\bDVT\b", r"\bembolism", r"side[- ]effects?", r"adverse",
        r"\breactions?\b", r"chest pain", r"\bbreath", r"hydrat", r"\bhives\b", r"allerg", r"\bfever\b", r"chills", r"nausea", r"anaphyla", r"allerg", r"hives", r"ha?emoly", r"\bstroke\b",
        r"tolerat", r"\bsafe(?:ly|ty)?\b", r"\brisks?\b", r"\bcomplications?\b", r"pre-?medicat", r"acetaminophen",
        r"paracetamol", r"antihistamine", r"\bsymptoms (?:usually )?(?:appear|fade|resolve)", r"\bclose(?:ly)? monitor\w*", r"\bblood pressure\b",
        r"\blab(?:oratory)? tests?\b", r"\bserious (?:\w+ )?events?\b", r"\bTEAEs?\b")),
    ("time_to_response", _any(
        r"\b(?:within|after|in)\s+(?:just\s+)?(?:a few|several|\d+(?:\s*(?:-|to)\s*\d+)?)\s+(?:days|weeks|months)\b",
        r"\b(?:weeks|months) (?:to|before) (?:improve|respond|see|notice|work)", r"\bquickly\b", r"\bsooner\b",
        r"\bfaster\b", r"\btimeline\b")),
    ("enzymes", _any(r"\bCK\b", r"creatine (?:phospho)?kinase", r"aldolase", r"\benzymes?\b")),
    ("swallowing", _any(r"swallow", r"dysphagia")),
    ("skin", _any(r"\brash(?:es)?\b", r"\bskin\b", r"cutaneous", r"\bCDASI\b", r"\bGottron", r"heliotrope")),
    ("lung", _any(r"\blungs?\b", r"\bILD\b", r"interstitial", r"pulmonary")),
    # Steroid sparing is a fall in the steroid dose; a steroid named as earlier or concurrent treatment is not.
    ("steroid_sparing", _any(
        r"steroid[- ]sparing", r"(?:reduc|lower|taper|cut|wean|decreas|spar|fall|less|avoid)\w*\s+(?:\w+\s+){0,4}?(?:cortico)?steroid",
        r"(?:steroid|prednison\w*|glucocorticoid)s?\s+(?:can|could|may|were|was)\s+(?:be\s+)?(?:avoided|spared|withdrawn|stopped)",
        r"(?:reduc|lower|taper|cut|wean|decreas|spar)\w*\s+(?:\w+\s+){0,4}?(?:prednison|glucocorticoid)",
        r"(?:steroid|prednison\w*|glucocorticoid)s?\s+(?:doses?|use|needs?|requirements?)\s+(?:\w+\s+)?(?:fell|fall|come down|dropped|drop|reduc|lower|decreas)",
        r"(?:steroid|prednison\w*|glucocorticoid)s?\s+doses?\s+(?:were|was|could be|can be)\s+(?:reduc|lower|taper|cut)")),
    ("strength", _any(r"strength", r"\bweak(?:ness)?\b", r"\bstronger\b", r"\bMMT")),
    ("mechanism", _any(
        r"antibod", r"immune system", r"cytokine", r"receptor", r"\bT[- ]cells?\b", r"\bimmune cells\b", r"complement",
        r"\bFc\b", r"\bworks by\b", r"\binflammation\b", r"\bregenerat\w*", r"\bdamaging process", r"\bimmune (?:response|activity|attack)", r"\bmodulat")),
    ("function_qol", _any(
        r"quality of life", r"daily (?:life|activities|tasks)", r"mobility", r"\bfunction", r"independen", r"endurance",
        r"stamina", r"stairs")),
    ("treatment_position", _any(
        r"\bfirst[- ]line\b", r"\bsecond[- ]line\b", r"\bthird[- ]line\b", r"\badd[- ]on\b", r"\bwhen (?:other|standard|first)",
        r"\bdo(?:n['\u2019]t| not) respond\b", r"\brefractory\b", r"\bresistant to\b", r"\bafter (?:other|standard) treatments",
        r"\brecommend\w*", r"\badvised?\b", r"\bsalvage\b", r"\breserved?\b", r"\bnext step\b", r"\bfirst step\b",
        r"\b(?:aren['\u2019]t|are not|isn['\u2019]t|is not) (?:working|effective|enough)", r"\bdespite\b",
        r"\b(?:can|may|should) be (?:used|given|considered|tried)\b", r"\b(?:can|may|could) be treated with\b", r"\bearly in (?:the )?(?:course|treatment|disease)",
        r"\bsuit(?:s|able)?\b", r"\bcandidates?\b", r"\binduction\b", r"\bflares?\b",
        r"\bwhen (?:\w+\s){0,5}?(?:fail|do not work|don['\u2019]t work|are not enough|stop working)",
        r"\bshould (?:all )?(?:receive|get|be given|be offered|be treated with)\b",
        r"\b(?:has|have|had) not responded\b", r"\bfail(?:ed|s)? to respond\b", r"\bunresponsive\b",
        r"\btreatment[- ]resistant\b", r"\bresists? treatment\b", r"\badjunct(?:ive)?\b", r"\binstead of\b",
        r"\b(?:together|in combination|combined) with\b", r"\bmost (?:commonly |often |frequently )?used\b",
        r"\b(?:are|is) (?:usually |first |initially )?treated (?:first |initially )?with\b",
        r"\b(?:has|have) (?:long |traditionally |usually )?been treated with\b",
        r"\bone of the best (?:drugs|treatments|therapies|options)\b", r"\b(?:an? )?(?:essential|key|main) part of\b",
        r"\bthe use of\b", r"\b(?:is|are) used (?:for|in|to treat)\b", r"\bresists? (?:every|all|any) (?:therapy|treatment)",
        r"\btreatment options?\b", r"\bcontroversial\b",
        r"\b(?:put forward|proposed|suggested) as an? (?:possible |potential |new )?(?:treatment|therapy|option)\b",
        r"\brespond\w* (?:well )?(?:enough )?to (?:standard|conventional|first-line|usual|initial) (?:treatment|therapy)",
        r"\b(?:has|have) not worked\b", r"\b(?:is|are) added\b", r"\badded (?:early|to)\b", r"\bstandard (?:treatment|therapy) (?:of|for)\b",
        r"\busual treatment (?:of|for)\b")),
    ("composite", _any(r"\bTIS\b", r"total improvement score", r"response rate", r"responders?", r"\bremission\b")),
    ("epidemiology", _any(
        r"\bage[sd]?\b", r"years old", r"\brare\b", r"diagnos", r"prevalen",
        r"\bincidence\b", r"autoimmune", r"\bcause[sd]?\b", r"\btargets?\b")),
]
DEFAULT_DOMAIN = "composite"  # an efficacy statement that names no outcome: overall response
_NOT_OUTCOMES = frozenset({"epidemiology", "mechanism", "product", "regulatory"})


_RARE_CONDITION_RE = re.compile(r"\b(?:ultra-?)?rare (?:\w+ )?(?:disease|disorder|condition|illness)\b", re.I)
_NOT_DOMAIN_RE = re.compile(
    r"\(?under the skin\)?|\bsubcutaneous(?:ly)?\b|\bskin test"
    r"|\banti-?[\w-]+\s+(?:auto)?antibod\w*|\bautoantibod\w*(?:\s+against\s+[\w-]+(?:\s+reductase)?)?", re.I)
_DISEASE_FACT_RE = re.compile(
    r"\b(?:affects?|affected|causes?|causing|characteri[sz]ed|symptoms?|refers to|is a (?:rare )?(?:type|form|condition|disease)|develops?|"
    r"diagnos\w*|targets?|begins?|starts? in|onset|progress(?:es)?|includes?|covers?|goes? with|go with|marks?)\b", re.I)
_OVERALL_EFFICACY_RE = re.compile(r"\beffective(?:ness)?\b|\befficacy\b|\bbenefi(?:t|cial)\b|\bworks\b", re.I)
_ABOUT_TREATMENT_RE = re.compile(r"\bIVI?G\b|immun[eo]\s*globulin|\binfusion|\btreat|\btherap|\bdose", re.I)


# Words that describe who was treated ("refractory", "despite steroids"), not where IVIG stands.
_POPULATION_RE = re.compile(
    r"\brefractory\b|\bresistant to\b|\btreatment[- ]resistant\b|\bresists? (?:other )?treatment\b|\bunresponsive\b"
    r"|\bdespite\b|\b(?:has|have|had) not responded\b"
    r"|\bearly in (?:the )?(?:course|treatment|disease)|\bstart(?:ed|ing)? early\b", re.I)
_IMPROVED_RE = re.compile(r"\b(?:better|best|strongest) (?:results|outcomes?)\b|\bworks? best\b|\bimprov\w*|\brespond(?:ed|s)?\b(?! to (?:first|other|standard))|\bresponse\b|\bhelp(?:s|ed)?\b|\bbenefit\w*", re.I)
_TRIAL_DESIGN_RE = re.compile(
    r"\benrol\w*|\btook part\b|\bparticipants were\b|\bwere eligible\b|\binclusion criteria\b|\bphase (?:3|III|2|II)\b"
    r"|\bdouble[- ]blind\w*|\bplacebo[- ]controlled\b|\brandomi[sz]ed\b", re.I)
_GAIN_RE = re.compile(r"\bimprov\w*|\brelief\b|\brespon(?:d|ds|ded|se|ders?)\b|\bbetter\b", re.I)  # a benefit, not a disease fact
_WORKS_RE = re.compile(r"\bwork(?:s|ed)?\b|\beffective\b", re.I)
_SKIN_AND_MUSCLE_RE = re.compile(r"\b(?:skin|cutaneous) and muscle|\bmuscles? and (?:the )?skin\b", re.I)


def tag_domain(sentence: str) -> str:
    """The outcome domain whose synonyms the sentence uses most (ties: the more specific).

    "Under the skin" (a route) is not the skin domain; a sentence that describes the
    disease (affects, causes, symptoms) without naming a treatment is epidemiology; an
    improvement in "refractory" patients is an outcome, not a place in the treatment
    sequence; benefit to "skin and muscle" together is an overall response.
    """
    sentence = _NOT_DOMAIN_RE.sub(" ", sentence)
    if not _ABOUT_TREATMENT_RE.search(sentence) and any(q.kind == "rate" for q in extract_quantities(sentence)):
        return "epidemiology"  # "affects about 10 in every 1 million people each year"
    counts = {code: len(pattern.findall(sentence)) for code, pattern in DOMAIN_PATTERNS}
    if counts["treatment_position"] and _IMPROVED_RE.search(sentence):
        if counts["treatment_position"] <= len(_POPULATION_RE.findall(sentence)):
            counts["treatment_position"] = 0  # only population words: no place in the sequence is claimed
    if _SKIN_AND_MUSCLE_RE.search(sentence) and _IMPROVED_RE.search(sentence) and not _DISEASE_FACT_RE.search(sentence):
        counts["composite"] += counts["skin"] + 1
        counts["skin"] = 0
    if (_TRIAL_DESIGN_RE.search(sentence) and not _GAIN_RE.search(sentence) and not _WORKS_RE.search(sentence)
            and not any(counts[code] for code in LISTED_OUTCOMES + ("safety", "dosing", "regulatory", "composite"))):
        return "epidemiology"  # "the trial enrolled 95 adults with active DM": who was studied, not an outcome
    treatment = counts["safety"] or counts["dosing"] or counts["regulatory"] or _ABOUT_TREATMENT_RE.search(sentence)
    if _RARE_CONDITION_RE.search(sentence) and not treatment and not _GAIN_RE.search(sentence):
        return "epidemiology"  # "although it is a rare disease, it brings weakness and rashes": how common it is
    if _DISEASE_FACT_RE.search(sentence) and not treatment and not counts["mechanism"] and not _GAIN_RE.search(sentence):
        return "epidemiology"
    best = max(counts.values())
    if best == 0:
        return DEFAULT_DOMAIN
    if (counts["safety"] and _OVERALL_EFFICACY_RE.search(sentence) and not any(counts[code] for code in LISTED_OUTCOMES)
            and counts["treatment_position"] <= counts["safety"]):  # "when steroids aren't effective or cause side effects": a position
        return DEFAULT_DOMAIN  # "safe and effective": a claim of overall benefit, safety included
    return next(code for code, _ in DOMAIN_PATTERNS if counts[code] == best)


# An efficacy sentence that lists several outcomes ("stronger muscles, clearer skin and easier
# swallowing") makes one claim per outcome, and each outcome has its own evidence.
LISTED_OUTCOMES = ("strength", "skin", "swallowing", "enzymes", "lung", "steroid_sparing", "function_qol", "mechanism",
                   "time_to_response")


def listed_domains(sentence: str, primary: str) -> list[str]:
    """The outcome domains a sentence claims, the tagged one first; one only unless it lists outcomes
    ("monthly IVIG gave strength, clearer skin": dosing, strength and skin) or joins benefit and
    safety ("safe and effective": composite and safety)."""
    if primary in ("epidemiology", "safety", "product"):
        return [primary]
    text = _NOT_DOMAIN_RE.sub(" ", sentence)
    patterns = dict(DOMAIN_PATTERNS)
    listed = [primary] + [code for code in LISTED_OUTCOMES if code != primary and patterns[code].search(text)]
    if primary == DEFAULT_DOMAIN and patterns["safety"].search(text) and _OVERALL_EFFICACY_RE.search(text):
        listed.append("safety")  # "safe and effective": the safety half has its own evidence
    return listed


# ------------------------------------------------------------------------ filtering

_CHECKABLE_RE = _any(
    r"\d", "%",
    # efficacy and evidence
    r"\bimprov", r"\beffect(?:ive|iveness)?\b", r"\befficacy\b", r"\bbenefit", r"\brespon[ds]", r"\bremission", r"\breduc",
    r"\brelie", r"\brestor", r"\bproven\b", r"\bevidence\b", r"\btrials?\b", r"\bstud(?:y|ies)\b", r"\bresearch\b",
    r"\brecommend", r"\bfirst[- ]line\b", r"\bguideline",
    # regulatory
    r"\bFDA\b", r"\bapprov", r"\blabel\b",
    # the treatment itself and its course
    r"\bIVIG\b", r"immunoglobulin", r"\bpromising\b", r"\btreatable\b", r"\bresolv", r"\bgradual", r"\bprogress", r"\bresults?\b",
    # safety
    r"\brisks?\b", r"side[- ]effects?", r"\badverse\b", r"\brare\b", r"\bcommon\b", r"\buncommon\b", r"\bheadache",
    r"\bmeningitis", r"\bkidney", r"\brenal\b", r"thrombo", r"\bclots?\b", r"\bfever\b", r"\bfatigue\b", r"\bsafe", r"\btolerat",
    r"\breactions?\b", r"chest pain", r"\bbreath", r"hydrat", r"\bhives\b", r"allerg",
    # dosing
    r"\bdos(?:e|es|ing|age)\b", r"\binfusions?\b", r"\bmonitor",
    # outcomes and disease
    r"\bstrength", r"\bweak", r"\bstronger\b", r"\brash", r"\bskin\b", r"swallow", r"dysphagia", r"\bCK\b", r"creatine kinase",
    r"aldolase", r"\benzyme", r"steroid", r"immunosuppress", r"\blungs?\b", r"interstitial", r"antibod", r"immune", r"cytokine",
    r"receptor", r"inflamm", r"myositis", r"myopath", r"\bmuscles?\b", r"daily (?:life|activities|tasks)", r"\bstairs\b",
    # time spans and people
    r"\bweeks?\b", r"\bmonths?\b", r"\bdays?\b", r"\bhours?\b", r"\byears?\b", r"\bwomen\b", r"\bchildren\b", r"\badults\b",
    r"\bage\b",
    # products
    r"gamunex", r"privigen", r"octagam", r"gammagard", r"\bIgA\b", r"\bIgG\b",
)
_SERVICE_RE = _any(
    # the publisher speaking of itself (no publisher is named: the rules hold for any page)
    r"\bour (?:team|pharmacy|nurses?|staff|services?|infusion|care team|patients|specialists?|pharmacists?|company|experts?)\b",
    r"\bwe(?:['\u2019]re| are| work| offer| provide| understand| make| help| can| also| will| have| know)\b", r"\bhere for you\b",
    # money and contact
    r"\binsurance\b", r"\bco-?pays?\b", r"\bcoverage\b", r"\bcontact us\b", r"\breach out\b", r"\bcall us\b",
    r"(?:\+?1[-. ]?)?\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b", r"\b8\d{9}\b",
    # legal and web furniture
    r"\bdisclaimer\b", r"informational purposes", r"not intended to serve as medical advice", r"hold harmless", "\u00a9",
    r"\(c\)\s*\d{4}", r"\bcopyright\b", r"all rights reserved", r"\blearn more\b", r"privacy policy", r"terms of use",
    r"\bsubscribe\b", r"newsletter", r"follow us", r"click here",
    # consent banners
    r"\bcookies?\b", r"\baccept all\b", r"\bconsent preferences\b",
)


def is_service(sentence: str) -> bool:
    """Service or marketing text: the pharmacy, its team, insurance, phones, legal boilerplate."""
    return bool(_SERVICE_RE.search(sentence))


def is_checkable(sentence: str) -> bool:
    """A statement of fact a reviewer could hold against the evidence (not a question or lead-in)."""
    text = sentence.strip()
    if len(text.split()) < 4 or text.endswith("?") or text.endswith(":"):
        return False
    if len(_CREDENTIAL_RE.findall(text)) >= 2 and not STRICT_IVIG_RE.search(text):
        return False  # a byline: "Jane Doe MD and John Roe DO, rheumatology fellows"
    return bool(_CHECKABLE_RE.search(text))


_CREDENTIAL_RE = re.compile(r"\b(?:MD|DO|PhD|MBBS|PharmD|RN|NP|PA-C|FRCP|FACR|MPH|MSc|BSc)\b")
# The product named as such (not "treatment" or "infusion"): one pattern for the tagger and the judge.
STRICT_IVIG_RE = re.compile(r"\bIVI?G\b|\bSCIG\b|immun[eo]\s*globulin|gamma\s*globulin|\bIg\b", re.I)


# ------------------------------------------------------------------------ sentences

_SEGMENTER = None


def sentences(text: str) -> list[str]:
    """Sentences of one paragraph by pysbd (rule-based, handles abbreviations and decimals)."""
    global _SEGMENTER
    if _SEGMENTER is None:
        import pysbd

        _SEGMENTER = pysbd.Segmenter(language="en", clean=False)
    # The processor's sentences, without segment()'s search of each one back in the text for its span
    # (a regex compiled per sentence: a quarter of a long document's audit time); stripped, they are the same.
    return [s.strip() for chunk in _chunks(text) for s in _SEGMENTER.processor(chunk).process() if s.strip()]


_CHUNK = 2000  # pysbd slows down faster than linearly on one very long paragraph
_BREAK_RE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(\"\u201c])")


def _chunks(text: str) -> list[str]:
    """A long paragraph cut at likely sentence ends (or, lacking any, at spaces) into pieces pysbd handles fast."""
    if len(text) <= _CHUNK:
        return [text]
    pieces, current = [], ""
    for part in _BREAK_RE.split(text):
        while len(part) > _CHUNK:
            cut = part.rfind(" ", 0, _CHUNK)
            cut = cut if cut > 0 else _CHUNK
            pieces.append(part[:cut])
            part = part[cut:].lstrip()
        if current and len(current) + len(part) + 1 > _CHUNK:
            pieces.append(current)
            current = part
        else:
            current = f"{current} {part}" if current else part
    if current:
        pieces.append(current)
    return pieces


def _merge_short_bullets(blocks: list[Block]) -> list[str]:
    """Paragraph texts; a lead-in ending ':' absorbs the short bullets after it ('include: a; b; c')."""
    texts: list[str] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        j = i + 1
        if block.kind != "bullet" and block.text.rstrip().endswith(":"):
            items: list[str] = []
            while j < len(blocks) and blocks[j].kind == "bullet" and len(blocks[j].text.split()) <= 5:
                items.append(blocks[j].text.rstrip(".;,"))
                j += 1
            if items:
                texts.append(f"{block.text.rstrip()} {'; '.join(items)}.")
                i = j
                continue
        texts.append(block.text)
        i += 1
    return texts


@dataclass
class Candidate:
    """A sentence with where it stands and what the filter decided."""

    section: str
    sentence: str
    subtype: str
    outcome_domain: str
    status: str  # "kept" | "service" | "not_checkable"
    context: str = ""  # the previous sentence, when this one refers back to it ("They start slowly.")


# "IVIG is advised for some patients in this group": the group is the one the sentence before described.
_REFERS_TO_GROUP_RE = re.compile(r"\b(?:this|these|such|those) (?:group|groups|patients|cases|settings?|situations?)\b", re.I)
_REFERS_BACK_RE = re.compile(
    r"^(?:(?:while|although|though|but|and|yet|however,?|even though|even if)\s+)?"
    r"(?:this|these|they|it|its|it['\u2019]s|their|those|such|together|both|the (?:treatment|therapy|infusions?|process|effects?))\b",
    re.I)


# A bullet item that continues a lead-in ("...for patients who:" / "Have persistent weakness despite steroids").
_BARE_VERB_RE = re.compile(
    r"(?:have|has|had|are|is|were|can['\u2019]?t|cannot|can|could|struggle|need|experience|develop|show|do|don['\u2019]t"
    r"|did|want|live|suffer|take|get|cannot|fail|respond)\b", re.I)
_ASSERTS_RE = re.compile(
    r"\b(?:is|are|can|may|helps?|improves?|causes?|works?|reduces?|treats?|lowers?|raises?|increases?|prevents?|"
    r"cures?|relieves?|restores?|protects?)\b", re.I)
_COMPOUND_RE = re.compile(r"\s*;\s+|,?\s+but\s+|,\s+while\s+|,\s+(?:al)?though\s+|,\s+whereas\s+|,\s+yet\s+", re.I)


# "How IVIG Works for JDM", "What Is IVIG", "Can IVIG Help?": a topic put as a question, asserting nothing.
_QUESTION_HEADING_RE = re.compile(
    r"(?:\d+[.)]\s*)?(?:how|what|why|when|who|which|where|is|are|can|does|do|should|will)\b", re.I)


def heading_asserts(title: str) -> bool:
    """A heading that states something ("IVIG improves strength in DM"), not a topic or a question."""
    text = title.strip()
    return bool(text) and not text.endswith("?") and not _QUESTION_HEADING_RE.match(text) and len(text.split()) >= 4 \
        and bool(_ASSERTS_RE.search(text)) and is_checkable(text + ".")


_CONCESSIVE_LEAD_RE = re.compile(r"^(?:although|though|even though|whilst)\s+(?P<a>[^,;]{12,}?),\s+(?P<b>.+)$", re.I)


def split_compound(sentence: str) -> list[str]:
    """A sentence whose parts may deserve different verdicts, cut at ';', 'but', 'while', 'although'.

    Cut only when every part is a statement of its own (five words or more, checkable), so
    "safe but not for everyone" stays whole.
    """
    lead = _CONCESSIVE_LEAD_RE.match(sentence)
    # "Although it is a rare disease, dermatomyositis can bring...": the conceded clause is a claim of its own
    text = f"{lead.group('a')}; {lead.group('b')}" if lead else sentence
    parts = [p.strip(" ,;") for p in _COMPOUND_RE.split(text) if p and p.strip(" ,;")]
    if len(parts) < 2 or any(len(p.split()) < 5 or not is_checkable(p) for p in parts):
        return [sentence]
    out = []
    for i, part in enumerate(parts):
        part = part[0].upper() + part[1:] if i or lead else part
        out.append(part if re.search(r"[.!?]$", part) else part + ".")
    return out


def candidates(doc: Document) -> tuple[list[Candidate], list[Section], str]:
    """Every sentence outside the reference list, classified; also the sections and default subtype."""
    sections = split_sections(doc)
    default = document_subtype(doc, sections)
    out: list[Candidate] = []
    for section in sections:
        if section.is_references:
            continue
        carried: str | None = None  # the subtype the previous sentence named: "It" and "this form" refer back
        recent: list[str] = []  # the subtypes the sentences just before named, one each
        lead_in = ""  # "IVIG may be considered for patients who:" before its bullet items
        previous = ""
        texts = _merge_short_bullets(section.blocks)
        if heading_asserts(section.title):
            texts = [section.title.rstrip(".") + "."] + texts
        for text in texts:
            for sentence in (part for whole in sentences(text) for part in split_compound(whole)):
                if not re.search(r"[A-Za-z]{2}", sentence):
                    continue  # a stray fragment such as a lone "."
                if section.is_service or is_service(sentence):
                    status = "service"
                elif is_checkable(sentence):
                    status = "kept"
                else:
                    status = "not_checkable"
                named = named_subtype(sentence)
                if not named and len(set(recent[-2:])) > 1:
                    carried = None  # "DM responds... PM also... IBM rarely...": after a run across subtypes, the family
                subtype = tag_subtype(sentence, section.subtype, default, carried)
                carried = named or (carried if subtype == carried else None)
                recent = recent + [named] if named else []
                refers = _REFERS_BACK_RE.match(sentence.strip()) or _REFERS_TO_GROUP_RE.search(sentence)
                continues = lead_in and _BARE_VERB_RE.match(sentence.strip())
                context = lead_in if continues else previous if refers else ""
                if not continues:
                    lead_in = sentence if sentence.rstrip().endswith(":") else ""
                domain = tag_domain(sentence)
                if context and domain == DEFAULT_DOMAIN and not any(pattern.search(sentence) for _, pattern in DOMAIN_PATTERNS):
                    # "They are raised step by step": the outcome of what it refers to; "for these patients
                    # IVIG has been reported to work": a benefit, whatever the sentence before described.
                    referred = tag_domain(context)
                    benefit = _IMPROVED_RE.search(sentence) or _WORKS_RE.search(sentence)
                    domain = DEFAULT_DOMAIN if benefit and referred in _NOT_OUTCOMES else referred
                out.append(Candidate(section.title, sentence, subtype, domain, status, context))
                previous = f"{context} {sentence}".strip() if context else sentence
    return out, sections, default

