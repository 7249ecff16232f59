"""Ledgers as Estonian accounting systems export them (issue 14, item 1): each form judged exactly as the
same ledger in the English form — decimal comma and grouped thousands, DD.MM.YYYY, Estonian column names
and values, Windows-1257 with `;`, .xlsx in and out — and what is ambiguous is invalid input with a reason."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tat_engine.errors import LedgerError
from tat_engine.interfaces.render import describe_source
from tat_engine.rules.ledger import check_ledger

AUDIT = dt.date(2021, 6, 1)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ENGLISH = ["line", "activity", "party", "category", "incurred_on", "paid_on", "amount", "written_proof", "mode",
           "note"]
ESTONIAN = {"line": "Rida", "activity": "Tegevus", "party": "osapool", "category": "Kululiik",
            "incurred_on": "Kulu tekkimise kuupäev", "paid_on": "MAKSE-KUUPAEV", "amount": "Summa",
            "written_proof": "kirjalik tõend", "mode": "sõiduviis", "note": "Märkus"}
GOOD = {"activity": "2.1", "party": "implementer", "category": "7.1.3.1", "incurred_on": "2016-03-01",
        "paid_on": "2016-03-10", "amount": "100.00", "written_proof": "", "mode": "", "note": ""}


@pytest.fixture(scope="module")
def law(directive):
    return directive


def csv_text(rows, header=ENGLISH, separator=",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    for number, row in enumerate(rows, 1):
        full = {"line": str(number), **GOOD, **row}
        writer.writerow([full[name] for name in ENGLISH])
    return out.getvalue()


def judged(law, folder: Path, data: bytes | str, name="ledger.csv", out="verdicts.json"):
    """The summary and each row's verdict, eligible cents and reasons, and the output rows."""
    source = folder / name
    source.write_bytes(data.encode() if isinstance(data, str) else data)
    summary = check_ledger(law, source, folder / out, AUDIT, progress=False)
    rows = read(folder / out)
    return summary, [(row["verdict"], _cents(row["eligible_amount"]), row["reasons"]) for row in rows], rows


def read(target: Path) -> list[dict]:
    if target.suffix == ".json":
        return [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    if target.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(target)["verdicts"]
        values = list(sheet.iter_rows(values_only=True))
        return [dict(zip(values[0], row)) for row in values[1:]]
    written = target.read_bytes().decode("utf-8-sig")
    separator = ";" if written.split("\r\n")[0].count(";") > written.split("\r\n")[0].count(",") else ","
    return list(csv.DictReader(io.StringIO(written, newline=""), delimiter=separator))


def _cents(amount) -> int:
    return int(Decimal(str(amount).replace(",", ".")) * 100)


def english(law, folder: Path, rows):
    return judged(law, folder, csv_text(rows), "english.csv", "english.json")[1]


# --- amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("written, meant", [
    ("12,50", "12.50"), ("2 500,00", "2500.00"), ("2\u00a0500,00", "2500.00"), ("2\u202f500,00", "2500.00"),
    ("1 234 567,89", "1234567.89"), ("2 500", "2500"), ("2 500.00", "2500.00"), (" 7,5 ", "7.50"), ("0,01", "0.01"),
])
def test_a_decimal_comma_and_grouped_thousands_read_as_the_english_amount(law, tmp_path, written, meant):
    _, verdicts, _ = judged(law, tmp_path, csv_text([{"amount": written}, {"amount": "-" + written.strip(), "note": "parandus"}]))
    assert verdicts == english(law, tmp_path, [{"amount": meant}, {"amount": "-" + meant, "note": "parandus"}])
    assert verdicts[0][0] == "eligible" and verdicts[0][1] == _cents(meant)


@pytest.mark.parametrize("written, why", [
    ("1.234,50", "both '.' and ','"), ("1,234.50", "both '.' and ','"),
    ("1,234", "three digits would group thousands"), ("1.234", "three digits would group thousands"),
    ("1.234.567", "three digits would group thousands"), ("2 50,00", "thousands grouped by spaces"),
    ("12 3456", "thousands grouped by spaces"), ("12,505", "three digits"), ("12,", "at most two decimals"),
    (",50", "at most two decimals"), ("0.30000000000000004", "rounded to cents there, e.g. with ROUND(…; 2)"), ("1 000 000 000 000 000", "at most two decimals"), ("12,5 €", "e.g. 2 500,00"),
])
def test_an_ambiguous_or_malformed_amount_is_invalid_input_with_the_reason(law, tmp_path, written, why):
    summary, [(verdict, eligible, reasons)], _ = judged(law, tmp_path, csv_text([{"amount": written}]))
    assert (verdict, eligible) == ("invalid input", 0)
    assert reasons.startswith(f"amount {written!r} is not an amount") and why in reasons
    assert summary.problems[0].row == 1 and why in summary.problems[0].reason


# --- dates ---------------------------------------------------------------------------------------


def test_dd_mm_yyyy_dates_judge_as_iso_dates(law, tmp_path):
    written = [{"incurred_on": "01.03.2016", "paid_on": "10.03.2016"}, {"incurred_on": "29.02.2016", "paid_on": "01.03.2016"},
               {"incurred_on": "20.12.2023", "paid_on": "20.02.2024"}, {"incurred_on": " 03.08.2015\t", "paid_on": "2015-08-20"}]
    iso = [{"incurred_on": "2016-03-01", "paid_on": "2016-03-10"}, {"incurred_on": "2016-02-29", "paid_on": "2016-03-01"},
           {"incurred_on": "2023-12-20", "paid_on": "2024-02-20"}, {"incurred_on": "2015-08-03", "paid_on": "2015-08-20"}]
    _, verdicts, _ = judged(law, tmp_path, csv_text(written))
    assert verdicts == english(law, tmp_path, iso)
    assert {verdict for verdict, _, _ in verdicts} != {"invalid input"}


@pytest.mark.parametrize("written, why", [
    ("31.06.2015", "June 2015 has 30 days"), ("29.02.2023", "February 2023 has 28 days"),
    ("00.03.2016", "there is no day 00"), ("01.13.2016", "there is no month 13"),
    ("1.3.2016", "did you mean 01.03.2016?"), ("01.03.16", "dates are written YYYY-MM-DD or DD.MM.YYYY"),
    ("01/03/2016", "dates are written"), ("01.03.0216", "outside the dates the engine supports"),
])
def test_a_dd_mm_yyyy_date_that_is_not_a_day_is_invalid_input_with_the_reason(law, tmp_path, written, why):
    _, [(verdict, _, reasons)], _ = judged(law, tmp_path, csv_text([{"paid_on": written}]))
    assert verdict == "invalid input" and reasons.startswith("paid_on ") and why in reasons


# --- names and values ----------------------------------------------------------------------------


def test_estonian_column_names_and_values_judge_as_english_and_keep_their_names(law, tmp_path):
    rows = [{}, {"party": "elluviija"}, {"party": "Elluviija ", "amount": "5,00"},
            {"activity": "2.3", "party": "partner", "category": "7.1.3.13", "incurred_on": "01.02.2021",
             "paid_on": "05.02.2021", "written_proof": "jah", "mode": "ühistransport"},
            {"activity": "2.3", "party": "partner", "category": "7.1.3.13", "incurred_on": "01.02.2021",
             "paid_on": "05.02.2021", "written_proof": "ei", "mode": "sõiduauto"}]
    header = [ESTONIAN[name] for name in ENGLISH]
    _, verdicts, out = judged(law, tmp_path, csv_text(rows, header=header))
    meant = [{**row, "party": "implementer" if "elluviija" in row.get("party", "").lower() else row.get("party", "implementer"),
              "amount": row.get("amount", "100.00").replace(",", "."),
              "written_proof": {"jah": "true", "ei": "false"}.get(row.get("written_proof", ""), "")} for row in rows]
    assert verdicts == english(law, tmp_path, meant)
    assert [verdict for verdict, _, _ in verdicts][:4] == ["eligible"] * 4 and verdicts[4][0] == "ineligible"
    assert list(out[0]) == [*header, "verdict", "eligible_amount", "reasons"]


def test_a_missing_column_is_named_in_both_languages_and_the_header_as_written(law, tmp_path):
    source = tmp_path / "ledger.csv"
    source.write_text("Rida;Tegevus;Osapool;Kululiik;Tekkinud;Makstud;Sum\n")
    with pytest.raises(LedgerError, match="no column amount; required: .* \\(in Estonian: tegevus, osapool, kategooria, "
                                          "kulu_tekkimise_kuupäev, makse_kuupäev, summa\\); its header has 'Rida', 'Tegevus'"):
        check_ledger(law, source, None, AUDIT, progress=False)


def test_two_names_for_one_column_are_refused(law, tmp_path):
    header = [*ENGLISH[:-1], "summa"]
    source = tmp_path / "ledger.csv"
    source.write_text(csv_text([], header=header))
    with pytest.raises(LedgerError, match="'amount', 'summa', which all stand for column 'amount'"):
        check_ledger(law, source, None, AUDIT, progress=False)


def test_a_party_that_is_no_role_in_estonian_either_is_invalid_input(law, tmp_path):
    _, [(verdict, _, reasons)], _ = judged(law, tmp_path, csv_text([{"party": "elluviijad"}]))
    assert verdict == "invalid input" and reasons.startswith("party 'elluviijad' is not implementer, partner")


# --- the example: Windows-1257, `;`, decimal comma, DD.MM.YYYY -------------------------------------


def test_the_estonian_example_judges_as_the_english_one_and_is_written_in_its_dialect(law, tmp_path):
    kulud, ledger = (EXAMPLES / "kulud.csv").read_bytes(), (EXAMPLES / "ledger.csv").read_bytes()
    assert kulud.decode("cp1257").startswith("rida;tegevus;") and not kulud.startswith(b"\xef\xbb\xbf")
    summary, verdicts, out = judged(law, tmp_path, kulud, "kulud.csv", "otsused.csv")
    reference, expected, _ = judged(law, tmp_path, ledger, "ledger.csv", "verdicts.csv")
    assert [v[:2] for v in verdicts] == [v[:2] for v in expected] and len(verdicts) == 16
    assert [v[2] for v in verdicts if v[0] != "invalid input"] == [v[2] for v in expected if v[0] != "invalid input"]
    assert (summary.totals, summary.budget, summary.indirect, summary.invalid) == (
        reference.totals, reference.budget, reference.indirect, reference.invalid)
    assert describe_source(summary.source) == "CSV, Windows-1257, fields separated by ';', decimal comma"
    raw = (tmp_path / "otsused.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").startswith('"rida";"tegevus";')
    assert out[0]["summa"] == "2 500,00" and out[0]["eligible_amount"] == "2500,00"
    assert out[13]["summa"] == "-10,00"  # a negative number is no formula: not quoted


# --- .xlsx -----------------------------------------------------------------------------------------


def workbook(path: Path, header, rows) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a text that looks like a formula
    book.save(path)


def test_an_xlsx_ledger_round_trips_with_a_summary_sheet(law, tmp_path):
    header = [ESTONIAN[name] for name in ENGLISH]
    cells = [
        [1, "2.1", "elluviija", "7.1.3.1", dt.datetime(2016, 3, 1), dt.date(2016, 3, 10), 2500, None, None, None],
        [2, 2.1, "partner", "7.1.3.12", dt.datetime(2019, 5, 2), "20.05.2019", 1200.5, None, None, "=1+2"],
        None,  # a blank row is skipped, as in CSV
        [3, "2.3", "partner", "7.1.3.13", "2021-02-01", dt.datetime(2021, 2, 5), "45,60", True, "ühistransport", None],
        [4, "2.1", "elluviija", "7.1.3.1", dt.datetime(2015, 6, 30, 12, 0), "2015-07-10", 0.1 + 0.2, None, None, None],
        [5, "2.1", "elluviija", "7.1.3.1", "2016-03-01", "2016-03-10", 10, None, None, None, "past the header"],
    ]
    workbook(tmp_path / "kulud.xlsx", header, [row or [] for row in cells])
    summary, verdicts, out = judged(law, tmp_path, (tmp_path / "kulud.xlsx").read_bytes(), "kulud.xlsx", "otsused.xlsx")
    expected = english(law, tmp_path, [
        {"amount": "2500"}, {"party": "partner", "category": "7.1.3.12", "incurred_on": "2019-05-02", "paid_on": "2019-05-20",
             "amount": "1200.50", "note": "=1+2"},
        {"activity": "2.3", "party": "partner", "category": "7.1.3.13", "incurred_on": "2021-02-01",
         "paid_on": "2021-02-05", "amount": "45.60", "written_proof": "true", "mode": "ühistransport"}])
    assert verdicts[:3] == expected
    assert verdicts[3][0] == verdicts[4][0] == "invalid input" and len(verdicts) == summary.rows == 5
    assert "incurred_on '2015-06-30 12:00:00' is not a date" in verdicts[3][2]
    assert "sheet row 7 has values past the last named column: 'past the header'" in verdicts[4][2]
    assert [row["Rida"] for row in out] == ["1", "2", "3", "4", "5"] and out[0]["Summa"] == "2500"
    book = openpyxl.load_workbook(tmp_path / "otsused.xlsx")
    assert book.sheetnames == ["verdicts", "summary", "stamp"]
    note = book["verdicts"].cell(row=3, column=len(header))
    assert (note.value, note.data_type) == ("=1+2", "s")  # text, not a formula
    assert book["verdicts"].cell(row=2, column=len(header) + 2).value == 2500  # the eligible amount, a number
    sheet = [row for row in book["summary"].iter_rows(values_only=True)]
    assert ("lines judged", 5) in [row[:2] for row in sheet] and ("invalid input", 2) in [row[:2] for row in sheet]
    assert ("read as", "Excel workbook, decimal comma") in [row[:2] for row in sheet]
    total = summary.total("2.1", "eligible")
    assert (total.lines, total.amount) == (2, 370050)  # 2 500 and 1 200,50 (row 2's activity, a number 2.1)
    assert ("2.1", "eligible", 2, 3700.5, 3700.5) in [row[:5] for row in sheet]
    check_ledger(law, tmp_path / "kulud.xlsx", tmp_path / "otsused.csv", AUDIT, progress=False)
    as_csv = read(tmp_path / "otsused.csv")  # decimal commas in the workbook: `;` and decimal commas in CSV
    assert (tmp_path / "otsused.csv").read_bytes().startswith('\ufeff"Rida";"Tegevus";'.encode())
    assert [row["eligible_amount"] for row in as_csv][:3] == ["2500,00", "1200,50", "45,60"]
    assert [row["verdict"] for row in as_csv] == [row["verdict"] for row in out]


def test_xlsx_verdicts_from_a_csv_ledger_and_files_that_are_no_workbook(law, tmp_path):
    summary, verdicts, out = judged(law, tmp_path, (EXAMPLES / "ledger.csv").read_bytes(), "ledger.csv", "v.xlsx")
    assert len(out) == summary.rows == 16 and [row["line"] for row in out] == [str(n) for n in range(1, 17)]
    (tmp_path / "broken.xlsx").write_bytes(b"line,activity\n")
    with pytest.raises(LedgerError, match="not an .xlsx workbook that can be read"):
        check_ledger(law, tmp_path / "broken.xlsx", None, AUDIT, progress=False)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(LedgerError, match="save it as .xlsx"):
        check_ledger(law, tmp_path / "old.xls", None, AUDIT, progress=False)
    workbook(tmp_path / "empty.xlsx", [], [])
    with pytest.raises(LedgerError, match="the first sheet is empty"):
        check_ledger(law, tmp_path / "empty.xlsx", None, AUDIT, progress=False)


# --- generated: an Estonian rendering judges as its English form -------------------------------------

CELLS = {
    "activity": st.sampled_from(["2.1", "2.2", "2.3", "2.4", "2.9"]),
    "party": st.sampled_from(["implementer", "partner", "Tervise Arengu Instituut", "PPA", "someone"]),
    "category": st.sampled_from(["7.1.3.1", "7.1.3.3", "7.1.3.12", "7.1.3.13", "7.2.1.2"]),
    "incurred_on": st.dates(dt.date(2015, 6, 1), dt.date(2023, 12, 31)),
    "paid_on": st.dates(dt.date(2015, 6, 1), dt.date(2024, 3, 31)),
    "amount": st.integers(-10**6, 10**14),
    "written_proof": st.sampled_from([None, True, False]),
    "mode": st.sampled_from(["", "ühistransport", "sõiduauto"]),
    "note": st.sampled_from(["", "parandus", "märkus; „jutumärgid“"]),
}


def _english_cell(name, value) -> str:
    if name in ("incurred_on", "paid_on"):
        return value.isoformat()
    if name == "amount":
        return f"{'-' if value < 0 else ''}{abs(value) // 100}.{abs(value) % 100:02d}"
    if name == "written_proof":
        return "" if value is None else str(value).lower()
    return value


def _estonian_cell(name, value, group: str) -> str:
    if name in ("incurred_on", "paid_on"):
        return value.strftime("%d.%m.%Y")
    if name == "amount":
        whole = f"{abs(value) // 100:,}".replace(",", group)
        return f"{'-' if value < 0 else ''}{whole},{abs(value) % 100:02d}"
    if name == "written_proof":
        return {None: "", True: "jah", False: "ei"}[value]
    return "elluviija" if value == "implementer" else value


@st.composite
def ledgers(draw):
    rows = draw(st.lists(st.fixed_dictionaries(CELLS), min_size=1, max_size=12))
    encoding = draw(st.sampled_from(["cp1257", "utf-8-sig"]))
    groups = [" ", "\u00a0", ""] + (["\u202f"] if encoding == "utf-8-sig" else [])
    return rows, encoding, draw(st.sampled_from(groups)), draw(st.permutations(ENGLISH))


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ledgers())
def test_an_estonian_rendering_of_a_ledger_judges_as_its_english_form(law, tmp_path_factory, ledger):
    rows, encoding, group, order = ledger
    folder = tmp_path_factory.mktemp("et")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([ESTONIAN[name] for name in order])
    for number, row in enumerate(rows, 1):
        writer.writerow([str(number) if name == "line" else _estonian_cell(name, row[name], group) for name in order])
    summary, verdicts, _ = judged(law, folder, out.getvalue().encode(encoding), "kulud.csv", "otsused.json")
    plain = [{name: _english_cell(name, row[name]) for name in ENGLISH if name != "line"} for row in rows]
    expected = english(law, folder, plain)
    assert [v[:2] for v in verdicts] == [v[:2] for v in expected]
    assert [v[2] for v in verdicts if v[0] != "invalid input"] == [v[2] for v in expected if v[0] != "invalid input"]
    assert summary.source.separator == ";" and summary.source.decimal_comma


@pytest.mark.parametrize("sheet, why", [
    (b"garbage", "not an .xlsx workbook that can be read"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]><worksheet xmlns="http://schemas.'
     b'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is>'
     b'</c></row></sheetData></worksheet>', "undefined entity"),  # a file on disk is never read into a cell
])
def test_a_damaged_or_hostile_workbook_is_one_clear_error(law, tmp_path, sheet, why):
    import zipfile

    workbook(tmp_path / "good.xlsx", ENGLISH, [])
    with zipfile.ZipFile(tmp_path / "good.xlsx") as good, zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as bad:
        for name in good.namelist():
            bad.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else good.read(name))
    with pytest.raises(LedgerError, match=why):
        check_ledger(law, tmp_path / "bad.xlsx", tmp_path / "out.csv", AUDIT, progress=False)
    assert not (tmp_path / "out.csv").exists()
