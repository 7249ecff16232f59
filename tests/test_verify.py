"""The engine against the published texts: verify, lint, and the extraction they read."""

import datetime as dt
from pathlib import Path

import pytest

from tat_engine.interfaces.cli import main
from tat_engine.review.lint import lint
from tat_engine.loader import build, bundled_files
from tat_engine.review.published import (
    amending_items, clean, consolidated_points, consolidated_preamble, consolidated_tables, item_tables, split_annotation,
    squash,
)
from tat_engine.review.verify import verify

SEED = Path(__file__).parents[1] / "tat" / "sources" / "003_9a05f8f9be73a8a0.txt"
AFTER = dt.date(2021, 1, 1)


@pytest.fixture(scope="module")
def index():
    return build(bundled_files())


def test_verify_passes_and_lists_the_reviewed_differences(index):
    report = verify(index, AFTER)
    assert report.ok, [str(d) for d in report.unlisted] + [str(s) for s in report.stale]
    kinds = {(d.point, d.kind) for d in report.found}
    assert {("16", "wording"), ("2.3.3.1.6", "wording"), ("15.1", "annotation"), ("2.3.2.1", "item-overridden")} <= kinds


@pytest.mark.parametrize("path, old, new", [
    ("amendments/2020-1-3-zz.tat", "30 kalendripäeva jooksul", "31 kalendripäeva jooksul"),
    ("amendments/2020-1-3-zz.tat", "Käesoleva TAT raames", "Käesoleva TATi raames"),
    ("tat/1-3-170.tat", "Partnerid peavad täitma", "Partnerid võivad täita"),
])
def test_editing_a_word_of_an_encoded_point_fails_verify(path, old, new):
    sources = [(name, text.replace(old, new, 1) if name == path else text) for name, text in bundled_files()]
    assert any(old in text for name, text in bundled_files() if name == path)
    report = verify(build(sources), AFTER)
    assert not report.ok and report.unlisted


def test_a_stale_reviewed_entry_fails_verify(index):
    report = verify(index, AFTER, known={("1.1", "wording"): "no such difference"})
    assert not report.ok and ("1.1", "wording") in report.stale


def test_verify_on_the_command_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path))
    assert main(["verify"]) == 0
    assert "verify: ok: 15 differences, 0 not reviewed, 0 stale" in capsys.readouterr().out


def test_lint_report_equals_the_reviewed_golden_file(index):
    golden = (Path(__file__).parent / "golden" / "lint.txt").read_text("utf-8").splitlines()
    assert [str(finding) for finding in lint(index, AFTER)] == golden


def test_the_extraction_finds_every_point_once_in_order():
    points = consolidated_points(SEED)
    labels = [p.label for p in points]
    assert len(labels) == len(set(labels)) == 233
    assert labels[:3] == ["1", "1.1", "1.1.1"] and labels[-7:] == ["16.1", "Lisa 1", "Lisa 2", "Lisa 3", "Lisa 4", "Lisa 5", "Lisa 6"]
    assert "2.7.4" not in labels and "2014" not in labels
    by = {p.label: p for p in points}
    assert "tugiisikuteenus ja" in by["2.3.3.1.5"].text and "tugiisiku-" not in by["2.3.3.1.5"].text
    assert by["9.1.1.1"].text.endswith("kinnitab RA;")  # footnote mark dropped
    assert "Kinnitatud tegevuskava" not in by["9.1.5"].text  # footnote line dropped
    assert not by["11.4"].text.endswith("15")  # page number dropped
    assert (by["12.4"].annotation.date, by["12.4"].annotation.number) == ("", "1-3/")
    assert by["2.3.3.2"].text == "" and by["2.3.3.2"].annotation.number == "1-3/29"
    assert (by["11.3"].first_line, by["11.3"].last_line) == (1338, 1345)


def test_the_2020_items_are_read_with_their_wording():
    items = amending_items(SEED)
    assert [i.number for i in items] == [f"1.{n}" for n in range(1, 36)]
    by = {i.number: i for i in items}
    assert by["1.22"].verb == "tunnistan" and by["1.22"].target == "9.1.9" and by["1.22"].text is None
    assert by["1.10"].text == "Tegevuse elluviimise aeg on 01.09.2015–30.11.2023."
    assert "vähemalt kümnes kaheksateistkümnes piirkonnas" in by["1.4"].text


@pytest.mark.parametrize("lines, text", [
    (["tugiisiku-", "teenus"], "tugiisikuteenus"),
    (["sotsiaal-", "ja lastekaitse"], "sotsiaal- ja lastekaitse"),
    (["KA-", "le"], "KA-le"),
    (["nr 1-", "3/zz"], "nr 1-3/zz"),
    (["kuni", "15", "nr"], "kuni nr"),
    (["teavitab RÜ- d"], "teavitab RÜ-d"),
])
def test_clean_undoes_pdf_artifacts_only(lines, text):
    assert clean(lines) == text


def test_annotations_are_split_off_and_normalised():
    text, annotation = split_annotation("…kohta. (muudetud siseministri 27.03.2019 käskkirjaga nr 1- 3/29).")
    assert text == "…kohta." and (annotation.verb, annotation.date, annotation.number) == ("muudetud", "27.03.2019", "1-3/29")


# --- nothing left out: the preamble, the titles of repealed annexes, every table cell ---------------

PREAMBLE = ('  preamble "Käskkiri kehtestatakse perioodi 2014–2020 struktuuritoetuse seaduse § 16 lõike 1 alusel ja kooskõlas '
            'Vabariigi Valitsuse 23. juuli 2015. a korraldusega nr 295 „„Perioodi 2014–2020 struktuuritoetuse meetmete '
            'nimekirja“ kinnitamine“." source consolidated2020 581..583\n')
BUDGET_ROW_1 = ('row "1" "Käitumisoskuste Mängu arendamine ja laiendamine õpilaste koolis toimetuleku parandamiseks '
                'ja riskikäitumise ennetamiseks" 965608 100%')


def _edited(path, old, new):
    files = bundled_files()
    assert any(name == path and old in text for name, text in files), (path, old)
    return [(name, text.replace(old, new, 1) if name == path else text) for name, text in files]


def _block(path, first):
    """The lines of ``path`` from the one holding ``first`` to its closing brace, with the newline."""
    text = dict(bundled_files())[path]
    start = text.index(first)
    start = text.rindex("\n", 0, start) + 1
    return text[start:text.index("  }\n", start) + 4]


@pytest.mark.parametrize("path, old, new, point, kind", [
    ("tat/1-3-170.tat", PREAMBLE, "", "preamble", "missing"),
    ("tat/1-3-170.tat", "§ 16 lõike 1 alusel", "§ 16 lõike 2 alusel", "preamble", "wording"),
    ("tat/1-3-170.tat", 'text "Seirearuande vorm"', 'text "Seirearuande vormid"', "Lisa 3", "wording"),
    ("tat/1-3-170.tat", 'text "Toetatavate tegevuste tegevuskava vorm"', 'text unknown "left out"', "Lisa 1", "wording"),
    ("amendments/2017-04-30-1-3-53.tat", "item ? repeal Lisa 2", "item ? repeal Lisa 5", "Lisa 2", "annotation"),
    ("amendments/2020-1-3-zz.tat", BUDGET_ROW_1, BUDGET_ROW_1.replace("965608", "965609"), "6[1,3]", "table"),
    ("amendments/2020-1-3-zz.tat", BUDGET_ROW_1, BUDGET_ROW_1.replace("100%", "85%"), "6[1,4]", "table"),
    ("amendments/2020-1-3-zz.tat", '"Käitumisakt" "Mõõdetakse', '"Käitumisakt" "Mõõdetakse vahel', "3[4,4]", "table"),
    ("amendments/2020-1-3-zz.tat", '"Nõukogu" 0 0 15', '"Nõukogu" 0 0 16', "3[10,6]", "table"),
    ("amendments/2020-1-3-zz.tat", "heading \"Toetatav tegevus 2.2.", "heading \"Toetatav tegevus 2.3.", "3[5,1]", "table"),
    ("amendments/2020-1-3-zz.tat", '"Näitajad" "Näitaja nimetus"', '"Näitaja" "Näitaja nimetus"', "3[0,1]", "table"),
])
def test_an_omitted_or_changed_text_fails_verify_naming_it(path, old, new, point, kind):
    report = verify(build(_edited(path, old, new)), AFTER)
    assert not report.ok
    assert (point, kind) in {(d.point, d.kind) for d in report.unlisted}, [str(d) for d in report.unlisted]


def test_an_emptied_cell_or_a_dropped_row_fails_verify_naming_the_place():
    emptied = verify(build(_edited("amendments/2020-1-3-zz.tat", BUDGET_ROW_1, BUDGET_ROW_1.replace("965608", '""'))), AFTER)
    assert "6[1,3]" in {d.point for d in emptied.unlisted}
    assert any("965 608" in d.detail for d in emptied.unlisted if d.point == "6[1,3]")
    dropped = verify(build(_edited("amendments/2020-1-3-zz.tat", '    row "4.3" "Omafinantseering" 0 0%\n', "")), AFTER)
    assert dropped.unlisted and all(d.kind in ("table", "item-table") and d.point.startswith("6[") for d in dropped.unlisted)
    assert any("4.3 Omafinantseering 0 0%" in d.detail for d in dropped.unlisted)


def test_a_table_left_out_fails_verify():
    path = "amendments/2020-1-3-zz.tat"
    report = verify(build(_edited(path, _block(path, 'table "budget" {'), "")), AFTER)
    assert ("6", "table") in {(d.point, d.kind) for d in report.unlisted}


def test_the_review_list_is_needed_and_calls_15_1_and_16_a_conflict_of_act_and_memo(index):
    bare = verify(index, AFTER, known={})
    assert not bare.ok
    assert {("15.1", "annotation"), ("16", "wording"), ("16", "annotation")} <= {(d.point, d.kind) for d in bare.unlisted}
    known = verify(index, AFTER).known
    for key, lines in ((("15.1", "annotation"), "524-525"), (("16", "wording"), "537-538"), (("16", "annotation"), "537-538")):
        assert known[key].startswith("act vs memo conflict") and lines in known[key], known[key]
        assert "error in the published text" not in known[key]


def test_the_extraction_reads_the_preamble_and_the_tables():
    assert consolidated_preamble(SEED).startswith("Käskkiri kehtestatakse perioodi 2014–2020 struktuuritoetuse seaduse § 16")
    assert consolidated_preamble(SEED).endswith("meetmete nimekirja“ kinnitamine“.")
    tables = consolidated_tables(SEED)
    assert set(tables) == {"3", "6"}
    assert "ennetamiseks 965 608 100% 1.1 ESF-i toetus 820 767 85% sh TAI 820 767" in tables["6"]
    assert "Vabariigi Valitsuse" not in tables["3"] and "nimekirja1" not in tables["3"]  # footnote and its mark
    assert "meetmete nimekirja väljundnäita- jasse" in tables["3"]
    assert squash("Ennetusteenu sest kasusaajate arv") == squash("Ennetusteenusest kasusaajate-arv")


def test_a_changed_cell_differs_from_both_the_consolidated_text_and_the_act():
    row = "row \"3.1\" \"ESF-i toetus\" 714669.44"
    report = verify(build(_edited("amendments/2020-1-3-zz.tat", row, row.replace("44", "45"))), AFTER)
    found = {(d.point, d.kind): d.detail for d in report.unlisted}
    assert set(found) == {("6[14,3]", "table"), ("6[14,3]", "item-table")}
    assert found["6[14,3]", "item-table"].startswith("item 1.15, row 14 column „Summa (eurodes)“: engine '714 669,45'")
    assert item_tables(SEED)["1.13"].startswith("Näitajad Näitaja nimetus Mõõt- ühik")
