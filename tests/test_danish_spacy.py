"""The Danish spaCy pipeline: the fallback, its record in the model, and the guard."""

import gzip
import json
import tarfile
from pathlib import Path

import pytest
import spacy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.model import InvalidModelError
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.utils.io import dump_obj_as_json_to_file
from spacy.lookups import Table

from components import danish_spacy
from components.danish_spacy import (
    LEMMA_DATA,
    RECORD_FILE,
    LemmaTable,
    SpacyNLP,
    fallback_identity,
    load_pipeline,
    pipeline_identity,
)

OFFICIAL = "da_core_news_sm"
CONFIG = {"model": OFFICIAL, "model_version": "3.4.0"}
official_installed = spacy.util.is_package(OFFICIAL)


@pytest.mark.skipif(official_installed, reason="da_core_news_sm is installed: the fallback is not used")
def test_fallback_is_chosen_when_the_official_pipeline_is_missing():
    assert pipeline_identity(OFFICIAL, "3.4.0") == fallback_identity()
    assert SpacyNLP.fingerprint_addon(CONFIG) == fallback_identity()


@pytest.mark.skipif(official_installed, reason="da_core_news_sm is installed: the fallback is not used")
def test_fallback_has_danish_tokens_stop_words_and_lookup_lemmas():
    doc = load_pipeline(OFFICIAL, "3.4.0").model("vi har ansatte i kommunerne, og det går godt")
    lemmas = {token.text: token.lemma_ for token in doc}
    assert lemmas["kommunerne"] == "kommune" and lemmas["ansatte"] == "ansætte"
    assert [t.text for t in doc if t.is_stop][:3] == ["vi", "har", "i"]
    assert "kommunerne" in [t.text for t in doc] and "," in [t.text for t in doc]


def test_lemma_table_gives_spacys_lemma_for_every_word(tmp_path):
    table = LemmaTable.load(tmp_path)  # built from spacy-lookups-data into tmp_path, then memory-mapped
    words = json.loads(gzip.decompress(LEMMA_DATA.read_bytes()))
    spacys = Table.from_dict(words, name="lemma_lookup")  # what spaCy's lookup Lemmatizer reads
    assert len(words) > 500_000
    assert [word for word in words if table.get(word) != spacys.get(word, word)] == []
    assert table.get("kommunerne") == "kommune" and table.get("Kommunerne") == "Kommunerne"
    assert table.get("rsv-virksomhedsxyz") == "rsv-virksomhedsxyz"  # unknown words are their own lemma
    assert [path.name for path in tmp_path.iterdir()] == [f"da_lemma_lookup-{fallback_identity().split()[-1][:-1]}.marisa"]


def test_an_unwritable_cache_folder_still_gives_the_lemmas(tmp_path, caplog, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # a file where the cache folder should be: it cannot be created
    monkeypatch.setattr(danish_spacy.tempfile, "mkdtemp", lambda prefix: str(tmp_path))  # not left in /tmp
    assert LemmaTable.load(blocked).get("kommunerne") == "kommune"
    assert "DANISH_LEMMA_CACHE" in caplog.text and list(tmp_path.glob("*.marisa"))


@pytest.mark.skipif(official_installed, reason="da_core_news_sm is installed: the fallback is not used")
def test_fallback_analyses_the_training_data_as_spacys_lookup_lemmatizer_does():
    spacys = spacy.blank("da")
    spacys.add_pipe("lemmatizer", config={"mode": "lookup"})
    spacys.initialize()
    ours = load_pipeline(OFFICIAL, "3.4.0").model
    texts = [message.get("text") for message in load_data(str(Path(__file__).parents[1] / "data" / "nlu")).nlu_examples]
    texts += ["Vi er 3 ansatte i Næstved kommune, og VI HAR et ApS!", "   ", "e-mail: x@y.dk 72 20 00 30"]

    def analysis(doc):
        return [(t.text, t.lemma_, t.norm_, t.is_stop, t.is_punct, t.like_num, t.shape_) for t in doc]

    assert len(texts) > 500
    assert [analysis(ours(text)) for text in texts] == [analysis(spacys(text)) for text in texts]


@pytest.mark.skipif(not official_installed, reason="da_core_news_sm 3.4.0 is not installed (run `make spacy-model`)")
def test_official_pipeline_is_used_when_installed():
    model = load_pipeline(OFFICIAL, "3.4.0")
    assert model.model_name == "da_core_news_sm==3.4.0"
    assert any(token.pos_ for token in model.model("vi starter en virksomhed"))


def test_another_installed_version_is_refused(monkeypatch):
    monkeypatch.setattr(danish_spacy.spacy.util, "is_package", lambda name: True)
    monkeypatch.setattr(danish_spacy.spacy.util, "get_package_version", lambda name: "3.5.0")
    with pytest.raises(InvalidModelError, match=r"3\.4\.0"):
        pipeline_identity(OFFICIAL, "3.4.0")


def test_identity_of_the_official_pipeline_changes_the_fingerprint(monkeypatch):
    monkeypatch.setattr(danish_spacy.spacy.util, "is_package", lambda name: True)
    monkeypatch.setattr(danish_spacy.spacy.util, "get_package_version", lambda name: "3.4.0")
    assert SpacyNLP.fingerprint_addon(CONFIG) == "da_core_news_sm==3.4.0" != fallback_identity()


def test_trained_model_records_its_pipeline(model):
    with tarfile.open(model) as archive:
        record = next(m for m in archive.getmembers() if m.name.endswith(RECORD_FILE))
        assert pipeline_identity(OFFICIAL, "3.4.0") in archive.extractfile(record).read().decode()


def _storage_with_record(tmp_path, pipeline):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("train_SpacyNLP0")
    with storage.write_to(resource) as directory:
        dump_obj_as_json_to_file(directory / RECORD_FILE, {"pipeline": pipeline})
    return storage, resource


def _load(storage, resource):
    return SpacyNLP.load(CONFIG, storage, resource, ExecutionContext(GraphSchema({}), "test"))


def test_serving_refuses_a_model_trained_with_another_pipeline(tmp_path):
    other = "blank:xx" if official_installed else "da_core_news_sm==3.4.0"
    storage, resource = _storage_with_record(tmp_path, other)
    with pytest.raises(InvalidModelError, match="make train"):
        _load(storage, resource)


def test_serving_accepts_the_pipeline_it_was_trained_with(tmp_path):
    storage, resource = _storage_with_record(tmp_path, pipeline_identity(OFFICIAL, "3.4.0"))
    assert _load(storage, resource).provide().model_name == pipeline_identity(OFFICIAL, "3.4.0")
