"""The test stories in tests/test_stories.yml, run end to end by `rasa test core --e2e`:
the user's text goes through the NLU, so a wrong intent fails a story too."""

import pytest

from scripts.learning.evaluate import RasaCommandFailed, run_rasa
from scripts.paths import TEST_STORIES
from tests.helpers import OUTPUT


def test_no_story_prediction_errors(model):
    out, log = OUTPUT / "core", OUTPUT / "test-core.log"
    log.unlink(missing_ok=True)
    try:
        run_rasa(["test", "core", "--e2e", "--model", str(model), "--stories", str(TEST_STORIES),
                  "--fail-on-prediction-errors", "--out", str(out)], log, timeout_s=900)
    except RasaCommandFailed as error:
        failed = out / "failed_test_stories.yml"
        pytest.fail(f"{error}\n{failed.read_text(errors='replace') if failed.exists() else ''}")
