"""The knowledge base: sourced, dated, complete, and consistent with the faq answers."""

import datetime
import re

import pytest
import yaml

from actions import contact
from actions.knowledge import (
    QUESTION_MAX_CHARS,
    Item,
    KnowledgeBaseError,
    faq_answer,
    load_items,
    load_municipalities,
    load_topics,
    topics_for_phase,
)
from actions.prompts import QUESTIONS, RETRIES
from scripts.knowledge.build import FAQ_RESPONSES
from scripts.knowledge.facts import is_homepage, report, review_list
from scripts.paths import ROOT

# The items and faq keys added for issue 11 (shared design decisions in the brief), by topic.
NEW_ITEMS = {
    "funding_foundations": "funding", "funding_how_to_apply": "funding", "funding_donor_deduction": "funding",
    "tax_corporate": "tax_vat_accounting", "tax_payroll_tax": "tax_vat_accounting",
    "tax_vat_associations": "tax_vat_accounting", "accounting_audit_opt_out": "tax_vat_accounting",
    "hiring_fleksjob": "hiring_special_terms", "hiring_where_to_go": "hiring_special_terms",
    "hiring_igu": "hiring_special_terms", "rsv_articles": "governance", "governance_general_assembly": "governance",
    "governance_inclusive": "governance", "governance_founders_pay": "governance", "company_form_fond": "company_form",
    "company_form_amba_employees": "company_form", "impact_sdg_esg": "impact_measurement",
    "procurement_below_threshold": "public_procurement", "procurement_where_published": "public_procurement",
    "rsv_deregistration": "rsv_how_to_register", "volunteers_aps": "volunteers",
}


def test_every_item_has_an_https_source_and_a_checked_date():
    for item in load_items():
        assert item.source.startswith("https://"), item.id
        assert isinstance(item.checked, datetime.date) and item.checked <= datetime.date.today(), item.id


def test_every_topic_has_a_faq_answer_and_a_danish_title():
    topics = load_topics()
    assert len(topics) == 23  # the contract's 21 and the project's governance and volunteers
    for key, topic in topics.items():
        assert faq_answer(key) and topic.title


def test_faq_responses_are_the_knowledge_base_answers():
    responses = yaml.safe_load(FAQ_RESPONSES.read_text(encoding="utf-8"))["responses"]
    assert {key: value[0]["text"] for key, value in responses.items()} == {
        f"utter_faq/{key}": faq_answer(key) for key in load_topics()
    }


def test_centre_history_gives_the_checked_dates():
    answer = faq_answer("centre_history")
    for fact in ("4. september 2014", "Socialstyrelsen", "28. juni 2015", "Erhvervs- og Vækstministeriet",
                 "udgangen af 2015", "Rådet for Socialøkonomiske Virksomheder", "socialvirksomhed.dk"):
        assert fact in answer


def test_centre_status_hands_off_to_erhvervsstyrelsen():
    assert PHONE_LINK in faq_answer("centre_status")


def test_98_municipalities_each_with_one_of_six_erhvervshuse():
    municipalities = load_municipalities()
    assert len(municipalities) == 98
    houses = {m.erhvervshus.name for m in municipalities.values()}
    assert len(houses) == 6
    assert municipalities["Aarhus"].erhvervshus.city == "Aarhus"
    assert municipalities["Odense"].erhvervshus.name == "Erhvervshus Fyn"
    assert municipalities["Esbjerg"].erhvervshus.name == "Erhvervshus Sydjylland"
    assert municipalities["Bornholm"].erhvervshus.name == "Erhvervshus Hovedstaden"


@pytest.mark.parametrize(
    "content",
    ["", "- a list\n", "items: 5\n", "topics:\n  - {key: x}\n", "items:\n  - {id: x}\n", "{{{"],
    ids=["empty", "list", "items-not-a-list", "topic-without-title", "item-without-fields", "broken-yaml"],
)
def test_a_broken_knowledge_file_gives_a_clear_error(tmp_path, content):
    path = tmp_path / "knowledge_base.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError):
        load_items(path)
    with pytest.raises(KnowledgeBaseError):
        load_municipalities(path)


# ---------------------------------------------------------------- issue 11: dated, sourced, 2026 rules

def test_no_item_is_past_its_review_date():
    """Fails from the day an item's rule is due for a new check (e.g. the hiring items on
    1 January 2027): check the source, update text, checked and review_by (`make facts`)."""
    today = datetime.date.today()
    overdue = {item.id: item.review_by for item in load_items() if item.review_by and item.review_by < today}
    assert overdue == {}, f"past their review date (run `make facts`): {overdue}"


def test_every_item_cites_a_page_not_a_homepage():
    assert [item.id for item in load_items() if is_homepage(item.source)] == []
    assert is_homepage("https://virk.dk") and is_homepage("https://www.kl.dk/")
    assert not is_homepage("https://erhvervsstyrelsen.dk/fravalg-af-revision")


def test_hiring_items_are_reviewed_when_the_new_main_law_comes():
    hiring = [item for item in load_items() if item.topic == "hiring_special_terms"]
    assert hiring and {item.review_by for item in hiring} == {datetime.date(2027, 1, 1)}


def test_the_new_items_have_the_shared_ids_topics_and_a_question():
    items = {item.id: item for item in load_items()}
    for item_id, topic in NEW_ITEMS.items():
        item = items[item_id]
        assert item.topic == topic, item_id
        assert item.question and len(item.question) <= QUESTION_MAX_CHARS and item.question.endswith("?"), item_id
        assert item.phases, f"{item_id} has no place in the guided advice"
    assert {"governance", "volunteers"} <= {t.key for t in topics_for_phase("drift")}


def _answers() -> dict:
    """Every Danish text the user can get: knowledge items, domain responses, form prompts."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    texts = {f"item {item.id}": item.text for item in load_items()}
    texts.update({f"response {name}": v["text"] for name, variants in domain["responses"].items() for v in variants})
    texts.update({f"prompt {slot}": text for slot, text in {**QUESTIONS, **RETRIES}.items()})
    return texts


def test_no_answer_sends_anyone_to_the_jobcentre_or_offers_ressourceforloeb():
    for name, text in _answers().items():
        assert not re.search(r"jobcent(ret|eret)\b", text, re.IGNORECASE), name  # the 2026 reform: kommunen
        assert "ressourceforløb" not in text.lower() or "ikke længere" in text, name


def test_erhvervshuse_serve_municipalities_and_the_wording_is_plain():
    for name, text in _answers().items():
        assert "i din region" not in text, name  # "det Erhvervshus, din kommune hører til"
        assert "for det gældende" not in text, name
        assert "registreret som registreret" not in text and "social omsorg" not in text.lower(), name


def test_a_middelfart_founder_is_sent_to_erhvervshus_sydjylland():
    municipalities = load_municipalities()
    assert municipalities["Middelfart"].erhvervshus.name == "Erhvervshus Sydjylland"
    assert {m.branch for m in municipalities.values() if m.branch} == {
        "Nykøbing Mors", "Herning", "Horsens", "Hillerød", "Vordingborg", "Rønne"}
    assert municipalities["Køge"].region_on(datetime.date(2026, 12, 31)) == "Sjælland"
    assert municipalities["Køge"].region_on(datetime.date(2027, 1, 1)) == "Østdanmark"
    assert municipalities["Aarhus"].region_on(datetime.date(2027, 1, 1)) == "Midtjylland"


def test_the_vat_answer_dates_only_the_calendar_year_rule_to_2025():
    answer = faq_answer("tax_vat_accounting")
    assert "50.000 kr." in answer and "kalenderår" in answer and "Social forsorg" in answer


def test_history_gives_the_phone_number_and_activities_all_seed_bullets():
    assert PHONE_LINK in faq_answer("centre_history")
    activities = faq_answer("centre_activities")
    assert activities.count("\n- ") == 6 and "frivillige sektor" in activities


# ---------------------------------------------------------------- one source for the handoff

PHONE_LINK = contact.phone_link()
PHONE_NUMBER = re.compile(r"(?:\+45 )?\b(\d{2} \d{2} \d{2} \d{2})\b")  # "72 20 00 30", also after "+45 "


def test_the_phone_number_everywhere_is_the_one_in_contact_yml():
    for name, text in _answers().items():
        assert set(PHONE_NUMBER.findall(text)) <= {contact.phone()}, name
        for label, tel in re.findall(r"\[([^\]]*)\]\(tel:([^)]*)\)", text):
            assert tel == "+4572200030" and label.endswith(contact.phone()), name


def test_domain_handoff_and_silence_guard_are_built_from_contact_yml():
    from channels.guard import HANDOFF_ON_SILENCE

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert domain["responses"]["utter_handoff"][0]["text"] == contact.handoff_text("handoff")
    # The scope refusal always gives the phone number (round 4 of the panels).
    assert domain["responses"]["utter_out_of_scope"][0]["text"] == contact.handoff_text("out_of_scope")
    assert PHONE_LINK in contact.handoff_text("out_of_scope")
    assert contact.handoff_text("on_silence") == HANDOFF_ON_SILENCE and PHONE_LINK in HANDOFF_ON_SILENCE


def test_the_chat_page_gives_the_phone_number_from_contact_yml():
    page = (ROOT / "web" / "index.html").read_text(encoding="utf-8")
    tel = PHONE_LINK.split("(tel:")[1].rstrip(")")
    assert f'href="tel:{tel}">{contact.phone()}</a>' in page
    assert set(PHONE_NUMBER.findall(page)) == {contact.phone()}


# ---------------------------------------------------------------- make facts

def _item(item_id: str, review_by=None, source="https://erhvervsstyrelsen.dk/fravalg-af-revision") -> Item:
    return Item(item_id, "funding", "Hvad er det?", ("drift",), ("all",), False, "tekst", source, datetime.date(2026, 12, 1),
                review_by=review_by)


def test_make_facts_lists_past_near_and_homepage_items():
    items = [_item("past", datetime.date(2026, 11, 30)), _item("near", datetime.date(2027, 1, 1)),
             _item("later", datetime.date(2028, 1, 1)), _item("home", source="https://virk.dk")]
    past, near, homepage = review_list(items, today=datetime.date(2026, 12, 1), near_days=90)
    assert [i.id for i in past] == ["past"] and [i.id for i in near] == ["near"] and [i.id for i in homepage] == ["home"]
    text, overdue = report(datetime.date(2026, 12, 1), 90, items)
    assert overdue and "past" in text and "https://virk.dk" in text and "later" not in text


@pytest.mark.parametrize(
    "field, value",
    [("review_by", "soon"), ("review_by", datetime.date(2026, 1, 1)), ("question", "x" * 71)],
    ids=["review-by-not-a-date", "review-by-before-checked", "question-too-long"],
)
def test_a_bad_review_date_or_question_gives_a_clear_error(tmp_path, field, value):
    item = {"id": "x", "topic": "funding", "question": "Hvad er det?", "phases": ["drift"], "company_forms": ["all"],
            "faq": True, "text": "t", "source": "https://skat.dk/x", "checked": datetime.date(2026, 12, 1), field: value}
    item["phases"] = ["etablering", "drift", "udvikling"]
    path = tmp_path / "knowledge_base.yml"
    path.write_text(yaml.safe_dump({"topics": [{"key": "funding", "title": "F", "phases": []}], "items": [item]}),
                    encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=field):
        load_items(path)


def _answer(item_id):
    """The generated answer text of an item (its variation of utter_faq/<topic>)."""
    responses = yaml.safe_load(FAQ_RESPONSES.read_text(encoding="utf-8"))["responses"]
    return next(variation["text"] for variations in responses.values() for variation in variations
                if {"type": "slot", "name": "knowledge_item", "value": item_id} in variation.get("condition", []))


def test_an_answer_goes_on_only_with_the_items_its_item_names():
    assert "årsrapport" not in _answer("tax_vat")
    assert "35 %" not in _answer("rsv_criteria_five")
    assert "VSME" not in _answer("impact_overview")
    founding = _answer("company_form_aps")
    assert all(fact in founding for fact in ("virk.dk", "670 kr.", "20.000 kr.", "2 uger"))


def test_the_capital_of_an_aps_is_20000_and_40000_was_the_old_rule():
    answer = _answer("company_form_aps")
    assert answer.index("20.000 kr.") < answer.index("40.000 kr.") and "27. februar 2025" in answer


def test_volunteer_answers_never_contradict_each_other():
    for item in load_items():
        if item.topic == "volunteers":
            answer = _answer(item.id)
            assert not ("Frivillige kan hjælpe et ApS" in answer and "en forening kan sagtens" in answer), item.id
    assert "Frivillige kan hjælpe et ApS" not in faq_answer("volunteers")


@pytest.mark.parametrize("item_id, says", [
    ("rsv_discount_rate", ("har jeg ikke i mine kilder", "Nationalbanken")),
    ("rsv_processing_time", ("står ikke i mine kilder", "72 20 00 30")),
    ("hiring_fleksjob_sickness", ("står ikke i mine kilder", "kommunen")),
    ("volunteers_data_insurance", ("Datatilsynet", "står ikke i mine kilder", "72 20 00 30")),
    ("funding_public_collection", ("Indsamlingsnævnet", "indsamlingsloven", "har jeg ikke i mine kilder")),
    ("funding_crowdfunding_donations", ("Finanstilsynet", "Indsamlingsnævnet", "har jeg ikke i mine kilder")),
    ("rsv_benefits_term", ("Ja.", "registreret socialøkonomisk", "RSV-logoet")),
    ("hiring_skaanejob_vs_fleksjob", ("Nej, det er to forskellige ordninger", "førtidspension", "varigt og væsentligt nedsat")),
    ("company_form_is", ("intet kapitalkrav", "hæfter personligt", "ikke entydigt")),
    ("company_form_aps_vs_forening", ("ApS", "forening", "20.000 kr.", "vedtægter")),
])
def test_specific_and_not_known_items_say_plainly_what_is_known_and_where_to_ask(item_id, says):
    answer = _answer(item_id)
    assert all(fact in answer for fact in says), item_id
    assert "ligningslovens" not in answer  # not the donor-deduction rules


def test_items_with_a_figure_they_do_not_know_state_no_figure():
    for item_id in ("rsv_discount_rate", "rsv_processing_time"):
        assert not re.search(r"\d+[,.]\d+ ?(pct|%)|\d+ (dage|uger|måneder)", _answer(item_id)), item_id


@pytest.mark.parametrize("then, error", [
    (["x"], "itself"), (["nowhere"], "existing"), (["y", "z", "w"], "at most"), (["aps_only"], "other company forms"),
])
def test_a_bad_then_gives_a_clear_error(tmp_path, then, error):
    def item(item_id, forms=("all",), **extra):
        return {"id": item_id, "topic": "funding", "question": "Hvad er det?", "phases": ["etablering", "drift", "udvikling"],
                "company_forms": list(forms), "faq": forms == ("all",), "text": "t", "source": "https://skat.dk/x",
                "checked": datetime.date(2026, 12, 1), **extra}
    items = [item("x", then=then), item("y"), item("z"), item("w"), item("aps_only", forms=("aps",))]
    path = tmp_path / "knowledge_base.yml"
    path.write_text(yaml.safe_dump({"topics": [{"key": "funding", "title": "F", "phases": []}], "items": items}),
                    encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="then"):
        load_items(path)
