"""Typed multi-turn conversations of founders through the REST channel (issue 10).

Every user turn is typed the way founders write (typos, no æ/ø/å, half sentences,
"nej tak"); no button payloads. Each test names the failure class of issue 10 it
guards against and asserts what the founder needs: the specific fact, the phone
number in a handoff, a polite close, no answer given twice. Conversations that
need the item-level answers of the item selector are marked xfail (NEEDS_ITEMS)
until it is merged.
"""

import itertools
import re

import pytest

from actions.prompts import INTRO, QUESTIONS, SECOND_MISS
from tests.helpers import texts

PHONE = "72 20 00 30"
NOT_ANSWERED = "Det kan jeg desværre ikke svare på"
GOODBYE = "Held og lykke med virksomheden"
THANKS = "Det var så lidt"  # utter_thank: "ok tak" is thanks, and a polite close too
NEEDS_ITEMS = pytest.mark.xfail(strict=False, reason="needs the item selector")
# Conversations the merged assistant still gets wrong (December 2026); each is a failure
# class of docs/conversation-review.md that issue 10 has still to fix. strict=False, so a
# fix shows as XPASS and the mark can go.
ADVICE_GAP = pytest.mark.xfail(strict=False, reason="the guided advice misreads a typed answer or question")
NLU_GAP = pytest.mark.xfail(strict=False, reason="the NLU reads the message as another intent")
# Found failing on the merged model of 1 December 2026 (19:29, aa7c1a735499) in the last fresh-clone run
# of the session, after the merges' new items and training examples: the NLU picks another item or intent.
MERGED_MODEL_GAP = pytest.mark.xfail(strict=False, reason="the merged model of 1 December 2026 (19:29) picks "
                                     "another item or intent for this message")
# Found failing on the model of 2 December 2026 (06:10, 71c3fd8139f1; panel round 6's examples), which
# passes the evaluation set's floors: the NLU reads the message as another intent or item.
ROUND6_MODEL_GAP = pytest.mark.xfail(strict=False, reason="the model of 2 December 2026 (71c3fd8139f1) reads this "
                                     "message as another intent or item")
EVENING_MODEL_GAP = pytest.mark.xfail(strict=False, reason="the model of 1 December 2026 (23:05, with facts2's new "
                                      "examples) reads this message as nlu_fallback or stop: it asks 'Mener du' "
                                      "or keeps the form instead of answering")


@pytest.fixture
def chat(say):
    """Sends a typed message; returns the bot's texts joined by newlines."""
    return lambda text: texts(say(text))


def paragraphs(text: str):
    """The paragraphs of a reply, without the source lines."""
    return [p.strip() for p in text.split("\n\n") if p.strip() and not p.startswith("Kilde:")]


def asked(question: str, reply: str) -> bool:
    return QUESTIONS[question] in reply


# --- follow-up loses the thread ---------------------------------------------------

def test_how_to_apply_after_the_rsv_criteria_gets_how_to_register(chat):
    assert "fem kriterier" in chat("hvad skal der til for at blive rsv")  # the criteria alone, no dividend cap after them
    answer = chat("ok og hvordan ansoger vi sa")
    assert "virk.dk" in answer and "anmelder" in answer


def test_what_it_costs_after_the_company_forms_gets_the_founding_fee(chat):
    chat("hvilken selskabsform skal vi vaelge")
    assert "670 kr." in chat("og hvad koster det?")


def test_how_long_after_wage_subsidy_gets_the_duration(chat):
    chat("kan vi ansaette nogen med loentilskud")
    assert "6 måneder" in chat("hvor længe varer det?")


def test_for_an_association_after_the_rsv_criteria_gets_the_association_item(chat):
    chat("hvad er kriterierne for rsv")
    assert "forening med eget CVR-nummer kan blive RSV" in chat("og for en forening?")


def test_who_pays_after_hiring_on_special_terms_gets_the_fleksjob_subsidy(chat):
    chat("hvordan fungerer det med at ansaette folk paa saerlige vilkaar")
    assert "kommunen betaler et fleksløntilskud" in chat("ok men hvem betaler saa?")


def test_who_pays_in_a_fleksjob_after_hiring_on_special_terms(chat):
    first = chat("hvordan fungerer det med at ansaette folk paa saerlige vilkaar")
    second = chat("og i et fleksjob, hvem betaler saa")  # names its topic: a knowledge question, not a follow-up
    assert "kommunen betaler et fleksløntilskud" in second and paragraphs(second)[0] != paragraphs(first)[0]


def test_for_an_association_after_cvr_gets_the_free_cvr_number(chat):
    chat("hvordan far vi et cvr nummer")
    assert "gratis" in chat("hvad med for en forening?")


def test_a_follow_up_as_the_first_message_asks_for_the_whole_question(chat):
    answer = chat("hvordan gør vi så?")
    assert "hele spørgsmålet" in answer and NOT_ANSWERED not in answer


# --- the same answer twice in a row ------------------------------------------------

def test_doubting_the_answer_never_gets_the_same_text_again(chat):
    first = chat("hvad er kravene til en socialokonomisk virksomhed der vil registreres")
    second = chat("er det ikke for tungt for os?")
    third = chat("hmm er du nu sikker paa det")
    seen = paragraphs(first)
    for reply in (second, third):
        assert reply and not set(paragraphs(reply)) & set(seen)
        seen += paragraphs(reply)


def test_a_complaint_after_an_answer_apologises_and_gives_the_phone(chat):
    first = chat("hvordan maaler vi vores sociale effekt")
    complaint = chat("det var ikke det, jeg spurgte om")
    assert "Undskyld" in complaint and PHONE in complaint and "andre ord" in complaint
    assert not set(paragraphs(complaint)) & set(paragraphs(first))


# --- awkward ending --------------------------------------------------------------

@pytest.mark.parametrize("ending", ["nej tak", "det var det", "nej ellers tak"])
def test_ending_after_an_answer_closes_politely(chat, ending):
    assert "50.000 kr." in chat("hvornaar skal vi momsregistreres")
    close = chat(ending)
    assert GOODBYE in close and NOT_ANSWERED not in close and PHONE not in close


def test_thanks_then_ellers_tak_closes_politely(chat):
    chat("hvornaar lukkede vaekstcentret")
    assert "andet" in chat("tak for det")
    close = chat("ellers tak")
    assert GOODBYE in close and NOT_ANSWERED not in close


def test_nej_tak_after_a_follow_up_closes_politely(chat):
    chat("hvilken virksomhedsform passer til os")
    chat("hvad med kapitalen?")
    close = chat("nej tak")
    assert GOODBYE in close and NOT_ANSWERED not in close


# --- frustration -----------------------------------------------------------------

def test_frustration_gets_an_apology_a_rephrase_offer_and_the_phone(chat):
    answer = chat("du forstår ingenting")
    assert "Undskyld" in answer and "andre ord" in answer and PHONE in answer
    assert "Jeg svarer på spørgsmål om" not in answer  # not the capability list


def test_frustration_during_the_form_apologises_and_the_form_goes_on(chat):
    chat("kan du hjaelpe mig med min virksomhed")
    answer = chat("du fatter ikke noget")
    assert "Undskyld" in answer and PHONE in answer and asked("phase", answer)


# --- several questions in one message ---------------------------------------------

@pytest.mark.parametrize("message, facts", [
    ("Hvornaar blev vaekstcentret oprettet? Og hvad er graensen for moms?", ["4. september 2014", "50.000 kr."]),
    ("hvad er en socialøkonomisk virksomhed? hvordan faar vi et cvr nummer? og hvor kan vi faa gratis vejledning?",
     ["privat virksomhed", "virk.dk", "Erhvervshuse"]),
    ("hvad koster det at starte et aps og hvornår skal jeg momsregistreres?", ["670 kr.", "50.000 kr."]),
    ("tre ting - skal foreningen have cvr, hvornår skal vi momsregistreres og kan vi blive rsv?", ["CVR", "50.000 kr.", "RSV"]),
], ids=["two questions", "three questions", "two joined by og", "three after a lead-in"])
def test_several_questions_in_one_message_get_an_answer_each(chat, message, facts):
    answer = chat(message)
    assert all(fact in answer for fact in facts)


def test_a_question_and_its_follow_up_in_one_message(chat):
    answer = chat("hvad skal der til for at blive rsv? og hvordan ansoger vi?")
    assert "fem kriterier" in answer and "anmelder" in answer  # the criteria alone, no dividend cap after them


# --- guided advice starts instead of an answer -------------------------------------

def test_a_sole_trader_asking_about_rsv_gets_an_answer_not_the_form(chat):
    answer = chat("Jeg har en enkeltmandsvirksomhed. Kan jeg blive RSV?")
    assert INTRO not in answer and "RSV" in answer


def test_a_sole_trader_asking_about_rsv_gets_no_and_why(chat):
    answer = chat("Jeg har en enkeltmandsvirksomhed. Kan jeg blive RSV?")
    assert "kan ikke blive RSV" in paragraphs(answer)[0] and "CVR-nummer" in paragraphs(answer)[0]


def test_a_concrete_fleksjob_question_with_a_situation_gets_an_answer_not_the_form(chat):
    answer = chat("vi er et aps i drift og vil gerne ansaette en i fleksjob. hvordan gør vi det?")
    assert INTRO not in answer and "kommunen" in answer.lower()  # since the 2026 reform: kommunen, not jobcentret


def test_telling_about_the_enterprise_offers_advice_and_yes_starts_it_keeping_the_facts(chat):
    offer = chat("vi er et aps i vejle")
    assert INTRO not in offer and "spørgsmål" in offer
    first = chat("ja tak")
    assert asked("phase", first)
    assert asked("topic", chat("vi er lige startet op"))  # the company form was kept


# --- guided advice loops or rejects typed answers ----------------------------------

@pytest.mark.parametrize("opening, topic, municipality, local", [
    ("kan du give mig nogle raad til min virksomhed", "finansiering", "Aarhus kommune", "Erhvervshus Midtjylland"),
    ("jeg vil gerne have personlig rådgivning om min ide", "penge", "hoje taastrup", "Høje-Taastrup"),
])
def test_the_guided_advice_runs_to_fitted_advice_on_typed_answers(chat, opening, topic, municipality, local):
    assert asked("phase", chat(opening))
    assert asked("company_form", chat("vi har været i gang et stykke tid"))
    assert asked("topic", chat("aner det ikke"))
    assert asked("municipality", chat(topic))
    advice = chat(municipality)
    assert "**finansiering** i driftsfasen" in advice and local in advice and PHONE in advice


def test_typing_the_first_button_title_answers_the_phase_question(chat):
    chat("jeg vil gerne have raadgivning")
    reply = chat("Vi er ved at starte op")
    assert asked("company_form", reply) and not asked("phase", reply)


@pytest.mark.parametrize("phase", ["vi startede sidste år", "vi er i opstartsfasen", "vi vil gerne udvide"])
def test_a_typed_phase_is_understood(chat, phase):
    chat("kan du raadgive os")
    assert asked("company_form", chat(phase))


def test_a_typed_company_form_topic_question_and_skip(chat):
    chat("giv mig nogle gode raad")
    chat("vi vil gerne vokse")
    assert asked("topic", chat("det er et anpartsselskab"))
    assert asked("municipality", chat("hvordan finder vi nye kunder"))
    advice = chat("spring over")
    assert "**vækst**" in advice and "for et ApS i udviklingsfasen" in advice


@pytest.mark.parametrize("typed, house", [("hjorring", "Erhvervshus Nordjylland"), ("silkebor", "Erhvervshus Midtjylland"),
                                          ("kobenhavns kommune", "Erhvervshus Hovedstaden")])
def test_a_municipality_without_danish_letters_or_with_a_typo(chat, typed, house):
    chat("jeg har brug for vejledning")
    chat("vi er i drift")
    chat("vi er en forening")
    chat("krav til rsv")
    assert house in chat(typed)



# --- content only in the form: a municipality typed outside it (round 2, conversations 25 and 46) ---

@pytest.mark.parametrize("message, house, local", [
    ("jeg bor i Hillerød", "Erhvervshus Hovedstaden", "afdeling i Hillerød"),
    ("vi holder til på Bornholm", "Erhvervshus Hovedstaden", "Business Center Bornholm"),
    pytest.param("hvem hjælper os i aarhus", "Erhvervshus Midtjylland", "Aarhus Kommune", marks=EVENING_MODEL_GAP),
    # The model of 1 December 2026 (16:16) reads this as nothing it knows (fallback).
    pytest.param("jeg bor i Hillerød, hvor skal jeg hen?", "Erhvervshus Hovedstaden", "afdeling i Hillerød",
                 marks=NLU_GAP),
])
def test_a_municipality_typed_outside_the_form_gets_its_erhvervshus(chat, message, house, local):
    reply = chat(message)
    assert house in reply and local in reply and INTRO not in reply


@ROUND6_MODEL_GAP  # "lå det ikke under socialstyrelsen?" is inform ("Godt at vide")
def test_asking_whether_the_centre_was_under_socialstyrelsen_gets_the_placement(chat):
    assert "28. juni 2015" in chat("lå det ikke under socialstyrelsen?")


def test_asking_what_an_rsv_is_gets_what_it_gives_not_the_criteria(chat):
    answer = chat("hvad er en rsv?")
    assert paragraphs(answer)[0].startswith("En RSV er en registreret socialøkonomisk virksomhed")
    assert "lov nr. 711 af 25. juni 2014" in answer and "eneret" in answer and "CVR" in answer


def test_region_sjaelland_at_new_year_gets_region_oestdanmark_and_the_erhvervshus(chat):
    answer = chat("hvad sker der med region sjælland til nytår?")
    assert "Region Østdanmark" in answer and "1. januar 2027" in answer and "siden 2019" in answer


def test_rehabiliteringsteam_and_revalidering_are_abolished_for_new_cases(chat):
    answer = chat("hvad med rehabiliteringsteamet og revalidering?")
    assert "afskaffet" in answer and "1. januar 2027" in answer and "jobcentret" not in answer


def test_a_municipality_told_before_the_advice_is_not_asked_again(chat):
    assert "Erhvervshus Sydjylland" in chat("vi holder til i middelfart")
    assert asked("phase", chat("ja tak"))
    assert asked("company_form", chat("vi er i drift"))
    assert asked("topic", chat("en forening"))
    advice = chat("finansiering")
    assert not asked("municipality", advice) and "Erhvervshus Sydjylland" in advice

def test_a_value_given_early_is_kept(chat):
    chat("kunne du hjaelpe os med lidt raadgivning")
    again = chat("vi er en forening")  # the form asked for the phase
    assert asked("phase", again) and not asked("company_form", again)
    assert asked("topic", chat("vi er i opstartsfasen"))


def test_a_real_question_in_the_middle_is_answered_and_the_form_goes_on(chat):
    chat("jeg vil gerne have raad om min ide")
    chat("vi er ved at starte op")
    answer = chat("hvad er graensen for momsregistrering?")
    assert "50.000 kr." in answer and asked("company_form", answer)
    assert asked("topic", chat("ved ikke"))


@ROUND6_MODEL_GAP  # "hmm svaert at sige" is a faq question (the RSV processing time)
def test_a_question_is_never_asked_more_than_twice(chat):
    replies = [chat("kan du raadgive mig")]
    replies.append(chat("tja"))
    replies.append(chat("hmm svaert at sige"))
    assert SECOND_MISS["phase"] in replies[-1] and PHONE in replies[-1] and '"stop"' in replies[-1]
    replies.append(chat("det ved jeg ikke rigtig"))
    assert sum(reply.count(QUESTIONS["phase"]) for reply in replies) <= 2
    assert asked("company_form", replies[-1])  # it moved on instead of asking a third time


def test_det_gider_jeg_ikke_leaves_the_form(chat):
    chat("kan du give mig nogle raad")
    chat("vi er i drift")
    leaving = chat("det gider jeg ikke")
    assert "stopper vi her" in leaving and PHONE in leaving
    assert "4. september 2014" in chat("hvornar blev vaekstcentret startet")


def test_a_declined_offer_of_advice_does_not_start_the_form(chat):
    chat("vi er en forening i odense")
    reply = chat("nej tak")
    assert INTRO not in reply and not asked("phase", reply)


# --- handoff and the way to a person -----------------------------------------------

def test_asking_for_a_person_gives_the_phone_number(chat):
    assert PHONE in chat("kan jeg ringe til nogen og faa hjaelp")


def test_asking_for_a_person_during_the_form_hands_off(chat):
    chat("kan du give mig nogle raad")
    assert PHONE in chat("jeg vil hellere snakke med et menneske")


# --- generic topic text for a specific question (needs the item selector) ----------

def test_what_founding_an_aps_costs_begins_with_the_fee(chat):
    answer = chat("hvad koster det at stifte et aps")
    assert answer.index("670 kr.") < 120  # the fee comes first


def test_which_foundations_then_how_to_apply_are_two_different_answers(chat):
    first = chat("hvilke fonde kan vi soege penge hos")
    second = chat("hvordan soeger man en fond")
    assert paragraphs(first)[0] != paragraphs(second)[0]


def test_who_pays_in_a_fleksjob_is_reachable_by_a_direct_question(chat):
    assert "kommunen betaler et fleksløntilskud" in chat("hvem betaler lonnen i et fleksjob")


@NEEDS_ITEMS
def test_the_rsv_yearly_statement_is_reachable_by_a_direct_question(chat):
    assert "hvert år redegøre" in chat("skal vi som rsv lave en redegoerelse hvert aar").replace("Hvert år", "hvert år")


# --- wrong topic stated with confidence (needs "Mener du …?") ----------------------

def test_payroll_tax_is_not_answered_with_procurement(chat):
    answer = chat("skal vi betale lonsumsafgift")
    assert "lønsumsafgift" in answer.lower() or "Mener du" in answer


def test_a_question_in_english_gets_the_danish_notice_and_the_phone(chat):
    answer = chat("hi, can we register our social enterprise as an english speaker?")
    assert "dansk" in answer and PHONE in answer


def test_no_reply_ever_repeats_the_previous_reply_in_a_follow_up_chain(chat):
    replies = [chat("hvordan bliver vi registreret som rsv"), chat("og hvad koster det"), chat("hvor lang tid tager det"),
               chat("er det nu rigtigt")]
    for before, after in itertools.pairwise(replies):
        assert re.sub(r"\s+", " ", before) != re.sub(r"\s+", " ", after)


# --- more everyday conversations --------------------------------------------------

def test_greeting_capabilities_a_question_and_its_follow_up(chat):
    assert "socialøkonomiske" in chat("hej")
    chat("hvad kan du hjaelpe med")
    first = chat("hvordan kommer jeg i gang med at starte en socialokonomisk virksomhed")
    assert "forretningsplan" in first
    later = chat("hvad gor vi saa bagefter")
    assert later and not set(paragraphs(later)) & set(paragraphs(first))


@ADVICE_GAP
def test_a_cafe_founder_asks_for_advice_and_stops(chat):
    chat("hejsa")
    assert asked("phase", chat("vi overvejer at aabne en social kaffebar, kan du vejlede os"))
    chat("vi er i idefasen")
    leaving = chat("stop")
    assert "stopper vi her" in leaving and PHONE in leaving


def test_thanks_after_the_advice_and_nej_tak_closes(chat):
    chat("kan du give mig nogle raad")
    chat("vi er i drift")
    chat("forening")
    chat("samarbejde med kommunen")
    advice = chat("odense")
    assert "Erhvervshus Fyn" in advice
    assert "andet" in chat("mange tak")
    close = chat("nej tak")
    assert GOODBYE in close and NOT_ANSWERED not in close


def test_a_whole_question_answers_the_topic_question(chat):
    chat("jeg har brug for sparring")
    chat("vi korer allerede")
    chat("et aps")
    assert asked("municipality", chat("hvordan ansaetter vi folk i fleksjob"))
    advice = chat("nej")
    assert "**ansættelse på særlige vilkår**" in advice and "for et ApS i driftsfasen" in advice


def test_a_person_after_an_answer(chat):
    chat("hvad er en socialokonomisk virksomhed")
    answer = chat("kan jeg faa en rigtig person i telefonen")
    assert PHONE in answer


def test_bot_challenge_then_a_question(chat):
    assert "chatbot" in chat("er du en bot?")
    assert "fem kriterier" in chat("ok. hvad er kravene til at blive rsv")


def test_doubting_wage_subsidy_gets_something_new(chat):
    first = chat("hvad er reglerne for at ansaette paa saerlige vilkaar")
    doubt = chat("det lyder besvaerligt, er det det vaerd for os?")
    assert doubt and not set(paragraphs(doubt)) & set(paragraphs(first))


def test_frustration_at_the_topic_question_gets_the_apology_and_the_question_again(chat):
    chat("jeg vil gerne have raad")
    chat("vi er i drift")
    chat("vi er en forening")
    answer = chat("du forstaar slet ikke hvad jeg vil")
    assert "Undskyld" in answer and PHONE in answer and asked("topic", answer)
    assert asked("municipality", chat("finansiering"))  # the form goes on


def test_how_soon_after_registering_a_company_gets_the_deadline(chat):
    chat("skal vi have et cvr nummer til vores aps")
    assert "2 uger" in chat("hvor hurtigt skal det vaere gjort?")


def test_what_happens_after_registering_as_rsv_gets_the_duty_to_report_changes(chat):
    chat("hvordan registrerer vi os som rsv")
    assert "14 dage" in chat("ok og hvis noget aendrer sig bagefter?")


def test_a_complaint_then_a_rephrased_question_gets_the_answer(chat):
    chat("hvad med penge")
    assert PHONE in chat("du forstaar ingenting")
    assert "Den Sociale Kapitalfond" in chat("hvor kan vi soege fondsmidler til vores projekt")


def test_is_it_a_person_then_wants_one(chat):
    assert "chatbot" in chat("er du et menneske?")
    assert PHONE in chat("kan jeg saa faa fat i en rigtig raadgiver")


# --- issue 10's dialogue round: follow-ups against the answer just given ------------

def test_capital_after_the_fee_of_an_aps_gets_the_20000_kr(chat):
    assert chat("hvad koster det at stifte et aps").index("670 kr.") < 120
    capital = chat("og hvor mange penge skal der staa i selskabet")
    assert "20.000 kr." in capital and "670 kr." not in capital


def test_how_long_after_who_pays_in_a_fleksjob_gets_the_5_years_alone(chat):
    first = chat("vi er et aps med en cafe og vil gerne ansætte en kok i fleksjob. hvem betaler lønnen?")
    answer = chat("hvor længe varer det?")
    assert "5 år" in answer and "IGU" not in answer and not set(paragraphs(answer)) & set(paragraphs(first))


def test_why_the_centre_closed_is_not_invented_and_gives_the_end_of_2015(chat):
    chat("hvornaar blev vaekstcentret startet og hvem stod bag")
    answer = chat("hvorfor lukkede det?")
    assert "udgangen af 2015" in answer and "står der ikke" in answer and PHONE in answer
    assert "findes ikke længere" in chat("findes det stadig")


def test_when_the_council_closed_gets_the_end_of_2015(chat):
    assert "Stine Bosse" in chat("hvem var formand for det der råd for socialøkonomiske virksomheder")
    assert "udgangen af 2015" in chat("og hvornår lukkede det")


def test_how_long_registration_takes_is_said_honestly_not_answered_with_another_rule(chat):
    chat("hvordan bliver vi registreret som rsv")
    chat("og hvad koster det")
    answer = chat("hvor lang tid tager det")
    assert "ved jeg desværre ikke" in answer and PHONE in answer and "14 dage" not in answer


def test_doubting_an_answer_gets_its_source_not_the_text_again(chat):
    first = chat("hvornaar skal vi momsregistreres")
    doubt = chat("er det nu rigtigt")
    assert "Svaret bygger på" in doubt and PHONE in doubt and not set(paragraphs(doubt)) & set(paragraphs(first))


# --- the same answer twice in a row: a second question on the topic -----------------

def test_a_second_question_on_the_general_assembly_gets_no_paragraph_again(chat):
    first = chat("hvornår skal vi holde generalforsamling og hvad skal der være på dagsordenen")
    second = chat("skal det stå i vedtægterne?")
    assert "vedtægterne" in second and not set(paragraphs(second)) & set(paragraphs(first))


def test_how_long_with_wage_subsidy_after_its_rules_gets_the_6_months_alone(chat):
    first = chat("hvor mange må vi have i løntilskud i forhold til de fastansatte")
    second = chat("hvor længe kan de være ansat med tilskud?")
    assert "6 måneder" in second and not set(paragraphs(second)) & set(paragraphs(first))


def test_three_questions_on_tenders_never_resend_a_paragraph(chat):
    replies = [chat("jeg sidder med indkøb i en kommune. må vi reservere en kontrakt til en socialøkonomisk virksomhed?"),
               chat("og hvis beløbet er under tærskelværdien?"), chat("hvor bliver udbuddene slået op")]
    assert "ted.europa.eu" in replies[2]
    for index, reply in enumerate(replies[1:], start=1):
        assert not set(paragraphs(reply)) & {p for earlier in replies[:index] for p in paragraphs(earlier)}


# --- "Mener du …?": the question, its buttons, then the phone --------------------------

def test_mener_du_asks_first_and_gives_the_phone_after_the_buttons(say):
    reply = say("noget med papirer og den slags")
    if "Mener du" in texts(reply):
        assert "Mener du" in reply[0]["text"] and reply[0].get("buttons") and PHONE not in reply[0]["text"]
        assert PHONE in reply[-1]["text"] and not reply[-1].get("buttons")


# --- the guided advice typed end to end ---------------------------------------------

def test_a_question_in_the_middle_is_answered_and_a_typed_topic_title_still_counts(chat):
    chat("jeg vil gerne have råd til vores forening")
    chat("vi er i opstartsfasen")
    answer = chat("forresten, hvad koster et cvr nummer for en forening?")
    assert "gratis" in answer and asked("municipality", answer)
    assert asked("municipality", chat("Kom i gang"))  # the topic changes; the phase is not asked again
    advice = chat("odense kommune")
    assert "**kom i gang**" in advice.lower() and "for en forening i etableringsfasen" in advice and "Erhvervshus Fyn" in advice


def test_start_raadgivningen_starts_the_form_and_facts_told_after_an_offer_start_it_too(chat):
    assert asked("phase", chat("start raadgivningen"))
    assert asked("phase", chat("vi er en fond"))  # the company form given early is kept, the phase asked again
    assert asked("topic", chat("vi vil gerne udvide"))
    chat("stop")
    offer = chat("vi er en forening i odense")  # outside the form: advice offered, not forced
    assert INTRO not in offer and "noteret" not in offer
    started = chat("vi vil gerne vokse")  # telling more after the offer starts it, the facts kept
    assert INTRO in started and asked("topic", started)


def test_yes_after_an_answer_asks_what_the_user_wants_to_know(chat):
    chat("vi er et aps i aalborg der har kørt i to år, kan du give os råd om at ansætte folk på løntilskud")
    reply = chat("ja")
    assert NOT_ANSWERED not in reply and reply


# --- endings and complaints --------------------------------------------------------

@pytest.mark.parametrize("ending", ["tak det var det", "ok tak, det var det"])
def test_thanks_that_ends_the_conversation_closes_politely(chat, ending):
    chat("hvornaar skal vi momsregistreres")
    close = chat(ending)
    assert GOODBYE in close and "andet" not in close


def test_goodbye_during_the_form_closes_it(chat):
    chat("kan du give mig nogle raad")
    close = chat("tak det var det")
    assert GOODBYE in close and not asked("phase", close)


def test_du_er_helt_ved_siden_af_gets_the_apology_not_a_note(chat):
    chat("skal vi betale lonsumsafgift")
    answer = chat("du er helt ved siden af")
    assert "Undskyld" in answer and PHONE in answer and "noteret" not in answer


# --- found by typing as a founder on the final model (1 December 2026) --------------

CAFE_APS_COST = "hej vi vil starte en cafe med folk der har vaeret ledige, hvad koster det at lave et aps"


def test_the_cost_of_an_aps_after_a_lead_in_begins_with_the_fee(chat):
    assert 0 <= chat(CAFE_APS_COST).find("670 kr.") < 120  # today: the 20.000 kr. capital, no fee


@ROUND6_MODEL_GAP  # the I/S item answers "kan vi blive rsv med det" (it passed on the model before)
def test_can_we_become_rsv_after_the_aps_answer_is_about_an_aps(chat):
    chat(CAFE_APS_COST)
    answer = chat("kan vi blive rsv med det")
    assert "kriterier" in answer and "I/S" not in paragraphs(answer)[0]


def test_can_we_become_rsv_after_the_aps_fee_and_capital_is_about_an_aps(chat):
    chat("hej vi er 3 der vil starte et vaerksted med folk paa kanten af arbejdsmarkedet, hvad koster det at lave et aps")
    assert "20.000" in chat("og kapitalen?")
    answer = chat("kan vi blive rsv")
    assert "kriterier" in answer and "I/S" not in paragraphs(answer)[0]


# --- round 2 of the panel (tests/panel/round2.yml): keeping the thread --------------

UNKNOWN = "ved jeg desværre ikke"


def test_which_law_after_the_rsv_criteria_names_the_rsv_law(chat):
    chat("hvad er de fem kriterier for at blive registreret socialøkonomisk virksomhed?")
    assert "lov nr. 711" in chat("hvilken lov står det i")


def test_the_payroll_tax_rate_gets_what_is_known_and_the_phone_not_another_topic(chat):
    assert "80.000 kr." in chat("skal en momsfritaget virksomhed med social forsorg betale lønsumsafgift?")
    answer = chat("hvad er satsen")
    assert "Satsen afhænger af" in answer and PHONE in answer and "En socialøkonomisk virksomhed er" not in answer


def test_what_a_cvr_number_costs_for_three_founders_gets_the_companies_fee(chat):
    chat("skal vi bruge mitid erhverv for at oprette virksomheden? vi er tre stiftere")
    assert "670 kr." in chat("og koster cvr nummeret noget")


def test_going_over_the_vat_limit_is_not_answered_with_the_annual_report_fine(chat):
    assert "50.000 kr." in chat("skal vi betale moms vi saelger kaffe for ca 30000 om aret")
    assert "Kommer den for sent" not in chat("hvad nu hvis vi kommer over i juli")


@MERGED_MODEL_GAP
def test_an_adjacent_question_with_no_fact_gets_an_honest_dont_know_and_the_phone(chat):
    chat("hvad koster et aps at starte")
    answer = chat("skal de 20000 blive stående på kontoen?")
    assert PHONE in answer and "Det kan jeg desværre ikke hjælpe med" not in answer


def test_how_many_with_ten_staff_gets_the_reasonableness_rule(chat):
    chat("hvor længe kan man have en i løntilskud?")
    assert "1 for hver 5" in chat("vi har 10 fastansatte, hvor mange bliver det så")


@pytest.mark.parametrize("ending", ["ok endelig. farvel", "ok tak"])
def test_an_ending_after_an_answer_gets_the_goodbye_not_a_topic(chat, ending):
    chat("HALLO svar nu bare. hvad koster et aps at starte??")
    close = chat(ending)
    assert (GOODBYE in close or THANKS in close) and "udbud" not in close and "Mener du" not in close


@pytest.mark.parametrize("ending", ["thanks thats all", "ok forget it"])
def test_an_english_ending_gets_a_bilingual_goodbye(chat, ending):
    chat("Can you answer in English please? I don't speak Danish")
    close = chat(ending)
    assert "Thanks" in close and "Tak" in close and PHONE in close


def test_thanks_during_the_form_closes_it_politely(chat):
    assert asked("phase", chat("jeg vil ha raad"))
    close = chat("tak for hjælpen!")
    assert GOODBYE in close and not asked("phase", close) and not asked("company_form", close)


def test_say_it_shorter_after_the_advice_gives_a_short_summary(chat):
    chat("giv mig råd til min virksomhed")
    chat("vi er i drift")
    chat("ApS")
    chat("moms og skat")
    advice = chat("København")
    short = chat("kan du sige det kortere")
    assert "Kort fortalt" in short and "50.000 kr." in short and len(short) < len(advice) / 2


@pytest.mark.parametrize("answer, next_question", [("det ved jeg ikke endnu", "topic"), ("ved ik", "topic")])
def test_not_knowing_the_company_form_moves_on(chat, answer, next_question):
    chat("kan du give mig noget rådgivning der passer til min situation?")
    chat("vi er ved at starte op, har ikke stiftet noget endnu")
    assert asked(next_question, chat(answer))


def test_ved_ik_for_the_municipality_gives_the_advice(chat):
    chat("jeg vil ha raad")
    chat("vaekst")
    chat("forening")
    chat("penge")
    advice = chat("ved ik")
    assert not asked("municipality", advice) and PHONE in advice


# --- round 3 of the panel (tests/panel/round3.yml) ------------------------------------

def test_a_bare_deadline_question_after_the_rsv_accounts_answer_gets_the_deadline(chat):
    """Round 3, #4: the answer's own button offered the deadline; "frist?" got "Det ved jeg desværre ikke"."""
    chat("Jeg er revisor for en RSV. Hvilken regnskabsklasse skal de aflægge efter?")
    assert "6 måneder" in chat("frist?")


@pytest.mark.parametrize("question, follow_up, fact", [
    ("var der et udvalg for socialøkonomiske virksomheder før vækstcentret?", "hvor mange virksomheder talte de", "292"),
    ("hvad koster det os at have en i virksomhedspraktik", "hvor længe kan de være der", "ydelse"),
])
def test_a_count_or_a_length_in_the_answer_just_given_is_answered(chat, question, follow_up, fact):
    """Round 3, #18 and #14: the fact was in the previous answer; the follow-up got "Det ved jeg desværre ikke"."""
    chat(question)
    assert fact in chat(follow_up)


# --- the topic first: follow-ups answered from the topic just discussed (panel of 1 December 2026) ----

RESEND = "Var det ikke svar"


@pytest.mark.parametrize("question, follow_up, facts, absent", [
    ("hvem kan blive registreret som rsv", "hvad koster det", ["gebyr", "virk.dk"], ["får CVR-nummer gratis"]),
    ("hvem betaler i et fleksjob", "hvem betaler så resten af lønnen", ["kommunen betaler et fleksløntilskud"],
     ["5 år", "Tilskuddet forudsætter"]),
    ("hvad var vaekstcentret", "hvem åbnede det", ["Manu Sareen"], ["chatbot"]),
    ("hvilke regnskabskrav har en rsv", "og hvad hvis vi afleverer for sent", ["for sent", "afgift"], [UNKNOWN]),
    ("må kommunen reservere en kontrakt til en socialøkonomisk virksomhed", "følg eller forklar?",
     [UNKNOWN, PHONE], ["§ 20"]),
    ("hvor meget udbytte maa en rsv udbetale", "hvis virksomheden lukker, faar jeg saa resten?",
     ["Opløses virksomheden", "formål, loven tillader (§ 10)"], ["fem kriterier:"]),
    ("hvad ændrer beskæftigelsesreformen i 2026", "og hvad kommer der så i 2027", ["2027", "hovedlov"], ["Løntilskud:"]),
    ("hvad er kriterierne for at blive rsv", "hvad betyder vaesentlig kommerciel aktivitet",
     ["Salg er en væsentlig del af indtægterne"], ["Uafhængig"]),
    ("hvordan fungerer løntilskud", "hvor meget får jeg i tilskud i timen", [UNKNOWN, PHONE], ["6 måneder"]),
    ("vores forening vil aabne en cafe, skal vi have cvr nummer", "og hvis vi ansætter en kok", ["almindelig forening"],
     ["gratis"]),
    ("hvad giver rsv mærket os", "maa vi saa bruge logoet", ["RSV-logoet"], ["Registreringen står i CVR"]),
], ids=["rsv fee", "rest of the wage", "who opened the centre", "late filing", "comply or explain",
        "rest on dissolution", "2027", "commercial activity", "hourly subsidy", "hiring a cook", "the logo"])
def test_a_follow_up_is_answered_from_the_topic_just_discussed(chat, question, follow_up, facts, absent):
    """Panel of 1 December 2026: each follow-up got the previous text again, another topic, the chatbot
    notice or "Det ved jeg desværre ikke" where the topic had the fact."""
    first = chat(question)
    answer = chat(follow_up)
    assert all(fact in answer for fact in facts) and not any(text in answer for text in absent)
    assert RESEND not in answer and not set(paragraphs(answer)) & set(paragraphs(first))


def test_the_fee_and_the_deadline_after_founding_an_amba_are_the_founding_ones(chat):
    chat("hvordan stifter vi et amba")
    fee = chat("hvad koster registreringen")
    assert "670 kr." in fee and "Jeg kender ikke til et gebyr" not in fee
    deadline = chat("hvor hurtigt skal vi registrere efter vi har skrevet under")
    assert "2 uger" in deadline and "14 dage" not in deadline


def test_passing_or_staying_under_the_vat_limit_gets_the_50000_kr(chat):
    first = chat("hvornaar skal vi momsregistreres")
    over = chat("og hvis vi kommer over midt paa aaret")
    assert "50.000" in over and "kalenderår" in over and "almennyttig forening" not in over and RESEND not in over
    under = chat("og hvis vi saelger for under det")
    assert "50.000" in under and "lønsumsafgift" not in under
    assert len(over) < len(first)
# --- round 4 of the panels (issue 10): numbers, frustration, endings, the typed guided advice, English ---

SWITCHBOARD = "35 29 10 00"
GOODBYE_TEXT = "Held og lykke"
SCOPE_REFUSAL = "Det kan jeg desværre ikke hjælpe med"


@pytest.mark.parametrize("question", ["hvad er hovednummeret så", "hvad var nummeret til erhvervsstyrelsen nu?"])
def test_a_question_for_the_number_gets_both_numbers_in_the_first_bubble(say, chat, question):
    chat("hvordan registrerer vi os som rsv")
    first = say(question)[0]["text"]
    assert PHONE in first and SWITCHBOARD in first


def test_an_angry_caller_gets_empathy_both_numbers_and_no_opening_hours(chat):
    reply = chat("jeg har ringet i en time og ingen tager den, hvornår har i åbent??")
    assert "træls" in reply and PHONE in reply and SWITCHBOARD in reply and SCOPE_REFUSAL not in reply
    assert not re.search(r"\bkl\.|\d{1,2}[.:]\d{2}\b", reply)  # no opening hour stated


@ROUND6_MODEL_GAP  # the IVS item answers it, with no word on an IVS founded before 2019 and no phone
def test_the_scope_refusal_always_gives_the_phone_number(chat):
    reply = chat("hvad så med mit gamle ivs fra 2017")
    assert PHONE in reply


@MERGED_MODEL_GAP
def test_so_you_do_not_know_after_an_honest_not_known_is_confirmed_briefly(chat):
    chat("hvad koster et aps at starte")
    assert UNKNOWN in chat("skal de 20000 blive stående på kontoen?")
    reply = chat("så du ved det ikke")
    assert reply.startswith("Nej, det står ikke i mine kilder") and PHONE in reply


@pytest.mark.parametrize("ending", ["ok endelig", "ok jeg ringer til dem i morgen"])
def test_an_ending_after_a_good_answer_is_a_goodbye(chat, ending):
    chat("hvad er kravene for at blive rsv")
    reply = chat(ending)
    assert GOODBYE_TEXT in reply and not asked("phase", reply) and "tale med en rådgiver" not in reply


def test_a_question_after_thanks_is_a_question_not_a_goodbye(chat):
    chat("hvordan registrerer vi os som rsv")
    reply = chat("tak. kan jeg se det et sted når det er godkendt?")
    assert GOODBYE_TEXT not in reply and reply.strip()


@pytest.mark.parametrize("opening", ["vejledning tak", "hjælp mig med at komme i gang"])
def test_a_short_request_for_guidance_starts_the_guided_advice(chat, opening):
    reply = chat(opening)  # "komme i gang" gives the phase (etablering): then the company form is asked
    assert INTRO in reply and (asked("phase", reply) or asked("company_form", reply))


@pytest.mark.parametrize("answer", ["idé-fase", "vi startede for 2 år siden"])
def test_a_typed_phase_is_taken(chat, answer):
    chat("giv mig råd til min virksomhed")
    assert asked("company_form", chat(answer))


def test_a_phase_of_two_years_and_a_municipality_not_known_yet_give_advice_for_running(chat):
    """"vi startede for 2 år siden" was read as etableringsfasen; "ved ikke endnu, vi flytter måske" got the 2026 reform."""
    replies = [chat(text) for text in ("giv mig råd til min virksomhed", "vi startede for 2 år siden", "forening",
                                       "moms og skat", "ved ikke endnu, vi flytter måske")]
    assert "i driftsfasen" in replies[-1] and "etableringsfasen" not in replies[-1]
    assert not asked("municipality", replies[-1]) and PHONE in replies[-1]


def test_the_opening_message_s_phase_is_kept(chat):
    reply = chat("hej, vi er lige ved at starte op og vil gerne have vejledning")
    assert asked("company_form", reply) and not asked("phase", reply)


def test_a_message_that_gives_the_company_form_and_the_topic_fills_both(chat):
    chat("giv mig råd til min virksomhed")
    chat("vi er ved at starte op")
    reply = chat("så tager vi aps, og det handler om registrering")
    assert asked("municipality", reply) and not asked("company_form", reply)


@pytest.mark.parametrize("opening, answer, leaving, fact, next_slot", [
    pytest.param("giv mig råd til min virksomhed", "vi er i drift", "glem det, jeg vil bare vide hvad en rsv er",
                 "RSV", "company_form", marks=MERGED_MODEL_GAP),
    pytest.param("giv mig nogle råd", "spring over",
                 "glem det nu. jeg vil bare vide hvor meget kapital en erhvervsdrivende fond skal have",
                 "300.000", "topic", marks=EVENING_MODEL_GAP),
])
def test_leaving_the_form_with_a_question_stops_it_and_answers(chat, opening, answer, leaving, fact, next_slot):
    chat(opening)
    chat(answer)
    reply = chat(leaving)
    assert "stopper" in reply and fact in reply and not asked(next_slot, reply)


def test_free_guidance_in_a_named_municipality_names_its_erhvervshus(chat):
    reply = chat("gratis sparring i vordingborg?")
    assert "Vordingborg" in reply and "seks Erhvervshuse" not in reply


# English: a confident topic gets a short bilingual note and the Danish answer; otherwise the notice.
@pytest.mark.parametrize("question, fact", [
    ("How do I register as a social enterprise?", "virk.dk"),
    ("Do I have to pay VAT?", "moms"),
    ("What does it cost to start an ApS?", "kr."),
])
def test_an_english_question_gets_a_note_and_the_danish_answer(chat, question, fact):
    reply = chat(question)
    assert "I answer in Danish" in reply and fact in reply and PHONE in reply


def test_an_english_message_without_a_topic_gets_the_notice_with_the_phone(chat):
    reply = chat("Can you answer in English please? I don't speak Danish")
    assert "I can only answer in Danish" in reply and PHONE in reply
# --- panel round 4: the specific answer, an honest "not in my sources", no noise (answers) ---

NOT_IN_SOURCES = "mine kilder"
ASKS_INSTEAD = "Mener du"


def test_the_discount_rate_after_the_dividend_cap_says_it_is_not_known_and_names_nationalbanken(chat):
    assert "35 %" in chat("hvor meget udbytte maa en rsv udbetale til ejerne")
    answer = chat("hvad er diskontoen lige nu")
    assert "Nationalbanken" in answer and NOT_IN_SOURCES in answer and ASKS_INSTEAD not in answer


def test_cpr_numbers_and_insurance_for_volunteers_get_datatilsynet_and_an_honest_dont_know(chat):
    answer = chat("skal vi gemme cpr-numre på vores frivillige og hvad med forsikring")
    assert "Datatilsynet" in answer and NOT_IN_SOURCES in answer and PHONE in answer
    assert "dagpenge" not in answer


def test_volunteers_in_an_association_never_get_the_aps_rule_beside_it(chat):
    answer = chat("maa vores forening godt bruge frivillige")
    assert "forening" in answer and "Frivillige kan hjælpe et ApS" not in answer


def test_a_street_collection_for_an_association_gets_indsamlingsnaevnet_not_the_cvr_text(chat):
    answer = chat("vi er en forening. skal vi have tilladelse til en gadeindsamling")
    assert "Indsamlingsnævnet" in answer and "CVR-nummer gratis" not in answer


def test_the_rsv_processing_time_is_not_known_and_gets_the_phone(chat):
    answer = chat("hvor lang er sagsbehandlingstiden for rsv")
    assert NOT_IN_SOURCES in answer and PHONE in answer and "Du anmelder selv" not in answer


@MERGED_MODEL_GAP
def test_where_an_rsv_registration_shows_is_the_cvr_register(chat):
    chat("hvordan registrerer vi os som rsv")
    assert "CVR-registeret" in chat("kan jeg se det et sted når det er godkendt")


def test_long_term_sickness_in_a_fleksjob_is_not_known_and_sends_to_kommunen(chat):
    answer = chat("vores medarbejder i fleksjob er blevet langtidssyg, hvad gaelder saa")
    assert NOT_IN_SOURCES in answer and "kommunen" in answer


@MERGED_MODEL_GAP
def test_donations_after_crowdfunding_get_the_collection_rule_not_the_donor_deduction(chat):
    assert "Finanstilsynet" in chat("hvad skal vi vide om crowdfunding")
    answer = chat("og hvis det bare er donationer?")
    assert "Indsamlingsnævnet" in answer and "ligningslovens" not in answer


def test_writing_socialoekonomisk_on_the_website_gets_yes_and_what_is_reserved(chat):
    answer = chat("må jeg skrive socialøkonomisk virksomhed på hjemmesiden uden at være registreret?")
    assert paragraphs(answer)[0].startswith("Ja") and "RSV-logoet" in answer


def test_just_an_is_gets_the_is_answer_first_not_the_list_of_forms(chat):
    first = paragraphs(chat("hvad hvis vi bare laver et I/S"))[0]
    assert "I/S" in first and "hæfter personligt" in first and "A/S og P/S" not in first


def test_skaanejob_is_not_fleksjob(chat):
    answer = chat("er skånejob det samme som fleksjob")
    assert paragraphs(answer)[0].startswith("Nej") and "førtidspension" in answer


def test_how_to_found_an_aps_gives_fee_capital_and_deadline_in_one_go(chat):
    answer = chat("hvordan stifter man et ApS")
    assert all(fact in answer for fact in ("virk.dk", "670", "20.000", "2 uger"))


def test_bank_and_accountant_disagreeing_on_aps_capital_get_the_current_rule(chat):
    answer = chat("min bank siger 40.000 og min revisor siger 20.000 til et aps, hvad er RIGTIGT?!")
    assert "20.000 kr." in answer and "27. februar 2025" in answer and "40 mio." not in answer


def test_the_difference_between_an_aps_and_an_association_compares_the_two(chat):
    first = paragraphs(chat("hvad er forskellen på et aps og en forening"))[0]
    assert "ApS" in first and "forening" in first and "vedtægter" in first


def test_the_vat_answer_has_no_annual_report_after_it(chat):
    answer = chat("hvornaar skal vi momsregistreres")
    assert "50.000 kr." in answer and "årsrapport" not in answer


# Found typing as a founder on the final model of 1 December 2026 (a forening with a café, no æøå).
@MERGED_MODEL_GAP
def test_a_forening_cafe_asking_about_vat_gets_the_50000_kr_limit_first(chat):
    answer = chat("hej vi er en lille forening der driver en cafe i vejle, skal vi momsregistreres?")
    assert "50.000 kr." in paragraphs(answer)[0]  # today: the "almindelig forening" sentence alone


@MERGED_MODEL_GAP
def test_can_we_become_rsv_after_the_forening_vat_answer_is_about_a_forening(chat):
    chat("hej vi er en lille forening der driver en cafe i vejle, skal vi momsregistreres?")
    answer = chat("kan vi blive rsv")
    assert "I/S" not in paragraphs(answer)[0] and "forening" in answer  # today: the I/S–K/S item


# --- follow4 (round 4's "What to fix next" 1, 2, 3): the thread read with the question before it ---------

@pytest.mark.parametrize("question, follow_up", [
    ("hvad er kapitalkravet for et a/s", "og et p/s?"),
    ("hvor meget kapital kraever et as", "hvad med p/s"),
])
def test_a_company_form_follow_up_after_the_as_capital_gets_the_400000_kr(chat, question, follow_up):
    chat(question)
    answer = chat(follow_up)
    assert "400.000 kr." in answer and "2 uger" not in answer


@pytest.mark.parametrize("question, follow_up", [
    ("hvor mange registrerede socialoekonomiske virksomheder er der", "jeg har set et tal paa 292, hvad er det"),
    ("hvor mange rsv findes der", "hvad med tallet 2013"),
])
def test_a_question_with_a_figure_after_an_answer_never_gets_the_goodbye(chat, question, follow_up):
    chat(question)
    assert GOODBYE not in chat(follow_up)


def test_an_english_follow_up_gets_a_danish_answer_after_the_note_once(chat):
    assert "I answer in Danish only" in chat("How do I register as a social enterprise?")
    answer = chat("My co-founder joins next month, does that change anything?")
    assert answer and "I answer in Danish only" not in answer and "Jeg svarer kun på dansk" not in answer


@pytest.mark.parametrize("message, fact", [
    ("for tredje gang: hvad er fristen for at anmelde et aps", "2 uger"),
    ("du forstaar ikke. hvor meget kapital skal et aps have?", "20.000 kr."),
])
def test_frustration_with_a_question_gets_an_acknowledgement_and_the_answer(chat, message, fact):
    answer = chat(message)
    assert "Undskyld" in answer and fact in answer
# --- facts2 (panel round 4): known facts a direct question reaches, guided advice yields ---

@pytest.mark.parametrize("question, fact", [
    ("hvorfor lukkede man egentlig vaekstcentret", "udgangen af 2015"),
    ("hvad var det centret arbejdede med dengang", "socialvirksomhed.dk"),
    ("er antallet af rsv'er steget de seneste år", "458"),
    ("hvornår blev eifo oprettet ved lov", "21. juni 2022"),
    ("i hvilken paragraf står reglen om udbytte", "§ 5, stk. 2"),
    ("hvilket erhvervshus hører middelfart kommune til", "Sydjylland"),
])
def test_a_known_fact_is_reached_by_a_direct_question(chat, question, fact):
    assert fact in chat(question)


def test_a_side_question_in_the_form_is_answered_and_the_form_goes_on(chat):
    chat("jeg vil gerne have råd om min virksomhed")
    chat("vi har kørt i tre år")
    reply = chat("vent, hvad er egentlig forskellen på et aps og en forening?")
    assert "20.000 kr." in reply and asked("company_form", reply)


def test_money_at_the_topic_question_is_the_funding_topic(chat):
    chat("kan du rådgive mig")
    chat("vi er ved at starte op")
    chat("en forening")
    reply = chat("penge. vi har ingen")
    assert asked("municipality", reply)
    advice = chat("Bornholm")
    assert "Her er mine råd om" in advice and "Erhvervshus Hovedstaden" in advice


# --- typed by the lead on the model of 1 December 2026 (23:05), after the evening's merges ---

def test_a_cvr_question_that_names_the_association_is_answered_not_the_form(chat):
    """The opening names the situation and asks one concrete question after a comma; the model read it
    as request_advice (0.83) and the form started: now the question after the comma counts
    (components/question_first.py)."""
    reply = chat("hej vi er en forening i odense der driver en genbrugsbutik, skal vi have cvr nummer")
    assert "almindelig forening" in reply and not asked("phase", reply)


def test_an_ending_at_the_phase_question_closes_without_the_advice(chat):
    chat("giv mig råd: vi er en forening i odense og vil vide noget om cvr")
    reply = chat("nej tak det var det")
    assert "Her er mine råd" not in reply and not asked("phase", reply)


@pytest.mark.parametrize("question", ["hvilket erhvervshus hoerer middelfart til",
                                      "jeg bor i middelfart, skal jeg kontakte erhvervshus fyn?"])
def test_the_erhvervshus_of_a_municipality_named_in_lower_case_is_named(chat, question):
    """Typed on 1 December and in panel round 6 (#13): "Skriv navnet på din kommune" although she had."""
    reply = chat(question)
    assert "Erhvervshus Sydjylland" in reply and "Skriv navnet" not in reply


@pytest.mark.xfail(strict=False, reason="the item selector of 2 December 2026 (71c3fd8139f1) picks the I/S item "
                   "(rsv_criteria_is_ks) for 'kan vi saa blive rsv'; the follow-up rule that would then give the "
                   "criteria is tested without a model (tests/test_actions.py)")
def test_can_we_become_rsv_after_the_aps_capital_names_the_criteria(chat):
    chat("hvor meget kaptial skal der til et aps")
    reply = chat("kan vi saa blive rsv")
    assert "socialt formål" in reply.lower() and "uafhængig" in reply.lower()


# --- panel round 6 (2 December 2026): failures of the "before" judgement, fixed and kept typed ---

def test_saying_one_will_call_after_an_answer_gives_the_number_and_closes(chat):
    """#7, #28, #48: "så ringer jeg" got "Prøv at skrive …", the guided advice or nothing useful."""
    assert "50.000 kr." in chat("hvornaar skal vi momsregistreres")
    reply = chat("fint, så ringer jeg")
    assert PHONE in reply and "Held og lykke" in reply and not asked("phase", reply)


@pytest.mark.parametrize("acknowledgement", ["ok", "ok super", pytest.param("ok forstaaet", marks=ROUND6_MODEL_GAP)])
def test_an_ok_after_an_answer_is_acknowledged_without_the_topic_menu(chat, acknowledgement):
    """#15, #19, #27, #30, #46: "ok" after an answer got the menu "Hvad vil du gerne vide? Du kan fx …"."""
    chat("hvad koster det at stifte et aps")
    reply = chat(acknowledgement)
    assert "Du kan fx spørge" not in reply and "start rådgivningen" not in reply and reply


def test_a_second_question_typed_without_its_question_mark_is_answered_too(chat):
    """#1: "skal vi vaelge aps eller forening? og hvad koster det at starte et aps" got only one answer."""
    reply = chat("skal vi vaelge aps eller forening til vores cafe? og hvad koster det at starte et aps")
    assert "670 kr." in reply and "20.000 kr." in reply  # the fee, and the capital of each form


def test_wanting_only_the_price_in_the_guided_advice_stops_it_and_answers(chat):
    """#47: "egentlig vil jeg bare vide hvad et aps koster at starte" got the topic question."""
    chat("start rådgivning")
    chat("vi er ved at starte op")
    reply = chat("egentlig vil jeg bare vide hvad et aps koster at starte")
    assert "stopper" in reply and "670 kr." in reply and not asked("topic", reply)


def test_a_shortened_company_form_is_taken_in_the_guided_advice(chat):
    """#36: "enkeltmands" got "Den virksomhedsform kender jeg ikke" and the question again."""
    chat("jeg vil gerne have raad om min virksomhed")
    chat("vi er lige startet, 3 mdr")
    reply = chat("enkeltmands")
    assert "kender jeg ikke" not in reply and not asked("company_form", reply)


@ROUND6_MODEL_GAP  # the ApS item answers; the new MitID examples did not reach this wording
def test_mitid_for_two_founders_gets_the_mitid_answer(chat):
    """#25: the MitID question of two founders got the founding fee."""
    reply = chat("vi er to der stifter et aps sammen, kan vi bruge vores egne mitid")
    assert "MitID Erhverv" in reply


def test_a_cvr_question_of_an_association_of_volunteers_gets_the_free_cvr(chat):
    """#14, #46: "skal vi have et CVR-nummer?" from an association of volunteers got the dagpenge text."""
    reply = chat("vi er en forening med 20 frivillige og ingen loennede. skal vi have et cvr-nummer?")
    assert "gratis" in reply and "dagpenge" not in reply


def test_one_paragraph_that_answers_two_questions_comes_once(chat):
    """#31: "hvem var formand ... og hvad anbefalede de?" got the committee paragraph twice in one reply."""
    reply = chat("hvem var formand for udvalget for socialøkonomiske virksomheder og hvad anbefalede de?")
    assert "Mads Øvlisen" in reply and reply.count("Mads Øvlisen") == 1


def test_a_phase_stated_later_corrects_the_phase_of_the_opening(chat):
    """#5: the opening's "hvor jeg skal starte" gave etablering; "vi har kørt et par år" was lost and the
    advice was for "en forening i etableringsfasen"."""
    chat("kan du give mig noget rådgivning? ved ikke helt hvor jeg skal starte")
    chat("vi har kørt et par år")
    chat("det er en forening")
    chat("det handler om penge, vi skal bruge kapital til at udvide")
    advice = chat("middelfart")
    assert "Her er mine råd" in advice and "etableringsfasen" not in advice


def test_asking_for_the_limit_after_the_association_vat_answer_gets_the_figure(chat):
    """Typed on 2 December 2026: "hvad er graensen" after the association's VAT answer got "Det ved jeg desværre ikke"."""
    chat("vi er en forening med en genbrugsbutik, skal vi betale moms")
    reply = chat("hvad er graensen")
    assert "50.000 kr." in reply and UNKNOWN not in reply


@pytest.mark.xfail(strict=False, reason="typed on 2 December 2026: 'hvad skal jeg saa gore' right after an answer is "
                   "ask_capabilities and gets the list of topics; it has no content word to tie it to the answer")
def test_what_to_do_then_after_the_sole_trader_answer_stays_on_it(chat):
    chat("jeg har en enkeltmandsvirksomhed kan jeg blive rsv")
    reply = chat("hvad skal jeg saa gore")
    assert "Jeg svarer på spørgsmål om" not in reply and ("ApS" in reply or PHONE in reply)


def test_how_it_was_before_after_the_vat_answer_gets_the_earlier_period(chat):
    """Panel round 6, #21: "og foer" after "Siden 1. januar 2025 tæller salget pr. kalenderår"."""
    chat("hvornaar skal vi momsregistreres")
    assert "12 måneder" in chat("og foer")


def test_the_deadline_after_the_dividend_and_accounting_class_answers_is_the_annual_report_s(chat):
    """Panel round 6, #9: two questions in one message, then "og fristen": "Det ved jeg desværre ikke"."""
    reply = chat("hvor meget udbytte må de udbetale, og hvilken regnskabsklasse skal årsrapporten være i?")
    assert "35 %" in reply and "regnskabsklasse B" in reply
    assert "6 måneder" in chat("og fristen")


def test_where_to_make_it_after_the_mitid_answer_is_mitid_s_site(chat):
    """Panel round 6, #25: "hvor opretter vi det" after the MitID answer got the CVR fees link."""
    chat("skal vi have mitid erhverv")
    reply = chat("hvor opretter vi det")
    assert "mitid-erhverv.dk" in reply and "gebyrer" not in reply


# Typed as a founder on 3 December 2026 (model 71c3fd8139f1); still wrong, kept so a fix shows as XPASS.
def test_what_the_registration_costs_after_two_answers_is_the_fee_answer(chat):
    """Typed 3 December 2026: the association's free CVR number from the first answer came instead."""
    chat("vi er en forening, kan vi blive rsv")
    chat("hvordan goer vi det")
    assert "gebyr" in chat("hvad koster det")


def test_the_weekly_hours_of_a_fleksjob_are_not_answered_with_the_igu(chat):
    """Typed 3 December 2026: the IGU item holds "timer om ugen" and won; the sources give no fleksjob hours."""
    reply = chat("hvor mange timer om ugen skal en i fleksjob arbejde")
    assert "IGU" not in reply and "fleksjob" in reply.lower()


def test_why_after_the_closing_date_is_about_the_closing(chat):
    """Typed 3 December 2026: a bare "hvorfor" quoted the centre's purpose from the first answer."""
    chat("hvad var vaekstcentret for noget")
    chat("hvornaar lukkede det")
    reply = chat("hvorfor")
    assert "skulle gøre det lettere" not in reply and PHONE in reply


# --- panel round 7 (3 December 2026): the same bubble again ---

def test_where_the_houses_are_after_the_bornholm_answer_lists_the_six(chat):
    """#37: "hvor ligger erhvervshusene egentlig?" after Bornholm got Bornholm's house again."""
    assert "Rønne" in chat("jeg bor paa bornholm, hvilket erhvervshus hoerer vi under")
    reply = chat("hvor ligger erhvervshusene egentlig")
    assert "Vojens" in reply and "Sorø" in reply and "Bornholm" not in reply


def test_a_doubt_about_middelfart_does_not_get_the_same_answer_again(chat):
    """#13: "men middelfart ligger jo på fyn??" got the Middelfart answer a second time."""
    first = chat("hvilket erhvervshus hoerer middelfart til")
    assert "Erhvervshus Sydjylland" in first and "kommuner, ikke landsdele" in first
    assert chat("men middelfart ligger jo paa fyn??") != first


def test_the_english_note_is_not_repeated_in_every_answer(chat):
    """#09, #45, #46: "I answer in Danish only, ..." came before every English answer."""
    assert "I answer in Danish only" in chat("what is a social enterprise")
    reply = chat("how do public tenders work")
    assert "I answer in Danish only" not in reply and "udbud" in reply.lower()


# --- typed as a founder at the end of 3 December 2026: still failing, kept as xfail ---

@pytest.mark.xfail(strict=False, reason="typed 3 December 2026: 'og hvis vi saelger for under 50000' after the "
                   "association VAT answer gets that answer's first sentence again ('også over 50.000 kr.'), not the "
                   "50.000 kr. registration limit")
def test_selling_under_the_limit_after_the_association_vat_answer_gets_the_limit(chat):
    first = chat("hej jeg har en lille cafe som forening, skal vi betale moms")
    reply = chat("og hvis vi saelger for under 50000")
    assert "momsregistreres" in reply and reply.split(".")[0] not in first


def test_who_was_behind_the_centre_after_its_opening_names_the_ministries(chat):
    chat("hvornaar aabnede vaekstcentret")
    assert "Beskæftigelsesministeriet" in chat("og hvem stod bag")


def test_where_to_get_help_after_the_centre_closed_names_today_s_guidance(chat):
    """Typed 3 December 2026: got the line that the old website is not updated. The closing answer just gave
    72 20 00 30; the follow-up gets where to go today."""
    chat("hvornaar aabnede vaekstcentret")
    assert PHONE in chat("findes det stadig")
    reply = chat("hvor kan jeg saa faa hjaelp")
    assert "Erhvervshus" in reply and "erhvervsservice" in reply and "bliver ikke opdateret" not in reply


def test_which_company_form_to_choose_gets_the_company_forms(chat):
    """Typed 3 December 2026 (evening): 'hvilken selskabsform skal vi vaelge' in a first message about a
    social café got the six start-up steps, not the company forms."""
    reply = chat("hej vi er 3 der vil starte en social cafe, hvilken selskabsform skal vi vaelge")
    assert "ApS:** 20.000 kr." in reply and "forretningsplan" not in reply


def test_flexjob_with_an_x_gets_the_fleksjob_answer(chat):
    """Typed 3 December 2026 (evening): 'flexjob' (with x) got the overview of all schemes."""
    reply = chat("kan vi ansaette en i flexjob")
    assert "fleksløntilskud" in reply and "Skånejob" not in reply


# --- panel round 8 (4 December 2026), fixed in the follow-up code -----------------

def test_asking_for_a_delay_after_the_annual_report_answer_is_not_moved_to_procurement(chat):
    """Round 8: 'kan vi få udsættelse?' after the late annual-report answer got the procurement rules for
    'udsatte' groups, a compound part only. Nothing in the knowledge answers it: the honest handoff."""
    chat("vi har glemt at indsende årsrapporten. hvad sker der og hvor meget skal vi betale?")
    reply = chat("kan vi få udsættelse?")
    assert PHONE in reply and "udbud" not in reply.lower()


def test_per_year_after_the_vat_limit_answer_gets_the_calendar_year(chat):
    """Round 8: 'er det per år eller hvordan' after the VAT limit got the association exemption."""
    chat("skal jeg momsregistere min lille kafe hvis jeg kun sælger for lidt")
    assert "kalenderår" in chat("er det per år eller hvordan")


# --- panel round 9 (4 December 2026) ---------------------------------------------

def test_a_planned_opening_is_the_start_up_phase_and_the_advice_fits_the_typed_answers(chat):
    """Round 9: 'vi vil åbne et cykelværksted om et halvt års tid' was no phase, and the phase question came
    five times while the form, the topic and the municipality were typed."""
    chat("raadgivning tak")
    assert asked("company_form", chat("vi vil åbne et cykelværksted om et halvt års tid"))
    assert asked("topic", chat("en forening tror jeg"))
    assert asked("municipality", chat("at få folk i praktik og fleksjob"))
    advice = chat("Aalborg")
    assert "for en forening i etableringsfasen" in advice and "fleksløntilskud" in advice
    assert "Erhvervshus Nordjylland" in advice


def test_answers_to_other_questions_keep_the_phase_question_to_two_askings(chat):
    """Round 9: every answer but the phase was kept silently, so the phase question never stopped coming."""
    replies = [chat("raadgivning tak"), chat("en forening tror jeg"), chat("at få folk i praktik og fleksjob")]
    assert sum(reply.count(QUESTIONS["phase"]) for reply in replies) <= 2
    assert SECOND_MISS["phase"] in replies[-1] and PHONE in replies[-1]
    advice = chat("Aalborg")  # the third miss moves on, with the form, topic and municipality given
    assert "for en forening" in advice and "Erhvervshus Nordjylland" in advice


def test_a_yes_that_opens_a_question_after_the_criteria_gets_how_to_register(chat):
    """Round 9: 'ja ja, men helt konkret, hvad skal jeg gøre i morgen' was read as an ok and acknowledged."""
    chat("hvad skal der til for at blive rsv")
    reply = chat("ja ja, men helt konkret, hvad skal jeg gøre i morgen")
    assert "virk.dk" in reply and "Skriv bare" not in reply


def test_what_it_costs_asked_in_frustration_after_registration_gets_the_fee_answer(chat):
    """Round 9: 'det var ikke det jeg spurgte om, jeg vil vide hvad det koster' got the phone number alone."""
    chat("hvordan bliver vi registreret som socialøkonomisk virksomhed")
    reply = chat("det var ikke det jeg spurgte om, jeg vil vide hvad det koster")
    assert reply.startswith("Undskyld") and "gebyr" in reply


def test_a_delay_asked_after_an_honest_not_known_stays_on_the_accounts(chat):
    """Round 9: after 'hvor stor er afgiften' got an honest 'I don't know' on the accounts, 'kan man søge om
    udsættelse' got the foundations; the conversation is still on the accounts, which do not say."""
    chat("vi har glemt at indsende årsrapporten, hvad sker der nu")
    assert PHONE in chat("hvor stor er afgiften")
    reply = chat("kan man søge om udsættelse")
    assert "moms, skat og regnskab" in reply and PHONE in reply and "fond" not in reply


def test_a_yes_no_question_after_frustration_gets_an_apology_and_an_answer_or_the_phone(chat):
    """Round 9: 'du forstår ingenting, jeg spurgte om PENGE. er det pengene vaerd' got 'skriv med andre ord'."""
    chat("hvad faar vi egentlig ud af at blive registreret socialokonomisk")
    chat("men faar vi skattefordele eller tilskud")
    reply = chat("du forstår ingenting, jeg spurgte om PENGE. er det pengene vaerd")
    assert reply.startswith("Undskyld") and PHONE in reply and "med andre ord" not in reply


def test_moving_to_another_municipality_after_the_local_answer_names_its_erhvervshus(chat):
    """Round 9: 'og hvis jeg flytter til odense?' after the Middelfart answer got the list of all six houses."""
    assert "Erhvervshus Sydjylland" in chat("jeg bor i middelfart, hvilket erhvervshus hører jeg under?")
    assert "Erhvervshus Fyn" in chat("og hvis jeg flytter til odense?")
