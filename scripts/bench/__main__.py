"""`make bench`: python -m scripts.bench [--quick] [--skip-quality] [--skip-cross-validation] [--config FILE] [--endpoints FILE] [--out DIR]

1. trains the project's model (`rasa train`), Rasa's language-agnostic pipeline on
   the same data (`rasa train nlu`) and the `rasa init` assistant, each timed;
2. scores both NLU pipelines on the held-out file (`rasa test nlu`) and
   cross-validates the project's (`rasa test nlu --cross-validation`);
3. with the action server running, loads the project's and the `rasa init` model in
   this process: NLU parse latency, and the time of each part of one message in
   conversations of 50 messages (turn 50 against turn 1);
4. serves both through the REST channel and loads them with 1, 8 and 32 concurrent
   conversations; peak memory of the servers;
5. writes docs/benchmarks.md and docs/benchmarks.json and prints a summary.

--skip-quality leaves out the reference pipeline and steps 2, for trying changes
that touch only speed and weight; --skip-cross-validation leaves out only the
cross-validation (15+ min), e.g. when it is run on its own. Working files (models, logs, reports) go to a
temporary folder, removed on success and kept for inspection on failure.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Dict

import yaml

from scripts.bench import assistants, quality, report
from scripts.bench.machine import CpuMeter, describe
from scripts.bench.memory import peak_rss_mb
from scripts.bench.results import Assistant, NluScores, Quality, ReferenceScores, Results
from scripts.bench.settings import FULL, QUICK, Settings
from scripts.bench.workload import build_conversations, examples_by_intent, split
from scripts.paths import CONFIG, DATA, ENDPOINTS, EVAL_NLU, HELD_OUT_NLU, ROOT, shown
from scripts.serving.services import action_server, free_port

WARMUP_CONVERSATIONS = 2
LONG_SEED = 50  # the long conversations' draw, apart from the others'


class Progress:
    """Prints numbered steps with the time since the start."""

    def __init__(self) -> None:
        self._start = time.perf_counter()

    def __call__(self, message: str) -> None:
        """Prints `message` after the elapsed minutes and seconds."""
        minutes, seconds = divmod(int(time.perf_counter() - self._start), 60)
        print(f"[bench {minutes:3d}:{seconds:02d}] {message}", flush=True)


def plan_conversations(examples: Dict[str, list], settings: Settings) -> Dict[str, Any]:
    """The conversations one assistant gets: warm-up, in-process timing (each `settings.long_turns`
    long, for the turn-50 figure), and one set per load level."""
    sizes = [WARMUP_CONVERSATIONS, 1, *settings.conversations_per_level]
    warmup, breakdown_warmup, *levels = split(build_conversations(examples, sum(sizes), settings.turns), sizes)
    long = (settings.long_turns, settings.long_turns)
    timed = build_conversations(examples, settings.breakdown_conversations, long, seed=LONG_SEED)
    return {"warmup": warmup, "breakdown_warmup": breakdown_warmup[0], "timed": timed, "levels": levels}


def train_all(settings: Settings, config: Path, work: Path, progress: Progress,
              with_reference_pipeline: bool = True) -> Dict[str, assistants.Trained]:
    """Trains the project, the reference pipeline (if asked) and the `rasa init` assistant."""
    project_config = yaml.safe_load(config.read_text(encoding="utf-8"))
    configs = {
        "project": assistants.write_yaml(assistants.with_epochs(project_config, settings.epochs), work / "config-project.yml"),
        "reference_pipeline": assistants.write_yaml(
            assistants.with_epochs(assistants.reference_pipeline(project_config), settings.epochs),
            work / "config-reference-pipeline.yml",
        ),
    }
    progress(f"Training the project's model with {config.name} (rasa train)")
    trained = {"project": assistants.train_project(ROOT, configs["project"], work)}
    if with_reference_pipeline:
        progress("Training Rasa's language-agnostic pipeline on the same data (rasa train nlu)")
        trained["reference_pipeline"] = assistants.train_nlu(ROOT, configs["reference_pipeline"], work, "reference-pipeline")
    progress("Creating and training the rasa init assistant (rasa init --no-prompt)")
    trained["rasa_init"] = assistants.init_assistant(work)
    return trained


def measure_quality(settings: Settings, trained: Dict[str, assistants.Trained], work: Path, progress: Progress,
                    cross_validate: bool = True) -> Quality:
    """Held-out scores of both pipelines, their error ratios, and (if `cross_validate`) cross-validation of the project's."""
    progress(f"Scoring both NLU pipelines on {shown(HELD_OUT_NLU)} (rasa test nlu)")
    project_figures = quality.held_out_figures(trained["project"].model, HELD_OUT_NLU, work / "test-project")
    reference_figures = quality.held_out_figures(trained["reference_pipeline"].model, HELD_OUT_NLU, work / "test-reference")
    project = NluScores.of(project_figures)
    reference = ReferenceScores(**NluScores.fields_of(reference_figures),  # type: ignore[arg-type]
                                training_s=trained["reference_pipeline"].training_s,
                                archive_mb=trained["reference_pipeline"].archive_mb)
    evaluation = {}
    if EVAL_NLU.is_dir():
        progress(f"Scoring both NLU pipelines on {shown(EVAL_NLU)} (rasa test nlu)")
        evaluation = {f"evaluation_{name}": NluScores.of(quality.held_out_figures(trained[key].model, EVAL_NLU, work / f"eval-{name}"))
                      for name, key in (("project", "project"), ("reference", "reference_pipeline"))}
    if cross_validate:
        progress(f"{settings.folds}-fold cross-validation of the project's pipeline on data/")
    return Quality(
        **evaluation,
        project=project,
        reference_pipeline=reference,
        error_ratio=quality.error_ratio(project.error_rate, reference.error_rate),
        intent_error_ratio=quality.error_ratio(project.intent_error_rate, reference.intent_error_rate),
        misunderstood=quality.overlap(project_figures, reference_figures),
        project_mistakes=project_figures.mistakes,
        cross_validation=quality.cross_validation_scores(
            work / "config-project.yml", DATA, settings.folds, work / "cross-validation"
        ) if cross_validate else None,
    )


def measure_speed(settings: Settings, trained: Dict[str, assistants.Trained], endpoints: Path, work: Path,
                  progress: Progress) -> Dict[str, Assistant]:
    """In-process and end-to-end figures of the project (served with `endpoints`) and the `rasa init` assistant."""
    from scripts.bench.inprocess import measure_in_process, quiet_rasa_logs
    from scripts.bench.serving import Served, ignore_tracker_store_overrides, measure_servers, write_endpoints

    plans = {
        "project": plan_conversations(examples_by_intent(HELD_OUT_NLU), settings),
        "rasa_init": plan_conversations(examples_by_intent(work / "init" / "data" / "nlu.yml"), settings),
    }
    held_out = [text for texts in examples_by_intent(HELD_OUT_NLU).values() for text in texts]
    parse_texts = list(itertools.islice(itertools.cycle(held_out), settings.parse_messages))
    models = {name: trained[name].model for name in plans}
    port = free_port()
    action_url = f"http://localhost:{port}/webhook"
    sources = {"project": endpoints, "rasa_init": work / "init" / "endpoints.yml"}
    bench_endpoints = {name: write_endpoints(source, action_url, work / f"endpoints-{name}.yml")
                       for name, source in sources.items()}
    ignore_tracker_store_overrides()

    progress("Starting the project's action server")
    with action_server(port=port, log_path=work / "action-server.log") as actions:
        progress(f"In process: parsing {len(parse_texts)} messages per model, timing each part of a message")
        quiet_rasa_logs()
        in_process = measure_in_process(
            models, bench_endpoints, parse_texts,
            {name: plan["breakdown_warmup"] for name, plan in plans.items()},
            {name: plan["timed"] for name, plan in plans.items()},
        )
        progress(f"Serving both; {', '.join(map(str, settings.concurrency))} concurrent conversations through REST")
        served = {name: Served(models[name], bench_endpoints[name], work / f"rasa-server-{name}.log",
                               plan["warmup"], plan["levels"])
                  for name, plan in plans.items()}
        serving = measure_servers(served, settings.concurrency, settings.level_time_limit_s, [actions.pid])
        action_rss = peak_rss_mb(actions.pid)
    return {
        name: Assistant(
            training_s=trained[name].training_s,
            archive_mb=trained[name].archive_mb,
            parse=in_process[name].parse,
            breakdown=in_process[name].breakdown,
            serving=serving[name],
            action_server_peak_rss_mb=action_rss if name == "project" else None,
        )
        for name in plans
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the assistant beside Rasa's defaults.")
    parser.add_argument("--quick", action="store_true", help="a short development run; figures are not comparable")
    parser.add_argument("--skip-quality", action="store_true", help="no NLU scores, for trying speed changes")
    parser.add_argument("--skip-cross-validation", action="store_true",
                        help="NLU scores on the held-out files only, without the cross-validation")
    parser.add_argument("--config", type=Path, default=CONFIG, help="the project config to measure")
    parser.add_argument("--endpoints", type=Path, default=ENDPOINTS,
                        help="the project's endpoints.yml to serve with (its action endpoint is replaced)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where benchmarks.md and .json go")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # Rasa's dependencies, on import
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")  # Rasa's tracker store, on import
    settings = QUICK if args.quick else FULL
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    progress, whole_run = Progress(), CpuMeter()
    started = time.perf_counter()
    progress(f"{'QUICK run: figures are not comparable to a full run. ' if settings.quick else ''}Working in {work}")
    try:
        trained = train_all(settings, args.config, work, progress, with_reference_pipeline=not args.skip_quality)
        results = Results(
            quick=settings.quick,
            config=shown(args.config),
            endpoints=shown(args.endpoints),
            settings=settings,
            machine=describe(ROOT),
            quality=None if args.skip_quality else measure_quality(settings, trained, work, progress,
                                                                             not args.skip_cross_validation),
            assistants=measure_speed(settings, trained, args.endpoints, work, progress),
        )
    except (RuntimeError, ValueError, OSError) as error:
        sys.exit(f"bench: {error}\nWorking files kept in {work}")
    results = dataclasses.replace(results, duration_s=round(time.perf_counter() - started),
                                  others_cpu_share=whole_run.others_share())
    results = dataclasses.replace(results, targets=report.targets(results))
    markdown, json_path = report.write(results, args.out)
    print(report.summary(results))
    print(f"\nWritten: {shown(markdown)}, {json_path.name}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
