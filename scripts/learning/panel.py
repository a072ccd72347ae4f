"""`make panel`: replay the panel's typed conversations and write transcripts for a person to judge.

    python -m scripts.learning.panel                  start the assistant on free ports (the model
                                                      matching the current data, trained if none does)
    python -m scripts.learning.panel --port 6800      start them on 6800 (Rasa) and 6801 (actions)
    python -m scripts.learning.panel --url URL        use an assistant that is already running at URL
    python -m scripts.learning.panel --only ID ...    replay only these conversations
    python -m scripts.learning.panel --conversations tests/panel/round2.yml   replay the second round
    python -m scripts.learning.panel --conversations tests/panel/round3.yml   replay the third round
    python -m scripts.learning.panel --conversations tests/panel/round4.yml   replay the fourth round

The panel (tests/panel/conversations.yml, issue 10) holds conversations written as founders
type them, with what a fully satisfactory answer must contain. Each conversation goes through
the REST channel as typed text (no button payloads) under its own sender id. The transcripts go
to results/panel/<time>-<panel file>/: one markdown file per conversation (each user turn, the bot's replies
and buttons, the expectation, and which of the turn's `must_contain` strings are missing),
index.md (an overview with an empty judgement column) and transcripts.json. The strings are a
hint only: a person judges each conversation as a founder would (docs/conversation-review.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

import yaml

from scripts.bench.serving import write_endpoints
from scripts.learning.registry import find_or_train_candidate
from scripts.paths import ROOT
from scripts.serving.services import action_server, free_port, rasa_server

CONVERSATIONS = ROOT / "tests" / "panel" / "conversations.yml"
ROUND_2 = ROOT / "tests" / "panel" / "round2.yml"  # written later, by another writer who had not read data/
ROUND_3 = ROOT / "tests" / "panel" / "round3.yml"  # a third writer, who had read neither data/ nor rounds 1–2
ROUND_4 = ROOT / "tests" / "panel" / "round4.yml"  # a fourth writer, who had read neither data/ nor rounds 1–3
ROUND_5 = ROOT / "tests" / "panel" / "round5.yml"  # a fifth writer, who had read neither data/ nor rounds 1–4
ROUND_6 = ROOT / "tests" / "panel" / "round6.yml"  # a sixth writer, who had read neither data/ nor rounds 1–5
ROUND_7 = ROOT / "tests" / "panel" / "round7.yml"  # a seventh writer, who had read neither data/ nor rounds 1–6
ROUND_8 = ROOT / "tests" / "panel" / "round8.yml"  # an eighth writer, who had read neither data/ nor rounds 1–7
ROUND_9 = ROOT / "tests" / "panel" / "round9.yml"  # a ninth writer, who had read neither data/ nor rounds 1–8
RESULTS = ROOT / "results" / "panel"
WEBHOOK = "/webhooks/rest/webhook"
REPLY_TIMEOUT_S = 60.0

# The failure classes of issue 10's table, and its fallback on compounds and long messages;
# a conversation's `probes` name the ones it tests.
FAILURE_CLASSES: Dict[str, str] = {
    "generic_topic_text": "generic topic text for a specific question",
    "wrong_topic_confident": "wrong topic, stated with confidence",
    "no_knowledge_adjacent": "no knowledge at all for an adjacent question",
    "follow_up_loses_thread": "follow-up loses the thread",
    "guided_advice_loops": "guided advice loops or rejects typed answers",
    "advice_instead_of_answer": "guided advice starts instead of an answer",
    "awkward_ending": "awkward ending",
    "same_answer_twice": "the same answer twice in a row",
    "content_only_in_form": "content reachable only through the form",
    "several_questions_one_answered": "several questions in one message, one answered",
    "frustration": "frustration",
    "fallback_on_answerable": "an answerable question falls back (long message, compound, typo)",
}


def load_conversations(path: Path = CONVERSATIONS, only: Sequence[str] = ()) -> List[Dict[str, Any]]:
    """The panel's conversations from `path`, in file order (only those with an id in `only`, if given).

    Returns:
        [{"id": str, "persona": str, "probes": [failure class], "turns": [{"user": str,
        "expect": str, "fail": str, "must_contain": [str, ...]}, ...]}, ...]

    Raises:
        ValueError: a conversation names an unknown failure class, a turn lacks user, expect
            or fail as text, `must_contain` holds something other than text (YAML reads an
            unquoted 50.000 as a number), or an id in `only` is not in the file.
    """
    conversations = yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
    for conversation in conversations:
        unknown = set(conversation.get("probes", [])) - set(FAILURE_CLASSES)
        if unknown:
            raise ValueError(f"{conversation['id']}: unknown failure classes {sorted(unknown)}")
        for turn in conversation["turns"]:
            if not all(isinstance(turn.get(key), str) for key in ("user", "expect", "fail")):
                raise ValueError(f"{conversation['id']}: a turn needs user, expect and fail as text: {turn}")
            turn.setdefault("must_contain", [])
            if not all(isinstance(entry, str) for entry in turn["must_contain"]):
                raise ValueError(f"{conversation['id']}: must_contain takes text only (quote numbers): {turn}")
    missing_ids = set(only) - {conversation["id"] for conversation in conversations}
    if missing_ids:
        raise ValueError(f"no conversation with the id(s) {sorted(missing_ids)} in {path}")
    return [conversation for conversation in conversations if not only or conversation["id"] in only]


def say(url: str, sender: str, text: str) -> List[Dict[str, Any]]:
    """Sends `text` as `sender` through the REST channel at `url`; returns the bot's messages.

    Returns:
        Rasa's REST replies, [{"recipient_id", "text", "buttons": [{"title", "payload"}], ...}],
        or one {"error": str} if the request failed (status, timeout after REPLY_TIMEOUT_S s),
        so that one bad turn never stops the panel.
    """
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(url + WEBHOOK, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=REPLY_TIMEOUT_S) as response:
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError) as error:
        return [{"error": f"{type(error).__name__}: {error}"}]


def reply_text(replies: List[Dict[str, Any]]) -> str:
    """All the text the user sees in `replies`: messages and button titles, one per line."""
    lines = []
    for reply in replies:
        lines += [reply.get("text") or ""] + [button.get("title", "") for button in reply.get("buttons") or []]
    return "\n".join(lines)


def missing_strings(must_contain: Sequence[str], replies: List[Dict[str, Any]]) -> List[str]:
    """The entries of `must_contain` the replies lack (case-insensitive; "a | b": either will do)."""
    seen = reply_text(replies).lower()
    return [entry for entry in must_contain
            if not any(option.strip().lower() in seen for option in entry.split("|"))]


def replay(url: str, conversations: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Replays each conversation turn by turn under its own new sender id.

    Returns:
        The conversations, each turn with "replies" (see `say`), "missing" (see
        `missing_strings`) and "reply_ms" (the time to the answer, in ms) added.
    """
    transcripts = []
    for conversation in conversations:
        sender = f"panel-{conversation['id']}-{uuid.uuid4().hex[:8]}"
        turns = []
        for turn in conversation["turns"]:
            started = time.monotonic()
            replies = say(url, sender, turn["user"])
            turns.append({**turn, "replies": replies, "missing": missing_strings(turn["must_contain"], replies),
                          "reply_ms": round((time.monotonic() - started) * 1000)})
        transcripts.append({**conversation, "turns": turns})
        hints = sum(bool(turn["missing"]) for turn in turns)
        print(f"panel: {conversation['id']}: {len(turns)} turns, {hints} with missing strings", flush=True)
    return transcripts


def markdown(transcript: Dict[str, Any]) -> str:
    """One conversation as markdown: persona, probes, and per turn the user, the bot, the expectation."""
    probes = ", ".join(FAILURE_CLASSES[name] for name in transcript.get("probes", [])) or "none"
    lines = [f"# {transcript['id']}", "", f"Persona: {transcript['persona']}  ", f"Probes: {probes}", ""]
    for number, turn in enumerate(transcript["turns"], start=1):
        lines += [f"## Turn {number}", "", f"**User:** {turn['user']}", ""]
        for reply in turn["replies"]:
            if "error" in reply:
                lines.append(f"**Error:** {reply['error']}")
            if reply.get("text"):
                lines += ["**Bot:**", ""] + [f"> {line}" for line in reply["text"].splitlines()]
            if reply.get("image"):
                lines.append(f"> (image: {reply['image']})")
            if reply.get("buttons"):
                lines += ["", "Buttons: " + " · ".join(f"[{button.get('title', '')}]" for button in reply["buttons"])]
            lines.append("")
        if not turn["replies"]:
            lines += ["**Bot:** (no reply)", ""]
        lines += [f"*Expected:* {turn['expect']}  ", f"*Fails if:* {turn['fail']}  "]
        if turn["missing"]:
            lines.append(f"*Missing strings:* {', '.join(turn['missing'])}  ")
        lines += [f"*Reply time:* {turn['reply_ms']} ms", ""]
    lines += ["## Judgement", "", "fully satisfactory / partly / failed, and why (failure class):", ""]
    return "\n".join(lines)


def index(transcripts: List[Dict[str, Any]], url: str) -> str:
    """The overview: one row per conversation, with the automatic hint and a column to judge in."""
    lines = [
        "# Panel transcripts",
        "",
        f"{len(transcripts)} conversations replayed through {url}{WEBHOOK}. \"Missing\" counts the turns whose",
        "`must_contain` strings the replies lack: a hint, not the judgement.",
        "",
        "| # | conversation | persona | turns | missing | judgement |",
        "|---|---|---|---|---|---|",
    ]
    for number, transcript in enumerate(transcripts, start=1):
        missing = sum(bool(turn["missing"]) for turn in transcript["turns"])
        lines.append(f"| {number} | [{transcript['id']}]({number:02d}-{transcript['id']}.md) | {transcript['persona']} "
                     f"| {len(transcript['turns'])} | {missing} | |")
    lines += ["", "Failure classes (issue 10):", ""] + [f"- `{name}`: {text}" for name, text in FAILURE_CLASSES.items()]
    return "\n".join(lines) + "\n"


def write(transcripts: List[Dict[str, Any]], folder: Path, url: str) -> Path:
    """Writes the transcripts to `folder` (created): NN-<id>.md each, index.md, transcripts.json."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, transcript in enumerate(transcripts, start=1):
        (folder / f"{number:02d}-{transcript['id']}.md").write_text(markdown(transcript), encoding="utf-8")
    (folder / "index.md").write_text(index(transcripts, url), encoding="utf-8")
    (folder / "transcripts.json").write_text(json.dumps(transcripts, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


@contextlib.contextmanager
def started_assistant(logs: Path, port: Optional[int] = None) -> Iterator[str]:
    """Starts a Rasa server and the action server; yields the Rasa server's URL.

    The Rasa server listens on `port` and the action server on `port` + 1; without `port`,
    both on free ports.
    The model is the one matching the current data and config (trained now if none does,
    ~4 min; never promoted). Conversations go to a temporary SQLite tracker store that is
    deleted afterwards, never to the real one. Server logs go to `logs`.
    """
    rasa_port, action_port = (port, port + 1) if port else (free_port(), free_port())
    with tempfile.TemporaryDirectory(prefix="panel-") as scratch:
        endpoints = write_endpoints(ROOT / "endpoints.yml", f"http://localhost:{action_port}/webhook",
                                    Path(scratch) / "endpoints.yml")
        with action_server(port=action_port, log_path=logs / "action-server.log"), \
                rasa_server(find_or_train_candidate(), port=rasa_port, endpoints=str(endpoints), log_path=logs / "rasa-server.log"):
            yield f"http://localhost:{rasa_port}"


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="base URL of a running assistant, e.g. http://localhost:5005")
    parser.add_argument("--port", type=int, help="start the Rasa server on this port, the action server on the next")
    parser.add_argument("--conversations", type=Path, default=CONVERSATIONS, help="the panel file")
    parser.add_argument("--only", nargs="*", default=(), help="replay only the conversations with these ids")
    args = parser.parse_args(argv)
    conversations = load_conversations(args.conversations, args.only)
    folder = RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{args.conversations.stem}"  # two panels may run at once
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.nullcontext(args.url.rstrip("/")) if args.url else started_assistant(folder, args.port) as url:
        write(replay(url, conversations), folder, url)
    print(f"panel: {len(conversations)} transcripts in {folder.relative_to(ROOT)}/ (start with index.md)")


if __name__ == "__main__":
    main()
