"""`make bench`: accuracy, speed and weight of the assistant beside Rasa's defaults.

Run `python -m scripts.bench [--quick]`. It trains the project's model, a model of
Rasa's language-agnostic pipeline on the same data, and the `rasa init` assistant,
measures them side by side, prints a summary and writes docs/benchmarks.md and
docs/benchmarks.json (see scripts/bench/__main__.py for the steps).
"""
