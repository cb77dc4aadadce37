"""Every model and enum of the DataRobot Models API (models, model jobs, model packages, registered and custom models).

    from aioautoml.types import datarobot_models

The classes are attrs models generated from the spec (``make generate``): build a request body
with them, or pass a plain mapping, which the client validates against the same model.
"""

from aioautoml._generated.datarobot_models.models import *  # noqa: F403 - the generated models, every one
from aioautoml._generated.datarobot_models.models import __all__ as __all__
