"""Reading PDFs back in tests: text (pdftotext), pages, bookmarks, render counts."""

import io
import re
import subprocess
from contextlib import contextmanager

from pypdf import PdfReader

from practices.sheets.signals import sheet_rendered


def collapse(text):
    """`text` with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", text).strip()


def page_texts(data):
    """The text of each page of a PDF, whitespace collapsed.

    pdftotext (poppler) reads in layout order, as a reader does; `make test` installs it
    (.ci/system-packages). pypdf's text extraction reads in another order, so it is no
    stand-in.
    """
    completed = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=data,
        capture_output=True,
        check=True,
    )
    pages = completed.stdout.decode().split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [collapse(page) for page in pages]


def pdf_text(data):
    """The whole text of a PDF, whitespace collapsed."""
    return " ".join(page_texts(data))


def outline(data):
    """The PDF's bookmarks as (level, title) pairs in document order (level 1 at the top)."""
    reader = PdfReader(io.BytesIO(data))
    entries = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, collapse(item.title)))

    walk(reader.outline, 1)
    return entries


def assert_in_order(test, text, needles):
    """Fail unless every needle occurs in `text`, each after the previous one."""
    position = 0
    for needle in needles:
        found = text.find(needle, position)
        test.assertNotEqual(found, -1, f"{needle!r} is missing or out of order after {position}")
        position = found + len(needle)


@contextmanager
def count_renders():
    """Collect the sheet_rendered signals sent inside the block, as a list of their kwargs."""
    renders = []

    def receiver(sender, **kwargs):
        renders.append(kwargs)

    sheet_rendered.connect(receiver)
    try:
        yield renders
    finally:
        sheet_rendered.disconnect(receiver)
