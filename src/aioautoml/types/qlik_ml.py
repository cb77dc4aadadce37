"""Every model and enum of the Qlik Cloud Machine Learning API (deployments, aliases, batch and real-time predictions, experiments, models, profile insights).

    from aioautoml.types import qlik_ml

The classes are attrs models generated from the spec (``make generate``): build a request body
with them, or pass a plain mapping, which the client validates against the same model.
"""

from aioautoml._generated.qlik_ml.models import *  # noqa: F403 - the generated models, every one
from aioautoml._generated.qlik_ml.models import __all__ as __all__
