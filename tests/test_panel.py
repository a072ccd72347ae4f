"""The panel file and `make panel`'s checks and transcripts (scripts/learning/panel.py), without servers."""

from __future__ import annotations

import pytest

from scripts.learning.panel import (
    CONVERSATIONS,
    FAILURE_CLASSES,
    ROUND_2,
    ROUND_3,
    ROUND_4,
    ROUND_5,
    ROUND_6,
    ROUND_7,
    ROUND_8,
    ROUND_9,
    load_conversations,
    markdown,
    missing_strings,
    write,
)

ISSUE_DONE_WHEN = {"done_guided_advice_typed", "done_rsv_criteria_then_how_to_apply", "done_aps_cost",
                   "done_sole_trader_rsv", "done_nej_tak_closes"}


def test_the_panel_covers_every_failure_class_and_the_issues_done_when_cases():
    conversations = load_conversations()
    assert {conversation["id"] for conversation in conversations} >= ISSUE_DONE_WHEN


@pytest.mark.parametrize("panel", [CONVERSATIONS, ROUND_2, ROUND_3, ROUND_4, ROUND_5, ROUND_6, ROUND_7, ROUND_8, ROUND_9],
                         ids=[f"round {n}" for n in range(1, 10)])
def test_each_round_has_45_typed_conversations_over_every_failure_class(panel):
    conversations = load_conversations(panel)
    assert len(conversations) >= 45
    assert {probe for conversation in conversations for probe in conversation["probes"]} == set(FAILURE_CLASSES)
    assert all(not turn["user"].startswith("/") for conversation in conversations for turn in conversation["turns"])


def test_unknown_ids_are_refused():
    with pytest.raises(ValueError, match="no-such-conversation"):
        load_conversations(only=["no-such-conversation"])


def test_missing_strings_reads_text_and_buttons_case_insensitively_with_alternatives():
    replies = [{"text": "Det koster 670 kr. at stifte et ApS."}, {"buttons": [{"title": "Ring 72 20 00 30"}]}]
    assert missing_strings(["670 KR.", "72 20 00 30", "gratis | aps"], replies) == []
    assert missing_strings(["20.000 kr.", "fond | forening"], replies) == ["20.000 kr.", "fond | forening"]
    assert missing_strings(["670 kr."], [{"error": "URLError: refused"}]) == ["670 kr."]


def test_transcripts_show_user_bot_buttons_expectation_and_errors(tmp_path):
    transcript = {"id": "c1", "persona": "café founder", "probes": ["awkward_ending"], "turns": [
        {"user": "nej tak", "expect": "a polite close", "fail": "the handoff", "must_contain": ["tak"],
         "replies": [{"text": "Selv tak!", "buttons": [{"title": "Ja", "payload": "/affirm"}]}],
         "missing": [], "reply_ms": 12},
        {"user": "hallo?", "expect": "an answer", "fail": "silence", "must_contain": ["hej"],
         "replies": [{"error": "TimeoutError: timed out"}], "missing": ["hej"], "reply_ms": 60000},
    ]}
    text = markdown(transcript)
    for part in ("**User:** nej tak", "> Selv tak!", "[Ja]", "*Expected:* a polite close", "awkward ending",
                 "**Error:** TimeoutError", "*Missing strings:* hej"):
        assert part in text
    folder = write([transcript], tmp_path / "run", "http://localhost:1")
    assert sorted(path.name for path in folder.iterdir()) == ["01-c1.md", "index.md", "transcripts.json"]
    assert "| 1 | [c1](01-c1.md) | café founder | 2 | 1 | |" in (folder / "index.md").read_text(encoding="utf-8")


def test_a_number_in_must_contain_is_refused(tmp_path):
    path = tmp_path / "panel.yml"
    path.write_text("conversations:\n- id: c\n  persona: p\n  probes: []\n  turns:\n"
                    "  - {user: moms, expect: the threshold, fail: none, must_contain: [50.000]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="quote numbers"):
        load_conversations(path)
