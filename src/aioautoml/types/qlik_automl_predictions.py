"""Every model and enum of the Qlik Cloud AutoML dataset predictions API (result files).

    from aioautoml.types import qlik_automl_predictions

The classes are attrs models generated from the spec (``make generate``): build a request body
with them, or pass a plain mapping, which the client validates against the same model.
"""

from aioautoml._generated.qlik_automl_predictions.models import *  # noqa: F403 - the generated models, every one
from aioautoml._generated.qlik_automl_predictions.models import __all__ as __all__
