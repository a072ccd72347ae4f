"""Several questions in one message (channels.questions) and the concrete question before advice (components.question_first)."""

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.nlu.training_data.message import Message

from channels.questions import one_question_at_a_time, split_questions
from components.person_first import PersonFirst, names_a_person
from components.question_first import QuestionFirst


def test_two_or_three_questions_are_split_with_their_context():
    assert split_questions("Vi har et ApS. Hvad koster det? Og kan vi blive RSV?") == [
        "Vi har et ApS. Hvad koster det?",
        "Og kan vi blive RSV?",
    ]
    assert split_questions("hvad er rsv? hvordan bliver vi det? og hvad koster det? tak") == [
        "hvad er rsv?", "hvordan bliver vi det?", "og hvad koster det? tak"]
    # round 6: the second question typed without its "?"
    assert split_questions("skal vi vaelge aps eller forening? og hvad koster det at starte et aps") == [
        "skal vi vaelge aps eller forening?", "og hvad koster det at starte et aps?"]
    assert split_questions("hvad koster et aps? tak for hjælpen") == ["hvad koster et aps? tak for hjælpen"]


def test_one_question_too_many_or_a_payload_stays_whole():
    for text in ["Jeg har en enkeltmandsvirksomhed. Kan jeg blive RSV?", "hvad? hvorfor?", "a b? c d? e f? g h?",
                 '/inform{"phase":"drift"}', ""]:
        assert split_questions(text) == [text]


def test_each_question_reaches_the_assistant_in_turn_for_the_same_sender():
    seen = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append((message.text, message.sender_id, message.metadata))

    output = CollectingOutputChannel()
    message = UserMessage("Hvad koster et ApS? Og hvad er momsgrænsen?", output, "founder-1", metadata={"a": 1})
    asyncio.run(one_question_at_a_time(on_new_message)(message))
    assert seen == [("Hvad koster et ApS?", "founder-1", {"a": 1}), ("Og hvad er momsgrænsen?", "founder-1", {"a": 1})]


def test_a_reply_that_answers_both_questions_is_sent_once():
    """Round 6 (#31, #37): both questions of one message got the same paragraph, so it came twice."""
    paragraph = "Udvalget blev nedsat den 7. februar 2013 med Mads Øvlisen som formand."

    async def on_new_message(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": f"{paragraph} Det talte 292."})
        await message.output_channel.send_response(message.sender_id, {"text": paragraph})
        await message.output_channel.send_response(message.sender_id, {"text": f"Svar på: {message.text}"})

    output = CollectingOutputChannel()
    message = UserMessage("hvem var formand for udvalget og hvad anbefalede de?", output, "founder-2")
    asyncio.run(one_question_at_a_time(on_new_message)(message))
    assert [m["text"] for m in output.messages] == [
        f"{paragraph} Det talte 292.", "Svar på: hvem var formand for udvalget?", "Svar på: hvad anbefalede de?"]


def parsed(text: str, intent: str, faq_confidence: float) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.97}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": 0.97}, {"name": "faq", "confidence": 0.02}], add_to_output=True)
    message.set("response_selector", {"faq": {"response": {"intent_response_key": "faq/rsv_criteria", "confidence": faq_confidence}}},
                add_to_output=True)
    return message


def test_a_concrete_question_beside_a_situation_is_answered_as_a_knowledge_question():
    message = QuestionFirst({"min_faq_confidence": 0.6}).process(
        [parsed("Jeg har en enkeltmandsvirksomhed. Kan jeg blive RSV?", "request_advice", 0.94)])[0]
    assert message.get("intent") == {"name": "faq", "confidence": 0.97, "full_retrieval_intent_name": "faq/rsv_criteria"}
    assert [r["name"] for r in message.get("intent_ranking")] == ["faq", "request_advice"]


def test_a_question_after_a_comma_is_answered_as_a_knowledge_question():
    """Typed on 1 December 2026: no "?", the question in a clause after the situation."""
    text = "hej vi er en forening i odense der driver en genbrugsbutik, skal vi have cvr nummer"
    message = QuestionFirst({"min_faq_confidence": 0.6}).process([parsed(text, "request_advice", 0.8)])[0]
    assert message.get("intent")["name"] == "faq"


def test_a_request_for_advice_or_an_unsure_topic_is_left_alone():
    component = QuestionFirst({"min_faq_confidence": 0.6})
    for text, confidence in [("kan du give mig nogle råd om min forening?", 0.9), ("vi er en forening i Aarhus", 0.9),
                             ("vi er en forening, kan du hjælpe os med at komme videre", 0.9), ("vi har en cafe, er det", 0.9),
                             ("Jeg har en forening. Kan vi blive RSV?", 0.3)]:
        assert component.process([parsed(text, "request_advice", confidence)])[0].get("intent")["name"] == "request_advice"


def test_questions_joined_in_one_sentence_are_split():
    assert split_questions("hvad koster det at starte et aps og hvornår skal jeg momsregistreres?") == [
        "hvad koster det at starte et aps?", "hvornår skal jeg momsregistreres?"]
    assert split_questions("tre ting - skal foreningen have cvr, hvornår skal vi momsregistreres og kan vi blive rsv?") == [
        "tre ting - skal foreningen have cvr?", "hvornår skal vi momsregistreres?", "kan vi blive rsv?"]


def test_short_questions_after_the_first_and_a_message_without_a_question_mark_are_split():
    """Panel round 6: "hvor længe" and "hvor meget" each want their own answer."""
    assert split_questions("kan jeg faa en i loentilskud, hvor laenge og hvor meget") == [
        "kan jeg faa en i loentilskud?", "hvor laenge?", "hvor meget?"]
    assert split_questions("hvad koster et aps og hvornaar skal vi momsregistreres") == [
        "hvad koster et aps?", "hvornaar skal vi momsregistreres?"]
    for text in ["hvorfor og hvordan?", "vi er en forening og hvad gør vi nu", "kan du hjælpe mig, hvad er en rsv"]:
        assert split_questions(text) == [text]


def test_one_question_with_og_or_a_statement_before_it_stays_whole():
    for text in ["hvad er forskellen på en forening og en fond?", "kan en forening og et aps blive rsv?",
                 "vi er en forening og skal vi momsregistreres?", "vi er et aps og vil ansætte en i fleksjob. hvem betaler?"]:
        assert split_questions(text) == [text]


def test_a_request_for_advice_that_names_a_person_or_a_call_is_the_handoff():
    for text in ["jeg vil gerne tale med en rådgiver", "kan jeg ringe til nogen og faa hjaelp", "kan jeg tale med nogen"]:
        message = PersonFirst().process([parsed(text, "request_advice", 0.2)])[0]
        assert message.get("intent") == {"name": "request_human", "confidence": 0.97}, text
        assert message.get("intent_ranking")[0]["name"] == "request_human"


def test_advice_from_the_assistant_and_other_intents_are_left_alone():
    assert not names_a_person("jeg vil gerne have rådgivning om min forening")
    assert not names_a_person("kan du give mig nogle råd")
    kept = PersonFirst().process([parsed("hvad koster et telefonabonnement", "out_of_scope", 0.2)])[0]
    assert kept.get("intent")["name"] == "out_of_scope"


# --- round 4 of the panels: endings, number questions, closings with a question (issue 10) ---

def test_an_ending_read_as_another_intent_is_a_sure_goodbye():
    from components.ending_first import EndingFirst

    for text, intent in [("ok endelig", "affirm"), ("ok jeg ringer til dem i morgen", "request_human"),
                         ("thanks thats all", "other_language"), ("ok forget it", "affirm")]:
        message = EndingFirst().process([parsed(text, intent, 0.2)])[0]
        assert message.get("intent")["name"] == "goodbye" and message.get("intent")["confidence"] == 1.0, text
        second = message.get("intent_ranking")[1]["confidence"]
        assert 1.0 - second >= 0.1, text  # the fallback's ambiguity rule does not undo it


def test_an_ending_that_is_rightly_thanks_or_a_stop_is_left_alone_and_a_question_is_no_ending():
    from components.ending_first import EndingFirst

    for text, intent in [("tak for hjælpen", "thank"), ("nej tak", "deny"), ("glem det", "stop"),
                         ("tak. kan jeg se det et sted når det er godkendt?", "goodbye"), ("ok", "affirm")]:
        assert EndingFirst().process([parsed(text, intent, 0.2)])[0].get("intent")["name"] == intent, text


def test_leaving_and_asking_in_one_is_a_stop():
    from components.ending_first import EndingFirst

    message = EndingFirst().process([parsed("glem det, jeg vil bare vide hvad en rsv er", "nlu_fallback", 0.2)])[0]
    assert message.get("intent") == {"name": "stop", "confidence": 1.0}


def test_a_question_for_the_phone_number_is_the_handoff_whatever_diet_said():
    for text, intent in [("hvad er hovednummeret så", "follow_up"),
                         ("jeg har ringet i en time og ingen tager den, hvornår har i åbent??", "complain")]:
        assert PersonFirst().process([parsed(text, intent, 0.2)])[0].get("intent")["name"] == "request_human", text
    for text, intent in [("hvornår har netto åbent", "out_of_scope"), ("koster et cvr nummer penge", "faq"),
                         ("hvad med nummer 2", "follow_up")]:
        assert PersonFirst().process([parsed(text, intent, 0.2)])[0].get("intent")["name"] == intent, text


def test_thanks_with_a_question_is_a_question():
    clear = QuestionFirst({"min_faq_confidence": 0.6}).process([parsed("tak! hvad er kravene for rsv?", "thank", 0.9)])[0]
    assert clear.get("intent")["name"] == "faq"
    unclear = QuestionFirst({"min_faq_confidence": 0.6}).process(
        [parsed("tak. kan jeg se det et sted når det er godkendt?", "goodbye", 0.18)])[0]
    assert unclear.get("intent")["name"] == "nlu_fallback"
    closing = QuestionFirst({"min_faq_confidence": 0.6}).process([parsed("tak for hjælpen", "thank", 0.9)])[0]
    assert closing.get("intent")["name"] == "thank"
