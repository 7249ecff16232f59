"""What the reading room's cost form asks (rules/form.py, GET /v1/costs/form): the activities,
parties and categories the rules in force read, each category with the fields its rules use, read
from the corpus (the TAT's, and an instrument written only in DSL here)."""

import datetime as dt
import os

import pytest
from fastapi.testclient import TestClient

import tat_engine
from tat_engine.errors import UndeclaredRules
from tat_engine.interfaces.http import create_app
from tat_engine.rules.form import cost_form

SMALL = '''
act "K-1" {
  kind directive
  title "Väike toetus"
  signed 2022-01-10
  in_force on_signing
}
section 1 { text "Üldsätted" }
point 1.1 { text "Elluviija on Vallavalitsus." fact implementer: role "elluviija" held_by "Vallavalitsus" }
section 3 { text "Tegevused" }
point 3.1 { text "Raamatukogu" fact activity: activity "raamat" }
section 4 { text "Kulud" }
point 4.1 { text "Sõidukulud" fact category: category "sõidukulud" when activity = "raamat" }
point 4.1.1 { text "Ainult rongiga." fact condition: category "sõidukulud" when mode = "rong" }
point 4.2 { text "Trahvid ei ole abikõlblikud." fact excluded: category "trahvid" }
section 5 { text "Periood" }
point 5.1 { text "Periood on 01.01.2022-31.12.2022." fact eligibility_period: period 2022-01-01..2022-12-31 }
'''


@pytest.fixture(scope="module")
def law(tmp_path_factory):
    os.environ.setdefault("TAT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    return tat_engine.load()


def by_point(form):
    return {category.point: category for category in form.categories}


def test_the_tat_form_offers_what_its_rules_read(law):
    form = cost_form(law, dt.date(2021, 6, 1))
    parties = {a.name: (a.implementer, a.partner, a.partner_known) for a in form.activities}
    assert parties == {"2.1": ("Siseministeerium", "Tervise Arengu Instituut", True),
                       "2.2": ("Siseministeerium", "Politsei- ja Piirivalveamet", True),
                       "2.3": ("Siseministeerium", "Sotsiaalkindlustusamet", True),
                       "2.4": ("Siseministeerium", None, True)}
    assert form.activities[1].title == "Andme- ja teabevahetuslahenduse loomine võrgustikutöö tõhustamiseks"
    categories = by_point(form)
    transport = categories["7.1.3.13"]
    assert (transport.activities, transport.written_proof, transport.modes) == (("2.3",), "7.1.3.13.2", ("ühistransport", "sõiduauto"))
    assert categories["7.1.3.2"].on_documents and categories["7.1.3.3"].excess
    plain = categories["7.1.3.1"]
    assert not any((plain.on_documents, plain.excess, plain.modes, plain.written_proof, plain.activities))
    assert [p for p, c in categories.items() if c.excluded] == ["7.2.1.1", "7.2.1.2", "7.2.1.3"]


def test_the_form_follows_the_date(law):
    """Before 30.04.2017 the sources do not name the partner of 2.2: the form says so, as the verdicts do."""
    early = {a.name: a for a in cost_form(law, dt.date(2016, 6, 1)).activities}
    assert (early["2.2"].partner, early["2.2"].partner_known) == (None, False)


def test_another_instrument_declares_its_own_form(tmp_path):
    (tmp_path / "small.tat").write_text(SMALL, encoding="utf-8")
    form = cost_form(tat_engine.load([tmp_path], cache=False), dt.date(2022, 6, 1))
    assert [(a.name, a.point, a.implementer, a.partner) for a in form.activities] == [("raamat", "3.1", "Vallavalitsus", None)]
    categories = by_point(form)
    assert (categories["4.1"].activities, categories["4.1"].modes) == (("raamat",), ("rong",))
    assert categories["4.2"].excluded and categories["4.2"].name == "trahvid"


def test_an_instrument_without_cost_rules_refuses(law):
    with pytest.raises(UndeclaredRules):
        cost_form(tat_engine.load(instrument="safety-2023"), dt.date(2023, 6, 1))


def test_the_endpoint(tmp_path_factory):
    os.environ.setdefault("TAT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    client = TestClient(create_app(), raise_server_exceptions=False)
    data = client.get("/v1/costs/form", params={"as_of": "2021-06-01"}).json()
    assert data["type"] == "CostForm" and data["law_on"] == "2021-06-01"
    assert [a["name"] for a in data["activities"]] == ["2.1", "2.2", "2.3", "2.4"]
    refused = client.get("/v1/costs/form", params={"as_of": "2021-06-01", "instrument": "safety-2023"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["name"] == "instrument"
    assert client.get("/v1/costs/form", params={"as_of": "01.06.2021"}).status_code == 422
