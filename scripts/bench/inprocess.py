"""In-process figures of a loaded model: NLU parse latency, and where one message's time goes.

Each graph node (pipeline component, policy, ...) is timed with Rasa's own
`GraphNodeHook`; the tracker store's retrieve and save are timed too, because the
tracker is loaded, replayed and stored on every message.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
import uuid
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.engine.graph import ExecutionContext, GraphNodeHook, GraphSchema
from rasa.engine.loader import load_predict_graph_runner
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.log_utils import configure_structlog

from scripts.bench.results import Breakdown, InProcess
from scripts.bench.stats import FIRST_TURNS, LAST_TURNS, by_turn, latency_summary

TRACKER_RETRIEVE, TRACKER_SAVE = "tracker store: retrieve", "tracker store: save"
CUSTOM_ACTIONS = "custom actions (action server round trips)"
OUTSIDE = "everything else (events, responses, Rasa's own actions)"


def quiet_rasa_logs() -> None:
    """Lets Rasa log only warnings and errors in this process (its debug logs slow it down).

    Deprecation warnings of Rasa's dependencies are silenced too.
    """
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    warnings.filterwarnings("ignore", category=DeprecationWarning)


class Stopwatch:
    """Milliseconds summed by name until taken."""

    def __init__(self) -> None:
        self._ms: Dict[str, float] = defaultdict(float)

    def add(self, name: str, start: float) -> None:
        """Adds the time since `start` (a time.perf_counter() value) to `name`."""
        self._ms[name] += (time.perf_counter() - start) * 1000

    def take(self) -> Dict[str, float]:
        """The sums in ms by name, in the order first added; starts afresh."""
        taken, self._ms = dict(self._ms), defaultdict(float)
        return taken


class NodeTimer(GraphNodeHook):
    """Adds each graph node's run time to a `Stopwatch`, under the node's name without "run_"."""

    def __init__(self, stopwatch: Stopwatch) -> None:
        self._stopwatch = stopwatch

    def on_before_node(self, node_name: str, execution_context: ExecutionContext, config: Dict[str, Any],
                       received_inputs: Dict[str, Any]) -> Dict:
        """Notes the start time."""
        return {"start": time.perf_counter()}

    def on_after_node(self, node_name: str, execution_context: ExecutionContext, config: Dict[str, Any],
                      output: Any, input_hook_data: Dict) -> None:
        """Adds the node's time."""
        self._stopwatch.add(node_name.removeprefix("run_"), input_hook_data["start"])


class TimedTrackerStore(FailSafeTrackerStore):
    """A tracker store with retrieve and save timed on a `Stopwatch`; otherwise it is `tracker_store`."""

    def __init__(self, tracker_store: TrackerStore, stopwatch: Stopwatch) -> None:
        super().__init__(tracker_store)
        self._stopwatch = stopwatch

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The wrapped store's retrieve, timed."""
        start = time.perf_counter()
        try:
            return await super().retrieve(sender_id)
        finally:
            self._stopwatch.add(TRACKER_RETRIEVE, start)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """The wrapped store's save, timed."""
        start = time.perf_counter()
        try:
            await super().save(tracker)
        finally:
            self._stopwatch.add(TRACKER_SAVE, start)


class TimedEndpointConfig(EndpointConfig):
    """A copy of the action endpoint whose requests, the custom actions, are timed on a `Stopwatch`."""

    def __init__(self, endpoint: EndpointConfig, stopwatch: Stopwatch) -> None:
        super().__init__(endpoint.url, endpoint.params, endpoint.headers, endpoint.basic_auth, endpoint.token,
                         endpoint.token_name, endpoint.cafile, **endpoint.kwargs)
        self._stopwatch = stopwatch

    async def request(self, *args: Any, **kwargs: Any) -> Optional[Any]:
        """Rasa's request to the action server, timed."""
        start = time.perf_counter()
        try:
            return await super().request(*args, **kwargs)
        finally:
            self._stopwatch.add(CUSTOM_ACTIONS, start)


class LoadedModel:
    """A model loaded in this process, with a plain and a node-timed graph runner.

    Args:
        model: the model archive.
        endpoints: the endpoints.yml whose action server and tracker store it uses, as the server does.
    """

    def __init__(self, model: Path, endpoints: Path) -> None:
        self.stopwatch = Stopwatch()
        available = AvailableEndpoints.read_endpoints(str(endpoints))
        tracker_store = TimedTrackerStore(TrackerStore.create(available.tracker_store), self.stopwatch)
        actions = TimedEndpointConfig(available.action, self.stopwatch) if available.action else None
        self.agent = Agent.load(model, tracker_store=tracker_store, action_endpoint=actions)
        self._plain_runner = self.agent.processor.graph_runner
        stopwatch = self.stopwatch

        class TimedGraphRunner(DaskGraphRunner):
            @classmethod
            def create(cls, graph_schema: GraphSchema, model_storage: ModelStorage,
                       execution_context: ExecutionContext, hooks: Optional[List[GraphNodeHook]] = None) -> DaskGraphRunner:
                return cls(graph_schema, model_storage, execution_context, [*(hooks or []), NodeTimer(stopwatch)])

        with tempfile.TemporaryDirectory() as storage:
            _, self._timed_runner = load_predict_graph_runner(Path(storage), model, LocalModelStorage, TimedGraphRunner)

    def parse_latencies_ms(self, texts: Sequence[str]) -> List[float]:
        """Parses each text with the NLU pipeline alone (no hooks); returns each latency in ms."""
        self.agent.processor.graph_runner = self._plain_runner

        async def parse_all() -> List[float]:
            latencies = []
            for text in texts:
                start = time.perf_counter()
                await self.agent.parse_message(text)
                latencies.append((time.perf_counter() - start) * 1000)
            return latencies

        return asyncio.run(parse_all())

    def time_conversations(self, conversations: Sequence[List[str]]) -> List[Dict[str, Any]]:
        """Handles each message like the server does, timing every part of it.

        Returns:
            One dict per message: {"turn": 1-based index, "total_ms": float,
            "parts": {node or tracker-store step: ms}}.
        """
        self.agent.processor.graph_runner = self._timed_runner

        async def run_all() -> List[Dict[str, Any]]:
            records = []
            for conversation in conversations:
                sender = f"bench-{uuid.uuid4().hex[:8]}"
                for turn, text in enumerate(conversation, start=1):
                    self.stopwatch.take()
                    start = time.perf_counter()
                    await self.agent.handle_text(text, sender_id=sender)
                    total_ms = (time.perf_counter() - start) * 1000
                    records.append({"turn": turn, "total_ms": total_ms, "parts": self.stopwatch.take()})
            return records

        return asyncio.run(run_all())


def _mean_parts(records: Sequence[Dict[str, Any]]) -> Dict[str, float]:
    """Mean ms per message of each part of `records`, OUTSIDE being the rest of the whole message."""
    n = len(records)
    parts: Dict[str, float] = defaultdict(float)
    for record in records:
        for name, ms in record["parts"].items():
            parts[name] += ms / n
    parts[OUTSIDE] = sum(r["total_ms"] for r in records) / n - sum(parts.values())
    return {name: round(ms, 2) for name, ms in parts.items()}


def breakdown(records: Sequence[Dict[str, Any]]) -> Breakdown:
    """Mean time per message of each part (OUTSIDE: the rest), overall and over the first and the
    last turns (stats.FIRST_TURNS, LAST_TURNS), and of the whole message by turn index.

    Args:
        records: from `LoadedModel.time_conversations`.
    """
    spans = {f"{low}-{high}": [r for r in records if low <= r["turn"] <= high] for low, high in (FIRST_TURNS, LAST_TURNS)}
    return Breakdown(
        messages=len(records),
        total_ms=round(sum(r["total_ms"] for r in records) / len(records), 2),
        parts=_mean_parts(records),
        total_by_turn=by_turn((r["turn"], r["total_ms"]) for r in records),
        parts_by_turns={span: _mean_parts(found) for span, found in spans.items() if found},
    )


PARSE_BLOCK = 100  # messages parsed by one model before the next takes its turn


def measure_in_process(
    models: Dict[str, Path],
    endpoints: Dict[str, Path],
    parse_texts: Sequence[str],
    warmup: Dict[str, List[str]],
    conversations: Dict[str, Sequence[List[str]]],
) -> Dict[str, InProcess]:
    """Parse latency and breakdown of several models loaded side by side, measured in turns.

    The models take turns (blocks of PARSE_BLOCK parses, one conversation each), so
    a busy machine weighs on all of them alike.

    Args:
        models: model archives by name.
        endpoints: by name, the endpoints.yml to use (see `LoadedModel`).
        parse_texts: the messages every model parses, in order.
        warmup: by name, one conversation handled before timing.
        conversations: by name, the conversations to time node by node.

    Returns:
        By name: the parse latency and the breakdown.
    """
    loaded = {name: LoadedModel(path, endpoints[name]) for name, path in models.items()}
    parse_ms: Dict[str, List[float]] = defaultdict(list)
    for start in range(0, len(parse_texts), PARSE_BLOCK):
        for name, model in loaded.items():
            parse_ms[name] += model.parse_latencies_ms(parse_texts[start:start + PARSE_BLOCK])
    records: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for name, model in loaded.items():
        model.time_conversations([warmup[name]])
    for index in range(max(len(c) for c in conversations.values())):
        for name, model in loaded.items():
            records[name] += model.time_conversations(conversations[name][index:index + 1])
    return {name: InProcess(latency_summary(parse_ms[name]), breakdown(records[name])) for name in loaded}
