"""Conversations through the running Rasa server's REST channel."""

from tests.helpers import texts

PHONE = "72 20 00 30"
TEL_LINK = "tel:+4572200030"
UNPLACEABLE = "xqzw vbnmk plorft"  # keyboard mash, three words: not another language (docs/retrieval.md)


def test_centre_history_gives_the_dates(say):
    answer = texts(say("Hvornår blev Vækstcentret oprettet?"))
    for fact in ("4. september 2014", "2015"):
        assert fact in answer


def test_centre_history_without_danish_letters(say):
    assert "4. september 2014" in texts(say("hvornar blev vaekstcentret startet"))


def test_request_human_hands_off_with_phone_link(say):
    answer = texts(say("jeg vil tale med et menneske"))
    assert PHONE in answer and TEL_LINK in answer


def test_centre_status_hands_off(say):
    answer = texts(say("findes vækstcentret stadig?"))
    assert PHONE in answer and TEL_LINK in answer


def test_faq_answer_on_rsv_criteria(say):
    answer = texts(say("hvilke krav skal man opfylde for at blive registreret som RSV?"))
    assert "fem kriterier" in answer and "Socialt formål" in answer


def test_two_failed_understandings_in_a_row_hand_off(say):
    # Words the model has never seen: the FallbackClassifier makes nlu_fallback of them.
    first = texts(say(UNPLACEABLE))  # asks: "Mener du …?" with the closest questions, or to rephrase
    assert "Mener du" in first or "anden måde" in first
    assert "Det kan jeg desværre ikke svare på" not in first
    second = texts(say(UNPLACEABLE))
    assert PHONE in second and TEL_LINK in second


def test_one_failed_understanding_then_a_good_question_does_not_hand_off(say):
    say(UNPLACEABLE)
    assert PHONE not in texts(say("hvad er en socialøkonomisk virksomhed"))


def test_out_of_scope_says_what_it_can_do(say):
    answer = texts(say("hvordan bliver vejret i morgen?"))
    assert "desværre" in answer and "RSV" in answer


def test_english_gets_danish_notice_and_phone(say):
    answer = texts(say("Hello, can you tell me how to register a company in Denmark?"))
    assert "dansk" in answer and TEL_LINK in answer


def test_greeting_and_capabilities_offer_buttons(say):
    assert "socialøkonomiske" in texts(say("hej"))
    reply = say("hvad kan du hjælpe med?")
    assert any(message.get("buttons") for message in reply)


def test_a_message_without_a_known_word_is_not_guessed_at(say):
    for text in ("xqzv blorp wibble", "?!?"):
        answer = texts(say(text))
        assert "anden måde" in answer or PHONE in answer  # a rephrase request, or the handoff after two
