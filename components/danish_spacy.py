"""Danish spaCy pipeline for Rasa's NLU, with a recorded fallback.

`config.yml` names the official pipeline `da_core_news_sm` 3.4.0. Where that
package is not installed (it is published only as a GitHub release file), this
component builds spaCy's own Danish language data instead: the Danish tokenizer,
stop words and the lookup lemmas of `spacy-lookups-data`. Those lemmas (553,116 words)
took about 210 MB of the server's memory as spaCy's in-memory table (260 MB while being
read); here they are read from a 2.5 MB marisa-trie file, built once from the same data
and memory-mapped, which gives the same lemma for every word (see `LemmaTable`).

Which pipeline a model was trained with is recorded inside the model, and serving
refuses a model whose recorded pipeline differs from the one this machine would
load, so the two are never mixed silently. The pipeline identity is also part of
the training fingerprint, so installing or removing the package retrains.
"""

from __future__ import annotations

import functools
import gzip
import importlib.metadata
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional, Text

import spacy
import spacy_lookups_data
from spacy.language import Language
from spacy.tokens import Doc
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.model import InvalidModelError
from rasa.nlu.utils import spacy_utils
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import read_json_file, dump_obj_as_json_to_file

logger = logging.getLogger(__name__)

INSTALL_COMMAND = "make spacy-model"
RECORD_FILE = "spacy_pipeline.json"
LEMMA_DATA = Path(spacy_lookups_data.__file__).parent / "data" / "da_lemma_lookup.json.gz"
LEMMA_CACHE_ENV = "DANISH_LEMMA_CACHE"  # folder of the built lemma file; default ~/.cache/danish-spacy
LEMMATIZER = "danish_lookup_lemmas"


def fallback_identity() -> Text:
    """Names the fallback pipeline with the versions that define it.

    Returns:
        e.g. "blank:da (spaCy 3.4.4, spacy-lookups-data 1.0.5)".
    """
    lookups = importlib.metadata.version("spacy-lookups-data")
    return f"blank:da (spaCy {spacy.about.__version__}, spacy-lookups-data {lookups})"


def pipeline_identity(model_name: Text, model_version: Optional[Text]) -> Text:
    """Names the pipeline this machine would load for `model_name`, without loading it.

    Args:
        model_name: the spaCy package named in config.yml, e.g. "da_core_news_sm".
        model_version: the version config.yml asks for, e.g. "3.4.0", or None for any.

    Returns:
        "da_core_news_sm==3.4.0" when that package is installed, else `fallback_identity()`.

    Raises:
        InvalidModelError: the package is installed in another version than asked for.
    """
    if not spacy.util.is_package(model_name):
        return fallback_identity()
    installed = spacy.util.get_package_version(model_name)
    if model_version and installed != model_version:
        raise InvalidModelError(
            f"config.yml asks for {model_name} {model_version}, but {installed} is "
            f"installed. Run `{INSTALL_COMMAND}` to install {model_version}."
        )
    return f"{model_name}=={installed}"


class LemmaTable:
    """spaCy's Danish lookup lemmas (`spacy-lookups-data`'s da_lemma_lookup) in a marisa-trie.

    The trie holds only the words whose lemma differs from the word (473,954 of 553,116);
    any other word is its own lemma, as in spaCy's `Lemmatizer` in lookup mode.

    Args:
        trie: a `marisa_trie.BytesTrie` of word -> UTF-8 lemma.
    """

    def __init__(self, trie: Any) -> None:
        self._trie = trie

    @classmethod
    def build(cls, target: Path, source: Path = LEMMA_DATA) -> None:
        """Writes the trie file of `source` (spaCy's gzipped JSON {word: lemma}) to `target`.

        Reading the JSON takes about 170 MB for a moment; the file is written under a
        temporary name first, so a half-written file is never loaded.

        Raises:
            OSError: `source` cannot be read or `target` written.
        """
        import marisa_trie

        lemmas = json.loads(gzip.decompress(source.read_bytes()))
        trie = marisa_trie.BytesTrie((word, lemma.encode()) for word, lemma in lemmas.items() if word != lemma)
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f"{target.name}.{os.getpid()}.part")
        trie.save(str(part))
        os.replace(part, target)

    @classmethod
    def load(cls, cache: Optional[Path] = None) -> LemmaTable:
        """The table memory-mapped from the cache folder, built there first if missing
        (in a temporary folder, with a warning, if the cache folder cannot be written).

        Args:
            cache: the folder (default: $DANISH_LEMMA_CACHE, else ~/.cache/danish-spacy);
                the file name carries the spacy-lookups-data version.

        Raises:
            OSError: the file can neither be read nor built, not even in a temporary folder.
        """
        import marisa_trie

        folder = cache or Path(os.environ.get(LEMMA_CACHE_ENV) or Path.home() / ".cache" / "danish-spacy")
        path = folder / f"da_lemma_lookup-{importlib.metadata.version('spacy-lookups-data')}.marisa"
        if not path.is_file():
            logger.info("Building the Danish lemma table %s (once).", path)
            try:
                cls.build(path)
            except OSError as error:
                logger.warning("Cannot write the Danish lemma table to %s (%s); building it in a temporary "
                               "folder for this process. Set %s to a writable folder.", path, error, LEMMA_CACHE_ENV)
                path = Path(tempfile.mkdtemp(prefix="danish-lemmas-")) / path.name
                cls.build(path)
        return cls(marisa_trie.BytesTrie().mmap(str(path)))

    def get(self, word: Text) -> Text:
        """The lemma of `word` (case-sensitive, as spaCy looks it up), or `word` itself if not listed."""
        found = self._trie.get(word)
        return found[0].decode() if found else word


@functools.lru_cache(maxsize=1)
def lemma_table() -> LemmaTable:
    """The process's `LemmaTable` (see `LemmaTable.load`)."""
    return LemmaTable.load()


@Language.component(LEMMATIZER)
def lemmatize(doc: Doc) -> Doc:
    """Sets each token's lemma from `lemma_table()` where none is set yet, as spaCy's
    `Lemmatizer` does in lookup mode."""
    table = lemma_table()
    for token in doc:
        if token.lemma == 0:
            token.lemma_ = table.get(token.text)
    return doc


@functools.lru_cache(maxsize=4)
def load_pipeline(model_name: Text, model_version: Optional[Text]) -> SpacyModel:
    """Loads the official pipeline, or builds the Danish fallback if it is missing.

    Loaded once per process: Rasa creates this component for several graph nodes.

    Args:
        model_name: the spaCy package named in config.yml.
        model_version: the version config.yml asks for, or None.

    Returns:
        A `SpacyModel` whose `model_name` is the pipeline identity (see
        `pipeline_identity`); Rasa fingerprints it, so downstream components retrain
        when it changes.

    Raises:
        InvalidModelError: wrong package version, or spaCy cannot load the package.
    """
    identity = pipeline_identity(model_name, model_version)
    if identity != fallback_identity():
        nlp = spacy_utils.SpacyNLP.load_model(model_name).model
        return SpacyModel(model=nlp, model_name=identity)

    logger.warning(
        "The spaCy pipeline %s is not installed; using spaCy's built-in Danish "
        "language data instead (tokenizer, stop words, lookup lemmas; no tagger or "
        "parser). Install the real pipeline with `%s`, then retrain.",
        model_name,
        INSTALL_COMMAND,
    )
    lemma_table()  # loaded (or built) now rather than at the first message
    nlp = spacy.blank("da")
    nlp.add_pipe(LEMMATIZER)
    nlp.initialize()
    return SpacyModel(model=nlp, model_name=identity)


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=True,
    model_from="SpacyNLP",
)
class SpacyNLP(spacy_utils.SpacyNLP):
    """Rasa's `SpacyNLP` with the Danish fallback and a recorded pipeline identity.

    The class keeps Rasa's name because `SpacyTokenizer` finds its model provider by
    the class name `SpacyNLP`. Config keys: `model` (package name), `model_version`
    (e.g. "3.4.0"), and Rasa's `case_sensitive`.

    It is registered as trainable only to get a resource in the model: training
    writes the identity of the pipeline used, and loading the model checks it.
    """

    def __init__(
        self,
        model: SpacyModel,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        """Keeps the loaded pipeline and where to record its identity."""
        super().__init__(model, config)
        self._model_storage = model_storage
        self._resource = resource

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's defaults plus `model_version` (None: any installed version)."""
        return {**spacy_utils.SpacyNLP.get_default_config(), "model_version": None}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """Adds the pipeline identity to the training fingerprint (see `pipeline_identity`)."""
        return pipeline_identity(config.get("model"), config.get("model_version"))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyNLP:
        """Loads the pipeline (see `load_pipeline`)."""
        config = {**cls.get_default_config(), **config}
        model = load_pipeline(config["model"], config["model_version"])
        return cls(model, config, model_storage, resource)

    def train(self, training_data: TrainingData, model: SpacyModel) -> Resource:
        """Records which pipeline the model is trained with.

        Args:
            training_data: unused; Rasa passes it to every trainable component.
            model: the pipeline from the provider node.

        Returns:
            The resource holding `spacy_pipeline.json` ({"pipeline": identity}).
        """
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / RECORD_FILE, {"pipeline": model.model_name})
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SpacyNLP:
        """Loads the pipeline and checks it against the one the model was trained with.

        The provider node has no trained resource; it only loads. The node that
        processes messages has one, and refuses to serve with another pipeline.

        Raises:
            InvalidModelError: the model was trained with another spaCy pipeline.
        """
        component = cls.create(config, model_storage, resource, execution_context)
        try:
            with model_storage.read_from(resource) as directory:
                trained_with = read_json_file(directory / RECORD_FILE)["pipeline"]
        except ValueError:
            return component  # the provider node: nothing was recorded for it
        serving_with = component._model.model_name
        if trained_with != serving_with:
            raise InvalidModelError(
                f"This model was trained with the spaCy pipeline '{trained_with}', but "
                f"this machine loads '{serving_with}'. Retrain (`make train`) or install "
                f"the pipeline it was trained with (`{INSTALL_COMMAND}`)."
            )
        return component
