#!/usr/bin/env bash
# Creates .venv with the pinned dependencies and tries to install the Danish spaCy
# pipeline da_core_news_sm 3.4.0 from its official release. Safe to run again: it
# only reinstalls when requirements.txt or constraints.txt changed. Then installs the
# chat widget with npm (see the end).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.installed"
SPACY_MODEL_URL="https://github.com/explosion/spacy-models/releases/download/da_core_news_sm-3.4.0/da_core_news_sm-3.4.0-py3-none-any.whl"

find_python() {
  # Rasa 3.6 runs on Python <= 3.10. pyenv shims answer "command not found" when
  # 3.10 is installed but not selected, so ask pyenv for its 3.10 directly too.
  local candidate
  for candidate in "${PYTHON:-}" python3.10; do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.10*/bin/python3.10; do
      [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
  fi
  return 1
}

wanted="$(cat requirements.txt constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$wanted" ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    python="$(find_python)" || { echo "setup: Python 3.10 not found (Rasa 3.6 needs it). Install it, or set PYTHON=/path/to/python3.10." >&2; exit 1; }
    echo "setup: creating $VENV with $python"
    "$python" -m venv "$VENV"
  fi
  echo "setup: installing pinned dependencies (first time: about 2 minutes, 2.7 GB)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pip==24.0
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
  rm -f "$VENV/.spacy-model-tried"
  echo "$wanted" > "$STAMP"
fi

# The official Danish pipeline is published only as a release file on GitHub.
# Try it once per install; `make spacy-model` tries again.
if [ ! -f "$VENV/.spacy-model-tried" ] || [ "${1:-}" = "--spacy-model" ]; then
  touch "$VENV/.spacy-model-tried"
  if ! "$VENV/bin/python" -c 'import da_core_news_sm' 2>/dev/null; then
    if "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --timeout 15 --retries 1 "$SPACY_MODEL_URL" 2>/dev/null; then
      echo "setup: installed da_core_news_sm 3.4.0"
    else
      cat >&2 <<MSG
WARNING: the Danish spaCy pipeline da_core_news_sm 3.4.0 could not be installed
(no access to $SPACY_MODEL_URL).
The assistant will train and run with spaCy's built-in Danish language data
instead: tokenizer, stop words and lookup lemmas, but no trained tagger, parser or
lemmatizer. To get the real pipeline where the internet is reachable, run:
    make spacy-model
(or: .venv/bin/pip install $SPACY_MODEL_URL)
MSG
    fi
  fi
fi

# The web chat widget (rasa-webchat, pinned in package-lock.json), served by `make run`.
# `npm ci` runs only when node_modules/ is missing or the lock file changed; no
# package's install scripts run (the page only needs the widget's prebuilt bundle).
WIDGET_STAMP=node_modules/.installed
if command -v npm >/dev/null 2>&1; then
  wanted_widget="$(sha256sum package-lock.json | cut -c1-16)"
  if [ ! -f "$WIDGET_STAMP" ] || [ "$(cat "$WIDGET_STAMP")" != "$wanted_widget" ]; then
    echo "setup: installing the chat widget (npm ci, about 30 s)"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    echo "$wanted_widget" > "$WIDGET_STAMP"
  fi
elif [ ! -f "$WIDGET_STAMP" ]; then
  echo "WARNING: npm not found, so the chat widget is not installed and \`make run\` cannot serve the chat page." >&2
  echo "         Install Node.js with npm (Debian: apt-get install npm) and run \`make setup\` again." >&2
fi
