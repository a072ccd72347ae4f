"""A knowledge answer never resends what the previous replies showed (channels.repeats)."""

from rasa.shared.core.events import BotUttered

from actions.advice import local_guidance
from actions.knowledge import ASKED_MUNICIPALITY, load_items
from channels.repeats import forgets_municipality, trimmed

TEXTS = {item.id: item.text for item in load_items()}
FAQ = {"intent": {"name": "faq"}}


def user(text: str, key: str) -> dict:
    return {"event": "user", "text": text,
            "parse_data": {**FAQ, "text": text, "response_selector": {"faq": {"response": {"intent_response_key": f"faq/{key}"}}}}}


def answer(*ids: str) -> str:
    return "\n\n".join(TEXTS[i] for i in ids)


def test_items_the_previous_reply_showed_are_left_out_and_the_buttons_stay():
    shown = answer("procurement_overview", "procurement_rsv")
    events = [user("må vi reservere en kontrakt", "public_procurement"), {"event": "bot", "text": shown},
              user("hvor bliver offentlige udbud og kommunale indkøb slået op i Danmark", "public_procurement")]
    sent = BotUttered(answer("procurement_where_published", "procurement_overview"), {"buttons": [{"title": "x", "payload": "x"}]})
    [event] = trimmed([sent], events, events[-1]["parse_data"])
    assert event.text == TEXTS["procurement_where_published"] and event.data["buttons"] == [{"title": "x", "payload": "x"}]


def test_an_answer_that_would_lead_with_what_was_just_shown_is_answered_as_a_follow_up():
    events = [user("hvor mange må vi have i løntilskud", "hiring_special_terms"),
              {"event": "bot", "text": answer("hiring_loentilskud", "hiring_overview")},
              user("hvor længe kan de være ansat med tilskud?", "hiring_special_terms")]
    [event] = trimmed([BotUttered(answer("hiring_loentilskud", "hiring_overview"))], events, events[-1]["parse_data"])
    assert "op til 6 måneder" in event.text and "Var det ikke svar" not in event.text and "rimelighedskrav" not in event.text
    assert TEXTS["hiring_overview"] not in event.text


def test_the_first_answer_of_a_conversation_is_sent_as_it_is():
    events = [user("hvad er en rsv", "rsv_criteria")]
    sent = BotUttered(answer("rsv_criteria_five"))
    assert trimmed([sent], events, events[-1]["parse_data"]) == [sent]


def test_an_answer_without_the_asked_deadline_moves_to_the_ranked_item_that_has_it():
    question = user("hvad er fristen for at anmelde selskabet", "cvr_registration")
    question["parse_data"]["knowledge_item"] = {"id": "cvr_fees", "ranking": [
        {"id": "cvr_fees", "confidence": 0.41}, {"id": "cvr_deadline_companies", "confidence": 0.22}]}
    sent = BotUttered(answer("cvr_fees"), {"buttons": [{"title": "x", "payload": "x"}]})
    [event] = trimmed([sent], [question], question["parse_data"])
    assert event.text.startswith(TEXTS["cvr_deadline_companies"]) and "670 kr." not in event.text
    assert "2 uger" in event.text and "buttons" not in event.data


def test_the_same_municipality_answer_again_is_answered_as_a_follow_up():
    """Panel round 7, #13: "men middelfart ligger jo på fyn??" got the Middelfart answer a second time."""
    local = local_guidance("Middelfart")
    events = [user("hvilket erhvervshus hører middelfart til", "free_guidance"), {"event": "bot", "text": local},
              user("men middelfart ligger jo på fyn??", "free_guidance")]
    [event] = trimmed([BotUttered(local)], events, events[-1]["parse_data"])
    assert event.text != local and "Erhvervshus Sydjylland" not in event.text


class _Slot:
    def __init__(self, value):
        self.value = value


class _Tracker:
    def __init__(self, value):
        self.slots = {ASKED_MUNICIPALITY: _Slot(value)}


def test_a_question_naming_no_municipality_forgets_the_one_asked_before():
    """Panel round 7, #37: "hvor ligger erhvervshusene egentlig?" after Bornholm got Bornholm's house again."""
    tracker = _Tracker("Bornholm")
    assert forgets_municipality(tracker, {"text": "hvor ligger erhvervshusene egentlig?", "entities": []})
    assert tracker.slots[ASKED_MUNICIPALITY].value is None
    tracker = _Tracker("Bornholm")
    named = {"text": "og aarhus?", "entities": [{"entity": "municipality", "value": "Aarhus"}]}
    assert not forgets_municipality(tracker, named) and tracker.slots[ASKED_MUNICIPALITY].value == "Bornholm"
    assert not forgets_municipality(_Tracker(None), {"text": "hvor ligger erhvervshusene", "entities": []})
