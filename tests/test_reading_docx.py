"""DOCX attachments: what python-docx reads, and which broken packages become problems.

The files are built here with python-docx and zipfile, so each test shows the
package shape it guards.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document as DocxDocument

from intake.reading import ReadingLimits
from intake.reading.attachments import extract_attachment

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _saved(document: DocxDocument) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return buf.getvalue()


def _form() -> bytes:
    document = docx.Document()
    document.add_paragraph("Referral for Amy Jones")
    document.add_paragraph("Consent: yes")
    return _saved(document)


def _read(data: bytes) -> tuple[str | None, list[str]]:
    problems: list[str] = []
    found = extract_attachment("form.docx", DOCX_TYPE, data, ReadingLimits(), problems)
    return (found.text if found else None), problems


def test_docx_main_part_is_found_through_package_relationships() -> None:
    """A main document stored under another name than word/document.xml is still read."""
    members = _members(_form())
    members["word/main.xml"] = members.pop("word/document.xml")
    members["word/_rels/main.xml.rels"] = members.pop("word/_rels/document.xml.rels")
    members["_rels/.rels"] = members["_rels/.rels"].replace(b"word/document.xml", b"word/main.xml")
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"/word/document.xml", b"/word/main.xml"
    )
    text, problems = _read(_zipped(members))
    assert text == "Referral for Amy Jones\nConsent: yes"
    assert problems == []


def test_docx_merged_cells_give_their_text_once_per_row() -> None:
    """A cell merged across columns or down rows is one value, not repeated."""
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).text = "Name"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "Amy Jones"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Needs"
    table.cell(1, 1).text = "autism"
    table.cell(2, 1).text = "anxiety"
    text, _ = _read(_saved(document))
    assert text == "Name: Amy Jones\nNeeds: autism\nNeeds: anxiety"


def test_docx_tabs_and_breaks_follow_python_docx() -> None:
    """Tabs and line breaks inside a paragraph come out as python-docx gives them."""
    document = docx.Document()
    paragraph = document.add_paragraph("Age:\t9")
    paragraph.add_run().add_break()
    paragraph.add_run("DOB: 01/02/2017")
    text, _ = _read(_saved(document))
    assert text == "Age:\t9\nDOB: 01/02/2017"


def test_broken_docx_is_a_problem_not_an_exception() -> None:
    """Bytes that are not a zip package record 'unreadable' and yield nothing."""
    text, problems = _read(b"PK\x03\x04 not really a zip")
    assert text is None
    assert problems == ["attachment: form.docx unreadable (BadZipFile)"]


def _with_member_edited(member: str, old: bytes, new: bytes) -> bytes:
    """The small form with one member's bytes edited (the whole member when `old` is empty)."""
    members = _members(_form())
    members[member] = members[member].replace(old, new) if old else new
    return _zipped(members)


def test_docx_with_a_broken_styles_part_is_still_read() -> None:
    """Only the main document part is parsed: a form whose styles part is not XML (which
    docx.Document() refuses whole) still gives its text."""
    text, problems = _read(_with_member_edited("word/styles.xml", b"", b"<<not xml"))
    assert (text, problems) == ("Referral for Amy Jones\nConsent: yes", [])


def test_docx_with_a_broken_main_part_is_unreadable() -> None:
    """The main document part itself not XML: recorded as a problem, no text."""
    text, problems = _read(_with_member_edited("word/document.xml", b"", b"<<not xml"))
    assert (text, problems) == (None, ["attachment: form.docx unreadable (XMLSyntaxError)"])


def test_docx_without_main_document_relationship_is_unreadable() -> None:
    """A package whose relationships name no main document records KeyError."""
    edited = _with_member_edited(
        "_rels/.rels", b"relationships/officeDocument", b"relationships/somethingElse"
    )
    assert _read(edited) == (None, ["attachment: form.docx unreadable (KeyError)"])


def test_docx_with_a_template_content_type_is_unreadable() -> None:
    """A main part typed as a template (.dotx) is not a Word document to python-docx."""
    edited = _with_member_edited(
        "[Content_Types].xml", b"wordprocessingml.document.main", b"wordprocessingml.template.main"
    )
    assert _read(edited) == (None, ["attachment: form.docx unreadable (ValueError)"])


def test_docx_that_would_unpack_too_large_is_not_opened() -> None:
    """A small DOCX whose parts unpack past max_unpacked_bytes (a zip bomb) is a problem,
    read no further; the same file under the default limit is read."""
    members = _members(_form())
    members["word/padding.xml"] = b" " * 200_000  # compresses to almost nothing
    data = _zipped(members)
    problems: list[str] = []
    limits = ReadingLimits(max_unpacked_bytes=100_000)
    assert len(data) < 100_000
    assert extract_attachment("form.docx", DOCX_TYPE, data, limits, problems) is None
    assert ["attachment: form.docx unpacks over size limit, not read"] == problems
    assert "Amy Jones" in (_read(data)[0] or "")
