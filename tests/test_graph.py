"""The clause graph's own questions: references on a date, an act item by item, indirect changes."""

import datetime as dt
import subprocess
import sys

import pytest

import tat_engine
from tat_engine.errors import QueryError
from tat_engine.law import Law
from tat_engine.loader import build

D = dt.date

BASE = '''
act "B" { kind directive signed 2016-01-01 in_force on_signing }
section 8 { text "Maksed" }
point 8.3 { text "Prognoos esitatakse vastavalt punktis 9.1.3 nimetatud korrale." }
point 8.4 { text "Aruanne esitatakse punkti 9.1.4 alusel." }
section 9 { text "Kohustused" }
point 9.1 { text "Elluviija kohustused" }
point 9.1.3 { text "Esitab prognoosi." }
point 9.1.4 { text "Esitab aruande." }
point 9.1.5 { text "Vastab päringutele." }
'''

AMENDMENT = '''
act "A" { kind amending amends "B" signed 2018-01-01 in_force on_signing }
item 1 repeal 9.1.3
item 1 renumber 9.1.4.. by -1
item 2 substitute 9.1.4 { text "Vastab päringutele kümne tööpäeva jooksul." }
'''


@pytest.fixture(scope="module")
def law() -> Law:
    return Law(build([("b.tat", BASE), ("a.tat", AMENDMENT)]))


def test_what_a_point_cites_and_what_cites_it(law):
    found = law.references("9.1.3", D(2017, 1, 1))
    assert [r.citing.label for r in found.cited_by] == ["8.3"] and found.cites == ()
    cites = law.references("8.3", D(2017, 1, 1)).cites
    assert [(r.written, r.provision, r.now, r.moved) for r in cites] == [("9.1.3", "9.1.3@B", "9.1.3", False)]


def test_a_renumbering_moves_what_a_written_label_names(law):
    (reference,) = law.references("8.4", D(2018, 6, 1)).cites
    assert (reference.written, reference.provision, reference.now, reference.moved) == ("9.1.4", "9.1.4@B", "9.1.3", True)
    (repealed,) = law.references("8.3", D(2018, 6, 1)).cites
    assert repealed.now is None  # the point it named is repealed


def test_an_act_item_by_item_and_what_it_touched_through_references(law):
    changes = law.act_changes("A")
    assert [(i.item, i.verb, i.target, [c.label for c in i.made]) for i in changes.items] == [
        ("1", "repeal", "9.1.3", ["9.1.3"]), ("1", "renumber", "9.1.4", ["9.1.3"]),
        ("2", "substitute", "9.1.4", ["9.1.4"])]
    indirect = {(c.reference.citing.label, c.reference.written, c.change) for c in changes.indirect}
    assert indirect == {("8.3", "9.1.3", "repealed"), ("8.4", "9.1.4", "renumbered")}


def test_questions_about_what_is_not_there_are_errors_to_correct(law):
    with pytest.raises(QueryError, match="not in force on 2015-06-01"):
        law.references("8.3", D(2015, 6, 1))
    with pytest.raises(QueryError, match="no act 'Z'"):
        law.act_changes("Z")


def test_the_directive_2020_act_touches_points_through_their_references():
    changes = tat_engine.load().act_changes("1-3/zz")
    assert len(changes.items) == 36  # 35 items, 1.22 both repeals and renumbers
    assert ("11.9", "11.8") in {(c.reference.citing.label, c.reference.written) for c in changes.indirect}


def test_queries_without_the_graph_never_import_networkx(tmp_path):
    code = ("import sys, tat_engine; law = tat_engine.load(); law.point('11.3', '2020-01-01'); "
            "law.text('2021-01-01'); print('networkx' in sys.modules)")
    env = {"TAT_CACHE_DIR": str(tmp_path), "PYTHONPATH": ":".join(sys.path)}
    subprocess.run([sys.executable, "-c", "import tat_engine; tat_engine.load()"], env=env, check=True)  # fill the cache
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_clause_graph_as_networkx_agrees_with_the_engines_answers(law):
    """``Law.graph()`` gives the versioned clause graph to a library's own walks: what cites a
    provision, and what an act made through its items, read with networkx's own functions, are
    what the engine answers."""
    import networkx as nx

    graph = law.graph()
    assert isinstance(graph, nx.MultiDiGraph) and graph.number_of_edges() == len(law.index.edges)
    references = law.references("9.1.3", D(2017, 1, 1))
    citing = {source for source, _, rel in graph.in_edges(("provision", references.provision), data="rel")
              if rel == "cites"}
    assert [r.citing.provision for r in references.cited_by] == ["8.3@B"]
    assert {source[1] for source in citing} == {"8.3@B"}
    made = {node[1:] for node in nx.descendants_at_distance(graph, ("act", "A"), 2) if node[0] == "version"}
    answered = {(c.provision, c.version) for item in law.act_changes("A").items for c in item.made}
    assert answered and answered == made
