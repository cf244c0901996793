"""What one certificate prints, and the PDF typst makes of it.

The template (templates/certificate.typ) receives every value as JSON in sys.inputs, never as typst
source, so a name such as '#import "x"' or '*Bob*' prints exactly as written. The statement's
Markdown becomes runs of plain text with emphasis flags here, for the same reason.

Fonts are typst's own (Libertinus Serif, DejaVu Sans Mono) plus the course's optional fonts folder;
system fonts are ignored, so the same inputs give the same bytes on any machine with the same typst.
The PDF is tagged, PDF/A-2a and PDF/UA-1 (title, language, alt texts), and its dates are the
completion date, so a rerun is byte-identical. The signed code is also in the PDF's keywords, where
`certificates verify FILE.pdf` finds it without a PDF library.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

import typst
from markdown_it import MarkdownIt

TEMPLATE = Path(__file__).parent / "templates" / "certificate.typ"
PDF_STANDARDS = ["a-2a", "ua-1"]
KEYWORD_PREFIX = "coursepack-certificate:"  # the template writes the code after it in the PDF's keywords
PAPER = {"a4": "a4", "letter": "us-letter"}  # certificates.yaml's names -> typst's

# html on, so that an author's inline tags are recognised and left out (their text stays), as the
# player's sanitizer leaves them out of pages
_markdown = MarkdownIt("commonmark", {"html": True})


class RenderProblem(Exception):
    """typst could not make the PDF (a font folder it cannot read, a broken signature image)."""


@dataclass(frozen=True)
class Run:
    text: str
    em: bool = False
    strong: bool = False
    code: bool = False


def statement_runs(markdown: str) -> list[list[Run]]:
    """The statement's paragraphs as runs of text; links keep their text, HTML tags are dropped."""
    paragraphs: list[list[Run]] = []
    for token in _markdown.parse(markdown):
        if token.type != "inline" or not token.children:
            continue
        runs: list[Run] = []
        em = strong = 0
        for child in token.children:
            kind = child.type
            if kind in ("em_open", "em_close"):
                em += 1 if kind == "em_open" else -1
            elif kind in ("strong_open", "strong_close"):
                strong += 1 if kind == "strong_open" else -1
            elif kind in ("text", "code_inline", "softbreak", "hardbreak", "image"):
                text = {"softbreak": " ", "hardbreak": "\n"}.get(kind, child.content)
                runs.append(Run(text, em > 0, strong > 0, kind == "code_inline"))
        if runs:
            paragraphs.append(runs)
    return paragraphs


@dataclass(frozen=True)
class Signatory:
    name: str
    role: str
    image: str | None  # path from the course folder's root, as typst reads it: '/assets/...'
    image_alt: str


@dataclass(frozen=True)
class CertificatePage:
    """Everything one certificate prints, as the template reads it."""

    language: str  # BCP 47 tag, for the PDF's language and hyphenation
    paper: str  # typst's paper name
    labels: dict[str, str]
    title: str
    issuer: str
    course_title: str
    learner: str
    statement: list[list[Run]]
    details: list[tuple[str, str]]  # (label, value), in print order
    signatory: Signatory
    certificate_id: str
    signature: str  # the code's signature part (base64url)
    fingerprint: str  # of the issuer's public key
    code: str  # the whole signed code: in the PDF's keywords
    verify_url: str | None
    qr_alt: str
    completed_on: date  # the PDF's creation and modification date

    def template_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["completed_on"] = self.completed_on.isoformat()
        data["keyword"] = KEYWORD_PREFIX + self.code
        data["document_title"] = f"{self.title}: {self.learner}, {self.course_title}"
        return data


class PdfRenderer:
    """One typst compiler for a whole run: fonts are loaded once, each certificate takes milliseconds."""

    def __init__(self, course_root: Path, fonts: Path | None = None) -> None:
        self._template = TEMPLATE.read_bytes()
        # root: the course folder, so the template reads the signature image from its assets/ and nothing outside it
        self._compiler = typst.Compiler(
            root=str(course_root), font_paths=[str(fonts)] if fonts else [], ignore_system_fonts=True
        )

    def render(self, page: CertificatePage, qr_svg: str) -> bytes:
        moment = datetime.combine(page.completed_on, time(0), tzinfo=timezone.utc)
        inputs = {"data": json.dumps(page.template_data(), ensure_ascii=False), "qr": qr_svg}
        try:
            pdf = self._compiler.compile(
                input=self._template, format="pdf", sys_inputs=inputs, pdf_standards=PDF_STANDARDS, timestamp=moment
            )
        except typst.TypstError as error:
            hints = "; ".join(getattr(error, "hints", None) or [])
            message = getattr(error, "message", None) or str(error).splitlines()[0]
            raise RenderProblem(f"typst could not make the PDF: {message}{' (' + hints + ')' if hints else ''}") from None
        assert isinstance(pdf, bytes)
        return pdf
