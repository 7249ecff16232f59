"""The second instrument: the municipal safety programme 2023–2027, in the same DSL and engine."""

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tat_engine
from tat_engine.errors import UndeclaredRules
from tat_engine.rules.admission import Application, decide, read_applications
from tat_engine.interfaces.cli import main

D = dt.date
ON = D(2023, 5, 15)
DOCUMENTS = frozenset({"taotlusvorm", "eelarve", "tegevus- ja ajakava", "KOV-i otsus"})
TALLINN = dt.timezone(dt.timedelta(hours=3))  # EEST in May


@pytest.fixture(scope="module")
def law():
    return tat_engine.load(instrument="safety-2023", cache=False)


def application(county="Tartu", stage="1", start_year="2023", at=dt.datetime(2023, 5, 2, 12, tzinfo=TALLINN),
                documents=DOCUMENTS, name="KOV") -> Application:
    return Application(name, (("county", county), ("stage", stage), ("start_year", start_year)), documents, at)


def test_the_programme_loads_beside_the_tat(law):
    assert [a.number for a in law.acts()] == ["KOV-arenguprogramm-2023"]
    assert tat_engine.load().point("11.3", D(2021, 1, 1)).citation.item == "1.23"  # the TAT stays the default
    grant = law.point("3", ON).fact("grant_per_applicant").value
    assert grant.value == 35000 and law.point("1.2", ON).content.sources[0].first_line == 33


@pytest.mark.parametrize("at, admitted", [
    (dt.datetime(2023, 5, 10, 10, 0, tzinfo=TALLINN), True),
    (dt.datetime(2023, 5, 10, 10, 1, tzinfo=TALLINN), False),
    (dt.datetime(2023, 5, 10, 7, 0, tzinfo=dt.timezone.utc), True),    # 10:00 in Tallinn
    (dt.datetime(2023, 5, 10, 7, 0, 1, tzinfo=dt.timezone.utc), False),
    (dt.datetime(2023, 5, 10, 9, 59), True),                            # no offset: read as Tallinn time
])
def test_the_deadline_has_a_time_of_day_and_a_zone(law, at, admitted):
    [decision] = decide(law, [application(at=at)], ON)
    assert (decision.status == "admissible") is admitted
    if not admitted:
        assert "late" in str(decision.reasons[0]) and decision.reasons[0].point == "1.2"


def test_a_missing_document_is_named(law):
    [decision] = decide(law, [application(documents=DOCUMENTS - {"KOV-i otsus"})], ON)
    assert decision.status == "inadmissible" and str(decision.reasons[0]).endswith("missing document: KOV-i otsus")


def test_one_municipality_per_county_and_two_for_harju_and_ida_viru(law):
    tartu = decide(law, [application(name="a", start_year="2023"), application(name="b", start_year="2024")], ON)
    assert [d.status for d in tartu] == ["admissible", "inadmissible"]
    harju = decide(law, [application(county="Harju", name=n, start_year=y) for n, y in (("a", "2023"), ("b", "2024"), ("c", "2024"))], ON)
    assert [d.status for d in harju] == ["admissible", "admissible", "inadmissible"]
    assert "over the limit of 2 for county Harju" in str(harju[2].reasons[0])


def test_four_starts_a_year_in_a_stage(law):
    counties = ["Tartu", "Võru", "Pärnu", "Lääne", "Saare"]
    decisions = decide(law, [application(county=c, name=c) for c in counties], ON)
    assert [d.status for d in decisions] == ["admissible"] * 4 + ["inadmissible"]
    assert "stage 1, start_year 2023" in str(decisions[-1].reasons[0])


def test_a_start_year_outside_the_stage_has_no_place(law):
    [decision] = decide(law, [application(start_year="2025")], ON)
    assert decision.status == "inadmissible" and "no place for stage 1, start_year 2025" in str(decision.reasons[0])


def test_stage_two_is_undetermined_while_its_deadline_is_not_in_the_sources(law):
    [decision] = decide(law, [application(stage="2", start_year="2025", at=dt.datetime(2025, 3, 1, tzinfo=TALLINN))], ON)
    assert decision.status == "undetermined" and "not in the announcement" in str(decision.reasons[0])


def test_the_grant_and_the_cap(law):
    [decision] = decide(law, [application()], ON)
    assert decision.grant == 35000 and "grant 35000" in str(decision.reasons[-1])


def test_applications_from_csv_on_the_command_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path))
    sample = Path(__file__).parents[1] / "examples" / "applications.csv"
    assert len(read_applications(sample)) == 10
    assert main(["check-applications", str(sample), "--instrument", "safety-2023", "--as-of", "2023-05-15"]) == 0
    out = capsys.readouterr().out
    assert "Tartu vald: admissible, grant 35000" in out and "Elva vald: inadmissible" in out
    assert "Haapsalu linn: undetermined" in out
    assert main(["point", "1.2", "--as-of", "2023-05-15", "--instrument", "safety-2023"]) == 0
    assert "moment" not in capsys.readouterr().out  # rendered for readers, not as DSL
    assert main(["point", "1.2", "--as-of", "2023-05-15", "--instrument", "nope"]) == 1


def test_an_instrument_without_admission_rules_refuses_naming_them(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TAT_CACHE_DIR", str(tmp_path))
    with pytest.raises(UndeclaredRules, match="1-3/170 declares no admission rules.*required_document"):
        decide(tat_engine.load(), [application()], ON)
    sample = Path(__file__).parents[1] / "examples" / "applications.csv"
    assert main(["check-applications", str(sample), "--as-of", "2023-05-15"]) == 2
    assert "declares no admission rules" in capsys.readouterr().err


COUNTIES = ["Harju", "Ida-Viru", "Tartu", "Võru", "Pärnu", "Lääne", "Saare", "Valga"]
APPLICATIONS = st.lists(st.builds(
    application,
    county=st.sampled_from(COUNTIES),
    stage=st.sampled_from(["1", "2"]),
    start_year=st.sampled_from(["2023", "2024", "2025", "2026"]),
    at=st.datetimes(dt.datetime(2023, 4, 20), dt.datetime(2023, 5, 11)).map(lambda t: t.replace(tzinfo=TALLINN)),
    documents=st.sets(st.sampled_from(sorted(DOCUMENTS))).map(frozenset),
    name=st.text(max_size=3),
), max_size=40)


@settings(max_examples=50)
@given(APPLICATIONS, st.randoms(use_true_random=False))
def test_no_order_of_applications_breaks_a_quota_or_a_capacity(applications, rnd):
    law = _shared()
    rnd.shuffle(applications)
    admitted = [d.application for d in decide(law, applications, ON) if d.status == "admissible"]
    per_county = Counter(a.get("county") for a in admitted)
    assert all(n <= (2 if county in ("Harju", "Ida-Viru") else 1) for county, n in per_county.items())
    per_start = Counter((a.get("stage"), a.get("start_year")) for a in admitted)
    assert all(n <= 4 for n in per_start.values())
    assert all(a.documents == DOCUMENTS and a.submitted_at <= dt.datetime(2023, 5, 10, 10, tzinfo=TALLINN) for a in admitted)


_LAW = []


def _shared():
    if not _LAW:
        _LAW.append(tat_engine.load(instrument="safety-2023", cache=False))
    return _LAW[0]
