"""Unit tests, without a model, of keeping the thread (issue 10, round 2's fixes 1-7).

Elliptical follow-ups ("hvilken lov står det i", "hvad er satsen") are read against the
previous answer; the already-answered echo quotes only a sentence that answers the
follow-up; an honest "I don't know" with the phone number where no item fits; endings and
"kan du sige det kortere" in any state; the forgiving form.
"""

import asyncio
from typing import Any, Dict, List

import pytest
from rasa.shared.core.events import BotUttered
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import ActionClarify
from actions.endings import ENGLISH_GOODBYE, ending
from actions.follow_up import ActionFollowUp, elliptical, follow_up_reply, thread_reply
from actions.knowledge import load_items
from actions.meta import SUMMARY_INTRO, meta_reply, summary
from actions.thread import THREAD_ITEM
from actions.validation import ValidateAdviceForm
from channels.repeats import trimmed
from tests.helpers import items_text, knowledge_then

PHONE = "72 20 00 30"
GOODBYE = "Held og lykke med virksomheden!"


@pytest.mark.parametrize("text", [
    "og for en forening?", "hvad er satsen", "hvor mange bliver det så", "hvilken lov står det i",
    "og udvalget før det?", "hvad hvis vi lukker", "og P/S?", "skal de 20000 blive stående på kontoen?",
    "min kompagnon bor på bornholm, hvad med ham?", "og hvis fonden lukker, hvad sker der med pengene hvis vi er RSV?",
    "vi vil ansætte en på deltid til butikken, ændrer det noget?",
])
def test_short_follow_ups_are_elliptical(text):
    assert elliptical(text)


@pytest.mark.parametrize("text", [
    "", "/faq", "hvad koster det at stifte et anpartsselskab, når vi er tre stiftere i København",
    "vi er en forening i Aarhus i opstartsfasen og vil gerne sælge kaffe og kage",
])
def test_whole_questions_and_payloads_are_not_elliptical(text):
    assert not elliptical(text)


@pytest.mark.parametrize("question, key, shown, text, nlu_item, fact", [
    ("hvad er de fem kriterier for rsv", "rsv_criteria", ("rsv_criteria_five",), "hvilken lov står det i",
     "rsv_benefits_mark", "lov nr. 711"),
    ("hvad er forskellen på en fond og en forening", "company_form", ("company_form_capital",), "og P/S?",
     "cvr_fees", "400.000 kr."),
    ("hvordan faar vores forening et cvr nummer", "cvr_registration", ("cvr_forening",),
     "vi vil ansætte en på deltid til butikken, ændrer det noget?", "growth_change_form", "almindelig forening"),
], ids=["which law after the criteria", "og P/S after the company forms", "hiring staff after the association's CVR"])
def test_an_elliptical_follow_up_the_nlu_took_elsewhere_gets_the_thread_s_fact(question, key, shown, text, nlu_item, fact):
    events, latest = knowledge_then(question, key, items_text(*shown), text, item=nlu_item)
    reply = thread_reply(events, latest)
    assert reply is not None and fact in reply.text


def test_the_rate_of_payroll_tax_gets_what_is_known_of_it_and_the_phone():
    events, latest = knowledge_then("skal vi betale lønsumsafgift", "tax_vat_accounting", items_text("tax_payroll_tax"),
                                  "hvad er satsen", item="wse_definition")
    reply = thread_reply(events, latest)
    assert reply is not None and "Satsen afhænger af" in reply.text and PHONE in reply.text
    assert "socialøkonomisk virksomhed er" not in reply.text


def test_a_follow_up_naming_its_own_subject_leaves_the_thread():
    events, latest = knowledge_then("hvornår blev vækstcentret oprettet", "centre_history", items_text("centre_history_main"),
                                  "og hvad er grænsen for moms?", item="tax_vat")
    assert thread_reply(events, latest) is None


def test_a_whole_question_is_not_read_against_the_thread():
    events, latest = knowledge_then("hvornår skal vi momsregistreres", "tax_vat_accounting", items_text("tax_vat"),
                                  "hvordan anmelder vi os som registreret socialøkonomisk virksomhed på virk.dk", item="rsv_register_how")
    assert thread_reply(events, latest) is None


def test_no_thread_without_an_answer_just_before():
    latest = {"text": "hvad er satsen", "intent": {"name": "faq"}}
    assert thread_reply([{"event": "user", "text": "hvad er satsen", "parse_data": latest}], latest) is None


def test_the_echo_never_quotes_a_sentence_that_does_not_answer_the_follow_up():
    events, latest = knowledge_then("skal vi betale moms vi saelger kaffe for 30000", "tax_vat_accounting",
                                  items_text("tax_vat", "tax_annual_report"), "hvad nu hvis vi kommer over i juli", intent="follow_up")
    reply = follow_up_reply(events, latest)
    assert "Kommer den for sent" not in reply.text  # the annual report's fine is not about VAT


def test_the_echo_of_a_price_gives_the_companies_fee_beside_the_free_cvr_number():
    events, latest = knowledge_then("skal vi bruge mitid erhverv, vi er tre stiftere", "cvr_registration",
                                  items_text("cvr_how", "cvr_fees"), "og koster cvr nummeret noget", intent="follow_up")
    reply = follow_up_reply(events, latest)
    assert "670 kr." in reply.text


def test_how_many_after_the_wage_subsidy_rules_gets_the_reasonableness_rule():
    events, latest = knowledge_then("hvor længe kan man have en i løntilskud", "hiring_special_terms",
                                  items_text("hiring_loentilskud"), "vi har 10 fastansatte, hvor mange bliver det så",
                                  intent="follow_up")
    assert "1 for hver 5" in follow_up_reply(events, latest).text


@pytest.mark.parametrize("text", ["og foer", "og før?", "hvad gjaldt tidligere"])
def test_how_it_was_before_after_the_vat_rule_gets_the_earlier_period(text):
    """Panel round 6: "og foer" after "Siden 1. januar 2025 tæller salget pr. kalenderår"."""
    events, latest = knowledge_then("hvornaar skal vi momsregistreres", "tax_vat_accounting", items_text("tax_vat"),
                                    text, intent="follow_up")
    assert "12 måneder" in follow_up_reply(events, latest).text


@pytest.mark.parametrize("intent, item", [("faq", "cvr_fees"), ("follow_up", None)])
def test_where_is_it_made_after_the_mitid_answer_stays_with_mitid(intent, item):
    """Panel round 6, #25: "hvor opretter vi det" after the MitID answer, read by the NLU as the CVR fees."""
    events, latest = knowledge_then("skal vi have mitid erhverv", "cvr_registration", items_text("cvr_how"),
                                    "hvor opretter vi det", intent=intent, item=item)
    reply = thread_reply(events, latest) if intent == "faq" else follow_up_reply(events, latest)
    assert "mitid-erhverv.dk" in reply.text and "gebyrer" not in reply.text


@pytest.mark.parametrize("intent, item", [("faq", "tax_payroll_tax"), ("follow_up", None)])
def test_the_amount_of_the_fee_just_named_is_not_another_fee_s_rate(intent, item):
    """Panel round 6: "hvor meget er afgiften" after "kan ledelsen få en afgift" (late annual report) got the
    lønsumsafgift's rate; no source gives the amount, so it is an honest "I don't know" with the phone."""
    events, latest = knowledge_then("hvad sker der hvis vi afleverer aarsrapporten for sent", "tax_vat_accounting",
                                    items_text("tax_annual_report"), "hvor meget er afgiften", intent=intent, item=item)
    reply = thread_reply(events, latest) if intent == "faq" else follow_up_reply(events, latest)
    assert reply.kind == "unknown" and PHONE in reply.text and "Satsen" not in reply.text


def run_follow_up(events: List[Dict[str, Any]], latest: Dict[str, Any]) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    ActionFollowUp().run(dispatcher, Tracker("u", {}, latest, events, False, None, None, "action_listen"), {})
    return dispatcher.messages


def test_an_off_topic_reading_of_an_elliptical_follow_up_is_answered_in_the_thread():
    events, latest = knowledge_then("hvad koster et aps at starte", "company_form", items_text("company_form_aps"),
                                  "skal de 20000 blive stående på kontoen?", intent="out_of_scope")
    text = run_follow_up(events, latest)[0]["text"]
    assert "ved jeg desværre ikke" in text and PHONE in text  # no fact about it: honest, not another item
    events, latest = knowledge_then("hvad koster et aps at starte", "company_form", items_text("company_form_aps"),
                                  "hvad bliver vejret i morgen i hele landet og på bornholm", intent="out_of_scope")
    assert [m.get("response") for m in run_follow_up(events, latest)] == ["utter_out_of_scope"]


@pytest.mark.parametrize("text, english", [
    ("tak for hjælpen!", False), ("ok endelig. farvel", False), ("ok tak", False), ("thanks thats all", True),
    ("ok forget it", True),
])
def test_endings_get_a_short_goodbye(text, english):
    assert ending(text) == ({"text": ENGLISH_GOODBYE} if english else {"response": "utter_goodbye"})


def test_the_english_goodbye_is_bilingual_with_the_phone():
    assert "Tak" in ENGLISH_GOODBYE and "Thanks" in ENGLISH_GOODBYE and PHONE in ENGLISH_GOODBYE


@pytest.mark.parametrize("text", [
    "tak, men hvad med moms?", "det var det jeg ville spørge om: hvad koster det?",
    "vi vil takke vores frivillige for hjælpen i år med en fest",
])
def test_a_question_or_a_long_message_is_no_ending(text):
    assert ending(text) is None


def test_say_it_shorter_gives_the_first_sentence_of_each_item_shown():
    shown = items_text("tax_vat", "tax_annual_report")
    short = summary([shown, "Kilde: [skat.dk](https://skat.dk)"])
    lines = short.splitlines()
    assert lines[0] == SUMMARY_INTRO and len(lines) == 3 and "50.000 kr." in lines[1] and len(short) < len(shown)
    events, _ = knowledge_then("hvad er momsgrænsen", "tax_vat_accounting", shown, "kan du sige det kortere", intent="nlu_fallback")
    assert meta_reply(events, "kan du sige det kortere") == {"text": summary([shown])}


def test_clarify_answers_an_english_ending():
    events, latest = knowledge_then("hvad er momsgrænsen", "tax_vat_accounting", items_text("tax_vat"), "thanks thats all",
                                  intent="nlu_fallback")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionClarify().run(dispatcher, Tracker("u", {}, latest, events, False, None, None, "action_listen"), {}))
    assert dispatcher.messages[0]["text"] == ENGLISH_GOODBYE


def test_the_knowledge_answer_to_an_ending_is_the_goodbye():
    events, latest = knowledge_then("hvordan sælger vi til det offentlige", "public_procurement", items_text("procurement_overview"),
                                  "ok endelig. farvel", item="procurement_overview")
    sent = trimmed([BotUttered(items_text("procurement_overview"), {"buttons": [{"title": "x", "payload": "x"}]})], events, latest, GOODBYE)
    assert [e.text for e in sent] == [GOODBYE] and not sent[0].data.get("buttons")


def test_the_knowledge_answer_to_an_elliptical_follow_up_stays_in_the_thread():
    events, latest = knowledge_then("hvad er de fem kriterier for rsv", "rsv_criteria", items_text("rsv_criteria_five"),
                                  "hvilken lov står det i", item="rsv_benefits_mark")
    sent = trimmed([BotUttered(items_text("rsv_benefits_mark"), {})], events, latest, GOODBYE)
    assert "lov nr. 711" in sent[0].text


def form_answer(slot: str, text: str, intent: str = "inform") -> Dict[str, Any]:
    """The form's extraction of `text` as the answer to the question for `slot`, then its validation."""
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    asking = Tracker("u", {"requested_slot": slot}, message, [], False, None, {"name": "advice_form"}, "action_listen")
    form = ValidateAdviceForm()
    extracted = getattr(form, f"extract_{slot}")(CollectingDispatcher(), asking, {})
    if not extracted:
        return {}
    return getattr(form, f"validate_{slot}")(extracted[slot], CollectingDispatcher(), asking, {})


@pytest.mark.parametrize("slot", ["phase", "company_form", "topic", "municipality"])
@pytest.mark.parametrize("text", ["ved ik", "det ved jeg ikke endnu", "spring over"])
def test_not_knowing_or_skipping_is_an_answer_at_every_step(slot, text):
    value = form_answer(slot, text).get(slot)
    assert value == ("free_guidance" if slot == "topic" else "ukendt")


@pytest.mark.parametrize("slot", ["phase", "topic"])
def test_a_plain_no_to_the_phase_or_topic_is_no_answer(slot):
    assert form_answer(slot, "nej tak", intent="deny") == {}


@pytest.mark.parametrize("text, intent", [("tak for hjælpen!", "thank"), ("tak for hjælpen!", "faq"), ("farvel", "goodbye")])
def test_thanks_during_the_form_is_no_answer(text, intent):
    assert form_answer("phase", text, intent) == {}


def test_a_when_question_the_thread_cannot_answer_is_an_honest_dont_know():
    events, latest = knowledge_then("hvad er de fem kriterier", "rsv_criteria", items_text("rsv_criteria_five"),
                                  "hvornår kommer der nye regler for det?", item="rsv_criteria_forening")
    reply = thread_reply(events, latest)
    assert reply is not None and reply.kind == "unknown" and PHONE in reply.text


def test_a_when_question_on_the_committee_behind_the_scheme_gets_its_date():
    events, latest = knowledge_then("hvad er de fem kriterier", "rsv_criteria", items_text("rsv_criteria_five"),
                                  "hvornår blev det udvalg nedsat der foreslog ordningen?", item="rsv_criteria_forening")
    reply = thread_reply(events, latest)
    assert reply is not None and "7. februar 2013" in reply.text


def test_og_ps_after_another_topic_keeps_the_nlu_s_item_for_that_form_when_the_thread_has_none():
    events, latest = knowledge_then("skal man have revisor", "tax_vat_accounting", items_text("accounting_audit_opt_out"),
                                  "og P/S?", item="company_form_as_ps")
    assert thread_reply(events, latest) is None


def test_a_bare_when_after_an_answer_gets_the_item_its_buttons_offered_or_that_shares_its_rare_words():
    """Panel round 3, #4: "frist?" after the RSV accounts answer, whose buttons offered the deadline; and
    round 6, #9: "og fristen" without the button, where the annual report item shares "årsrapporten" and
    "regnskabsklasse" with the answer just given."""
    events, latest = knowledge_then("Jeg er revisor for en RSV. Hvilken regnskabsklasse skal de aflægge efter?",
                                  "tax_vat_accounting", items_text("tax_rsv_reporting"), "frist?")
    offered = {item.id: item.question for item in load_items()}["tax_annual_report"]
    assert "6 måneder" in thread_reply(events, latest).text
    events[1]["data"] = {"buttons": [{"title": offered, "payload": offered}]}
    assert "6 måneder" in thread_reply(events, latest).text
    events, latest = knowledge_then("hvor meget udbytte maa en rsv udbetale, og hvilken regnskabsklasse?", "rsv_criteria",
                                    items_text("rsv_criteria_dividend", "tax_rsv_reporting"), "og fristen", intent="follow_up")
    assert "6 måneder" in follow_up_reply(events, latest).text


@pytest.mark.parametrize("question, key, item, follow_up, fact", [
    # Panel round 3, #18 and #14: the fact was in the answer just given.
    ("var der et udvalg før centret", "centre_history", "centre_history_background", "hvor mange virksomheder talte de", "292"),
    ("hvad koster virksomhedspraktik", "hiring_special_terms", "hiring_praktik_skaanejob", "hvor længe kan de være der",
     "længden afhænger af den ydelse"),
])
def test_a_count_or_a_length_the_answer_gave_is_quoted_not_unknown(question, key, item, follow_up, fact):
    events, latest = knowledge_then(question, key, items_text(item), follow_up)
    reply = thread_reply(events, latest)
    assert reply.kind == "sentence" and fact in reply.text


# --- follow4: the follow-up read together with the question before it (channels/threads.py THREAD_ITEM) ---

def test_og_et_ps_after_the_as_capital_gets_the_ps_capital_not_another_ps_item():
    from actions.follow_up import follow_up_reply
    from actions.thread import THREAD_ITEM
    events, latest = knowledge_then("hvad er kapitalkravet for et a/s", "company_form", items_text("company_form_as_ps"),
                                    "og et p/s?", intent="follow_up")
    latest[THREAD_ITEM] = {"id": "company_form_as_ps", "confidence": 0.6,
                           "ranking": [{"id": "company_form_as_ps", "topic": "company_form", "confidence": 0.6}]}
    reply = follow_up_reply(events, latest)
    assert "400.000 kr." in reply.text and "P/S" in reply.text and "2 uger" not in reply.text


def test_the_joined_ranking_keeps_the_higher_confidence_of_each_reading():
    from actions.resolution import joined_ranking
    latest = {"knowledge_item": {"ranking": [{"id": "a", "confidence": 0.2}, {"id": "b", "confidence": 0.5}]},
              "thread_item": {"ranking": [{"id": "a", "confidence": 0.7}]}}
    assert joined_ranking(latest) == {"a": 0.7, "b": 0.5}
    assert joined_ranking({}) == {}


@pytest.mark.parametrize("text, said_goodbye", [
    ("jeg har set et tal paa 292, hvad er det", False), ("hvad med 2013", False), ("hej hej", True), ("farvel og tak", True),
])
def test_a_question_or_a_figure_taken_for_a_goodbye_gets_no_goodbye(text, said_goodbye):
    from actions.meta import ActionGoodbye
    events, latest = knowledge_then("hvor mange rsv er der", "rsv_how_to_register", items_text("rsv_count"), text,
                                    intent="goodbye")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionGoodbye().run(dispatcher, Tracker("u", {}, latest, events, False, None, None, "action_listen"), {}))
    goodbye = any(m.get("response") == "utter_goodbye" or "held og lykke" in (m.get("text") or "").lower()
                  for m in dispatcher.messages)
    assert goodbye == said_goodbye and dispatcher.messages


def test_an_english_follow_up_without_a_topic_of_its_own_gets_the_note_and_more_of_the_topic():
    from actions.english import ENGLISH_NOTE, ActionOtherLanguage
    events, latest = knowledge_then("How do I register as a social enterprise?", "rsv_how_to_register",
                                    items_text("rsv_register_how"), "My co-founder joins next month, does that change anything?",
                                    intent="other_language")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionOtherLanguage().run(dispatcher, Tracker("u", {}, latest, events, False, None, None, "action_listen"), {}))
    texts_sent = [m.get("text") or "" for m in dispatcher.messages]
    register_how = {i.id: i for i in load_items()}["rsv_register_how"]
    assert texts_sent[0] == ENGLISH_NOTE and len(texts_sent) == 2 and register_how.text not in texts_sent[1]
    assert dispatcher.messages[1].get("buttons") is not None


@pytest.mark.parametrize("text, question", [
    ("det er jo bare bla bla. hvad er de syv principper", "hvad er de syv principper"),
    ("for tredje gang: hvad er FRISTEN for at anmelde et aps", "hvad er FRISTEN for at anmelde et aps"),
    ("du forstaar ikke. hvor meget koster et aps?", "hvor meget koster et aps?"),
    ("du forstår ingenting, jeg spurgte hvad det koster MIG som arbejdsgiver", "hvad det koster MIG som arbejdsgiver"),
    ("det var ikke det, jeg spurgte om. hvad koster et aps", "hvad koster et aps"),
    ("du forstår ingenting!", None), ("hvad koster et aps", None),
])
def test_the_question_after_frustration_is_found_in_other_words(text, question):
    from actions.endings import question_after_frustration
    assert question_after_frustration(text) == question


def test_a_frustrated_question_s_answer_starts_with_the_acknowledgement():
    from actions.endings import ACKNOWLEDGEMENT
    from channels.repeats import acknowledged
    events = acknowledged([BotUttered("Et ApS kræver 20.000 kr.", {}), BotUttered("Kilde: x", {})])
    assert events[0].text.startswith(ACKNOWLEDGEMENT) and "20.000 kr." in events[0].text and events[1].text == "Kilde: x"


def test_asking_for_english_after_an_english_answer_gets_the_notice_not_more_of_the_topic():
    from actions.english import NOTICE_RESPONSE, ActionOtherLanguage
    events, latest = knowledge_then("How much dividend can an RSV pay?", "rsv_criteria", items_text("rsv_criteria_dividend"),
                                    "Could you please just answer in English? My Danish is not great", intent="other_language")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionOtherLanguage().run(dispatcher, Tracker("u", {}, latest, events, False, None, None, "action_listen"), {}))
    assert [m.get("response") for m in dispatcher.messages] == [NOTICE_RESPONSE]


def test_the_price_after_two_answers_is_the_fee_of_what_was_just_explained():
    """Typed 3 December 2026: "hvad koster det" after "vi er en forening, kan vi blive rsv" and "hvordan
    goer vi det" got the association's free CVR number: the first answer's lead outweighed the fee item,
    whose own question asks the price. The lead that counts is the last answer's, and the question's
    company form no longer counts once the thread has moved on."""
    events, _ = knowledge_then("vi er en forening, kan vi blive rsv", "rsv_how_to_register", items_text("rsv_register_forening"),
                               "hvordan goer vi det", intent="follow_up")
    events += [{"event": "bot", "text": items_text("rsv_register_how")},
               {"event": "user", "text": "hvad koster det", "parse_data": {"text": "hvad koster det", "intent": {"name": "follow_up"}}}]
    latest = {**events[-1]["parse_data"], THREAD_ITEM: {"ranking": [  # read with the question, as the NLU did
        {"id": "rsv_register_forening", "confidence": 0.72}, {"id": "rsv_register_fee", "confidence": 0.18}]}}
    reply = follow_up_reply(events, latest)
    assert "Jeg kender ikke til et gebyr" in reply.text and "gratis" not in reply.text


def test_a_bare_why_is_about_the_answer_just_given_not_the_first_one():
    """Typed 3 December 2026: "hvorfor" after "hvornaar lukkede det" quoted the centre's purpose."""
    events, _ = knowledge_then("hvad var vaekstcentret for noget", "centre_history", items_text("centre_history_main"),
                               "hvornaar lukkede det", intent="follow_up")
    events += [{"event": "bot", "text": items_text("centre_status_closure")},
               {"event": "user", "text": "hvorfor", "parse_data": {"text": "hvorfor", "intent": {"name": "follow_up"}}}]
    reply = follow_up_reply(events, events[-1]["parse_data"]).text
    purpose = items_text("centre_history_main").split(". ")[0]
    assert purpose not in reply and PHONE in reply
