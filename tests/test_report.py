"""`make report` on a small SQLite tracker store holding known conversations (Rasa events
as the server stores them, no model needed): the figures, the charts, and no user text
in the report beyond the unsure-message list."""

import asyncio
import base64
import csv
import re
from datetime import date, datetime

import pytest
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from scripts.learning.review import fallback_thresholds
from scripts.paths import ROOT
from scripts.reporting.conversations import conversations
from scripts.reporting.figures import compute
from scripts.reporting.report import write_report

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
DAY1 = datetime(2026, 11, 30, 12, 0)
DAY2 = datetime(2026, 12, 1, 12, 0)
TYPED_ELSEWHERE = ["penge til opstart", "hvor søger man fonde", "jeg vil tale med et menneske", "vi er en forening"]


def user(text, intent, confidence=0.95, faq_key=None, item=None, runner_up=("greet", 0.02)):
    """A user event with parse data as the served model stores it (nlu_fallback first when it fired)."""
    ranking = [{"name": intent, "confidence": confidence}]
    if intent == "nlu_fallback":
        ranking.append({"name": "goodbye", "confidence": 0.3})
    ranking.append({"name": runner_up[0], "confidence": runner_up[1]})
    data = {"intent": ranking[0], "entities": [], "text": text, "intent_ranking": ranking,
            "response_selector": {"all_retrieval_intents": ["faq"]}}
    if faq_key:
        data["response_selector"]["faq"] = {"response": {"intent_response_key": f"faq/{faq_key}", "confidence": 0.9}}
    if item:
        data["knowledge_item"] = {"id": item, "topic": faq_key, "confidence": 0.8, "ranking": []}
    return UserUttered(text, ranking[0], [], data)


def bot(response):
    return BotUttered("svar", metadata={"utter_action": response})


def act(name):
    return ActionExecuted(name)


def turn(message, *events):
    return [message, *events, act("action_listen")]


def tracker(sender_id, *sessions):
    """A tracker of sessions (start datetime, turns), one second between events."""
    events = []
    for start, turns in sessions:
        session = [act("action_session_start"), SessionStarted(), act("action_listen")] + [e for t in turns for e in t]
        for index, event in enumerate(session):
            event.timestamp = start.timestamp() + index
        events += session
    return DialogueStateTracker.from_events(sender_id, events, slots=DOMAIN.slots)


def advice_start(text):
    return turn(user(text, "request_advice"), act("advice_form"), ActiveLoop("advice_form"),
                SlotSet("requested_slot", "phase"), bot("utter_ask_phase"))


TRACKERS = [
    tracker("anna", (DAY1, [
        turn(user("hej", "greet", item="funding_foundations"), act("utter_greet"), bot("utter_greet")),
        turn(user("penge til opstart", "faq", faq_key="funding", item="funding_foundations"), act("utter_faq"), bot("utter_faq/funding")),
        turn(
            user("hvor søger man fonde", "faq", faq_key="funding", item="funding_foundations"),
            act("utter_faq"),
            bot("utter_faq/funding"),
        ),
        turn(user("jeg vil tale med et menneske", "request_human"), act("utter_handoff"), bot("utter_handoff")),
    ])),
    tracker("bo", (DAY1, [
        turn(UserUttered("/greet", {"name": "greet", "confidence": 1.0}), act("utter_greet"), bot("utter_greet")),
        turn(user("findes vækstcentret stadig", "faq", faq_key="centre_status", item="centre_status"), act("utter_faq"),
             bot("utter_faq/centre_status")),
        turn(user("hvad med rsv", "nlu_fallback", 0.7), act("utter_ask_rephrase"), bot("utter_ask_rephrase")),
        turn(user("blorp", "nlu_fallback", 0.7), act("utter_default"), bot("utter_default")),
    ])),
    tracker("cara", (DAY2, [
        advice_start("jeg vil gerne have rådgivning"),
        turn(user("vi er i gang", "inform"), act("advice_form"), SlotSet("phase", "drift"),
             SlotSet("requested_slot", "company_form"), bot("")),
        turn(user("stop", "stop"), act("action_deactivate_loop"), ActiveLoop(None), SlotSet("requested_slot", None),
             act("utter_advice_stopped"), bot("utter_advice_stopped")),
        turn(user("do you speak english", "other_language"), act("utter_other_language"), bot("utter_other_language")),
    ])),
    tracker("dan", (DAY2, [
        advice_start("kan du rådgive os"),
        turn(user("vi er en forening i drift i aarhus om beskæftigelse", "inform"), act("advice_form"),
             SlotSet("requested_slot", None), ActiveLoop(None), act("action_give_advice"), bot(""), bot("utter_handoff")),
    ]), (DAY2.replace(hour=18), [
        turn(user("Hvad med  RSV", "faq", 0.5, faq_key="rsv_criteria", runner_up=("request_advice", 0.45)),
             act("action_clarify"), bot("")),
        turn(user("vi er en forening", "inform"), act("advice_form")),  # the action server was down: no reply stored
    ])),
]


@pytest.fixture
def store(tmp_path) -> TrackerStore:
    """A SQLite tracker store in a temp file with TRACKERS, opened anew as after a restart."""
    db = str(tmp_path / "tracker.db")
    writer = SQLTrackerStore(DOMAIN, dialect="sqlite", db=db)
    for stored in TRACKERS:
        asyncio.run(writer.save(stored))
    return SQLTrackerStore(DOMAIN, dialect="sqlite", db=db)


def test_the_figures_of_known_conversations(store, tmp_path, capsys):
    figures = write_report(store, tmp_path / "report")
    total = figures.total
    assert figures.unit == "day"
    assert [(p.label, p.conversations, p.messages) for p in figures.periods] == [("2026-11-30", 2, 7), ("2026-12-01", 3, 8)]
    assert (total.conversations, total.messages) == (5, 15)  # dan's two sessions are two conversations; /greet is no message
    assert figures.lengths == [4, 3, 4, 2, 2] and figures.median_length == 3

    assert dict(total.handoffs) == {"person": 1, "centre_status": 1, "misunderstood": 1, "action_failed": 1}
    assert [p.conversations_with_handoff for p in figures.periods] == [2, 1]  # the advice's closing phone number is no handoff
    assert figures.periods[0].handoff_rate == 1.0 and figures.periods[1].handoff_rate == pytest.approx(1 / 3)
    assert (total.fallbacks, total.clarifications) == (2, 1)
    assert figures.periods[0].fallback_rate == pytest.approx(2 / 7) and figures.periods[1].clarification_rate == pytest.approx(1 / 8)

    assert dict(figures.advice) == {"started": 2, "completed": 1, "stopped": 1}
    assert dict(figures.stopped_at) == {("stopped", "company_form"): 1}

    assert figures.topics.most_common() == [("funding", 2), ("centre_status", 1), ("rsv_criteria", 1)]
    assert dict(figures.items) == {"funding_foundations": 2, "centre_status": 1}  # not the greeting's
    assert figures.other_language == 1 and figures.other_language_rate == pytest.approx(1 / 15)

    assert [(m.text, m.count) for m in figures.unsure] == [("hvad med rsv", 2), ("blorp", 1)]

    printed = capsys.readouterr().out
    assert "5 conversations, 15 user messages" in printed and "person 1" in printed


def test_the_page_has_the_charts_and_no_user_text_beyond_the_unsure_list(store, tmp_path):
    write_report(store, tmp_path / "report")
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    charts = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)"', page)
    assert len(charts) == 3
    assert all(base64.b64decode(png).startswith(b"\x89PNG") and len(png) > 5000 for png, _ in charts)
    assert "make export-uncertain" in page and "hvad med rsv" in page
    assert not [text for text in TYPED_ELSEWHERE if text in page]

    with (tmp_path / "report" / "figures.csv").open(encoding="utf-8") as file:
        rows = {(r["section"], r["name"], r["period"]): r["value"] for r in csv.DictReader(file)}
    assert rows[("activity", "conversations", "2026-12-01")] == "3"
    assert rows[("activity", "handoffs_action_failed", "total")] == "1"
    assert rows[("advice_ended_at", "stopped:company_form", "total")] == "1"
    assert rows[("topic", "funding", "total")] == "2"
    csv_text = (tmp_path / "report" / "figures.csv").read_text(encoding="utf-8")
    assert not [text for text in TYPED_ELSEWHERE + ["hvad med rsv"] if text in csv_text]


def test_since_and_until_keep_the_days_between(store, tmp_path):
    day2 = write_report(store, tmp_path / "since", since=date(2026, 12, 1))
    day1 = write_report(store, tmp_path / "until", until=date(2026, 11, 30))
    assert (day2.total.conversations, day2.total.messages, [p.label for p in day2.periods]) == (3, 8, ["2026-12-01"])
    assert (day1.total.conversations, day1.advice["started"]) == (2, 0)
    assert "make export-uncertain SINCE=2026-12-01" in (tmp_path / "since" / "index.html").read_text(encoding="utf-8")


def test_a_long_range_counts_per_week_and_a_form_left_open_counts_where_it_stopped():
    later = tracker("eva", (datetime(2027, 1, 20, 12, 0), [advice_start("hjælp os i gang")]))
    found = [c for t in TRACKERS[:1] + [later] for c in conversations(t)]
    figures = compute(found, fallback_thresholds())
    assert figures.unit == "week"
    assert figures.periods[0].label == "2026-W49" and figures.periods[-1].label == "2027-W03"
    assert len(figures.periods) == 8 and sum(p.conversations for p in figures.periods) == 2
    assert dict(figures.stopped_at) == {("left", "phase"): 1}


def test_an_empty_store_gives_an_empty_report(tmp_path):
    empty = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "empty.db"))
    figures = write_report(empty, tmp_path / "report")
    assert figures.total.conversations == 0 and figures.periods == []
    assert (tmp_path / "report" / "index.html").is_file()
