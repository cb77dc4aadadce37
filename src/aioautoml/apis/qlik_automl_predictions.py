"""The Qlik Cloud AutoML dataset predictions API object: ``qlik.automl_predictions`` on a ``QlikClient``.

:class:`Api` has one coroutine method per operation of the spec, returning the parsed body;
``qlik.automl_predictions.with_raw_response`` is its :class:`RawApi`, whose methods return an
:class:`aioautoml.Response` (status, headers, content, parsed). The models they take and
return are in :mod:`aioautoml.types.qlik_automl_predictions`.
"""

from aioautoml._generated.qlik_automl_predictions.api import Api, RawApi

__all__ = ["Api", "RawApi"]
