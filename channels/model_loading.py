"""Rasa's TensorFlow models are loaded for prediction only, without a training step.

Rasa 3.6's `RasaModel.load` (DIETClassifier, ResponseSelector, TEDPolicy) creates each
model's weights by compiling it with Adam and training it on one example (`model.fit`),
then reads the trained weights over them and predicts once to trace the predict graph.
The training step traces the training graph too (losses, gradients, Adam's two slots
per weight), which a server that only predicts never runs; it is most of what the
three models add to the server's peak memory (docs/benchmarks.md, round 5).

`install` makes the load, when not fine-tuning, read the weights first (TensorFlow's
checkpoint format restores each variable when the model creates it) and then create
them by that one prediction, so only the predict graph is built. The weights only
training uses (the optimizer's, loss-only layers') stay unread (`expect_partial`); a
weight the prediction creates that the checkpoint lacks is an error. On any error the
load logs a warning and is done as Rasa does it. `tests/test_model_loading.py` checks
that both loads give the same parse of the evaluation messages.

Installed when the channels package is imported, i.e. in the Rasa server (`make run`,
`make shell`) and in the tests (tests/conftest.py imports it).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional, Text

from rasa.utils.tensorflow.constants import RUN_EAGERLY
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

from channels.patching import wrap_once

logger = logging.getLogger(__name__)


def load_for_prediction(
    cls: type, model_file_name: Text, predict_data_example: RasaModelData, *args: Any, **kwargs: Any
) -> RasaModel:
    """A `cls` model with the weights of `model_file_name`, built by one prediction on `predict_data_example`.

    `args` and `kwargs` are the model's constructor arguments, as Rasa passes them to `load`.

    Raises:
        AssertionError: the prediction created a weight the checkpoint does not hold.
    """
    model = cls(*args, **kwargs)
    if kwargs.get("config", {}).get(RUN_EAGERLY):
        model.run_eagerly = True  # what Rasa's compile sets
    status = model.load_weights(model_file_name)
    model.run_inference(predict_data_example)  # creates the weights, each restored as it is created
    status.assert_existing_objects_matched()
    status.expect_partial()
    return model


def install() -> None:
    """Wraps RasaModel.load once (see the module docstring)."""

    def for_prediction(original: Callable[..., RasaModel]) -> Callable[..., RasaModel]:
        def load(
            cls: type,
            model_file_name: Text,
            model_data_example: RasaModelData,
            predict_data_example: Optional[RasaModelData] = None,
            finetune_mode: bool = False,
            *args: Any,
            **kwargs: Any,
        ) -> RasaModel:
            if not finetune_mode and predict_data_example is not None:
                try:
                    return load_for_prediction(cls, model_file_name, predict_data_example, *args, **kwargs)
                except Exception as error:  # any failure: Rasa's own load
                    logger.warning("Loading %s for prediction only failed (%r); loading it as Rasa does.",
                                   cls.__name__, error)
            return original(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                            *args, **kwargs)

        return load

    wrap_once(RasaModel, "load", for_prediction)
