"""The knowledge base: sourced, dated, complete, and consistent with the faq answers."""

import datetime
import re

import pytest
import yaml

from actions.knowledge import KnowledgeBaseError, faq_answer, load_items, load_municipalities, load_topics
from scripts.knowledge.build import FAQ_RESPONSES


def test_every_item_has_an_https_source_and_a_checked_date():
    for item in load_items():
        assert item.source.startswith("https://"), item.id
        assert isinstance(item.checked, datetime.date) and item.checked <= datetime.date.today(), item.id


def test_every_topic_has_a_faq_answer_and_a_danish_title():
    topics = load_topics()
    assert len(topics) == 21
    for key, topic in topics.items():
        assert faq_answer(key) and topic.title


def test_the_only_phone_number_is_erhvervsstyrelsens():
    numbers = set()
    for item in load_items():
        numbers.update(re.findall(r"\b\d{2} \d{2} \d{2} \d{2}\b", item.text))
    assert numbers == {"72 20 00 30"}


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
    assert "[72 20 00 30](tel:+4572200030)" in faq_answer("centre_status")


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
