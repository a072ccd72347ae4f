"""The test stories in tests/test_stories.yml, run end to end by `rasa test core --e2e`:
the user's text goes through the NLU, so a wrong intent fails a story too."""

import subprocess
import sys

from scripts.paths import ROOT
from tests.helpers import OUTPUT


def test_no_story_prediction_errors(model):
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--e2e", "--model", str(model), "--stories", "tests/test_stories.yml",
         "--fail-on-prediction-errors", "--out", str(OUTPUT / "core")],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    print(result.stdout[-4000:], result.stderr[-4000:])
    assert result.returncode == 0, (OUTPUT / "core" / "failed_test_stories.yml").read_text(errors="replace")
