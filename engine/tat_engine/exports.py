"""The consolidated text on a date as JSON, Markdown, HTML and Akoma Ntoso XML.

Akoma Ntoso: one point-in-time expression of the act (``FRBRExpression`` dated
the asked day), its lifecycle (one ``eventRef`` for each act in force by then),
every point a ``point`` element with its number, content and, for a changed
point, an ``authorialNote`` citing the amending act (the annotation). Unknown wording is a ``p`` with
``status="unknown"`` style markers in the HTML and ``refersTo="#unknown"`` in the XML.
"""

from __future__ import annotations

import datetime as dt
import html
from xml.etree import ElementTree as ET

from .index import Index
from .render import annotation, consolidated_text, describe
from .serialize import to_data

AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"


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
        })
    repealed = [{"label": r.label, "annotation": annotation(r.by), "since": r.since.isoformat()} for r in index.repealed_on(day)]
    return {"on": day.isoformat(), "assumptions": [str(a) for a in index.assumptions_on(day)],
            "acts": [to_data(act) for act in index.acts.values() if act.in_force_from <= day],
            "points": points, "repealed": repealed}


def as_markdown(index: Index, day: dt.date) -> str:
    lines = []
    for line in consolidated_text(index, day).splitlines():
        head = line.split(" ", 1)[0]
        if head.rstrip(".").replace(".", "").isdigit() and head.count(".") == 1:
            lines.append(f"## {line}")
        else:
            lines.append(line)
    return "\n\n".join(line for line in lines if line) + "\n"


def as_html(index: Index, day: dt.date) -> str:
    data = as_json(index, day)
    body = [f"<h1>{html.escape(_title(index))}</h1>", f"<p class=\"on\">Redaktsioon seisuga {day.isoformat()}</p>"]
    body += [f"<p class=\"assumption\">ASSUMPTION: {html.escape(a)}</p>" for a in data["assumptions"]]
    for point in data["points"]:
        text = point["text"] if point["text"] is not None else f"[wording not in the sources: {point['reason']}]"
        note = f" <span class=\"annotation\">{html.escape(point['annotation'])}</span>" if point["annotation"] else ""
        body.append(f"<p class=\"point {point['status']}\" id=\"p-{html.escape(point['label'])}\"><b>{html.escape(point['label'])}.</b> "
                    f"{html.escape(text)}{note}</p>")
    return ("<!doctype html><html lang=\"et\"><meta charset=\"utf-8\"><title>" + html.escape(_title(index)) + "</title>"
            "<style>.unknown{color:#8a4b00;font-style:italic}.reconstructed{color:#555}.annotation{color:#666;font-size:90%}"
            ".assumption{background:#fff3cd}</style><body>" + "\n".join(body) + "</body></html>\n")


def as_akoma_ntoso(index: Index, day: dt.date) -> bytes:
    """An Akoma Ntoso 3.0 ``act``: the point-in-time expression of ``day``."""
    ET.register_namespace("", AKN)
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
    preface = ET.SubElement(act, f"{{{AKN}}}preface")
    ET.SubElement(ET.SubElement(preface, f"{{{AKN}}}p"), f"{{{AKN}}}docTitle").text = base.title or base.number
    body = ET.SubElement(act, f"{{{AKN}}}body")
    for answer in index.in_force(day):
        point = ET.SubElement(body, f"{{{AKN}}}point", eId=f"point_{answer.label.replace(' ', '_')}")
        ET.SubElement(point, f"{{{AKN}}}num").text = f"{answer.label}."
        content = ET.SubElement(point, f"{{{AKN}}}content")
        paragraph = ET.SubElement(content, f"{{{AKN}}}p")
        if answer.text is None:
            paragraph.set("refersTo", "#unknown")
            paragraph.text = f"[{answer.wording.reason}]"
        else:
            paragraph.text = answer.text
        note = annotation(answer.citation)
        if note:
            mark = ET.SubElement(paragraph, f"{{{AKN}}}authorialNote", marker="*", placement="inline",
                                 eId=f"{point.get('eId')}__an_1")
            ET.SubElement(mark, f"{{{AKN}}}p").text = note
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _eid(number: str) -> str:
    return "act-" + "".join(c if c.isalnum() else "-" for c in number)


def _title(index: Index) -> str:
    base = next(ref for ref in index.acts.values() if ref.kind != "amending")
    return base.title or base.number


FORMATS = {"json": "application/json", "markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
           "akn": "application/akn+xml"}


def export(index: Index, day: dt.date, fmt: str):
    if fmt == "json":
        return as_json(index, day)
    if fmt == "markdown":
        return as_markdown(index, day)
    if fmt == "html":
        return as_html(index, day)
    return as_akoma_ntoso(index, day)

