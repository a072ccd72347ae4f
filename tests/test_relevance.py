"""A knowledge answer holds the kind of fact asked for, or a ranked item that has it answers (actions.relevance)."""

from actions.relevance import better_item, unanswered_scheme


def parse(text: str, chosen: str, *ranked: str) -> dict:
    ranking = [{"id": item, "confidence": 0.3} for item in (chosen, *ranked)]
    return {"text": text, "knowledge_item": {"id": chosen, "ranking": ranking}}


def test_a_deadline_question_on_the_fee_item_gets_the_deadline_item():
    item = better_item(parse("hvad er FRISTEN for at registrere efter vi har skrevet under", "cvr_fees", "cvr_deadline_companies"))
    assert item is not None and item.id == "cvr_deadline_companies"


def test_an_answer_that_has_the_asked_fact_stays():
    # company_form_aps goes on with cvr_fees (its `then`), which has the price.
    assert better_item(parse("hvad koster det at stifte et aps", "company_form_aps", "cvr_fees")) is None
    assert better_item(parse("hvornår skal årsrapporten indsendes", "tax_annual_report", "cvr_fees")) is None


def test_a_question_without_a_specific_ask_or_without_a_fitting_ranked_item_stays():
    assert better_item(parse("hvad er kravene for at blive rsv", "rsv_criteria_five", "cvr_fees")) is None
    # no ranked item holds a deadline and shares a word: keep the chosen answer, never guess
    assert better_item(parse("hvad er fristen", "cvr_fees", "funding_foundations")) is None
    assert better_item({"text": "hvad koster det"}) is None


def test_a_question_about_a_scheme_is_not_answered_with_another_scheme():
    """Typed 3 December 2026: the fleksjob hours got the IGU's 25 hours ("timer om ugen")."""
    question = parse("hvor mange timer om ugen skal en i fleksjob arbejde", "hiring_igu", "hiring_fleksjob")
    assert better_item(question) is None and unanswered_scheme(question) == "fleksjob"
    assert unanswered_scheme(parse("hvad koster en i fleksjob", "hiring_fleksjob", "hiring_igu")) is None
    assert unanswered_scheme(parse("hvornaar skal vi betale moms", "tax_vat", "cvr_fees")) is None  # "momsregistreres"
