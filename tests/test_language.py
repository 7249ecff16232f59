"""Estonian first, English too (issue 14, item 3): one catalogue, both languages for every message, the
same question answered in each — on the command line, in a file of verdicts and in an HTTP problem —
with dates and amounts written as each language writes them, and the law's own words never translated."""

import csv
import datetime as dt
import gettext
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

import tat_engine
from tat_engine import messages, quick
from tat_engine.interfaces.cli import main
from tat_engine.interfaces.http import create_app
from tat_engine.interfaces.language import request_language
from tat_engine.languages import from_accept_language, from_locale
from tat_engine.messages import Cents, LongDay, msg, msg_n, using

PACKAGE = Path(tat_engine.__file__).parent
CATALOGUE = PACKAGE / "locale" / "et" / "LC_MESSAGES"
ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"say": None, "msg": None, "N_": None, "msg_n": (1, 2)}


def _po():
    with open(CATALOGUE / "tat.po", "rb") as handle:
        return read_po(handle, locale="et")


def _used() -> set:
    """Every key the engine's code marks for the catalogue (say, msg, msg_n, N_), as Babel extracts it."""
    found = set()
    for _, _, key, _, _ in extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS):
        found.add(key if isinstance(key, str) else tuple(key))
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- the catalogue ---------------------------------------------------------------------------


def test_every_key_the_code_uses_has_its_estonian_and_none_is_left_over():
    catalogue = {message.id if isinstance(message.id, str) else tuple(message.id): message
                 for message in _po() if message.id}
    used = _used()
    assert used, "no keys extracted: the keywords no longer match the code"
    missing = used - set(catalogue)
    untranslated = [key for key in used & set(catalogue)
                    if not all(catalogue[key].string if isinstance(catalogue[key].string, tuple) else [catalogue[key].string])]
    stale = set(catalogue) - used
    assert not missing, f"keys without an Estonian translation: {sorted(map(str, missing))[:5]}"
    assert not untranslated and not stale, (untranslated[:5], sorted(map(str, stale))[:5])


def test_each_translation_keeps_the_fields_of_its_key():
    for message in _po():
        if not message.id:
            continue
        keys = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in texts:
            assert _fields(text) == _fields(keys[0]), (keys[0], text)


def test_the_compiled_catalogue_matches_its_source():
    """tat.mo is what runs; it must say what tat.po says (``msgfmt -o tat.mo tat.po`` after an edit)."""
    with open(CATALOGUE / "tat.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = [message for message in _po() if message.id]
    for message in entries:
        if isinstance(message.id, tuple):
            for n, text in zip((1, 2), message.string):
                assert compiled.ngettext(*message.id, n) == text, message.id
        else:
            assert compiled.gettext(message.id) == message.string, message.id
    assert len(compiled._catalog) - 1 == sum(len(m.string) if isinstance(m.id, tuple) else 1 for m in entries)


# --- choosing the language -------------------------------------------------------------------


@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "et_EE.UTF-8"}, "et"), ({"LANG": "en_GB.UTF-8"}, "en"), ({}, "en"),
    ({"LC_MESSAGES": "et_EE", "LANG": "en_US"}, "et"), ({"LC_ALL": "en_US.UTF-8", "LANG": "et_EE.UTF-8"}, "en"),
    ({"LC_ALL": "", "LANG": "et"}, "et"), ({"LANG": "C"}, "en")])
def test_the_locale_chooses_as_posix_orders_its_variables(environ, expected):
    assert from_locale(environ) == expected


@pytest.mark.parametrize("header, expected", [
    ("et-EE,et;q=0.9,en;q=0.8", "et"), ("en-US,en;q=0.9,et;q=0.8", "en"), ("de, fr;q=0.5", "en"),
    ("et;q=0, en", "en"), ("en;q=0.4, et;q=0.6", "et"), ("", "en"), ("et;q=banana, en;q=0.1", "en"), ("ET", "et")])
def test_accept_language_takes_the_preferred_of_ours(header, expected):
    assert from_accept_language(header) == expected


def test_a_query_lang_beats_the_header_and_an_unknown_one_is_ignored_there():
    scope = {"query_string": b"lang=en", "headers": [(b"accept-language", b"et")]}
    assert request_language(scope) == "en"
    assert request_language(dict(scope, query_string=b"lang=fr")) == "et"


# --- dates, amounts, messages ----------------------------------------------------------------


def test_dates_and_amounts_are_written_as_each_language_writes_them():
    day = dt.date(2019, 6, 1)
    assert (messages.day(day), messages.euro(250000), str(Cents(-1250)), str(LongDay(day))) == (
        "2019-06-01", "2 500.00 €", "-12.50 €", "2019-06-01")
    with using("et"):
        assert (messages.day(day), messages.euro(250000), str(Cents(-1250)), str(LongDay(day))) == (
            "01.06.2019", "2 500,00 €", "-12,50 €", "1. juunil 2019")
        assert messages.euro(123456789) == "1 234 567,89 €" and messages.weekday(day) == "laupäev"


def test_a_message_is_a_key_and_parameters_written_when_shown():
    found = msg("{label} on {on}", label="11.3", on=dt.date(2019, 6, 1))
    assert found == msg("{label} on {on}", label="11.3", on=dt.date(2019, 6, 1))  # a value: comparable, hashable
    assert (found.render("en"), found.render("et")) == ("11.3 on 2019-06-01", "11.3 seisuga 01.06.2019")
    assert messages.language() == "en"  # rendering in another language leaves the current one alone
    counted = [msg_n("{count} line is invalid input", "{count} lines are invalid input", n).render("en") for n in (1, 3)]
    assert counted == ["1 line is invalid input", "3 lines are invalid input"]


def test_a_key_not_in_the_catalogue_stays_english_and_no_language_is_invented():
    assert msg("no such key {x}", x=1).render("et") == "no such key 1"
    with pytest.raises(ValueError):
        with using("fi"):
            pass


# --- the same question in both languages -----------------------------------------------------


@pytest.fixture()
def at_root(tmp_path, monkeypatch):
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path))
    monkeypatch.chdir(ROOT)
    return tmp_path


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_point_in_both_languages_the_legal_text_untranslated(capsys, at_root):
    code_en, english, _ = _run(capsys, "point", "11.3", "--as-of", "2020-06-01", "--lang", "en")
    code_et, estonian, _ = _run(capsys, "point", "11.3", "--as-of", "2020-06-01", "--lang", "et")
    assert code_en == code_et == 0
    assert english.startswith("11.3 on 2020-06-01: in force (known wording)")
    assert estonian.startswith("11.3 seisuga 01.06.2020: kehtib (teadaolev sõnastus)")
    assert "muudetud käskkirja xx.yy.2020 nr 1-3/zz punktiga 1.23" in estonian
    wording = english.splitlines()[1]
    assert wording.startswith("11.3. Elluviija esitab RÜ-le lõpparuande") and wording == estonian.splitlines()[1]


def test_the_locale_is_the_default_and_lang_overrides_it(capsys, at_root, monkeypatch):
    monkeypatch.setenv("LC_ALL", "et_EE.UTF-8")
    _, estonian, _ = _run(capsys, "deadline", "report-check", "--trigger", "2021-12-22")
    _, english, _ = _run(capsys, "deadline", "report-check", "--trigger", "2021-12-22", "--lang", "en")
    assert estonian.startswith("report-check: tähtaeg 13.01.2022 (neljapäev) (kuni)")
    assert "tähtaeg lõpeb 13. jaanuaril 2022 kell 24.00 (TsÜS § 137 lg 1)" in estonian
    assert english.startswith("report-check: due 2022-01-13 (Thursday) (at most)")


def test_each_language_has_its_answer_table(capsys, at_root, monkeypatch):
    """The command line reads a table of rendered answers first (quick.py): one per language, each
    written by a run in it, so that an Estonian reader (by --lang or by locale) is answered from the
    Estonian table, in Estonian, and an English one from the English table."""
    _, estonian, _ = _run(capsys, "point", "11.3", "--as-of", "2019-06-01", "--lang", "et")  # writes et's table
    assert quick.point(["11.3", "--as-of", "2019-06-01"], "et") + "\n" == estonian
    assert quick.point(["11.3", "--as-of", "2019-06-01"], "en") is None  # not written yet
    _, english, _ = _run(capsys, "point", "11.3", "--as-of", "2019-06-01", "--lang", "en")  # writes en's
    assert quick.point(["11.3", "--as-of", "2019-06-01"], "en") + "\n" == english
    monkeypatch.delenv("LC_ALL")
    monkeypatch.setenv("LANG", "et_EE.UTF-8")
    _, by_locale, _ = _run(capsys, "point", "11.3", "--as-of", "2019-06-01")
    assert english.startswith("11.3 on 2019-06-01") and estonian.startswith("11.3 seisuga 01.06.2019")
    assert by_locale == estonian


def test_an_error_in_both_languages(capsys, at_root):
    _, _, english = _run(capsys, "point", "11.3", "--as-of", "31.06.2019")
    _, _, estonian = _run(capsys, "point", "11.3", "--as-of", "31.06.2019", "--lang", "et")
    assert english == "tat: '31.06.2019' is not a date: June 2019 has 30 days; dates are written YYYY-MM-DD or " \
                      "DD.MM.YYYY, for instance 2019-06-01\n"
    assert estonian == "tat: '31.06.2019' ei ole kuupäev: kuus juuni 2019 on 30 päeva; kuupäev kirjutatakse kujul " \
                       "YYYY-MM-DD või DD.MM.YYYY, näiteks 01.06.2019\n"


def _verdicts(capsys, tmp_path, lang):
    out = tmp_path / f"verdicts-{lang}.csv"
    code, printed, _ = _run(capsys, "check-costs", "examples/kulud.csv", "--as-of", "2021-06-01", "--no-progress",
                            "--out", str(out), "--lang", lang)
    assert code == 0
    with open(out, encoding="utf-8-sig", newline="") as handle:
        return printed, list(csv.DictReader(handle, delimiter=";"))


def test_a_file_of_verdicts_in_both_languages_judges_alike(capsys, at_root):
    printed_en, english = _verdicts(capsys, at_root, "en")
    printed_et, estonian = _verdicts(capsys, at_root, "et")
    assert [(r["verdict"], r["eligible_amount"]) for r in english] == [(r["verdict"], r["eligible_amount"]) for r in estonian]
    excess_en, excess_et = english[5]["reasons"], estonian[5]["reasons"]  # line 6: travel above the tax-free limit
    assert "7.2.1.4 (v1, 1-3/170): lähetus- ja transpordikulud: the maksustamisele mittekuuluvat piirmäära ületav " \
           "osa is ineligible" in excess_en
    assert "7.2.1.4 (v1, 1-3/170): lähetus- ja transpordikulud: maksustamisele mittekuuluvat piirmäära ületav osa " \
           "on abikõlbmatu" in excess_et
    assert "kulu on tekkinud väljaspool abikõlblikkuse perioodi 01.07.2015–31.12.2023" in estonian[10]["reasons"]
    assert "incurred outside the eligibility period 2015-07-01..2023-12-31" in english[10]["reasons"]
    assert "p 1.14" in estonian[0]["reasons"] and "item 1.14" in english[0]["reasons"]
    assert estonian[11]["reasons"] == "incurred_on '01.13.2021' ei ole kuupäev: kuud 13 ei ole"
    assert "hinnatud 16 rida seisuga 01.06.2021" in printed_et and "16 lines judged as of 2021-06-01" in printed_en
    assert "2.4       osaliselt abikõlblik       1      640,00 €      500,00 €" in printed_et


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    import os

    os.environ.setdefault("TAT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    return TestClient(create_app(), raise_server_exceptions=False)


def test_an_http_problem_in_both_languages(client):
    english = client.get("/v1/points/11.3.x", params={"on": "2021-01-01"}).json()
    by_query = client.get("/v1/points/11.3.x", params={"on": "2021-01-01", "lang": "et"}).json()
    by_header = client.get("/v1/points/11.3.x", params={"on": "2021-01-01"}, headers={"Accept-Language": "et-EE,et"}).json()
    assert (english["status"], english["title"]) == (400, "Bad Request")
    assert english["detail"] == "'11.3.x' is not a point number; write it like 11.3, 9.1.10 or Lisa 1"
    assert by_query == by_header and (by_query["status"], by_query["title"]) == (400, "Vigane päring")
    assert by_query["detail"] == "'11.3.x' ei ole punkti number; kirjuta näiteks 11.3, 9.1.10 või Lisa 1"
    missing = client.get("/v1/nothing", params={"lang": "et"}).json()
    assert (missing["title"], missing["detail"]) == ("Ei leitud", "sellel teel ei teenindata midagi; API kirjeldus on "
                                                                  "aadressil /docs")


def test_an_http_answer_in_both_languages(client):
    cost = {"activity": "2.4", "party": "implementer", "category": "7.1.3.3", "incurred_on": "2020-09-14",
            "paid_on": "2020-09-30", "amount": "640.00", "excess": "140.00"}
    english = client.post("/v1/costs/check", params={"as_of": "2021-06-01"}, json=cost).json()
    estonian = client.post("/v1/costs/check", params={"as_of": "2021-06-01", "lang": "et"}, json=cost).json()
    assert (english["verdict"], english["eligible"]) == (estonian["verdict"], estonian["eligible"]) == ("partially eligible", "500.00")
    assert estonian["reasons"].endswith("maksustamisele mittekuuluvat piirmäära ületav osa on abikõlbmatu")
    applied = client.get("/v1/points/11.3", params={"on": "2021-06-01", "facts_on": "2016-03-01", "lang": "et"}).json()
    assert applied["basis"].startswith("käskkirja 1-3/zz rakendatakse tagasiulatuvalt alates 01.07.2015")
    assert messages.language() == "en"  # a request's language ends with the request


def test_no_english_sentence_is_left_in_an_estonian_summary(capsys, at_root):
    """The summary's own words are all from the catalogue: no English word of it appears in Estonian."""
    _, english = _run(capsys, "check-costs", "examples/ledger.csv", "--as-of", "2021-06-01", "--no-progress")[:2]
    _, estonian = _run(capsys, "check-costs", "examples/ledger.csv", "--as-of", "2021-06-01", "--no-progress",
                       "--lang", "et")[:2]
    for word in ("lines", "judged", "invalid", "activity", "indirect", "budget", "national", "eligible", "the first"):
        assert word in english and not re.search(rf"\b{word}\b", estonian), word


def test_a_dsl_syntax_error_in_both_languages_at_the_same_place(tmp_path):
    from tat_engine.dsl.parse import parse_act
    from tat_engine.errors import DslError

    path = tmp_path / "bad.tat"
    text = 'act "x" {\n  kind directive\n  signed \n}\n'
    found = {}
    for lang in ("en", "et"):
        with using(lang), pytest.raises(DslError) as error:
            parse_act(text, str(path))
        found[lang] = str(error.value)
    assert found["en"].startswith(f"{path}:4:1: error: unexpected '}}'; expected \"unknown\", or a date such as 2015-07-01")
    assert found["et"].startswith(f"{path}:4:1: viga: ootamatu '}}'; oodati: \"unknown\" või kuupäev, näiteks 2015-07-01")
    assert found["en"].splitlines()[1:] == found["et"].splitlines()[1:]  # the line and its caret


def test_a_ledger_judged_in_a_worker_process_speaks_the_language_asked():
    """`tat serve` judges ledgers in worker processes, which do not inherit the request's language."""
    from tat_engine.interfaces.guard import Pool

    pool = Pool(slots=1, queue=2, retry_after=1, processes=1)
    client = TestClient(create_app(ledgers=pool), raise_server_exceptions=False)
    ledger = ("activity,party,category,incurred_on,paid_on,amount\n"
              "2.1,implementer,7.1.3.1,2016-03-01,2016-03-10,100\n2.1,implementer,7.2.1.1,2016-03-01,2016-03-10,100\n")
    asked = {lang: client.post("/v1/costs/ledger", params={"as_of": "2021-06-01", "lang": lang},
                               content=ledger.encode()).json() for lang in ("et", "en")}
    assert [line["verdict"] for line in asked["et"]["lines"]] == [line["verdict"] for line in asked["en"]["lines"]]
    pool.close()
    estonian, english = asked["et"]["lines"][1]["reasons"], asked["en"]["lines"][1]["reasons"]
    assert estonian != english and "abikõlbmatu" in estonian and "ineligible" in english


_BASE = '''act "1-3/1" {
  kind directive
  title "Käskkiri"
  signed 2015-01-01
  in_force on_signing
}
section 1 { text "Üldsätted" }
point 1.1 { text "Esimene lause. Teine lause." }
'''
_AMENDING = '''act "1-3/2" {
  kind amending
  title "Muutmine"
  signed 2016-01-01
  in_force on_signing
  amends "1-3/1"
}
item 1 delete 1.1 { sentence 4 }
item 2 replace 1.3 { words "a" by "b" }
'''


def test_a_replay_error_in_both_languages_at_the_same_place(tmp_path, capsys, monkeypatch):
    """What the replay finds (an item naming a sentence or point that is not there) is written in the
    reader's language; the code, the place and the law's words are the same in both."""
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "a.tat").write_text(_BASE, encoding="utf-8")
    (tmp_path / "b.tat").write_text(_AMENDING, encoding="utf-8")
    found = {}
    for lang in ("en", "et"):
        assert main(["check", "--corpus", str(tmp_path), "--lang", lang]) != 0
        found[lang] = capsys.readouterr().err
    english, estonian = found["en"].splitlines(), found["et"].splitlines()
    assert "item 1 of 1-3/2: 1.1 has 2 sentences, so no sentence 4" in english[0]
    assert "akti 1-3/2 punkt 1: 1.1 on 2 lausega, seega lauset 4 ei ole" in estonian[0]
    assert "item 2 of 1-3/2 changes 1.3, which is not in force on 2016-01-01 [unknown-target]" in found["en"]
    assert "akti 1-3/2 punkt 2 muudab punkti 1.3, mis ei ole 01.01.2016 kehtiv [unknown-target]" in found["et"]
    assert "„Esimene lause. Teine lause.“" in english[0] and "„Esimene lause. Teine lause.“" in estonian[0]
    assert [line.split(": ")[0] for line in english] == [line.split(": ")[0] for line in estonian]
    said = [line.split(": viga: ")[1].rsplit(" [", 1)[0] for line in estonian if ": viga: " in line]  # not the code
    assert len(said) == 2 and not re.search(r"\b(item|changes|sentence|wording|error)\b", "\n".join(said))


def test_a_cached_warning_is_written_in_the_language_asked_when_shown(tmp_path, monkeypatch):
    """The index caches its diagnostics as messages, not as text: a corpus loaded in English, then
    from the cache, shows its warnings in Estonian when asked in Estonian."""
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "a.tat").write_text(_BASE.replace('point 1.1', 'point 1.2 { text "Vana." }\npoint 1.1'), encoding="utf-8")
    twice = _AMENDING.split("item 1")[0] + ('item 1 substitute 1.2 { text "Uus." }\n'
                                            'item 2 substitute 1.2 { text "Uuem." }\n')
    (tmp_path / "b.tat").write_text(twice, encoding="utf-8")
    with using("en"):
        first = tat_engine.load([str(tmp_path)])
        [warning] = [d for d in first.diagnostics if d.code == "double-change"]
        assert warning.message == "items 1 and 2 of 1-3/2 both change 1.2; the later (2) prevails"
    assert list(tmp_path.joinpath("cache").iterdir())  # the index was written to the cache
    with using("et"):
        [cached] = [d for d in tat_engine.load([str(tmp_path)]).diagnostics if d.code == "double-change"]
        assert cached.message == "akti 1-3/2 punktid 1 ja 2 muudavad mõlemad punkti 1.2; ülimuslik on hilisem (2)"


def test_a_dsl_error_that_is_not_syntax_in_both_languages(tmp_path):
    """Beyond the grammar, the parser's own checks (a bad calendar date here) speak both languages too."""
    from tat_engine.dsl.parse import parse_act
    from tat_engine.errors import DslError

    text = 'act "x" {\n  kind directive\n  title "T"\n  signed 2015-02-30\n  in_force on_signing\n}\n'
    found = {}
    for lang in ("en", "et"):
        with using(lang), pytest.raises(DslError) as error:
            parse_act(text, "bad.tat")
        found[lang] = str(error.value)
    assert found["en"].startswith("bad.tat:4:10: error: 2015-02-30 is not a calendar date; dates are written YYYY-MM-DD")
    assert found["et"].startswith("bad.tat:4:10: viga: 2015-02-30 ei ole kalendrikuupäev; kuupäev kirjutatakse kujul")
    assert "[bad-date]" in found["en"] and "[bad-date]" in found["et"]
    assert found["en"].splitlines()[1:] == found["et"].splitlines()[1:]  # the line and its caret


def test_a_question_the_engine_cannot_read_in_both_languages(capsys):
    """A usage error (here an instrument that is not shipped) names the same things in either language."""
    for lang, words in (("en", "tat: no instrument 'foo'; instruments: tat, safety-2023"),
                        ("et", "tat: meedet 'foo' ei ole; meetmed: tat, safety-2023")):
        assert main(["point", "11.3", "--as-of", "2019-06-01", "--instrument", "foo", "--lang", lang]) != 0
        assert capsys.readouterr().err.strip() == words
