"""Reading a document under audit into blocks (heading, paragraph, bullet).

A document arrives as .txt, .md, .html or .docx. Bad input never gets past
`read_document`: each refusal is an EvidenceError that names the file and says what
to do. Work is bounded before parsing (the MAX_* limits below): a .docx's declared
inflated part sizes and paragraph count, an HTML page's depth and element count
(one linear scan of its tags), and the words of any document. Parsing itself is one
linear pass (stdlib HTMLParser; lxml over the .docx XML parts).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..errors import EvidenceError, Problem

MAX_BYTES = 5 * 1024 * 1024
# Bounds that keep every audit within seconds and a few hundred MB, checked before parsing:
MAX_DOCX_PART = 10 * 1024 * 1024  # uncompressed size of one part of a .docx
MAX_DOCX_TOTAL = 30 * 1024 * 1024  # uncompressed size of all parts together
MAX_DOCX_PARTS = 2000
MAX_DOCX_PARAGRAPHS = 50_000  # counted in the raw XML before parsing (about 40 us each to read)
MAX_HTML_ELEMENTS = 50_000  # large real pages have a few thousand
MAX_HTML_DEPTH = 500  # browsers' own parsers stop nesting near 512
MAX_WORDS = 25_000  # about 50 pages; the audit runs at roughly 5,000-10,000 words a second
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
    url: str = ""  # the page's own address (HTML canonical link or og:url), for the circular-evidence rule


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
    words = sum(len(b.text.split()) for b in doc.blocks)
    if words > MAX_WORDS:
        raise _refuse(path, f"document has {words:,} words; the audit takes at most {MAX_WORDS:,} (split it into parts)")
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


_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
_RAW_TEXT_RE = re.compile(r"<(script|style|textarea|title)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
# Elements that never hold children, and those whose end tag HTML lets a page leave out.
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_OPTIONAL_END = frozenset("p li dt dd tr td th thead tbody tfoot option optgroup rt rp colgroup caption html head body".split())


def check_html_shape(path: Path, text: str) -> None:
    """Refuse a page too deep or too large to parse in bounded time, by one linear scan of its tags.

    Depth counts only elements that must be closed (div, span, section...); p, li, td and
    the like may be left open by valid HTML, so they never count as nesting.
    """
    text = _RAW_TEXT_RE.sub("", _COMMENT_RE.sub("", text))
    elements = depth = deepest = 0
    for m in _TAG_RE.finditer(text):
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            if name not in _VOID and name not in _OPTIONAL_END:
                depth = max(0, depth - 1)
            continue
        elements += 1
        if elements > MAX_HTML_ELEMENTS:
            raise _refuse(path, f"HTML page has more than {MAX_HTML_ELEMENTS:,} elements; the audit takes pages up to that size")
        if name in _VOID or name in _OPTIONAL_END or self_closing:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_HTML_DEPTH:
                raise _refuse(path, f"HTML elements nested more than {MAX_HTML_DEPTH} deep; the audit takes pages up to that depth")


def table_row_text(cells: list[str]) -> str:
    """A table row as one sentence: the first cell names the row, the rest say what of it
    ("Blood clots: very rare."), so a row that asserts something is a statement."""
    cells = [c.rstrip(".;: ") for c in cells if c.strip(".;: ")]
    if not cells:
        return ""
    return (cells[0] if len(cells) == 1 else f"{cells[0]}: {'; '.join(cells[1:])}") + "."


class _TextExtractor(HTMLParser):
    """Visible text of a page in one pass (linear in the input, unlike tree edits).

    Drops script/style/nav and the like, marks h1-h4 as headings and li as bullets,
    breaks lines at block elements and keeps link targets the text does not show.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.title: list[str] = []
        self.dropping: list[str] = []
        self.heading: tuple[int, list[str]] | None = None
        self.links: list[tuple[str, int]] = []
        self.in_title = False
        self.url = ""
        self.row: list[str] | None = None  # cells of the table row being read
        self.cell_start: int | None = None
        self.row_has_data = False  # a row of header cells only names the columns: it asserts nothing

    def _emit(self, text: str) -> None:
        if self.heading is not None:
            self.heading[1].append(text)
        else:
            self.out.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in ("link", "meta") and not self.url:
            a = dict(attrs)
            if (a.get("rel") or "").lower() == "canonical" or (a.get("property") or "").lower() == "og:url":
                self.url = (a.get("href") or a.get("content") or "").strip()
        if self.dropping or tag in _DROP_TAGS:
            if tag in _DROP_TAGS and tag not in _VOID:
                self.dropping.append(tag)
            return
        if tag == "tr":
            self.row, self.cell_start, self.row_has_data = [], None, False
        elif tag in ("td", "th") and self.row is not None and self.cell_start is None and self.heading is None:
            self.cell_start = len(self.out)
            self.row_has_data = self.row_has_data or tag == "td"
            return
        if tag == "br":
            self._emit("\n")
        elif tag in ("h1", "h2", "h3", "h4") and self.heading is None:
            self.heading = (int(tag[1]), [])
        elif tag == "li":
            self._emit(f"\n{_HEADING_MARK}b ")
        elif tag in _BLOCK_TAGS:
            self._emit("\n")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((href, len(self.out)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in ("td", "th") and self.cell_start is not None and self.row is not None:
            # A table row is one statement ("Blood clots: very rare"), not one block per cell.
            cell = " ".join("".join(self.out[self.cell_start:]).split())
            del self.out[self.cell_start:]
            self.cell_start = None
            if cell:
                self.row.append(cell)
            return
        if tag == "tr" and self.row is not None:
            cells, self.row = self.row, None
            if cells and self.row_has_data:
                self.out.append(f"\n{table_row_text(cells)}\n")
            return
        if tag in ("h1", "h2", "h3", "h4") and self.heading is not None and int(tag[1]) == self.heading[0]:
            level, parts = self.heading
            self.heading = None
            self.out.append(f"\n{_HEADING_MARK}{level} {' '.join(' '.join(parts).split())}\n")
        elif tag in ("li", *_BLOCK_TAGS):
            self._emit("\n")
        elif tag == "a" and self.links:
            href, since = self.links.pop()
            shown = "".join(self.out[since:])
            if href.startswith(("http://", "https://")) and href not in shown:
                self._emit(f" {href}")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if not self.dropping:
            self._emit(data)


def _read_html(path: Path, text: str) -> Document:
    """Visible text of an HTML page: no script/style/nav, headings h1-h4 kept as headings."""
    check_html_shape(path, text)
    parser = _TextExtractor()
    parser.feed(text.replace(_HEADING_MARK, ""))
    parser.close()
    title = " ".join("".join(parser.title).split())
    return Document(path.name, title, _marked_blocks("".join(parser.out)), parser.url)


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


def check_docx_parts(path: Path) -> None:
    """Refuse a .docx whose parts would inflate past the limits, or that has no document part.

    Reads only the zip's central directory. zipfile never inflates a member past the size
    its directory entry declares, so these declared sizes bound what python-docx can read.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(path, f"not a readable .docx file (corrupt, or not a Word document): {exc.__class__.__name__}") from None
    names = {m.filename for m in members}
    if "word/document.xml" not in names:
        raise _refuse(path, "not a Word document: the .docx has no document part (word/document.xml)")
    if len(members) > MAX_DOCX_PARTS:
        raise _refuse(path, f".docx has {len(members):,} parts; the limit is {MAX_DOCX_PARTS:,}")
    biggest = max(members, key=lambda m: m.file_size)
    if biggest.file_size > MAX_DOCX_PART:
        raise _refuse(path, f".docx part {biggest.filename} inflates to {biggest.file_size / 2**20:.0f} MB; "
                            f"the limit is {MAX_DOCX_PART // 2**20} MB per part")
    total = sum(m.file_size for m in members)
    if total > MAX_DOCX_TOTAL:
        raise _refuse(path, f".docx inflates to {total / 2**20:.0f} MB; the limit is {MAX_DOCX_TOTAL // 2**20} MB")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def _xml(archive: zipfile.ZipFile, name: str):  # noqa: ANN202 - lxml element or None
    """One part parsed safely (no entities, no network, no huge trees), or None when absent."""
    from lxml import etree

    if name not in archive.namelist():
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(archive.read(name), parser)


_PARAGRAPH_TAG_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?p[\s>/]")


def _check_paragraphs(path: Path, xml: bytes) -> None:
    """Refuse a document part with more paragraphs than the audit reads in bounded time."""
    count = len(_PARAGRAPH_TAG_RE.findall(xml))
    if count > MAX_DOCX_PARAGRAPHS:
        raise _refuse(path, f".docx has {count:,} paragraphs; the audit takes at most {MAX_DOCX_PARAGRAPHS:,}")


def _read_docx(path: Path) -> Document:
    """Paragraphs and table cells of a Word file in body order; headings by style name.

    Reads the XML parts with lxml in one pass: python-docx's object model costs about
    0.2 ms a paragraph (it looks up the default style anew each time), far too slow for
    a file of tiny paragraphs that still fits the size limits.
    """
    from lxml.etree import XMLSyntaxError

    check_docx_parts(path)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_paragraphs(path, archive.read("word/document.xml"))
            body_root = _xml(archive, "word/document.xml")
            styles_root = _xml(archive, "word/styles.xml")
            rels_root = _xml(archive, "word/_rels/document.xml.rels")
            core_root = _xml(archive, "docProps/core.xml")
    except (zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError, OSError, EOFError) as exc:
        raise _refuse(path, f"not a readable .docx file (corrupt, or not a Word document): {exc.__class__.__name__}") from None
    body = body_root.find(f"{_W}body") if body_root is not None else None
    if body is None:
        raise _refuse(path, "not a Word document: its document part has no body")
    styles, default = _style_names(styles_root)
    links = {r.get("Id"): r.get("Target") or "" for r in rels_root.iter(f"{_REL}Relationship")} if rels_root is not None else {}
    blocks: list[Block] = []
    for child in body:
        if child.tag == f"{_W}p":
            block = _docx_block(child, styles, default, links)
            if block:
                blocks.append(block)
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                texts = (" ".join(_runs_text(cell).split()) for cell in row.iterchildren(f"{_W}tc"))
                cells = list(dict.fromkeys(t for t in texts if t))
                if cells:
                    blocks.append(Block("para", table_row_text(cells)))
    title_node = core_root.find(_DC_TITLE) if core_root is not None else None
    title = (title_node.text or "").strip() if title_node is not None else ""
    return Document(path.name, title, blocks)


def _style_names(root) -> tuple[dict[str, str], str]:  # noqa: ANN001 - lxml element or None
    """Paragraph style id -> name, and the default paragraph style's name."""
    names: dict[str, str] = {}
    default = ""
    if root is None:
        return names, default
    for style in root.iter(f"{_W}style"):
        name = style.find(f"{_W}name")
        label = name.get(f"{_W}val", "") if name is not None else ""
        names[style.get(f"{_W}styleId", "")] = label
        if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}default") in ("1", "true"):
            default = label
    return names, default


def _runs_text(element) -> str:  # noqa: ANN001 - lxml element
    """Text of the runs under an element; tabs and breaks become spaces."""
    parts = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        parts.append(node.text or "" if node.tag == f"{_W}t" else " ")
    return "".join(parts)


def _docx_block(p, styles: dict[str, str], default: str, links: dict[str, str]) -> Block | None:  # noqa: ANN001
    """One Word paragraph as a block: 'Heading N' and 'Title' styles are headings."""
    text = " ".join(_runs_text(p).replace("\u00a0", " ").split())
    for link in p.iter(f"{_W}hyperlink"):
        url = links.get(link.get(f"{_R}id"), "")
        if url.startswith(("http://", "https://")) and url not in text:
            text = f"{text} {url}"  # the reference audit matches on the link target
    if not text:
        return None
    props = p.find(f"{_W}pPr")
    style_node = props.find(f"{_W}pStyle") if props is not None else None
    style_id = style_node.get(f"{_W}val") if style_node is not None else None
    style = styles.get(style_id, style_id or "") if style_id else default
    heading = re.match(r"(?i)Heading\s*(\d)", style)
    if heading:
        return Block("heading", text, int(heading.group(1)))
    if style.lower() == "title":
        return Block("heading", text, 1)
    numbered = props is not None and props.find(f"{_W}numPr") is not None
    if style.startswith("List") or numbered:
        return Block("bullet", _BULLET_RE.sub("", text, count=1))
    return Block("para", text)


