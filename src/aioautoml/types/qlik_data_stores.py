"""Every model and enum of the Qlik Cloud Data stores API (data stores, data assets, data sets).

    from aioautoml.types import qlik_data_stores

The classes are attrs models generated from the spec (``make generate``): build a request body
with them, or pass a plain mapping, which the client validates against the same model.
"""

from aioautoml._generated.qlik_data_stores.models import *  # noqa: F403 - the generated models, every one
from aioautoml._generated.qlik_data_stores.models import __all__ as __all__
