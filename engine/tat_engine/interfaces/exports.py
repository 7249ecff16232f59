"""The consolidated text on a date as JSON, Markdown, HTML and Akoma Ntoso XML.

Akoma Ntoso: one point-in-time expression of the act (``FRBRExpression`` dated
the asked day), its lifecycle (one ``eventRef`` for each act in force by then),
every point a ``point`` element with its number, content and, for a changed
point, an ``authorialNote`` citing the amending act (the annotation). Unknown wording is a ``p`` with
``status="unknown"`` style markers in the HTML and ``refersTo="#unknown"`` in the XML.
Every format holds the whole text: the preamble, each table (cells as the
published tables print them), and each repealed entry with its annotation (an
annex with its title, as the consolidated text prints it).
"""

from __future__ import annotations

import datetime as dt
import html
from xml.etree import ElementTree as ET

from attrs import frozen

from .. import model as m
from ..history.answers import Assumption, InForce
from ..history.index import Index
from ..history.render import annotation, consolidated_text, describe, preamble, repealed_title, table_cells, unknown_wording
from .serialize import to_data

AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
STAMP_NS = "urn:tat-engine:stamp"


@frozen
class TextPeriod:
    """The days the whole text in force on a day stays as it is: ``[start, end)``, half-open.
    ``start`` is None before anything is in force (``end`` is then the first day of the
    directive); ``end`` is None when no later change is known. A bound that is an act date the
    sources lack carries its assumption."""

    start: dt.date | None
    end: dt.date | None
    start_assumed: Assumption | None = None
    end_assumed: Assumption | None = None


def text_period(index: Index, day: dt.date) -> TextPeriod:
    """The period of the version of the whole text in force on ``day``: from the last day on or
    before it on which any point's version began or ended, to the first such day after it."""
    changes = {version.start for versions in index.provisions.values() for version in versions}
    changes |= {version.end for versions in index.provisions.values() for version in versions if version.end}
    start = max((change for change in changes if change <= day), default=None)
    end = min((change for change in changes if change > day), default=None)
    return TextPeriod(start, end, _assumed_on(index, start), _assumed_on(index, end))


def _assumed_on(index: Index, boundary: dt.date | None) -> Assumption | None:
    """The assumption behind ``boundary`` when it is the assumed date of an act the sources do not date."""
    return next((assumption for number, assumption in index.uncertain.items()
                 if boundary is not None and index.acts[number].in_force_from == boundary), None)


def as_json(index: Index, day: dt.date) -> dict:
    points = []
    for answer in index.in_force(day):
        version = answer.version
        points.append({
            "label": answer.label, "provision": version.provision, "version": version.number, "kind": version.kind,
            "status": answer.status, "text": answer.text,
            "reason": getattr(answer.wording, "reason", None) or getattr(answer.wording, "basis", None),
            "annotation": annotation(answer.citation) or None, "citation": to_data(answer.citation),
            "facts": [{"name": f.name, "value": describe(f.value), "source": str(f.source) if f.source else None}
                      for f in version.content.facts],
            "start": version.start.isoformat(), "end": version.end.isoformat() if version.end else None,
            "table": _table_data(version.content.table),
        })
    repealed = [{"label": r.label, "title": repealed_title(r) or None, "annotation": annotation(r.by), "since": r.since.isoformat()}
                for r in index.repealed_on(day)]
    opening = preamble(index)
    return {"on": day.isoformat(), "assumptions": [str(a) for a in index.assumptions_on(day)],
            "acts": [to_data(act) for act in index.acts.values() if act.in_force_from <= day],
            "preamble": {"text": opening.text, "source": str(opening.source)} if opening else None,
            "points": points, "repealed": repealed}


def _table_data(table: m.Table | None) -> dict | None:
    """A table as printed: its columns, then each row as cells or as a heading across them."""
    if table is None:
        return None
    _, *rows = table_cells(table)
    return {"name": table.name, "columns": list(table.columns),
            "rows": [{"heading": row.text} if isinstance(row, m.TableHeading) else {"cells": cells}
                     for row, cells in zip(table.rows, rows)]}


def _entries(data: dict) -> list[dict]:
    """Points in force and repealed entries together, in label order."""
    entries = data["points"] + [{**entry, "repealed": True} for entry in data["repealed"]]
    return sorted(entries, key=lambda entry: m.Label.parse(entry["label"]))


def as_markdown(index: Index, day: dt.date, stamp=None) -> str:
    """The plain text as Markdown: sections as headings, paragraphs apart, the
    rows of a table together; the stamp (:mod:`tat_engine.stamp`) as YAML front matter."""
    blocks: list[str] = [_front_matter(stamp)] if stamp is not None else []
    table = False
    for line in consolidated_text(index, day).splitlines():
        head = line.split(" ", 1)[0]
        if line.startswith("|") and table:
            blocks[-1] += "\n" + line
        elif head.rstrip(".").replace(".", "").isdigit() and head.count(".") == 1:
            blocks.append(f"## {line}")
        elif line:
            blocks.append(line)
        table = line.startswith("|")
    return "\n\n".join(blocks) + "\n"


def _front_matter(stamp) -> str:
    """YAML front matter (what static-site and Pandoc readers take): the stamp's line, and the stamp
    itself as JSON, which YAML reads as a mapping."""
    line = stamp.line().replace("'", "''")
    return f"---\ngenerator: '{line}'\ntat-stamp: {stamp.to_json()}\n---"


def as_html(index: Index, day: dt.date, stamp=None) -> str:
    data = as_json(index, day)
    body = [f"<h1>{html.escape(_title(index))}</h1>", f"<p class=\"on\">Redaktsioon seisuga {day.isoformat()}</p>"]
    body += [f"<p class=\"assumption\">ASSUMPTION: {html.escape(a)}</p>" for a in data["assumptions"]]
    if data["preamble"]:
        body.append(f"<p class=\"preamble\">{html.escape(data['preamble']['text'])}</p>")
    for point in _entries(data):
        body.append(_html_point(point))
        if point.get("table"):
            body.append(_html_table(point["table"]))
    meta = "" if stamp is None else (f"<meta name=\"generator\" content=\"{html.escape(stamp.line())}\">"
                                     f"<meta name=\"tat-stamp\" content=\"{html.escape(stamp.to_json())}\">")
    return ("<!doctype html><html lang=\"et\"><meta charset=\"utf-8\">" + meta + "<title>" + html.escape(_title(index)) + "</title>"
            "<style>.unknown{color:#8a4b00;font-style:italic}.reconstructed{color:#555}.annotation{color:#666;font-size:90%}"
            ".assumption{background:#fff3cd}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 4px;"
            "vertical-align:top}</style><body>" + "\n".join(body) + "</body></html>\n")


def _html_point(point: dict) -> str:
    """A point in force, or a repealed entry with what it keeps (an annex its title)."""
    if point.get("repealed"):
        text, status = point["title"] or "", "repealed"
    elif point["text"] is None:
        text, status = unknown_wording(point["reason"]), point["status"]
    else:
        text, status = point["text"], point["status"]
    words = f" {html.escape(text)}" if text else ""
    note = f" <span class=\"annotation\">{html.escape(point['annotation'])}</span>" if point["annotation"] else ""
    label = html.escape(point["label"])
    return f"<p class=\"point {status}\" id=\"p-{label}\"><b>{label}.</b>{words}{note}</p>"


def _html_table(table: dict) -> str:
    width = len(table["columns"])
    head = "".join(f"<th scope=\"col\">{html.escape(name)}</th>" for name in table["columns"])
    rows = []
    for row in table["rows"]:
        if "heading" in row:
            rows.append(f"<tr><th scope=\"colgroup\" colspan=\"{width}\">{html.escape(row['heading'])}</th></tr>")
        else:
            rows.append("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row["cells"]) + "</tr>")
    return f"<table class=\"{html.escape(table['name'])}\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def as_akoma_ntoso(index: Index, day: dt.date, stamp=None) -> bytes:
    """An Akoma Ntoso 3.0 ``act``: the point-in-time expression of ``day``; the stamp in the
    ``proprietary`` metadata (an element of the engine's own namespace, which the schema lets through)."""
    ET.register_namespace("", AKN)
    ET.register_namespace("tat", STAMP_NS)
    base = next(ref for ref in index.acts.values() if ref.kind != "amending")
    acts = [ref for ref in index.acts.values() if ref.in_force_from <= day]
    work = f"/akn/ee/act/{base.signing.date.isoformat()}/{base.number.replace('/', '-')}"
    root = ET.Element(f"{{{AKN}}}akomaNtoso")
    act = ET.SubElement(root, f"{{{AKN}}}act", name="kaskkiri")
    meta = ET.SubElement(act, f"{{{AKN}}}meta")
    identification = ET.SubElement(meta, f"{{{AKN}}}identification", source="#tat-engine")
    for level, uri, date in (("FRBRWork", work, base.signing.date), ("FRBRExpression", f"{work}/est@{day.isoformat()}", day),
                             ("FRBRManifestation", f"{work}/est@{day.isoformat()}/main.xml", day)):
        frbr = ET.SubElement(identification, f"{{{AKN}}}{level}")
        ET.SubElement(frbr, f"{{{AKN}}}FRBRthis", value=uri)
        ET.SubElement(frbr, f"{{{AKN}}}FRBRuri", value=uri.rsplit("/main.xml", 1)[0])
        ET.SubElement(frbr, f"{{{AKN}}}FRBRdate", date=date.isoformat(), name="expression" if level != "FRBRWork" else "signature")
        ET.SubElement(frbr, f"{{{AKN}}}FRBRauthor", href="#siseminister")
        if level == "FRBRWork":
            ET.SubElement(frbr, f"{{{AKN}}}FRBRcountry", value="ee")
        if level == "FRBRExpression":
            ET.SubElement(frbr, f"{{{AKN}}}FRBRlanguage", language="est")
    lifecycle = ET.SubElement(meta, f"{{{AKN}}}lifecycle", source="#tat-engine")
    references = ET.SubElement(meta, f"{{{AKN}}}references", source="#tat-engine")
    for ref in acts:
        eid = _eid(ref.number)
        ET.SubElement(lifecycle, f"{{{AKN}}}eventRef", eId=f"e-{eid}", date=ref.in_force_from.isoformat(),
                      source=f"#{eid}", type="generation" if ref.kind != "amending" else "amendment")
        ET.SubElement(references, f"{{{AKN}}}passiveRef", eId=eid, href=f"/akn/ee/act/{ref.number}", showAs=f"{ref.date_written} nr {ref.number}")
    ET.SubElement(references, f"{{{AKN}}}TLCOrganization", eId="siseminister", href="/ontology/organization/ee/siseminister", showAs="siseminister")
    ET.SubElement(references, f"{{{AKN}}}TLCOrganization", eId="tat-engine", href="/ontology/organization/tat-engine", showAs="tat-engine")
    if stamp is not None:
        proprietary = ET.SubElement(meta, f"{{{AKN}}}proprietary", source="#tat-engine")
        ET.SubElement(proprietary, f"{{{STAMP_NS}}}stamp", line=stamp.line()).text = stamp.to_json()
    preface = ET.SubElement(act, f"{{{AKN}}}preface")
    ET.SubElement(ET.SubElement(preface, f"{{{AKN}}}p"), f"{{{AKN}}}docTitle").text = base.title or base.number
    opening = preamble(index)
    if opening is not None:
        ET.SubElement(ET.SubElement(act, f"{{{AKN}}}preamble"), f"{{{AKN}}}p").text = opening.text
    body = ET.SubElement(act, f"{{{AKN}}}body")
    entries = [(answer.version.label, answer) for answer in index.in_force(day)]
    entries += [(gone.last.label, gone) for gone in index.repealed_on(day)]
    for _, entry in sorted(entries, key=lambda pair: pair[0]):
        point = ET.SubElement(body, f"{{{AKN}}}point", eId=f"point_{entry.label.replace(' ', '_')}")
        ET.SubElement(point, f"{{{AKN}}}num").text = f"{entry.label}."
        content = ET.SubElement(point, f"{{{AKN}}}content")
        paragraph = ET.SubElement(content, f"{{{AKN}}}p")
        if not isinstance(entry, InForce):
            point.set("status", "removed")
            paragraph.text, note = repealed_title(entry) or None, annotation(entry.by)
        elif entry.text is None:
            paragraph.set("refersTo", "#unknown")
            paragraph.text, note = f"[{entry.wording.reason}]", annotation(entry.citation)
        else:
            paragraph.text, note = entry.text, annotation(entry.citation)
        if note:
            mark = ET.SubElement(paragraph, f"{{{AKN}}}authorialNote", marker="*", placement="inline",
                                 eId=f"{point.get('eId')}__an_1")
            ET.SubElement(mark, f"{{{AKN}}}p").text = note
        if isinstance(entry, InForce) and entry.content.table is not None:
            _akn_table(content, entry.content.table, f"{point.get('eId')}__table_1")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _akn_table(parent: ET.Element, table: m.Table, eid: str) -> None:
    """An AKN ``table``: the header in ``th`` cells, a heading row one ``th`` across the table."""
    element = ET.SubElement(parent, f"{{{AKN}}}table", eId=eid)
    header, *rows = table_cells(table)
    row = ET.SubElement(element, f"{{{AKN}}}tr")
    for name in header:
        ET.SubElement(ET.SubElement(row, f"{{{AKN}}}th"), f"{{{AKN}}}p").text = name
    for source, cells in zip(table.rows, rows):
        row = ET.SubElement(element, f"{{{AKN}}}tr")
        if isinstance(source, m.TableHeading):
            heading = ET.SubElement(row, f"{{{AKN}}}th", colspan=str(len(header)))
            ET.SubElement(heading, f"{{{AKN}}}p").text = source.text
            continue
        for cell in cells:
            ET.SubElement(ET.SubElement(row, f"{{{AKN}}}td"), f"{{{AKN}}}p").text = cell


def _eid(number: str) -> str:
    return "act-" + "".join(c if c.isalnum() else "-" for c in number)


def _title(index: Index) -> str:
    base = next(ref for ref in index.acts.values() if ref.kind != "amending")
    return base.title or base.number


FORMATS = {"json": "application/json", "markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
           "akn": "application/akn+xml", "pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def export(index: Index, day: dt.date, fmt: str, stamp=None):
    """The text in force on ``day`` in ``fmt``, with ``stamp`` in its metadata (not in the JSON: an HTTP
    answer's stamp member holds it); a day outside the supported range is a QueryError."""
    from ..law import day as supported_day

    day = supported_day(day)
    if fmt == "json":
        return as_json(index, day)
    if fmt == "markdown":
        return as_markdown(index, day, stamp)
    if fmt == "html":
        return as_html(index, day, stamp)
    if fmt in ("pdf", "docx"):  # paper: the optional extra's libraries (interfaces/paper.py)
        from .paper import render

        return render(index, day, fmt, stamp.line() if stamp is not None else None)
    return as_akoma_ntoso(index, day, stamp)

