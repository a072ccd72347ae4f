"""What one `make bench` run measured, as dataclasses.

docs/benchmarks.json is `dataclasses.asdict` of `Results`; scripts.bench.report
renders them. Times are in ms or s and memory in MB (2**20 bytes), as each field says;
shares and rates are 0..1.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from scripts.bench.settings import Settings
from scripts.learning.evaluate import Mistake, NluFigures


@dataclass(frozen=True)
class Latency:
    """Count, mean, p50, p95, p99 and max of latencies in ms, rounded to 0.1 ms; only `n` (0) when none."""

    n: int
    mean_ms: Optional[float] = None
    p50_ms: Optional[float] = None
    p95_ms: Optional[float] = None
    p99_ms: Optional[float] = None
    max_ms: Optional[float] = None


ByTurn = Dict[str, Latency]  # by bucket of 1-based turn indexes: "1", "2-5", ..., "46-50" (stats.TURN_BUCKETS)


@dataclass(frozen=True)
class NluScores:
    """One NLU pipeline's figures from `rasa test nlu`, rounded to 4 digits.

    The error rate counts a message once if its intent or, for a faq question, its faq
    answer is wrong (see scripts.learning.evaluate.NluFigures.misunderstood). The faq and
    entity figures are None when there is no such report.
    """

    messages: int
    intent_accuracy: float
    intent_macro_f1: float
    intent_error_rate: float
    faq_messages: Optional[int]
    faq_accuracy: Optional[float]
    faq_macro_f1: Optional[float]
    entity_macro_f1: Optional[float]
    error_rate: float

    @staticmethod
    def fields_of(figures: NluFigures) -> Dict[str, Optional[float]]:
        """The fields of NluScores for `figures`, for this class and its subclasses."""
        faq, entities = figures.faq, figures.entities
        return {
            "messages": figures.messages,
            "intent_accuracy": round(figures.intents.accuracy, 4),
            "intent_macro_f1": round(figures.intents.macro_f1, 4),
            "intent_error_rate": round(1 - figures.intents.accuracy, 4),
            "faq_messages": faq.examples if faq else None,
            "faq_accuracy": round(faq.accuracy, 4) if faq else None,
            "faq_macro_f1": round(faq.macro_f1, 4) if faq else None,
            "entity_macro_f1": round(entities.macro_f1, 4) if entities else None,
            "error_rate": round(figures.error_rate, 4),
        }

    @classmethod
    def of(cls, figures: NluFigures) -> "NluScores":
        """The scores of `figures`."""
        return cls(**NluScores.fields_of(figures))  # type: ignore[arg-type]


@dataclass(frozen=True)
class ReferenceScores(NluScores):
    """The reference pipeline's scores, with its training time (s, from an empty cache) and archive size (MB)."""

    training_s: float
    archive_mb: float


@dataclass(frozen=True)
class CrossValidation(NluScores):
    """Scores of the test folds taken together, the number of folds and the wall time in s."""

    folds: int
    seconds: float


@dataclass(frozen=True)
class Overlap:
    """How many held-out messages only the project, only the reference, or both misunderstood."""

    only_project: int
    only_reference: int
    both: int


@dataclass(frozen=True)
class Quality:
    """NLU quality: both pipelines on the held-out file, their ratios of error rates
    (project / reference, None if the reference makes no errors), and cross-validation (None: skipped)."""

    project: NluScores
    reference_pipeline: ReferenceScores
    error_ratio: Optional[float]
    intent_error_ratio: Optional[float]
    misunderstood: Overlap
    project_mistakes: Tuple[Mistake, ...]
    cross_validation: Optional[CrossValidation]
    # Both pipelines on the independent evaluation set tests/eval/ (None where it is absent).
    evaluation_project: Optional[NluScores] = None
    evaluation_reference: Optional[NluScores] = None


@dataclass(frozen=True)
class LevelResult:
    """One load level: `concurrency` conversations at a time through the REST channel.

    Attributes:
        messages, failed: messages sent, and those not answered with 200 and a JSON list.
        errors: failed messages by kind, e.g. {"HTTP 500": 2, "TimeoutError": 1}.
        elapsed_s: the level's wall time; throughput_msg_s: answered messages per s of it.
        latency, by_turn: of the answered messages, overall and by turn index.
        others_cpu_share: the share of all cores other processes used meanwhile.
        server_cpu_ms_per_msg: CPU time of the Rasa server per answered message (None: none answered).
    """

    concurrency: int
    conversations: int
    messages: int
    failed: int
    errors: Dict[str, int]
    elapsed_s: float
    throughput_msg_s: float
    latency: Latency
    by_turn: ByTurn
    others_cpu_share: float = 0.0
    server_cpu_ms_per_msg: Optional[float] = None


@dataclass(frozen=True)
class Serving:
    """An assistant served under load: the levels, the server's peak RSS and its RSS after the load (MB)."""

    levels: List[LevelResult]
    peak_rss_mb: float
    rss_mb: float

    def level(self, concurrency: int) -> LevelResult:
        """The level with `concurrency` conversations at a time.

        Raises:
            StopIteration: no such level was measured.
        """
        return next(level for level in self.levels if level.concurrency == concurrency)


@dataclass(frozen=True)
class Breakdown:
    """Where one message's time goes, in process: means in ms per message over `messages` messages.

    `parts` maps each graph node, tracker store step and the action server calls (and
    "everything else") to its mean; `total_by_turn` summarises whole messages by turn index;
    `parts_by_turns` holds the same means over the first and the last turns of the
    conversations (stats.FIRST_TURNS, LAST_TURNS), e.g. {"1-5": {...}, "46-50": {...}}.
    """

    messages: int
    total_ms: float
    parts: Dict[str, float]
    total_by_turn: ByTurn
    parts_by_turns: Dict[str, Dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class InProcess:
    """A model loaded in this process: NLU parse latency and the breakdown of whole messages."""

    parse: Latency
    breakdown: Breakdown


@dataclass(frozen=True)
class Assistant:
    """One assistant's speed and weight (training from an empty cache, in s; archive in MB)."""

    training_s: float
    archive_mb: float
    parse: Latency
    breakdown: Breakdown
    serving: Serving
    action_server_peak_rss_mb: Optional[float]


@dataclass(frozen=True)
class Machine:
    """What the run ran on: memory in GB, package versions by name, the spaCy pipeline used
    (`spacy_fallback`: spaCy's blank Danish, as da_core_news_sm is not installed)."""

    date: str
    git_commit: str
    cpu_model: str
    cores: int
    memory_gb: float
    os: str
    python: str
    versions: Dict[str, str]
    spacy_pipeline: str
    spacy_fallback: bool


@dataclass(frozen=True)
class Target:
    """A target of settings.TARGETS with the measured figures as text; `met` None when not measured."""

    target: str
    goal: str
    measured: str
    reference: str
    met: Optional[bool]


@dataclass(frozen=True)
class Results:
    """Everything one run measured; `assistants` by name ("project", "rasa_init").

    `quality` is None with --skip-quality. `duration_s` (the run's wall time),
    `others_cpu_share` and `targets` are filled in at the end of the run.
    """

    quick: bool
    config: str
    endpoints: str
    settings: Settings
    machine: Machine
    quality: Optional[Quality]
    assistants: Dict[str, Assistant]
    duration_s: int = 0
    others_cpu_share: float = 0.0
    targets: List[Target] = field(default_factory=list)

    @property
    def project(self) -> Assistant:
        """The project's assistant."""
        return self.assistants["project"]

    @property
    def rasa_init(self) -> Assistant:
        """The `rasa init` assistant, the reference."""
        return self.assistants["rasa_init"]

    def as_json(self) -> Dict:
        """The results as plain JSON-able data (docs/benchmarks.json)."""
        return dataclasses.asdict(self)
