"""Rasa's TensorFlow models loaded for prediction only (channels/model_loading.py) predict as
Rasa's own load makes them predict: same weights, same parse of evaluation messages.

The model tests load the trained model twice in this process, once as the channels package
loads it and once with Rasa's own `RasaModel.load`; they are skipped where no trained model
matches the current data and config (they never train one).
"""

from __future__ import annotations

import asyncio
import random
from typing import Any, Dict, Iterator, List

import numpy as np
import pytest
import tensorflow as tf
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.tensorflow.models import RasaModel

import channels  # noqa: F401 - installs the project's patches, as tests/conftest.py does
from scripts.learning.registry import find_trained_model, fingerprint
from scripts.paths import ROOT

SAMPLE = 120  # evaluation messages parsed by both loads
TOLERANCE = 1e-5


def test_the_channels_package_loads_the_models_for_prediction_only():
    assert "install.<locals>.for_prediction" in RasaModel.load.__func__.wrapped_by


@pytest.fixture(scope="module")
def trained_model():
    found = find_trained_model(fingerprint())
    if found is None:
        pytest.skip("no trained model matches the current data and config (make train trains one)")
    return found


def _load(model) -> Any:
    from rasa.core.agent import Agent

    return Agent.load(str(model))


@pytest.fixture(scope="module")
def patched_agent(trained_model) -> Any:
    return _load(trained_model)


@pytest.fixture(scope="module")
def rasa_agent(trained_model) -> Iterator[Any]:
    rasa_load = RasaModel.__dict__["load"].__func__.__wrapped__
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RasaModel, "load", classmethod(rasa_load))
        yield _load(trained_model)


def _tensorflow_models(agent) -> Dict[str, RasaModel]:
    nodes = agent.processor.graph_runner._instantiated_nodes
    return {name: node._component.model for name, node in nodes.items()
            if isinstance(getattr(node._component, "model", None), RasaModel)}


def _layer_weights(model: RasaModel) -> List[Any]:
    """The model's weights but its training metrics' (Rasa's fit resets those, they do not predict)."""
    metrics = {variable.ref() for module in model.submodules if isinstance(module, tf.keras.metrics.Metric)
               for variable in module.variables}
    weights = [variable for variable in model.weights if variable.ref() not in metrics]
    assert weights
    return weights


def _parse(agent, texts: List[str]) -> List[Dict[str, Any]]:
    async def parse():
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(parse())


@pytest.mark.model
def test_the_weights_are_rasas_and_no_training_state_is_built(patched_agent, rasa_agent):
    patched, rasas = _tensorflow_models(patched_agent), _tensorflow_models(rasa_agent)
    assert len(patched) == 3 and patched.keys() == rasas.keys()  # DIETClassifier, ResponseSelector, TEDPolicy
    for name, model in patched.items():
        theirs = {variable.name: variable for variable in rasas[name].weights}
        assert not model._is_compiled, name  # Rasa's load (and the fallback) compiles
        for variable in _layer_weights(model):
            assert np.array_equal(variable.numpy(), theirs[variable.name].numpy()), (name, variable.name)


@pytest.mark.model
def test_both_loads_parse_evaluation_messages_the_same(patched_agent, rasa_agent):
    texts = [example.get("text") for example in load_data(str(ROOT / "tests" / "eval")).intent_examples]
    texts = random.Random(14).sample(texts, min(SAMPLE, len(texts)))
    for text, ours, theirs in zip(texts, _parse(patched_agent, texts), _parse(rasa_agent, texts), strict=True):
        assert ours["intent"]["name"] == theirs["intent"]["name"], text
        assert ours["intent"]["confidence"] == pytest.approx(theirs["intent"]["confidence"], abs=TOLERANCE), text
        assert [(i["name"], pytest.approx(i["confidence"], abs=TOLERANCE)) for i in ours["intent_ranking"]] \
            == [(i["name"], i["confidence"]) for i in theirs["intent_ranking"]], text
        faq, rasa_faq = ours["response_selector"]["faq"], theirs["response_selector"]["faq"]
        assert [(r["intent_response_key"], pytest.approx(r["confidence"], abs=TOLERANCE)) for r in faq["ranking"]] \
            == [(r["intent_response_key"], r["confidence"]) for r in rasa_faq["ranking"]], text
        assert [(e["entity"], e["value"], e["start"], e["end"]) for e in ours["entities"]] \
            == [(e["entity"], e["value"], e["start"], e["end"]) for e in theirs["entities"]], text
