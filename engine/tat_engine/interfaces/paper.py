"""The consolidated text on paper: PDF (reportlab) and DOCX (python-docx).

Both print one :class:`Sheet`, built from the index without either library: the act's
identity, the version's period ("kehtiv alates 06.03.2020 [eeldatud] kuni …", from
:func:`exports.text_period`), the assumptions, the preamble, every point with its
annotation as ``tat text`` prints it, the tables of sections 3 and 6 as tables, repealed
annexes with their titles, and a tag on each wording the sources lack ([teadmata]), rebuild
([taastatud]) or hold only under an assumed act date ([eeldatud]), explained in a legend.

The libraries are the optional extra ``paper`` (``pip install 'tat-engine[paper]'``);
without it :class:`MissingExtra` says how to install it. The PDF embeds Bitstream Vera,
which ships inside reportlab under a licence that allows redistribution and has every
Estonian letter; a character it lacks is refused rather than printed as a blank box.
"""

from __future__ import annotations

import datetime as dt
import io
import threading

from attrs import frozen

from .. import model as m
from ..errors import MissingExtra, QueryError, TatError
from ..messages import msg
from ..history.answers import Assumption, InForce, Repealed
from ..history.index import Index
from ..history.render import annotation, fact_line, preamble, repealed_title, table_cells, unknown_wording
from .exports import TextPeriod, text_period

UNKNOWN, RECONSTRUCTED, ASSUMED = "[teadmata]", "[taastatud]", "[eeldatud]"
LEGEND = (
    (UNKNOWN, "sõnastust allikates ei ole (wording not in the sources): punkt ütleb, miks, "
              "ja mis on teada muudest allikatest"),
    (RECONSTRUCTED, "taastatud sõnastus (reconstructed wording): selle alus on punkti all"),
    (ASSUMED, "kehtib eeldatud kuupäeva korral (rests on an act date the sources lack): vt eeldused"),
)
INSTALL = "pip install 'tat-engine[paper]'"


class Unprintable(TatError):
    """A character the PDF's font has no glyph for: refused, not printed as a blank."""


@frozen
class Table:
    """A table as printed: the header, then rows of cells; a heading row spans the table."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    headings: frozenset[int]  # indexes into rows of the rows that are headings across the table


@frozen
class Entry:
    """One point (or repealed entry) as the paper prints it."""

    label: str
    section: bool  # a top-level point, printed as a heading
    text: str  # the wording, or what stands where the sources lack it
    tags: tuple[str, ...]
    annotation: str  # "(muudetud siseministri … käskkirjaga nr …)", or ""
    note: str  # a reconstruction's basis, or ""
    table: Table | None


@frozen
class Sheet:
    """The whole text in force on a day, ready for any paper format."""

    heading: str  # KÄSKKIRI 18.09.2015 nr 1-3/170
    title: str
    on: dt.date
    period: TextPeriod
    amended_by: str
    assumptions: tuple[str, ...]
    preamble: str | None
    entries: tuple[Entry, ...]

    @property
    def redaction(self) -> str:
        return f"Redaktsioon seisuga {_estonian(self.on)}"

    @property
    def period_line(self) -> str:
        """``kehtiv alates 27.03.2019 kuni 05.03.2020 [eeldatud]``: ``kuni`` names the last day."""
        period = self.period
        if period.start is None:
            upcoming = f"; jõustub {_estonian(period.end)}{_tag(period.end_assumed)}" if period.end else ""
            return f"ei ole sel kuupäeval jõus{upcoming}"
        line = f"kehtiv alates {_estonian(period.start)}{_tag(period.start_assumed)}"
        if period.end is not None:
            line += f" kuni {_estonian(period.end - m.ONE_DAY)}{_tag(period.end_assumed)}"
        return line


def _estonian(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _tag(assumed: Assumption | None) -> str:
    return f" {ASSUMED}" if assumed is not None else ""


def sheet(index: Index, day: dt.date) -> Sheet:
    """The text in force on ``day`` (a supported day), as the paper formats print it."""
    base = next(ref for ref in index.acts.values() if ref.kind != "amending")
    amending = [ref for ref in index.acts.values() if ref.kind == "amending" and ref.in_force_from <= day]
    period = text_period(index, day)
    assumed = {a.act: a for a in index.assumptions_on(day)}
    for boundary in (period.start_assumed, period.end_assumed):
        if boundary is not None:
            assumed.setdefault(boundary.act, boundary)
    entries = [(answer.version.label, _point(index.point(answer.label, day), answer)) for answer in index.in_force(day)]
    entries += [(gone.last.label, _repealed(gone)) for gone in index.repealed_on(day)]
    opening = preamble(index)
    return Sheet(
        heading=f"KÄSKKIRI {base.date_written} nr {base.number}" if base.kind == "directive" else base.number,
        title=base.title or "", on=day, period=period,
        amended_by="muudetud järgmiste käskkirjadega: " + ", ".join(map(str, amending)) if amending else "",
        assumptions=tuple(str(a) for a in assumed.values()), preamble=opening.text if opening else None,
        entries=tuple(entry for _, entry in sorted(entries, key=lambda pair: pair[0])))


def _point(timeline_answer, answer: InForce) -> Entry:
    """A point in force; ``timeline_answer`` is the label's answer on the day, which
    carries the other date worlds where an open act date would change it."""
    version, wording = answer.version, answer.wording
    tags: list[str] = []
    note = ""
    if isinstance(wording, m.Unknown):
        text, tags = unknown_wording(wording.reason), [UNKNOWN]
        known = [fact_line(fact) for fact in version.content.facts if fact.source]
        text += " [known: " + "; ".join(known) + "]" if known else ""
    elif isinstance(wording, m.Reconstructed):
        text, note, tags = wording.text, f"reconstructed: {wording.basis}", [RECONSTRUCTED]
    else:
        text = wording.text
    if getattr(timeline_answer, "alternatives", ()):
        tags.append(ASSUMED)
    return Entry(str(version.label), _is_section(version.label), text, tuple(tags), annotation(answer.citation), note,
                 _table(version.content.table))


def _repealed(gone: Repealed) -> Entry:
    tags = (ASSUMED,) if gone.alternatives else ()
    return Entry(gone.label, _is_section(gone.last.label), repealed_title(gone), tags, annotation(gone.by), "", None)


def _is_section(label: m.Label) -> bool:
    return label.annex or label.depth == 1


def _table(table: m.Table | None) -> Table | None:
    if table is None:
        return None
    header, *rows = table_cells(table)
    headings = frozenset(n for n, row in enumerate(table.rows) if isinstance(row, m.TableHeading))
    return Table(tuple(header), tuple(tuple(row) for row in rows), headings)


def render(index: Index, day: dt.date, fmt: str, stamp: str | None = None) -> bytes:
    """The text in force on ``day`` as ``pdf`` or ``docx`` bytes; ``stamp`` (by default the
    engine and its version) goes into the document's metadata: what produced it."""
    from .. import __version__

    if fmt not in ("pdf", "docx"):
        raise QueryError(msg("paper is pdf or docx, not {format}", format=repr(fmt)))
    stamp = stamp or f"tat-engine {__version__}"
    page = sheet(index, day)
    return _pdf(page, stamp) if fmt == "pdf" else _docx(page, stamp)


def require(fmt: str) -> None:
    """Refuse ``fmt`` (pdf or docx) when its library is not installed, saying how to install it."""
    _need("reportlab" if fmt == "pdf" else "docx", fmt.upper())


def _need(module: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f"{what} output needs the optional libraries of the paper extra, which are not installed here: "
                           f"{INSTALL} (or: pip install reportlab python-docx)") from None


# --- PDF ---------------------------------------------------------------------------------

_FONT = "TatVera"


_MARGIN = 20  # mm on every side but the foot


_REPORTLAB = threading.Lock()  # reportlab keeps fonts and their subsets in globals: one document at a time


def _pdf(page: Sheet, stamp: str) -> bytes:
    _need("reportlab", "PDF")
    with _REPORTLAB:  # the server renders in worker threads; two at once garble each other's fonts
        return _pdf_alone(page, stamp)


def _pdf_alone(page: Sheet, stamp: str) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    _printable(page, _fonts())
    out = io.BytesIO()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(_FONT, 7)
        canvas.drawString(_MARGIN * mm, 10 * mm, f"{page.heading} · {page.redaction} · lk {doc.page}")
        canvas.restoreState()

    def template(name: str, size) -> PageTemplate:
        frame = Frame(_MARGIN * mm, 18 * mm, size[0] - 2 * _MARGIN * mm, size[1] - (_MARGIN + 18) * mm, id=name)
        return PageTemplate(id=name, frames=[frame], onPage=footer, pagesize=size)

    doc = BaseDocTemplate(out, pagesize=A4, title=page.title, subject=f"{page.redaction}, {page.period_line}",
                          author=page.heading, creator=stamp, lang="et", invariant=1, initialFontName=_FONT,
                          pageTemplates=[template("portrait", A4), template("landscape", landscape(A4))])
    doc.afterFlowable = lambda flowable: _bookmark(doc.canv, flowable)
    doc.build(_story(page, _styles(), (A4[0] - 2 * _MARGIN * mm, A4[1] - 2 * _MARGIN * mm)))
    return out.getvalue()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bookmark(canvas, flowable) -> None:
    """A section's heading in the PDF's outline (the reader's bookmarks), where it is printed."""
    outline = getattr(flowable, "outline", None)
    if outline:
        key, title = outline
        canvas.bookmarkPage(key)
        canvas.addOutlineEntry(title, key, level=0)


def _story(page: Sheet, styles: dict, rooms: tuple[float, float]) -> list:
    """The flowables: the heading, the legend, the preamble, then each point; a table too wide
    for a portrait page gets a landscape one, with its point."""
    from reportlab.lib.units import mm
    from reportlab.platypus import NextPageTemplate, PageBreak, Paragraph, Spacer

    story = [Paragraph(_esc(page.heading), styles["head"]), Paragraph(_esc(page.title), styles["title"]),
             Paragraph(_esc(page.redaction), styles["meta"]), Paragraph(_esc(page.period_line), styles["period"])]
    story += [Paragraph(_esc(line), styles["meta"]) for line in (page.amended_by,) if line]
    story += [Paragraph(_esc(f"ASSUMPTION: {line}"), styles["assumption"]) for line in page.assumptions]
    story.append(Paragraph("<b>Märgised</b> (markers)", styles["meta"]))
    story += [Paragraph(f"<font color='#8a4b00'><b>{_esc(tag)}</b></font> {_esc(meaning)}", styles["legend"])
              for tag, meaning in LEGEND]
    story.append(Spacer(1, 4 * mm))
    if page.preamble:
        story.append(Paragraph(_esc(page.preamble), styles["body"]))
    portrait, wide = rooms
    for entry in page.entries:
        turn = entry.table is not None and not _fits(entry.table, portrait)
        story += [NextPageTemplate("landscape"), PageBreak()] if turn else []
        story.append(Paragraph(_pdf_entry(entry), styles["section" if entry.section else "body"]))
        if entry.section:
            story[-1].outline = (f"point-{entry.label}", _clip(f"{entry.label}. {entry.text}", 90))
        if entry.note:
            story.append(Paragraph(_esc(entry.note), styles["note"]))
        if entry.table is not None:
            story += [Spacer(1, 1 * mm), _pdf_table(entry.table, styles, wide if turn else portrait), Spacer(1, 2 * mm)]
        story += [NextPageTemplate("portrait"), PageBreak()] if turn else []
    return story


def _fonts():
    """Register Bitstream Vera (shipped inside reportlab) as a family; its character map."""
    import os

    import reportlab
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    names = {"": "Vera.ttf", "-Bold": "VeraBd.ttf", "-Italic": "VeraIt.ttf", "-BoldItalic": "VeraBI.ttf"}
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        for suffix, file in names.items():
            pdfmetrics.registerFont(TTFont(_FONT + suffix, os.path.join(folder, file)))
        for bold, italic, suffix in ((0, 0, ""), (1, 0, "-Bold"), (0, 1, "-Italic"), (1, 1, "-BoldItalic")):
            addMapping(_FONT, bold, italic, _FONT + suffix)
    return pdfmetrics.getFont(_FONT).face.charToGlyph


def _printable(page: Sheet, glyphs=None) -> None:
    """Every character of the page can be written: no control character (a document's XML cannot
    hold one), and, for the PDF, each has a glyph in the font (``glyphs``)."""
    for entry in page.entries:
        cells = [cell for row in entry.table.rows for cell in row] + list(entry.table.columns) if entry.table else []
        for text in (entry.text, entry.note, entry.annotation, *cells):
            _check_characters(text, glyphs, f"point {entry.label}")
    for text in (page.heading, page.title, page.amended_by, page.preamble or "", *page.assumptions):
        _check_characters(text, glyphs, "the heading")


def _check_characters(text: str, glyphs, where: str) -> None:
    control = sorted({c for c in text if (ord(c) < 0x20 and c not in "\n\t\r") or 0xD800 <= ord(c) <= 0xDFFF
                      or c in "\ufffe\uffff"})
    if control:
        raise Unprintable(f"{where} holds the control character {_shown(control)}, which no document can hold")
    missing = sorted({c for c in text if glyphs is not None and ord(c) not in glyphs and c not in "\n\t\r"})
    if missing:
        raise Unprintable(f"the PDF font (Bitstream Vera) has no glyph for {_shown(missing)} in {where}; "
                          "the DOCX format prints it")


def _shown(characters: list[str]) -> str:
    return ", ".join(f"{c!r} (U+{ord(c):04X})" for c in characters[:5])


def _esc(text: str) -> str:
    """Text for reportlab's paragraph markup: its three markup characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pdf_entry(entry: Entry) -> str:
    parts = [f"<b>{_esc(entry.label)}.</b>"]
    parts += [f"<font color='#8a4b00'><b>{_esc(tag)}</b></font>" for tag in entry.tags]
    text = _esc(entry.text)
    parts.append(f"<i>{text}</i>" if UNKNOWN in entry.tags else text)
    if entry.annotation:
        parts.append(f"<font name='{_FONT}' color='#555555' size='8'>{_esc(entry.annotation)}</font>")
    return " ".join(part for part in parts if part)


def _styles() -> dict:
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=_FONT, fontSize=9.5, leading=12.5, spaceAfter=3)
    return {
        "head": ParagraphStyle("head", base, fontName=_FONT + "-Bold", fontSize=11, leading=14),
        "title": ParagraphStyle("title", base, fontName=_FONT + "-Bold", fontSize=13, leading=17, spaceAfter=6),
        "meta": ParagraphStyle("meta", base, fontSize=9),
        "period": ParagraphStyle("period", base, fontName=_FONT + "-Bold", fontSize=10),
        "assumption": ParagraphStyle("assumption", base, fontSize=8, leading=10, backColor="#fff3cd"),
        "legend": ParagraphStyle("legend", base, fontSize=8, leading=10, leftIndent=8, spaceAfter=1),
        "body": base,
        "section": ParagraphStyle("section", base, fontName=_FONT + "-Bold", fontSize=10.5, spaceBefore=6),
        "note": ParagraphStyle("note", base, fontName=_FONT + "-Italic", fontSize=8, leading=10, leftIndent=12,
                               textColor="#555555"),
        "cell": ParagraphStyle("cell", base, fontSize=6.5, leading=8, spaceAfter=0),
        "cell-head": ParagraphStyle("cell-head", base, fontName=_FONT + "-Bold", fontSize=6.5, leading=8, spaceAfter=0),
    }


def _pdf_table(table: Table, styles: dict, room: float):
    """A table over the room's width; a wide one (section 3 has eleven columns) in a smaller
    type, down to 5 pt, so that its words need not break."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph
    from reportlab.platypus import Table as Grid

    size, widths = _layout(table, room)
    plain = ParagraphStyle("cell", styles["cell"], fontSize=size, leading=size * 1.25)
    bold = ParagraphStyle("cell-head", styles["cell-head"], fontSize=size, leading=size * 1.25)
    head = [[Paragraph(_esc(name), bold) for name in table.columns]]
    body = [[Paragraph(_esc(cell), bold if n in table.headings else plain) for cell in row]
            for n, row in enumerate(table.rows)]
    grid = Grid(head + body, colWidths=widths, repeatRows=1, splitInRow=1)  # a row longer than a page goes on
    style = [("FONTNAME", (0, 0), (-1, -1), _FONT), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]
    style += [("SPAN", (0, n + 1), (-1, n + 1)) for n in table.headings]
    grid.setStyle(style)
    return grid


_PAD = 14  # a cell's padding (reportlab: 6 pt a side) and two points spare
_SMALLEST = 5.5  # pt: the least type size of a table cell


def _fits(table: Table, room: float) -> bool:
    """Whether every word of every column fits the room at the least type size."""
    return sum(_SMALLEST * word + _PAD for word in _words(table)) <= room


def _words(table: Table) -> list[float]:
    """Per column, the width of its longest word at a type size of 1 pt (bold, as the widest)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    cells = [table.columns] + [row for n, row in enumerate(table.rows) if n not in table.headings]
    return [max(stringWidth(word, _FONT + "-Bold", 1) for row in cells for word in row[column].split() or [""])
            for column in range(len(table.columns))]


def _layout(table: Table, room: float, largest: float = 6.5) -> tuple[float, list[float]]:
    """The type size and column widths: each column at least as wide as its longest word, the
    rest of the room shared by how much text each column holds."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    cells = [table.columns] + [row for n, row in enumerate(table.rows) if n not in table.headings]
    columns = [[row[column] for row in cells] for column in range(len(table.columns))]
    words = _words(table)
    size = max(_SMALLEST, min(largest, (room - _PAD * len(columns)) / sum(words)))
    least = [size * word + _PAD for word in words]
    if sum(least) >= room:
        return size, [room * each / sum(least) for each in least]
    wants = [min(max(stringWidth(cell, _FONT, size) for cell in column) + _PAD, room / 2) for column in columns]
    extra = [max(want - each, 0) for want, each in zip(wants, least)]
    spare = room - sum(least)
    shares = [spare * more / sum(extra) for more in extra] if sum(extra) else [spare / len(least)] * len(least)
    return size, [each + share for each, share in zip(least, shares)]


# --- DOCX --------------------------------------------------------------------------------

def _docx(page: Sheet, stamp: str) -> bytes:
    docx = _need("docx", "DOCX")
    _printable(page)
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    properties = document.core_properties
    properties.title, properties.subject = page.title, f"{page.redaction}, {page.period_line}"
    properties.author, properties.comments, properties.language = page.heading, stamp, "et-EE"
    fixed = dt.datetime(2000, 1, 1)  # the same text gives the same file
    properties.created = properties.modified = fixed
    properties.last_modified_by = "tat-engine"
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(page.heading, level=2)
    document.add_heading(page.title, level=1)
    document.add_paragraph(page.redaction)
    document.add_paragraph().add_run(page.period_line).bold = True
    if page.amended_by:
        document.add_paragraph(page.amended_by)
    for line in page.assumptions:
        document.add_paragraph(f"ASSUMPTION: {line}", style="Intense Quote")
    document.add_paragraph().add_run("Märgised (markers)").bold = True
    brown, grey = RGBColor(0x8A, 0x4B, 0x00), RGBColor(0x55, 0x55, 0x55)
    for tag, meaning in LEGEND:
        paragraph = document.add_paragraph(style="List Bullet")
        _run(paragraph, tag, bold=True, color=brown)
        paragraph.add_run(f" {meaning}")
    if page.preamble:
        document.add_paragraph(page.preamble)
    for entry in page.entries:
        _docx_entry(document, entry, brown, grey, Pt)
    out = io.BytesIO()
    document.save(out)
    return _steady(out.getvalue())


_THUMBNAIL = "docProps/thumbnail.jpeg"  # python-docx's template's picture of an empty page


def _steady(package: bytes) -> bytes:
    """The package with every member dated 1980-01-01 (python-docx dates them now), so that the
    same text gives the same file; without the template's thumbnail, which a file browser would
    show as this document's first page."""
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            if member.filename == _THUMBNAIL:
                continue
            body = source.read(member)
            if member.filename == "_rels/.rels":
                body = re.sub(rb'<Relationship [^>]*Target="%s"/>' % _THUMBNAIL.encode(), b"", body)
            target.writestr(zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0)), body,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _run(paragraph, text: str, bold: bool = False, italic: bool = False, color=None, size=None):
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if color is not None:
        run.font.color.rgb = color
    if size is not None:
        run.font.size = size
    return run


def _docx_entry(document, entry: Entry, brown, grey, Pt) -> None:
    paragraph = document.add_paragraph(style="Heading 3" if entry.section else None)  # a section: in the navigation pane
    _run(paragraph, f"{entry.label}.", bold=True, size=Pt(11) if entry.section else None)
    for tag in entry.tags:
        _run(paragraph, f" {tag}", bold=True, color=brown)
    if entry.text:
        _run(paragraph, f" {entry.text}", bold=entry.section, italic=UNKNOWN in entry.tags)
    if entry.annotation:
        _run(paragraph, f" {entry.annotation}", color=grey, size=Pt(8))
    if entry.note:
        _run(document.add_paragraph(), entry.note, italic=True, color=grey, size=Pt(8))
    if entry.table is not None:
        _docx_table(document, entry.table, Pt)


def _docx_table(document, table: Table, Pt) -> None:
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, table.columns):
        _cell(cell, name, True, Pt)
    for n, row in enumerate(table.rows):
        cells = grid.rows[n + 1].cells
        if n in table.headings:
            _cell(cells[0].merge(cells[-1]), row[0], True, Pt)
            continue
        for cell, text in zip(cells, row):
            _cell(cell, text, False, Pt)


def _cell(cell, text: str, bold: bool, Pt) -> None:
    paragraph = cell.paragraphs[0]
    _run(paragraph, text, bold=bold, size=Pt(7))
