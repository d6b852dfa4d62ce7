"""Numbers a statement states, checked against the evidence.

- dose (g/kg, mg/kg): match when an IVIG arm or dosing result of the statement's
  subtype (all subtypes when none has one) gives the same dose (within 0.05 g/kg);
- days per course ("2 to 5 days"): match when the range lies within an arm's range,
  partial when the ranges only overlap, mismatch when they do not meet;
- interval ("every 3 to 4 weeks", "monthly" = 4 weeks): match when the stated
  interval is exactly an arm's interval, partial when a stated range contains it
  but also allows intervals no trial used, mismatch otherwise;
- percentages ("less than 1%", "8 of 10"): compared with each linked evidence row
  that gives a percentage (events/total, patients/n at risk); match when all
  agree, partial when some do, mismatch when none does. A stated figure agrees
  within 1 percentage point (rounding); "about X%" within 15% of X; a sentence
  stating several percentages (one per subgroup) needs one agreeing row for each;
- counts ("95 patients"): match when a linked row, its study's enrolment or its
  arm's size has that number;
- other spans (hours, ages, months to improve) are listed but not compared.
The sentence's verdict is the worst of its checks (mismatch, partial, match).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .match import EvidenceRow, Regimen

CHECK_ORDER = {"mismatch": 3, "partial": 2, "match": 1, "nothing to compare": 0}

# ------------------------------------------------------------------------- numbers

_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBER_WORDS = {**_UNITS, **_TEENS, **_TENS, "hundred": 100}
_COMPOUND_RE = re.compile(rf"\b({'|'.join(_TENS)})[\s-]({'|'.join(_UNITS)})\b", re.I)
_SMALL = rf"(?:(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(_UNITS)}))?|{'|'.join(_TEENS)}|{'|'.join(_UNITS)})"
_HUNDREDS_RE = re.compile(rf"\b({'|'.join(_UNITS)}|a) hundred(?:(?: and)? ({_SMALL}))?\b", re.I)


def _small(words: str) -> int:
    """Value of 'forty-five', 'twelve' or 'seven'."""
    return sum(_NUMBER_WORDS[w] for w in re.split(r"[\s-]+", words.lower()) if w)
_NUM = r"\d+(?:\.\d+)?"
_RANGE = rf"(?P<a>{_NUM})(?:\s*(?:-|to|or)\s*(?P<b>{_NUM}))?"
# After a dose: it is given per day ("1 g/kg a day", "on each of two days"), with the number of days if stated.
_DAILY_RE = re.compile(
    r"(?:\s+(?:intravenously|IV|i\.v\.))?\s*(?:(?:(?:a|per|each|every) day|daily|/\s*day)(?:\s*(?:for|over|on)\s+(?P<n1>\d+)\s+(?:consecutive\s+)?days)?"
    r"|on each of\s+(?P<n2>\d+)\s+(?:consecutive\s+)?days)", re.I)
_DOSE_RE = re.compile(
    rf"{_RANGE}\s*(?P<unit>g|gm|grams?|mg|milligrams?)\s*(?:/|per)\s*(?:kg|kilograms?)(?:\s+of\s+body\s*weight)?"
    r"(?!\s*(?:/|per)\s*(?:min|h\b|hour))",  # not an infusion rate (mg/kg/min)
    re.I)
# "1 in 100,000 people", "10 per million": a population rate, kept per million.
_RATE_RE = re.compile(
    rf"\b(?P<n>{_NUM})(?:\s*(?:-|to)\s*(?P<n2>{_NUM}))?\s+(?:(?:new\s+)?(?:cases?|children|people|persons|adults|patients)\s+)?(?:in|per|out of|for every)\s+(?:every\s+)?(?P<m>\d+(?:\.\d+)?\s+million|\d+|a million|one million|million|a thousand)"
    r"(?:\s+(?:people|persons|individuals|adults|children|americans|inhabitants|residents|population|person-years))?", re.I)
_RESTRICTED_RE = re.compile(
    r"\b(?:over|above|older than|aged|under|younger than|beyond)\s+(?:the age of\s+)?\d+|\b(?:women|men|elderly)\b", re.I)
_YEARLY_RATE_RE = re.compile(r"\bnew cases\b|\bper year\b|\beach year\b|\ba year\b|\bannual|\bincidence\b|person-years", re.I)
# "up to a maximum of 70 g": a cap on the dose in grams, not a dose per kilogram.
_CAP_RE = re.compile(
    rf"\b(?:maximum(?: dose)?(?: of)?|max\.?|up to(?: a maximum of)?|at most|no more than|capped at)\s+(?P<a>{_NUM})\s*"
    r"(?:g|grams?)\b(?!\s*(?:/|per)\s*(?:kg|kilo))", re.I)
_INTERVAL_RE = re.compile(rf"\bevery\s+{_RANGE}\s*(?P<unit>weeks?|months?)\b", re.I)
_MONTHLY_RE = re.compile(r"\b(?:once|one time)\s+(?:a|per|every)\s+month\b|\bmonthly\b|\bevery\s+month\b", re.I)
_DAYS_RE = re.compile(
    rf"(?:(?P<a>{_NUM})\s*(?:-|to|or)\s*(?P<b>{_NUM})|(?:over|across|for|on)\s+(?P<c>{_NUM}))\s+(?:consecutive\s+)?days\b", re.I)
_PERCENT_RE = re.compile(
    r"(?P<op>less than|fewer than|under|below|up to|at most|no more than|more than|over|above|at least|about|approximately"
    rf"|around|nearly|almost|roughly|<|>|\u2264|\u2265|~)?\s*(?P<v>{_NUM})\s*(?:%|percent\b|per cent\b)", re.I)
# "1 mg/kg/min", "0.01 mL/kg/min", "2.0 mL/kg/hour": an infusion rate, per kilogram and minute.
_INFUSION_RATE_RE = re.compile(
    r"(?P<v>\d+(?:\.\d+)?)\s*(?P<u>mg|mL|ml)\s*/\s*kg\s*(?:/|per)\s*(?P<t>min(?:ute)?s?|h(?:ou)?rs?|h)\b", re.I)


def infusion_rate(match: re.Match[str]) -> tuple[float, str]:
    """(value per minute, 'mg' or 'ml') of an infusion-rate match."""
    per_hour = match.group("t").lower().startswith("h")
    return float(match.group("v")) / (60.0 if per_hour else 1.0), match.group("u").lower()


_FRACTION_RE = re.compile(r"\b(?P<a>\d+)\s+(?P<w>of|out of|in)\s+(?:every\s+|the\s+)?(?P<b>\d+)\b(?!\s*(?:%|percent))", re.I)
# "in which 12 improved", "9 of them responded": a count of patients who improved, held against events.
_IMPROVED_COUNT_RE = re.compile(
    r"\b(?P<n>\d+)\s+(?:of them\s+|patients\s+|had\s+)?(?:improved|responded|got better|recovered)\b", re.I)
_IMPROVEMENT_OUTCOME_RE = re.compile(r"improv|respon|better|remission", re.I)
# Said of a count of improvers that is the number treated, not the number who improved.
NUMBER_TREATED = "is the number treated"
# "282 treatment-related adverse events", "nine serious events": a count of events, not of patients.
_EVENTS_RE = re.compile(
    r"\b(?P<n>\d+)\s+(?:(?!patients|participants|people|adults|children|weeks|months|days)[A-Za-z][\w-]*\s+){0,3}?events\b",
    re.I)
_ROW_EVENTS_RE = re.compile(r"\b(\d+) events\b")
_COUNT_RE = re.compile(r"\b(?P<n>\d+)\s+(?:patients|participants|people|adults|children|subjects|individuals)\b", re.I)
# "a mean of 671.6 (SD 1207.9) days", "2.7 (SD 1.2) drugs": a summary figure, listed like a span.
_MEAN_SD_RE = re.compile(
    rf"(?P<a>{_NUM})\s*(?:\((?:SD|s\.d\.|standard deviation)\s*{_NUM}\)|\u00b1\s*{_NUM}|\+/-\s*{_NUM})(?:\s*[a-z]+)?", re.I)


# "rose from 3.5 to 6.2 kg", "fell from 4919 to 1125 IU/L": a measure before and after, each a row's mean.
_CHANGE_RE = re.compile(
    rf"\bfrom\s+(?:a mean of\s+)?(?P<a>{_NUM})(?:\s*[A-Za-z/]+)?\s+to\s+(?:a mean of\s+)?(?P<b>{_NUM})"
    r"(?:\s*(?:kg|IU/L|IU|U/L|points?|cm|mg/dL|g/L|mL))?", re.I)


def is_mean(q: Quantity) -> bool:
    """A mean given with its spread ("1.82 (SD 1.38)", "4919±3523 IU")."""
    return q.kind == "span" and bool(_MEAN_SD_RE.fullmatch(q.text))
_SPAN_RE = re.compile(
    rf"(?:between\s+(?P<x>{_NUM})\s+and\s+(?P<y>{_NUM})|{_RANGE})\s*(?P<unit>hours?|days?|weeks?|months?|years?)\b", re.I)
# "Octagam 10%" is a concentration, not a share of patients.
_PRODUCT_BEFORE_RE = re.compile(
    r"(octagam|privigen|gamunex(?:-c)?|gammagard(?: liquid)?|panzyga|gammaked|ivig|igg|solution)\s*$", re.I)
# "a 10% intravenous immune globulin", "10% IVIG": the concentration of the product that follows
_PRODUCT_AFTER_RE = re.compile(
    r"\s*(?:\(\s*\d+\s*(?:g|mg)/(?:ml|l)\s*\)\s*)?(?:(?:liquid|human|normal|intravenous|subcutaneous|iv|sc)\s+){0,3}"
    r"(?:immune globulin|immunoglobulin|gamma ?globulin|ivig|scig|igg|solution|liquid|product|concentration|formulation)\b", re.I)
_DOSING_CONTEXT_RE = re.compile(
    r"\bdos|infus|g/kg|grams? per|\bivig\b|immunoglobulin|maintenance|loading|course|treatment|therapy|given", re.I)
_MONITORING_RE = re.compile(r"\bvisits?\b|appointments?|check-?ins?|follow-?ups?|blood tests?|\bmonitor", re.I)
# "95% CI" is a confidence level, not a figure to check.
_CI_AFTER_RE = re.compile(r"\s*(?:CI\b|C\.I\.|confidence|credible|prediction interval)", re.I)
_OPS = {
    "less than": "<", "fewer than": "<", "under": "<", "below": "<", "<": "<", "up to": "<=", "at most": "<=",
    "no more than": "<=", "\u2264": "<=", "more than": ">", "over": ">", "above": ">", ">": ">", "at least": ">=", "\u2265": ">=",
}


@dataclass(frozen=True)
class Quantity:
    """A number a sentence states: kind, range, comparison word and the words it came from."""

    kind: str  # dose | days | interval | cap | rate | infusion_rate | percent | count | span
    low: float
    high: float
    op: str = "="
    text: str = ""

    def shown(self) -> str:
        value = _fmt(self.low) if self.low == self.high else f"{_fmt(self.low)}-{_fmt(self.high)}"
        return f"{'' if self.op in ('=', '') else self.op + ' '}{value}"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def normalise_numbers(text: str) -> str:
    """Digits for number words, ASCII hyphens for dashes, no thousands separators."""
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text.replace("\u00a0", " "))
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = _HUNDREDS_RE.sub(
        lambda m: str(100 * (1 if m.group(1).lower() == "a" else _UNITS[m.group(1).lower()]) + _small(m.group(2) or "")), text)
    text = _COMPOUND_RE.sub(lambda m: str(_TENS[m.group(1).lower()] + _UNITS[m.group(2).lower()]), text)
    words = "|".join(_NUMBER_WORDS)
    return re.sub(rf"\b({words})\b", lambda m: str(_NUMBER_WORDS[m.group(1).lower()]), text, flags=re.I)


def _range(match: re.Match[str], a: str = "a", b: str = "b") -> tuple[float, float]:
    low = float(match.group(a))
    high = float(match.group(b)) if match.group(b) else low
    return min(low, high), max(low, high)


def extract_quantities(sentence: str) -> list[Quantity]:
    """Every dose, course length, interval, percentage, count and time span the sentence states."""
    return list(_quantities(sentence))


@lru_cache(maxsize=4096)
def _quantities(sentence: str) -> tuple[Quantity, ...]:
    """extract_quantities, remembered: the number check and the judge both read each sentence."""
    text = normalise_numbers(sentence)
    taken: list[tuple[int, int]] = []
    found: list[Quantity] = []

    def free(m: re.Match[str]) -> bool:
        return not any(m.start() < end and start < m.end() for start, end in taken)

    def add(m: re.Match[str], quantity: Quantity) -> None:
        taken.append((m.start(), m.end()))
        found.append(quantity)

    dosing = bool(_DOSING_CONTEXT_RE.search(text)) and not _MONITORING_RE.search(text)
    for m in _DOSE_RE.finditer(text):
        low, high = _range(m)
        scale = 0.001 if m.group("unit").lower().startswith("m") else 1.0
        daily = _DAILY_RE.match(text, m.end())
        if daily:
            # "1 g/kg on each of two days": the course is the daily dose times the days; with no days
            # given, a daily dose is no course dose and is not compared
            days = daily.group("n1") or daily.group("n2")
            if not days:
                taken.append((m.start(), daily.end()))
                continue
            low, high = low * float(days), high * float(days)
            taken.append((m.start(), daily.end()))
        add(m, Quantity("dose", low * scale, high * scale, text=m.group(0) + (daily.group(0) if daily else "")))
    for m in _INFUSION_RATE_RE.finditer(text):
        value, unit = infusion_rate(m)
        add(m, Quantity("infusion_rate", value, value, text=f"{m.group(0)} ({value:.3g} {unit}/kg/min)"))
    for m in _RATE_RE.finditer(text):
        base = {"a million": 1e6, "one million": 1e6, "million": 1e6, "a thousand": 1e3}.get(m.group("m").lower())
        millions = re.match(r"(\d+(?:\.\d+)?)\s+million", m.group("m"), re.I)
        denominator = base or (float(millions.group(1)) * 1e6 if millions else float(m.group("m")))
        if not base and not millions and 1900 <= denominator <= 2100 and m.group(0).rstrip()[-1].isdigit():
            continue  # "2 in 2021": a year, not a population
        top = float(m.group("n2") or m.group("n"))
        if denominator >= 1000 and float(m.group("n")) <= top < denominator:
            add(m, Quantity("rate", float(m.group("n")) * 1e6 / denominator, top * 1e6 / denominator,
                            text=m.group(0).strip()))
    for m in _CAP_RE.finditer(text):
        if free(m):
            add(m, Quantity("cap", float(m.group("a")), float(m.group("a")), text=m.group(0).strip()))
    for m in _INTERVAL_RE.finditer(text):
        low, high = _range(m)
        factor = 4.0 if m.group("unit").lower().startswith("month") else 1.0
        add(m, Quantity("interval" if dosing else "span", low * factor, high * factor, text=m.group(0)))
    for m in _MONTHLY_RE.finditer(text):
        if free(m):
            add(m, Quantity("interval" if dosing else "span", 4.0, 4.0, text=m.group(0)))
    for m in _DAYS_RE.finditer(text):
        if free(m):
            low, high = _range(m) if m.group("a") else _range(m, "c", "c")
            add(m, Quantity("days" if dosing else "span", low, high, text=m.group(0)))
    for m in _PERCENT_RE.finditer(text):
        if (free(m) and not _PRODUCT_BEFORE_RE.search(text[: m.start("v")]) and not _CI_AFTER_RE.match(text, m.end())
                and not _PRODUCT_AFTER_RE.match(text, m.end())):
            op = _OPS.get((m.group("op") or "").lower(), "~" if m.group("op") else "=")
            add(m, Quantity("percent", float(m.group("v")), float(m.group("v")), op, m.group(0).strip()))
    for m in _FRACTION_RE.finditer(text):
        share = m.group("w").lower() == "in"  # "1 in 3 patients": a rounded share (1 in 1,000 or more is a rate)
        if share and int(m.group("b")) >= 1000:
            continue
        if free(m) and 0 < int(m.group("b")) and int(m.group("a")) <= int(m.group("b")):
            value = 100.0 * int(m.group("a")) / int(m.group("b"))
            # "8 of every 10" and "1 in 3" are rounded rates; "12 of the 15 patients" is an exact count.
            add(m, Quantity("percent", value, value, "~" if share or "every" in m.group(0).lower() else "", m.group(0)))
    for m in _EVENTS_RE.finditer(text):
        if free(m):
            add(m, Quantity("events", float(m.group("n")), float(m.group("n")), text=m.group(0)))
    for m in _IMPROVED_COUNT_RE.finditer(text):
        if free(m):
            add(m, Quantity("improvers", float(m.group("n")), float(m.group("n")), text=m.group(0)))
    for m in _COUNT_RE.finditer(text):
        if free(m):
            add(m, Quantity("count", float(m.group("n")), float(m.group("n")), text=m.group(0)))
    for m in _SPAN_RE.finditer(text):
        if free(m):
            low, high = _range(m, "x", "y") if m.group("x") else _range(m)
            add(m, Quantity("span", low, high, text=m.group(0).strip()))
    for m in _MEAN_SD_RE.finditer(text):
        if free(m):
            value = float(m.group("a"))
            add(m, Quantity("span", value, value, text=m.group(0).strip()))
    for m in _CHANGE_RE.finditer(text):
        if free(m):
            add(m, Quantity("change", float(m.group("a")), float(m.group("b")), text=m.group(0).strip()))
    return tuple(found)


@dataclass(frozen=True)
class Check:
    """The outcome of comparing one stated number with the evidence."""

    status: str  # match | partial | mismatch | nothing to compare
    detail: str


def _cite(items: list[Regimen], limit: int = 3) -> str:
    shown = ", ".join(f"{r.id} [{r.locator}]" for r in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _classify(q: Quantity, r: Regimen) -> str:
    """match / partial / mismatch of one stated regimen number against one regimen (rules in the module doc)."""
    if q.kind == "dose":
        return "match" if q.low - 0.05 <= r.dose <= q.high + 0.05 else "mismatch"
    if q.kind == "days":
        if r.days[0] <= q.low and q.high <= r.days[1]:
            return "match"  # "over 2 to 3 days" lies within a regimen's 2 to 5 days
        return "partial" if r.days[0] <= q.high and q.low <= r.days[1] else "mismatch"
    if q.low == q.high == r.interval:
        return "match"
    return "partial" if q.low <= r.interval <= q.high else "mismatch"


_REGIMEN_FIELD = {"dose": "dose", "days": "days", "interval": "interval"}
_REGIMEN_LABEL = {"dose": "{} g/kg", "days": "{} days per course", "interval": "every {} weeks"}


def _regimen_value(r: Regimen, kind: str) -> str:
    value = getattr(r, _REGIMEN_FIELD[kind])
    if kind == "days":
        return _fmt(value[0]) if value[0] == value[1] else f"{_fmt(value[0])}-{_fmt(value[1])}"
    return _fmt(value)


_MAINTENANCE_RE = re.compile(r"\bmaintenance\b|\blower(?:ed)?\b|\breduc\w*|\btaper\w*|\bdecreas\w*|\bonce stable\b", re.I)


def check_regimen(q: Quantity, regimens: list[Regimen], subtype: str, sentence: str = "") -> Check:
    """A stated dose, course length or interval against the IVIG regimens of the statement's subtype.

    All subtypes count when the statement is about myositis in general or its subtype
    has no regimen giving this number; when the subtype's regimens disagree, regimens of
    other subtypes that match exactly are named, for the reviewer to weigh.
    """
    label = _REGIMEN_LABEL[q.kind]
    later = bool(_MAINTENANCE_RE.search(sentence))
    # an arm's lowered later dose is the like of a maintenance statement only
    usable = [r for r in regimens if getattr(r, _REGIMEN_FIELD[q.kind]) is not None and (later or not r.maintenance)]
    if not usable:
        return Check("nothing to compare", f"{label.format(q.shown())}: no regimen in the evidence gives this")
    same = [r for r in usable if r.subtype == subtype] if subtype != "myositis" else []
    scope = same or usable
    graded = {status: [r for r in scope if _classify(q, r) == status] for status in ("match", "partial", "mismatch")}
    status = next(s for s in ("match", "partial", "mismatch") if graded[s])
    values = ", ".join(sorted({_regimen_value(r, q.kind) for r in scope}))
    who = f"{subtype} regimens" if same else "regimens"
    detail = f"{label.format(q.shown())}: {status}; {who} give {label.format(values)} ({_cite(graded[status])})"
    if status == "partial" and q.kind == "interval":
        detail += "; the stated range also allows intervals no regimen used"
    low_end_unmet = status == "match" and q.kind == "dose" and q.high - q.low > 0.1 and not any(
        abs(r.dose - q.low) <= 0.05 for r in scope)
    if low_end_unmet:
        # "1-2 g/kg": the 2 g/kg courses back the top of the range; no regimen gave the lower dose
        status = "partial"
        detail = f"{label.format(q.shown())}: partial; {who} give {label.format(values)} ({_cite(graded['match'])}); " \
                 f"none gives {label.format(_fmt(q.low))}"
    if same and status != "match" and not low_end_unmet:
        elsewhere = [r for r in usable if r.subtype != subtype and _classify(q, r) == "match"]
        if elsewhere:
            detail += f"; exactly as in other-subtype regimens {_cite(elsewhere)}"
    if status == "mismatch" and q.kind == "dose" and _MAINTENANCE_RE.search(sentence):
        # "the maintenance dose is lowered to 1 g/kg": the regimens give induction doses, no like for it
        return Check("nothing to compare", f"{label.format(q.shown())} as a maintenance or lowered dose: no regimen gives one "
                                           f"({who} give {label.format(values)})")
    return Check(status, detail)


def _agrees(q: Quantity, value: float) -> bool:
    # Exact figures agree within 1 point (printed figures are rounded); "about X%" within 15% of X.
    tolerance = max(1.0, 0.15 * q.low) if q.op == "~" else 1.0
    return {
        "<": value < q.low, "<=": value <= q.low + tolerance, ">": value > q.low, ">=": value >= q.low - tolerance,
    }.get(q.op, abs(value - q.low) <= tolerance)


def check_percent(q: Quantity, linked: list[EvidenceRow]) -> Check:
    rows = [r for r in linked if r.percent is not None]
    if not rows:
        return Check("nothing to compare", f"{q.shown()}%: no linked evidence row gives a percentage")
    parts = [f"{r.id} {_fmt(round(r.percent, 1))}% [{r.locator}]" for r in rows]
    agreeing = [r for r in rows if _agrees(q, r.percent)]
    status = "match" if len(agreeing) == len(rows) else "partial" if agreeing else "mismatch"
    stated = f"{q.shown()}%" if "%" in q.text or "percent" in q.text.lower() or not q.text else f"{q.text} ({q.shown()}%)"
    return Check(status, f"{stated} vs {'; '.join(parts)}")


def check_infusion_rate(q: Quantity, linked: list[EvidenceRow], named: frozenset[str] = frozenset()) -> Check:
    """An infusion rate agrees with a linked row stating the same rate in the same unit (mg or mL per kg).

    Rates differ by product and concentration, so one the rows do not state is not compared, unless
    the sentence names the product whose label it exceeds (`named`: ids of rows of the studies it names).
    """
    unit = q.text.rsplit(" ", 1)[-1].split("/")[0]
    stated = []
    for r in linked:
        for m in _INFUSION_RATE_RE.finditer(r.figure):
            value, row_unit = infusion_rate(m)
            if row_unit == unit:
                stated.append((r, value))
    hits = [r for r, value in stated if abs(value - q.low) <= 0.01 * max(value, q.low)]
    if hits:
        return Check("match", f"{q.text} as in {', '.join(f'{r.id} [{r.locator}]' for r in hits)}")
    shown = "; ".join(f"{r.id} {r.figure.split(': ')[-1]}" for r, _ in stated) or "no linked row gives a rate in that unit"
    own = [value for r, value in stated if r.id in named]
    if own and q.low > 1.01 * max(own):
        return Check("mismatch", f"{q.text} is above the highest rate the named product's rows give ({shown})")
    return Check("nothing to compare", f"{q.text}: not stated in the base ({shown})")


def check_events(q: Quantity, linked: list[EvidenceRow]) -> Check:
    """A count of events agrees with a row giving that many events; a row giving another number may count
    another period or arm, so only agreement is reported."""
    n = int(q.low)
    hits = [r for r in linked if n in {int(v) for v in _ROW_EVENTS_RE.findall(r.figure)}]
    if hits:
        return Check("match", f"{n} events as in {', '.join(f'{r.id} [{r.locator}]' for r in hits)}")
    return Check("nothing to compare", f"{n} events: no linked row gives that count of events")


def check_improvers(q: Quantity, linked: list[EvidenceRow]) -> Check:
    """A count of patients who improved agrees with an improvement row's events; the same number as a
    row's total (the patients treated) is a mismatch: the treated are not all improvers."""
    rows = [r for r in linked if _IMPROVEMENT_OUTCOME_RE.search(r.outcome) and len(r.counts) >= 2
            and 0 <= r.counts[0] <= r.counts[1]]
    n = int(q.low)
    hits = [r for r in rows if r.counts[0] == n]
    if hits:
        return Check("match", f"{n} improved as in {', '.join(f'{r.id} [{r.locator}]' for r in hits)}")
    totals = [r for r in rows if r.counts[1] == n]
    if totals:
        shown = "; ".join(f"{r.id} {r.outcome}: {r.counts[0]}/{r.counts[1]}" for r in totals[:4])
        return Check("mismatch", f"{n} improved: {n} {NUMBER_TREATED}; the rows give {shown}")
    return Check("nothing to compare", f"{n} improved: no improvement row of that study gives it")


def check_count(q: Quantity, linked: list[EvidenceRow]) -> Check:
    rows = [r for r in linked if r.counts]
    if not rows:
        return Check("nothing to compare", f"{q.shown()} patients: no linked evidence row gives a count")
    hits = [r for r in rows if int(q.low) in r.counts]
    if hits:
        return Check("match", f"{q.shown()} patients as in {', '.join(f'{r.id} [{r.locator}]' for r in hits)}")
    shown = "; ".join(f"{r.id}: {', '.join(map(str, r.counts))}" for r in rows)
    return Check("mismatch", f"{q.shown()} patients; linked rows give {shown}")


# Said of a rate that agrees with the other measure (a prevalence equal to the yearly incidence).
OTHER_MEASURE = "the figure is the other measure's"


def check_rate(q: Quantity, sentence: str, subtype: str, rates: list[EvidenceRow]) -> Check:
    """A population rate against the base's incidence or prevalence rows for the subtype, per million.

    Within the rows' span: match; within three-fold of it: partial; beyond: mismatch (an error
    of an order of magnitude is the one that misleads). Incidence when the sentence speaks of a
    year or of new cases, else prevalence.
    """
    measure = "incidence" if _YEARLY_RATE_RE.search(sentence) else "prevalence"
    rows = [r for r in rates if r.rate and r.rate[0] == measure and r.subtype == subtype]
    # "1 in 1,000 people over 50": only rows of that age group or sex compare.
    restricted = [m.group(0).lower() for m in _RESTRICTED_RE.finditer(sentence)]
    for words in restricted:
        key = re.search(r"\d+", words)
        rows = [r for r in rows if (key.group(0) if key else words.split()[-1]) in r.text.lower()]
    if not rows and subtype in ("dm", "pm") and not restricted:
        # No row for the subtype alone: the rate for the whole family bounds it from above.
        family = [r for r in rates if r.rate and r.rate[0] == measure and r.subtype == "myositis"]
        if family:
            top = max(r.rate[2] for r in family)
            ids = ", ".join(r.id for r in family[:3])
            if q.low > 2 * top:
                return Check("mismatch", f"{q.text} ({_fmt(round(q.low, 2))} per million) is {q.low / top:.0f}-fold the "
                                         f"{measure} of the inflammatory myopathies together, at most {_fmt(round(top, 2))} "
                                         f"per million ({ids})")
            return Check("nothing to compare", f"{q.text}: no {measure} row for this subtype; the family's is at most "
                                               f"{_fmt(round(top, 2))} per million ({ids})")
    if not rows:
        other = "prevalence" if measure == "incidence" else "incidence"
        others = [r for r in rates if r.rate and r.rate[0] == other and r.subtype == subtype] if not restricted else []
        if others:
            # "a prevalence of 2-3 per million" where the base gives only the yearly incidence: not like with like
            low, high = min(r.rate[1] for r in others), max(r.rate[2] for r in others)
            same = f"; {OTHER_MEASURE}" if q.low <= 1.5 * high and q.high >= low / 1.5 else ""
            return Check("nothing to compare", f"{q.text}: no {measure} row for this subtype; the base gives its {other}, "
                                               f"{_fmt(round(low, 2))} to {_fmt(round(high, 2))} per million "
                                               f"({', '.join(r.id for r in others[:3])}){same}")
        return Check("nothing to compare", f"{q.text}: no {measure} row for this subtype" + (" and group" if restricted else ""))
    low, high = min(r.rate[1] for r in rows), max(r.rate[2] for r in rows)
    ids = ", ".join(r.id for r in rows[:3])
    span = f"{_fmt(round(low, 2))} to {_fmt(round(high, 2))} per million" if low != high else f"{_fmt(round(low, 2))} per million"
    stated = f"{q.text} ({_fmt(round(q.low, 2))} per million)"
    if q.low <= high and q.high >= low:  # a stated range ("2-3 per million") agrees where it meets the rows' span
        return Check("match", f"{stated}: match, {measure} {span} ({ids})")
    fold = q.low / high if q.low > high else low / q.high
    status = "mismatch" if fold > 3 else "partial"
    return Check(status, f"{stated} vs {measure} {span} ({ids}): {fold:.0f}-fold {'higher' if q.low > high else 'lower'}")


def check_cap(q: Quantity, linked: list[EvidenceRow]) -> Check:
    """A dose cap in grams agrees only with a row that states the same number of grams."""
    grams = re.compile(rf"(?<![\d.]){re.escape(_fmt(q.low))}\s*g\b(?!\s*/)")
    for r in linked:
        if grams.search(r.figure) or grams.search(r.text):
            return Check("match", f"{q.text}: match ({r.id})")
    return Check("partial", f"{q.text}: no row of the base gives this cap")


_ROW_MEAN_RE = re.compile(rf"\bmean (?P<v>{_NUM})")


def _row_means(r: EvidenceRow) -> list[float]:
    return [float(m.group("v")) for m in _ROW_MEAN_RE.finditer(r.figure)]


def row_ids_in(detail: str) -> set[str]:
    """Every word of a check's detail: the row ids it names are among them."""
    return set(re.findall(r"\w+", detail))


def check_mean(q: Quantity, linked: list[EvidenceRow]) -> Check | None:
    """A mean given with its SD ("1.82 (SD 1.38) cycles") agrees with a row printing that mean; a change
    ("from 3.5 to 6.2 kg") with rows of one study printing both means. Other rows give no like figure,
    so None leaves it uncompared."""
    values = [q.low, q.high] if q.kind == "change" else [q.low]
    hits = []
    for value in values:
        found = [r for r in linked if any(abs(v - value) < 0.005 for v in _row_means(r))]
        if not found:
            return None
        hits += [r for r in found if r not in hits]
    if q.kind == "change" and len({r.study for r in hits}) > 1 and not any(
            all(any(any(abs(v - x) < 0.005 for v in _row_means(r)) for r in hits if r.study == st) for x in values)
            for st in {r.study for r in hits}):
        return None  # the two means from different studies are no before and after
    shown = " to ".join(f"{v:g}" for v in values)
    return Check("match", f"mean {shown} as in {', '.join(f'{r.id} [{r.locator}]' for r in hits)}")


def number_check(sentence: str, subtype: str, linked: list[EvidenceRow], regimens: list[Regimen],
                 rates: list[EvidenceRow] | None = None, named: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(overall status, detail) for every number the sentence states; `rates`: the epidemiology rows;
    `named`: ids of linked rows whose study the sentence names."""
    checks: list[Check] = []
    spans: list[str] = []
    quantities = extract_quantities(sentence)
    # Several percentages in one sentence ("83% overall: 87% with skin disease alone, 81% with more")
    # are one per subgroup: each needs one agreeing row, not agreement with every row.
    several = sum(q.kind == "percent" for q in quantities) >= 2
    for q in quantities:
        if q.kind in _REGIMEN_FIELD:
            checks.append(check_regimen(q, regimens, subtype, sentence))
        elif q.kind == "percent":
            check = check_percent(q, linked)
            if several and check.status == "partial":
                check = Check("match", check.detail)
            checks.append(check)
        elif q.kind == "count":
            checks.append(check_count(q, linked))
        elif q.kind == "events":
            checks.append(check_events(q, linked))
        elif q.kind == "improvers":
            checks.append(check_improvers(q, linked))
        elif q.kind == "infusion_rate":
            checks.append(check_infusion_rate(q, linked, named))
        elif q.kind == "cap":
            checks.append(check_cap(q, linked))
        elif q.kind == "rate":
            checks.append(check_rate(q, sentence, subtype, rates or []))
        elif (is_mean(q) or q.kind == "change") and (check := check_mean(q, linked)):
            checks.append(check)
        else:
            spans.append(q.text)
    status = max((c.status for c in checks), key=CHECK_ORDER.__getitem__, default="nothing to compare")
    detail = [c.detail for c in checks]
    if spans:
        detail.append("not compared: " + ", ".join(spans))
    return status, " | ".join(detail)


