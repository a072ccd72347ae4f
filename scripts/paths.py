"""Where things are: the project folder, the files and folders the operator tools share,
and the Rasa command line of this Python.

Every operator tool takes its shared paths from here, so no tool imports another just
to find a file. A path only one module uses stays in that module.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the project folder

# Rasa's project files
CONFIG = ROOT / "config.yml"
DOMAIN = ROOT / "domain.yml"
ENDPOINTS = ROOT / "endpoints.yml"
CREDENTIALS = ROOT / "credentials.yml"
DATA = ROOT / "data"  # training data: nlu/, rules/, stories/, responses/
NLU_DATA = DATA / "nlu"

# Held-out tests of a model (never trained on)
EVAL_NLU = ROOT / "tests" / "eval"  # written apart from data/ (issue 10): the independent evaluation set
HELD_OUT_NLU = ROOT / "tests" / "nlu"  # Rasa NLU YAML, about a fifth of each label's examples
TEST_STORIES = ROOT / "tests" / "test_stories.yml"  # end-to-end test stories (user texts)

# What the tools write (all gitignored)
MODELS = ROOT / "models"  # served models; Rasa serves the newest archive here
CANDIDATES = MODELS / "candidates"  # models `make retrain` trained and has not promoted
RESULTS = ROOT / "results"  # one folder per `make retrain`, and review/ for exported conversations
LOGS = ROOT / "logs"  # logs of the services `make run` and `make shell` start

RASA = [sys.executable, "-m", "rasa"]  # the Rasa command line of the Python running the tools


def shown(path: Path) -> str:
    """`path` as shown to operators: relative to the project folder if it is inside it, else as given."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else path)
