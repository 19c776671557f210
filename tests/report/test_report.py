"""After-action reports: content, self-contained HTML, determinism, redaction."""

from __future__ import annotations

import re

import pytest

from sim.engine.session import Session
from sim.record.log import Log
from sim.report import debrief, write_report
from tests.record.test_export import WORLD as SECRET_WORLD
from tests.record.test_export import secret_run
from tests.worlds import world

WORLD = world("""
clock: {start: "2012-11-13 08:00", round_hours: 6, rounds: 4}
objectives:
  - {id: calm, text: Keep tension below 60, measure: "tension < 60"}
  - {id: talk, text: Talk before acting}
facilitator_notes: Ask each team what it expected the others to do.
""")


def finished(seed: int = 3) -> Session:
    s = Session(WORLD, seed, {"a": "human"})
    s.inject("Storm warning", "heavy weather", ["b"])
    s.submit("a", _orders("provoke"))
    s.close_round()
    s.pause("lunch")
    s.resume()
    while not s.over:
        s.close_round()
    return s


def _orders(move: str) -> object:
    from sim.models import Orders

    return Orders.model_validate(
        {"moves": [{"move": move}], "messages": [{"to": ["b"], "text": "hello b"}]}
    )


def test_markdown_has_every_section() -> None:
    """Scenario, outcome, seats, timeline, charts as tables, decisions, knowledge, objectives."""
    md = write_report(finished(), WORLD, "md")
    for heading in (
        "# After-action report: Mini",
        "## Outcome",
        "## Seats",
        "## Timeline",
        "## Indicators over time",
        "## Escalation ladder",
        "## Decisions",
        "## Who knew what, when",
        "## Learning objectives",
        "## Facilitator notes",
    ):
        assert heading in md
    assert "`2012-11-13 08:00` A: Provoke (escalation 5)" in md
    assert "Control inject (to B): Storm warning" in md
    assert "Ask each team what it expected" in md
    assert "why: baseline" in md  # computer rationales
    assert "Control paused the exercise — lunch" in md


def test_objectives_are_evaluated_on_the_final_state() -> None:
    """A measured objective is met or not with the values it read; others are for discussion."""
    s = finished()
    facts = debrief(s, WORLD)
    calm, talk = facts.objectives
    assert calm.met == (float(s.state.values["tension"]) < 60)
    assert calm.values == {"tension": s.state.values["tension"]}
    assert len(calm.by_round) == 4
    assert talk.met is None and "discuss" in talk.verdict()


def test_html_is_self_contained_with_inline_charts() -> None:
    """No external reference of any kind, no script, and two inline SVG charts."""
    html = write_report(finished(), WORLD, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 2
    assert "<script" not in html.lower()
    refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"' >]+)""", html, re.I)
    assert not [r for r in refs if not r.startswith("#")]
    assert not re.search(r"https?://(?!www\.w3\.org/)", html)  # only XML namespaces
    assert "@import" not in html and "url(" not in html.replace("url(#", "")


def test_reports_are_reproducible() -> None:
    """The same log gives the same bytes (no random chart ids, no dates)."""
    s = finished()
    assert write_report(s, WORLD, "html") == write_report(s, WORLD, "html")
    log = Log(s.header.to_dict(), list(s.log))
    assert write_report(log, WORLD, "md") == write_report(s, WORLD, "md")


def test_text_is_escaped_in_html() -> None:
    """Scenario and player text cannot inject markup."""
    s = Session(WORLD, 1, {"a": "human"})
    s.inject("<script>alert(1)</script>", "<b>x</b>")
    while not s.over:
        s.close_round()
    html = write_report(s, WORLD, "html")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_redacted_report_keeps_secrets(fmt: str) -> None:
    """A report for one actor shows neither others' private messages nor hidden indicators."""
    s = secret_run(7)
    full = write_report(s, SECRET_WORLD, fmt)  # type: ignore[arg-type]
    mine = write_report(s, SECRET_WORLD, fmt, as_actor="b")  # type: ignore[arg-type]
    assert "whisper-a-c-" in full and "whisper-a-c-" not in mine
    assert "Intelligence picture" in full
    assert "Intelligence picture" not in mine.replace("Could not see: Intelligence picture", "")
    assert "Never learned" in full and "Never learned" not in mine
    assert "Redacted for B" in mine


def test_unfinished_log_says_so() -> None:
    """A log cut short reports where it stops instead of inventing an outcome."""
    s = Session(WORLD, 2)
    s.close_round()
    facts = debrief(s, WORLD)
    assert facts.outcome is None and facts.outcome_title == "Not finished"
    assert "after round 1 of 4" in facts.outcome_text


def diplomacy() -> Session:
    """a proposes to b a pact forbidding provocation; b accepts; a provokes anyway."""
    from sim.models import Orders

    s = Session(WORLD, 9, dict.fromkeys(WORLD.actors, "human"))
    s.submit(
        "a",
        Orders.model_validate(
            {
                "messages": [
                    {
                        "to": ["b"],
                        "text": "pact-offer",
                        "proposal": {
                            "title": "No provocations",
                            "expires_after": 2,
                            "terms": {"commitments": [{"forbid": ["provoke"], "hours": 48}]},
                        },
                    }
                ]
            }
        ),
    )
    s.close_round()
    (pid,) = s.state.proposals
    s.submit("b", Orders.model_validate({"answers": [{"proposal": pid, "accept": True}]}))
    s.close_round()
    s.submit("a", Orders.model_validate({"moves": [{"move": "provoke"}]}))
    s.close_round()
    return s


def test_agreements_and_breaches_reach_their_parties_only() -> None:
    """The timeline shows the pact and its breach to control and the parties, not to c."""
    s = diplomacy()
    full = write_report(s, WORLD, "md")
    assert "Agreement: No provocations (A, B)" in full
    assert "Breach: A broke" in full
    assert "B accepts proposal" in full
    for actor in ("a", "b"):
        mine = write_report(s, WORLD, "md", as_actor=actor)
        assert "Agreement: No provocations" in mine and "Breach: A broke" in mine
    other = write_report(s, WORLD, "html", as_actor="c")
    assert "No provocations" not in other and "pact-offer" not in other


# ``intel`` (seen by a alone) is revealed to b at hour 6, then changes again where b cannot see.
BELIEF_WORLD = world("""
clock: {start: "2012-11-13 08:00", round_hours: 6, rounds: 3}
indicators:
  - {id: tension, label: Tension, initial: 50}
  - {id: stability, label: Stability, initial: 50}
  - {id: intel, label: Intelligence picture, initial: 20, visible_to: [a]}
injects:
  - {id: leak, at: 6, title: Leak to b, audience: [b], effects: [{change: intel, by: 5}],
     reveals: [intel]}
  - {id: later, at: 12, title: Quiet change, audience: [a], effects: [{change: intel, by: 17.5}]}
""")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_redacted_report_shows_beliefs_as_beliefs_never_the_truth(fmt: str) -> None:
    """b's report holds what b last observed of intel (25, labelled a belief, as in b's own view)
    and never its true final value (42.5); a, who sees intel, gets the true value."""
    s = Session(BELIEF_WORLD, 1, {"a": "human", "b": "human"})
    while not s.over:
        s.close_round()
    assert s.view(None).values["intel"] == 42.5
    belief = s.view("b").beliefs["intel"]
    assert (belief.value, belief.seen_at) == (25, 6)
    mine = write_report(s, BELIEF_WORLD, fmt, as_actor="b")  # type: ignore[arg-type]
    assert "Believed at the end (beliefs, not the truth" in mine
    assert "Intelligence picture = 25" in mine and "2012-11-13 14:00" in mine
    assert "42.5" not in mine and "Quiet change" not in mine
    (k,) = debrief(s, BELIEF_WORLD, as_actor="b").knowledge.values()
    assert k.believed == (("Intelligence picture", 25, 6),)
    assert "intel" not in debrief(s, BELIEF_WORLD, as_actor="b").series
    assert debrief(s, BELIEF_WORLD, as_actor="a").series["intel"][-1] == 42.5


def test_the_control_report_lists_each_actors_final_beliefs() -> None:
    """Control sees what each actor believed at the end (the facilitator's "why did b act?")."""
    s = Session(BELIEF_WORLD, 1)
    while not s.over:
        s.close_round()
    facts = debrief(s, BELIEF_WORLD)
    assert facts.knowledge["b"].believed == (("Intelligence picture", 25, 6),)
    assert facts.knowledge["a"].believed == ()


def test_red_line_crossings_and_reveals_are_in_the_timeline() -> None:
    """A red line's crossing (what was believed, the response) reaches the control report and
    its actor's, no one else's; a reveal is told to its audience."""
    from sim.engine.events import RedLineCrossed

    s = Session(BELIEF_WORLD, 1)
    while not s.over:
        s.close_round()
    log = Log(s.header.to_dict(), list(s.log))
    last = log.events[-1]
    crossing = RedLineCrossed(
        seq=last.seq + 1,
        t=last.t,
        round=last.round,
        actor="c",
        red_line="no_calm",
        believed={"tension": 80.0},
        response="provoke",
    )
    log = Log(log.header, [*log.events, crossing])
    line = "Red line no_calm of C crossed (it believed Tension = 80); responded with Provoke"
    assert line in write_report(log, BELIEF_WORLD, "md")
    assert line in write_report(log, BELIEF_WORLD, "md", as_actor="c")
    assert "Red line" not in write_report(log, BELIEF_WORLD, "md", as_actor="b")
    assert "Revealed to B: Intelligence picture = 25" in write_report(log, BELIEF_WORLD, "md")
    assert "Revealed to B" not in write_report(log, BELIEF_WORLD, "md", as_actor="c")
