"""Reading a document under audit and cutting it into checkable statements.

A document arrives as .txt, .md, .html or .docx. It becomes a flat list of blocks
(heading, paragraph, bullet), then sections (one per heading), then sentences
(pysbd, which knows "e.g.", "U.S." and "Dr." better than any regex). A sentence is
kept when a reviewer could check it against the evidence (a number, a dose, a
time span, efficacy/safety/regulatory/disease wording); service and marketing text
(the pharmacy's name, insurance, phone numbers, "our team", disclaimers) is
dropped and counted, so the worksheet stays about the medicine.

Bad input never gets past `read_document`: each refusal is an EvidenceError that
names the file and says what to do.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import EvidenceError, Problem

MAX_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED = sorted(TEXT_SUFFIXES | HTML_SUFFIXES | {".docx"})
_HEADING_MARK = "\ue000"  # private-use character: marks HTML headings in extracted text

# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Block:
    """One unit of layout: a heading (with level), a paragraph or a bullet item."""

    kind: str  # "heading" | "para" | "bullet"
    text: str
    level: int = 0


@dataclass
class Document:
    """A document as read from disk: its file name, metadata title and blocks in order."""

    name: str
    title: str
    blocks: list[Block]


def _refuse(path: Path, message: str) -> EvidenceError:
    return EvidenceError([Problem(file=str(path), message=message)])


def _check_file(path: Path) -> None:
    """Refuse what cannot be a readable document before reading a byte of it."""
    if not path.exists():
        raise _refuse(path, "file not found")
    if not path.is_file():
        raise _refuse(path, "not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        shown = suffix or "no extension"
        raise _refuse(path, f"unsupported file type ({shown}); give one of: {', '.join(SUPPORTED)}")
    size = path.stat().st_size
    if size == 0:
        raise _refuse(path, "empty file: nothing to audit")
    if size > MAX_BYTES:
        raise _refuse(path, f"file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB")


def _decode(path: Path, raw: bytes, fallback: str | None = None) -> str:
    """UTF-8 text or a clear refusal: a NUL byte or an undecodable byte means not text."""
    if b"\x00" in raw:
        raise _refuse(path, "binary file (contains NUL bytes), not text; save it as UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if fallback:
            try:
                return raw.decode(fallback)
            except (LookupError, UnicodeDecodeError):
                pass
        raise _refuse(path, f"not UTF-8 text (invalid byte at offset {exc.start}); save the file as UTF-8") from None


def read_document(path: Path) -> Document:
    """Read any supported file into blocks, or raise EvidenceError naming the file."""
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        doc = _read_docx(path)
    else:
        raw = path.read_bytes()
        if suffix in HTML_SUFFIXES:
            doc = _read_html(path, _decode(path, raw, _declared_charset(raw)))
        else:
            doc = Document(path.name, "", _text_blocks(_decode(path, raw), markdown=suffix == ".md"))
    if not any(b.text.strip() for b in doc.blocks):
        raise _refuse(path, "no text found in the document")
    return doc


# ----------------------------------------------------------------- plain text and markdown

_BULLET_RE = re.compile(r"^\s*(?:[-*+\u2022\u25cf\u25aa\u25e6\u2013\u2014]|\d{1,3}[.)]|\[\d{1,3}\])\s+")
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_URL_RE = re.compile(r"https?://\S+|www\.\S+", re.I)
_RULE_RE = re.compile(r"^\s*([-=*_~])\1{2,}\s*$")


def _clean_markdown(line: str) -> str:
    """Drop markdown markup but keep link targets (the reference audit needs them)."""
    line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)", r"\1 \2", line)
    line = re.sub(r"(\*\*|__|`)", "", line)
    line = re.sub(r"(?<![\w*])\*(?!\s)([^*]+)(?<!\s)\*(?!\w)", r"\1", line)
    if line.strip().startswith("|"):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        line = "; ".join(cell for cell in cells if cell and not set(cell) <= set("-: "))
    return line


def looks_like_heading(line: str) -> bool:
    """A short line that does not read as a sentence: no final period, capitalised, no URL."""
    text = line.strip()
    words = text.split()
    if not words or len(words) > 15 or len(text) > 100 or _URL_RE.search(text) or _BULLET_RE.match(line):
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "\"'\u201c"):
        return False
    if not re.search(r"[A-Za-z]", text):
        return False
    if text.endswith("?"):
        return True
    if text.endswith(":"):
        return len(words) <= 4
    return len(words) <= 12 and not re.search(r"[.!;,\u2026]$", text)


def _text_blocks(text: str, markdown: bool) -> list[Block]:
    """Blocks of a plain-text or markdown file; hard-wrapped lines are joined back up."""
    blocks: list[Block] = []
    for raw_line in text.splitlines():
        line = _clean_markdown(raw_line) if markdown else raw_line
        line = line.replace("\u00a0", " ").rstrip()
        if not line.strip() or _RULE_RE.match(line):
            continue
        heading = _MD_HEADING_RE.match(line)
        if heading:
            blocks.append(Block("heading", heading.group(2).strip(), len(heading.group(1))))
        elif _BULLET_RE.match(line):
            blocks.append(Block("bullet", _BULLET_RE.sub("", line, count=1).strip()))
        elif looks_like_heading(line):
            blocks.append(Block("heading", line.strip(), 3 if line.strip().endswith("?") else 2))
        elif blocks and blocks[-1].kind != "heading" and _continues(blocks[-1].text, line):
            blocks[-1] = Block(blocks[-1].kind, f"{blocks[-1].text} {line.strip()}")
        else:
            blocks.append(Block("para", line.strip()))
    return blocks


def _continues(previous: str, line: str) -> bool:
    """A hard-wrapped line: the previous one stops mid-sentence and this one starts lower-case."""
    first = line.strip()[:1]
    return bool(first) and first.islower() and not re.search(r"[.!?:]$", previous) and not _URL_RE.match(line.strip())


# ----------------------------------------------------------------------------- html

_DROP_TAGS = ("script", "style", "nav", "noscript", "template", "svg", "iframe", "object", "head")
_BLOCK_TAGS = (
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre", "table", "tr",
    "td", "th", "ul", "ol", "dl", "dt", "dd", "figcaption", "caption", "h5", "h6", "form", "address", "body",
)


def _declared_charset(raw: bytes) -> str | None:
    """The charset an HTML file declares in its first 2 KB, used only when it is not UTF-8."""
    found = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", raw[:2048])
    return found.group(1).decode("ascii") if found else None


def _read_html(path: Path, text: str) -> Document:
    """Visible text of an HTML page: no script/style/nav, headings h1-h4 kept as headings."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text.replace(_HEADING_MARK, ""), "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for level in (1, 2, 3, 4):
        for tag in soup.find_all(f"h{level}"):
            heading = " ".join(tag.get_text(" ").split())
            tag.replace_with(f"\n{_HEADING_MARK}{level} {heading}\n")
    for tag in soup.find_all("li"):
        tag.insert_before(f"\n{_HEADING_MARK}b ")
        tag.insert_after("\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for tag in soup.find_all("a", href=True):
        href = tag["href"]
        if href.startswith(("http://", "https://")) and href not in tag.get_text():
            tag.append(f" {href}")
    return Document(path.name, title, _marked_blocks(soup.get_text()))


def _marked_blocks(text: str) -> list[Block]:
    """Blocks from text where headings and list items were marked during HTML extraction."""
    blocks: list[Block] = []
    for line in text.splitlines():
        line = " ".join(line.replace("\u00a0", " ").split())
        if not line:
            continue
        if line.startswith(_HEADING_MARK):
            marker, _, rest = line[1:].partition(" ")
            if rest.strip():
                if marker == "b":
                    blocks.append(Block("bullet", rest.strip()))
                else:
                    blocks.append(Block("heading", rest.strip(), int(marker)))
            continue
        line = line.replace(_HEADING_MARK, "")
        blocks.append(Block("para", line))
    return blocks


# ----------------------------------------------------------------------------- docx


def _read_docx(path: Path) -> Document:
    """Paragraphs and table cells of a Word file in body order; headings by style name."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml.etree import XMLSyntaxError

    try:
        word = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError, OSError) as exc:
        raise _refuse(path, f"not a readable .docx file (corrupt, or not a Word document): {exc.__class__.__name__}") from None
    blocks: list[Block] = []
    for child in word.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            block = _docx_block(Paragraph(child, word))
            if block:
                blocks.append(block)
        elif tag == "tbl":
            for row in Table(child, word).rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                if cells:
                    blocks.append(Block("para", "; ".join(cells)))
    title = (word.core_properties.title or "").strip()
    return Document(path.name, title, blocks)


def _docx_block(paragraph) -> Block | None:  # noqa: ANN001 - python-docx Paragraph
    """One Word paragraph as a block: 'Heading N' and 'Title' styles are headings."""
    text = " ".join(paragraph.text.replace("\u00a0", " ").split())
    for link in getattr(paragraph, "hyperlinks", []):
        url = getattr(link, "url", "") or ""
        if url.startswith(("http://", "https://")) and url not in text:
            text = f"{text} {url}"  # the reference audit matches on the link target
    if not text:
        return None
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    heading = re.match(r"Heading\s*(\d)", style)
    if heading:
        return Block("heading", text, int(heading.group(1)))
    if style == "Title":
        return Block("heading", text, 1)
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if style.startswith("List") or numbered:
        return Block("bullet", _BULLET_RE.sub("", text, count=1))
    return Block("para", text)


