"""`evidence audit` on hostile or broken input: refused fast with one line, nothing written.

Each file is made here: a .docx whose part inflates past the limit, one without its
document part, one of many tiny paragraphs; HTML nested too deep or with too many
elements; text over the word limit; --out where nothing can be written. The timing test
proves the bounds hold: each case is refused (or audited) within 10 s.
"""

from __future__ import annotations

import errno
import time
import zipfile
from pathlib import Path

import pytest

from evidence.audit import read
from evidence.audit.read import read_document
from evidence.cli import main as cli_main
from evidence.errors import EvidenceError

ROOT = Path(__file__).resolve().parents[1]
PARA = "<w:p><w:r><w:t>IVIG improved strength in 8 of 10 adults with dermatomyositis.</w:t></w:r></w:p>"
NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def make_docx(path: Path, body: str, with_document: bool = True) -> Path:
    """A minimal Word file: content types, relationships and (optionally) the document part."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>')
        if with_document:
            archive.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {NS}><w:body>{body}</w:body></w:document>')
    return path


def refused(path: Path) -> str:
    with pytest.raises(EvidenceError) as caught:
        read_document(path)
    (problem,) = caught.value.problems
    assert path.name in problem.file
    return problem.message


def test_small_docx_reads_without_python_docx_object_model(tmp_path):
    doc = read_document(make_docx(tmp_path / "ok.docx", PARA * 3))
    assert [b.text for b in doc.blocks] == ["IVIG improved strength in 8 of 10 adults with dermatomyositis."] * 3


def test_docx_part_inflating_past_the_limit_is_refused_before_parsing(tmp_path):
    body = PARA * (read.MAX_DOCX_PART // len(PARA) + 10)
    path = make_docx(tmp_path / "bomb.docx", body)
    assert path.stat().st_size < read.MAX_BYTES  # small on disk: only its inflated size is over
    message = refused(path)
    assert "word/document.xml inflates to" in message and "per part" in message


def test_docx_total_inflated_size_is_limited(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_DOCX_TOTAL", 1000)
    message = refused(make_docx(tmp_path / "total.docx", PARA * 20))
    assert "inflates to" in message and "the limit is" in message


def test_docx_of_too_many_paragraphs_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_DOCX_PARAGRAPHS", 100)
    message = refused(make_docx(tmp_path / "many.docx", "<w:p/>" * 101))
    assert message == ".docx has 101 paragraphs; the audit takes at most 100"


def test_docx_without_document_part(tmp_path):
    message = refused(make_docx(tmp_path / "nodoc.docx", "", with_document=False))
    assert message == "not a Word document: the .docx has no document part (word/document.xml)"


def test_html_nested_too_deep_is_refused(tmp_path):
    depth = read.MAX_HTML_DEPTH + 1
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * depth + "IVIG helps adults with DM." + "</div>" * depth + "</body></html>")
    assert refused(path) == f"HTML elements nested more than {read.MAX_HTML_DEPTH} deep; the audit takes pages up to that depth"


def test_unclosed_paragraphs_and_list_items_are_not_depth(tmp_path):
    path = tmp_path / "loose.html"
    items = "<li>IVIG was given monthly to adults with DM" * (read.MAX_HTML_DEPTH + 50)
    path.write_text(f"<html><body><p>Dosing of IVIG in adults with DM<ul>{items}</ul></body></html>")
    assert len(read_document(path).blocks) > read.MAX_HTML_DEPTH


def test_html_with_too_many_elements_is_refused(tmp_path):
    path = tmp_path / "wide.html"
    path.write_text("<html><body>" + "<b>x</b>" * (read.MAX_HTML_ELEMENTS + 1) + "</body></html>")
    assert "more than 50,000 elements" in refused(path)


def test_words_over_the_limit_are_refused(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("IVIG improved strength in adults with DM. " * (read.MAX_WORDS // 7 + 1))
    assert refused(path).startswith("document has 25,")


def test_one_long_paragraph_is_cut_for_the_segmenter():
    from evidence.audit.tag import _CHUNK, _chunks

    text = "ivig improved strength in adults " * 2000  # no sentence end at all
    pieces = _chunks(text)
    assert all(len(p) <= _CHUNK for p in pieces)
    assert " ".join(pieces).split() == text.split()


@pytest.mark.parametrize("case", ["deep", "wide", "bomb", "paragraphs"])
def test_each_bounded_case_is_refused_within_10_seconds(tmp_path, case):
    path = {
        "deep": lambda: tmp_path / "d.html",
        "wide": lambda: tmp_path / "w.html",
        "bomb": lambda: make_docx(tmp_path / "b.docx", PARA * (read.MAX_DOCX_PART // len(PARA) + 10)),
        "paragraphs": lambda: make_docx(tmp_path / "p.docx", "<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 250_000),
    }[case]()
    if case == "deep":
        path.write_text("<div>" * 100_000 + "IVIG" + "</div>" * 100_000)
    if case == "wide":
        path.write_text("<b>x</b>" * 600_000)
    start = time.perf_counter()
    with pytest.raises(EvidenceError):
        read_document(path)
    assert time.perf_counter() - start < 10


def _page(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_text("IVIG for Dermatomyositis\nAdults usually receive 2 g/kg of immune globulin over 2 to 5 days.\n")
    return path


def test_out_under_a_file_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    code = cli_main(["audit", str(_page(tmp_path)), "--out", str(blocker / "out"), "--root", str(ROOT)])
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot write the audit here" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 2  # the problem and the count


def test_out_on_a_read_only_file_system_is_one_line(tmp_path, capsys, monkeypatch):
    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "mkdir", read_only)
    code = cli_main(["audit", str(_page(tmp_path)), "--out", str(tmp_path / "out"), "--root", str(ROOT)])
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot write the audit here (Read-only file system)" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.txt"]
