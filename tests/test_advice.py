"""The guided advice's composition: the few items that matter for the founder's phase and form."""

import pytest

from actions.advice import MAX_ADVICE_ITEMS, advice_items, compose_advice
from actions.knowledge import PHASES, load_items, load_topics


def ids(topic, phase, company_form):
    return [item.id for item in advice_items(topic, phase, company_form)]


@pytest.mark.parametrize("phase", [*PHASES, None])
@pytest.mark.parametrize("company_form", ["aps", "forening", "ukendt", None])
def test_advice_is_a_heading_at_most_three_items_and_the_local_guidance(phase, company_form):
    for topic in load_topics():
        text = compose_advice(topic, phase, company_form, "Aarhus")
        assert text.startswith("Her er mine råd om") and "Erhvervshus Midtjylland" in text
        assert 1 <= text.count("(Kilde:") - 1 <= MAX_ADVICE_ITEMS, (topic, phase, company_form)


def test_an_idea_phase_founder_gets_no_donor_tax_or_application_tips_in_funding():
    chosen = ids("funding", "etablering", "ukendt")
    assert "funding_start_capital" in chosen
    assert not {"funding_donor_deduction", "funding_how_to_apply"} & set(chosen)


def test_hiring_advice_in_drift_has_no_igu_and_the_reform_once():
    text = compose_advice("hiring_special_terms", "drift", "aps", None)
    assert "IGU" not in text and "Løntilskud hos en privat arbejdsgiver" in text
    assert text.count("beskæftigelsesreformen") + text.count("1. februar 2026") <= 1


def test_a_founder_not_yet_registered_gets_no_deregistration():
    assert "rsv_deregistration" not in ids("rsv_how_to_register", "etablering", "forening")
    assert "rsv_register_forening" in ids("rsv_how_to_register", "etablering", "forening")


def test_an_association_gets_no_aps_item_about_volunteers():
    text = compose_advice("volunteers", "drift", "forening", None)
    assert "Frivillige kan hjælpe et ApS" not in text and "frivillig forening" in text


def test_the_form_and_phase_own_items_come_before_the_general_ones():
    assert "company_form_is" in ids("company_form", "etablering", "is")
    assert "cvr_deadline_companies" in ids("cvr_registration", "etablering", "aps")


def test_answer_only_items_never_appear_in_advice():
    answer_only = {item.id for item in load_items() if not item.phases}
    assert {"rsv_discount_rate", "hiring_fleksjob_sickness", "volunteers_data_insurance"} <= answer_only
    for topic in load_topics():
        for phase in (*PHASES, None):
            assert not answer_only & set(ids(topic, phase, None))
