"""Publish the executed notebooks as a static site with Sphinx, MyST-NB and sphinx-book-theme.

`evidence build` stays the executor (with its data-aware cache); this module only renders
what it executed (`nb_execution_mode = "off"`). It adds what a reader needs and a notebook
cannot hold: page titles from the data, hidden template mechanics, a landing page generated
from the data, per-page numbered bibliographies (sphinxcontrib-bibtex), and the exports copied
in so the folder works offline and can be zipped. The site is built in a temporary folder and
swapped into place; a page that would load anything from another host fails the build.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import summaries, vocab
from .data import BIB_FILE, EvidenceBase
from .errors import EvidenceError, Problem

TEMPLATE_DIR = Path(__file__).parent / "templates"
HIDDEN_TAGS = {"parameters", "injected-parameters"}
# Sidebar sections: caption, and a test on the page name.
SECTIONS: list[tuple[str, str]] = [
    ("Start here", "01_overview 02_study_catalogue"),
    ("By subtype", "03_by_subtype-"),
    ("By outcome", "08_by_outcome-"),
    ("Safety and dosing", "04_safety 05_dosing"),
    ("Claims audits", "06_claims_audit-"),
    ("References", "07_references"),
]
EXTERNAL = re.compile(r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def page_title(name: str, base: EvidenceBase, fallback: str) -> str:
    """Title a reader sees: the subtype, outcome or document, never the template's name."""
    template, _, value = name.partition("-")
    if template == "03_by_subtype" and value in vocab.SUBTYPE:
        return summaries.subtype_title(value)
    if template == "08_by_outcome" and value in vocab.OUTCOME_DOMAIN:
        return summaries.outcome_title(value)
    if template == "06_claims_audit":
        docs = base.tables["documents"].set_index("doc_id")
        if value in docs.index:
            return f"Claims audit: {docs.at[value, 'title']}"
    return fallback


def _prepare_notebook(src: Path, dest: Path, title: str) -> None:
    """Copy an executed notebook with its title set and its parameter cells removed from the page."""
    import nbformat

    nb = nbformat.read(src, as_version=4)
    titled = False
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & HIDDEN_TAGS:
            cell.metadata["tags"] = sorted(tags | {"remove-cell"})
        if not titled and cell.cell_type == "markdown":
            lines = cell.source.splitlines()
            for i, line in enumerate(lines):
                if line.startswith("# "):
                    lines[i] = "# " + _md_text(title)
                    titled = True
                    break
            cell.source = "\n".join(lines)
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get("image/svg+xml")
            if isinstance(svg, str) and "text/html" not in output["data"]:
                output["data"]["text/html"] = f"<figure class='evidence-chart'>{svg_with_tooltips(svg)}</figure>"
            text = output.get("data", {}).get("text/markdown")
            if isinstance(text, str):
                output["data"]["text/markdown"] = _local_citations(text, dest.stem)
    if not titled:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell("# " + _md_text(title)))
    nbformat.write(nb, dest)


_MARK = re.compile(r"<(path|rect|circle|line|ellipse|polygon|text)\b([^<>]*)/>")
_LABEL = re.compile(r'\baria-label="([^"]*)"')


def svg_with_tooltips(svg: str) -> str:
    """Inline chart SVG whose marks show, on hover, what the chart's tooltip holds (figure, locator, tier,
    page): Vega writes each mark's tooltip fields into aria-label; a <title> child makes browsers show it.
    The label is already XML-escaped by Vega's renderer and is reused unchanged as text."""

    def titled(m: re.Match) -> str:
        label = _LABEL.search(m.group(2))
        if not label or 'role="graphics-symbol"' not in m.group(2):
            return m.group(0)
        return f"<{m.group(1)}{m.group(2)}><title>{label.group(1)}</title></{m.group(1)}>"

    return _MARK.sub(titled, re.sub(r"<\?xml[^>]*>", "", svg))


def _local_citations(markdown: str, page: str) -> str:
    """Give a page's citations and bibliography their own key prefix, so that each page numbers its own
    references from 1 and a work cited on two pages is listed on both (sphinxcontrib-bibtex keyprefix)."""
    prefix = re.sub(r"[^A-Za-z0-9]", "", page) + "-"
    markdown = re.sub(r"\{cite:p\}`([^`]+)`", lambda m: "{cite:p}`" + ",".join(prefix + k for k in m.group(1).split(",")) + "`", markdown)
    return markdown.replace("```{bibliography}\n", f"```{{bibliography}}\n:keyprefix: {prefix}\n", 1) if "```{bibliography}" in markdown else markdown


def _md_text(text: str) -> str:
    from .notebook import md_escape

    return md_escape(text)


def _nb_title(path: Path) -> str:
    import nbformat

    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def _section_pages(names: list[str], base: EvidenceBase) -> list[tuple[str, list[str]]]:
    subtype_order = {summaries.subtype_page(c): i for i, c in enumerate(vocab.SUBTYPE.codes)}
    outcome_order = {summaries.outcome_page(c): i for i, c in enumerate(vocab.OUTCOME_DOMAIN.codes)}
    out = []
    for caption, test in SECTIONS:
        words = test.split()
        pages = [n for n in names if (n in words) or (len(words) == 1 and test.endswith("-") and n.startswith(test))]
        pages.sort(key=lambda n: (subtype_order.get(n, outcome_order.get(n, 0)), words.index(n) if n in words else 0, n))
        if pages:
            out.append((caption, pages))
    placed = {n for _, pages in out for n in pages}
    rest = [n for n in names if n not in placed]
    if rest:
        out.append(("More", rest))
    return out


def committed_pages(root: Path) -> dict[str, Path]:
    """Page name -> committed notebook, a template under its default value (the outputs it holds)."""
    import ast

    import nbformat

    from .build import NOTEBOOK_DIR

    pages = {}
    for path in sorted((root / NOTEBOOK_DIR).glob("*.ipynb")):
        name = path.stem
        for cell in nbformat.read(path, as_version=4).cells:
            if "parameters" in cell.metadata.get("tags", []):
                values = [n.value.value for n in ast.parse(cell.source).body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)]
                name = f"{path.stem}-{values[0]}" if values else name
                break
        pages[name] = path
    return pages


def _bottom_line_html(base: EvidenceBase, names: set[str]) -> str:
    frame = summaries.bottom_lines(base)
    if frame.empty:
        return "<p>No certainty ratings in the evidence base yet.</p>"
    rows = []
    for subtype, group in frame.groupby("subtype", sort=False):
        page = summaries.subtype_page(subtype)
        title = html.escape(summaries.subtype_title(subtype))
        head = f"<a href='{page}.html'>{title}</a>" if page in names else title
        rows.append(f"<tr class='subtype-row'><th colspan='4'>{head}</th></tr>")
        for _, r in group.iterrows():
            outcome = summaries.outcome_page(r["outcome_domain"])
            label = html.escape(r["Outcome"])
            cell = f"<a href='{outcome}.html'>{label}</a>" if outcome in names else label
            rows.append(f"<tr><td>{cell}</td><td>{html.escape(r['What the evidence shows'])}</td>"
                        f"<td class='certainty cert-{html.escape(r['certainty_code'])}'>{html.escape(r['Certainty'])}</td>"
                        f"<td>{html.escape(r['Key study'])}</td></tr>")
    head = "<tr><th>Outcome</th><th>What the evidence shows</th><th>Certainty (GRADE)</th><th>Key study</th></tr>"
    return (f"<div class='evidence-table-wrap'><table class='evidence-table bottom-line'><thead>{head}</thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def landing_page(base: EvidenceBase, sections: list[tuple[str, list[str]]], titles: dict[str, str], has_map: bool) -> str:
    """index.md: the bottom line first, then the evidence map, then where to go next (all from the data)."""
    names = {n for _, pages in sections for n in pages}
    studies = base.tables["studies"]
    primary = studies[studies["design"].isin(vocab.PRIMARY_STUDY_DESIGNS) & ~studies["subtype"].isin(summaries.NON_EVIDENCE_SUBTYPES)]
    randomised = int(primary["design"].isin(vocab.CONTROLLED_DESIGNS).sum())
    claims = base.tables["claims"]
    intro = (f"{len(primary)} primary studies of IVIG in the myositis family ({randomised} randomised), "
             f"{len(base.tables['results'])} reported figures each traced to its place in its source, and "
             f"{len(claims)} claims of {base.tables['documents'].shape[0]} audited documents checked against them. "
             "Each line below gives what the evidence shows for one subtype and outcome, how certain it is (GRADE), "
             "and the study to read first; the outcome name leads to that outcome across all subtypes.")
    parts = ["# IVIG in myositis: what the evidence shows", "", "```{raw} html", f"<p class='lead'>{html.escape(intro)}</p>",
             _bottom_line_html(base, names), "```", "", "## Where the evidence is", ""]
    if has_map:
        parts += ["```{figure} figures/evidence-map.svg", ":alt: Evidence map: subtypes by outcome domains, bubble area by participants", "",
                  "Primary studies by subtype and outcome domain. Blue: at least one randomised trial; orange: uncontrolled or "
                  "observational data only. The interactive version (tooltips) is in the downloads.", "```", ""]
    parts += ["## Where to go next", ""]
    for caption, pages in sections:
        links = ", ".join("{doc}`" + re.sub(r"[`<>]", "", titles[p]) + " <" + p + ">`" for p in pages)
        parts.append(f"- **{caption}**: {links}")
    parts += ["", "```{raw} html", "<p><strong>Downloads</strong>: charts as PNG, SVG and offline interactive HTML; tables as CSV and XLSX; "
              "audits as XLSX and DOCX, in <a href='exports/index.html'>the exports folder</a>.</p>", "```", ""]
    for caption, pages in sections:
        parts += ["```{toctree}", ":hidden:", f":caption: {caption}", ""] + pages + ["```", ""]
    return "\n".join(parts)


READER_FIELDS_DROPPED = ("note", "verified", "unverified", "urldate")


def _site_bib(root: Path, dest: Path) -> None:
    """references.bib for pybtex: PubMed ids in the field its styles link, web pages as @misc, and
    without the curation fields (notes on where a field was seen), which are for maintainers, not readers."""
    import bibtexparser

    library = bibtexparser.parse_string((root / BIB_FILE).read_text(encoding="utf-8"))
    for entry in library.entries:
        for key in list(entry.fields_dict):
            if key.lower() in READER_FIELDS_DROPPED:
                entry.pop(key)
            elif key.lower() == "pmid":
                value = entry.fields_dict[key].value
                entry.pop(key)
                entry.set_field(bibtexparser.model.Field("pubmed", value))
        if entry.entry_type.lower() == "online":
            entry.entry_type = "misc"
        if "author" not in {k.lower() for k in entry.fields_dict} and entry.entry_type.lower() == "article":
            # pybtex prints an article without authors as an error; as @misc it leads with the title
            fields = {k.lower(): v.value for k, v in entry.fields_dict.items()}
            where = fields.get("journal", "")
            if fields.get("volume"):
                where += f" {fields['volume']}" + (f"({fields['number']})" if fields.get("number") else "")
            if fields.get("pages"):
                where += f":{fields['pages']}"
            entry.entry_type = "misc"
            if where.strip():
                entry.set_field(bibtexparser.model.Field("howpublished", where.strip()))
    dest.write_text(bibtexparser.write_string(library), encoding="utf-8")


def _exports_index(exports: Path) -> str:
    items = []
    for path in sorted(p for p in exports.rglob("*") if p.is_file() and not p.name.startswith(".")):
        rel = path.relative_to(exports).as_posix()
        items.append(f"<li><a href='{html.escape(rel, quote=True)}'>{html.escape(rel)}</a></li>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Downloads</title></head><body>"
            "<h1>Downloads</h1><p><a href='../index.html'>Back to the evidence</a></p><ul>" + "".join(items) + "</ul></body></html>")


def check_offline(site: Path) -> list[str]:
    """Pages that would load a script, style, font or image from another host."""
    bad = []
    for page in site.rglob("*.html"):
        if "exports" in page.relative_to(site).parts:
            continue
        for match in EXTERNAL.finditer(page.read_text(encoding="utf-8", errors="replace")):
            bad.append(f"{page.relative_to(site)}: {match.group(0)[:120]}")
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r"@import\s+url\(\s*['\"]?https?://[^)]*\)|url\(\s*['\"]?https?://[^)]*\)", text):
            bad.append(f"{css.relative_to(site)}: {match.group(0)[:120]}")
    return bad


def _world_readable(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def publish(root: Path, executed: dict[str, Path], base: EvidenceBase, site: Path) -> Path:
    """Render `executed` (page name -> executed notebook) into `site`, atomically."""
    work = site.parent / f".site-tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    src, out, doctrees = work / "src", work / "html", work / "doctrees"
    (src / "_static").mkdir(parents=True)
    (src / "figures").mkdir()
    try:
        titles = {}
        for name, path in executed.items():
            titles[name] = page_title(name, base, _nb_title(path))
            _prepare_notebook(path, src / f"{name}.ipynb", titles[name])
        sections = _section_pages(sorted(executed), base)
        exports = root / "build" / "exports"
        chart = exports / "charts" / "evidence-map.svg"
        if chart.exists():
            shutil.copyfile(chart, src / "figures" / "evidence-map.svg")
        (src / "index.md").write_text(landing_page(base, sections, titles, chart.exists()), encoding="utf-8")
        shutil.copyfile(TEMPLATE_DIR / "site_conf.py", src / "conf.py")
        (src / "_templates").mkdir(exist_ok=True)
        shutil.copyfile(TEMPLATE_DIR / "site_layout.html", src / "_templates" / "layout.html")
        shutil.copyfile(TEMPLATE_DIR / "site.css", src / "_static" / "evidence.css")
        _site_bib(root, src / "references.bib")
        extra = src / "_extra"
        if exports.exists():
            shutil.copytree(exports, extra / "exports", ignore=shutil.ignore_patterns(".*"))
            (extra / "exports" / "index.html").write_text(_exports_index(extra / "exports"), encoding="utf-8")
        else:
            extra.mkdir()
        proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "auto", "-d", str(doctrees), str(src), str(out)],
                              capture_output=True, text=True, cwd=str(work))
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise EvidenceError([Problem(file="build/site", message=f"Sphinx failed: {last}")])
        warnings = [line for line in proc.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
        for line in warnings[:20]:
            print(f"site: {line.replace(str(src) + os.sep, '')}", file=sys.stderr)
        bad = check_offline(out)
        if bad:
            raise EvidenceError([Problem(file="build/site", message=f"page loads from another host: {b}") for b in bad[:10]])
        (out / ".buildinfo").unlink(missing_ok=True)
        if (out / "_sources").is_dir() and not any((out / "_sources").iterdir()):
            (out / "_sources").rmdir()
        _world_readable(out)
        old = site.parent / f".site-old-{os.getpid()}"
        if site.exists():
            os.replace(site, old)
        os.replace(out, site)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return site
