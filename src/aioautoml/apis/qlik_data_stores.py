"""The Qlik Cloud Data stores API object: ``qlik.data_stores`` on a ``QlikClient``.

:class:`Api` has one coroutine method per operation of the spec, returning the parsed body;
``qlik.data_stores.with_raw_response`` is its :class:`RawApi`, whose methods return an
:class:`aioautoml.Response` (status, headers, content, parsed). The models they take and
return are in :mod:`aioautoml.types.qlik_data_stores`.
"""

from aioautoml._generated.qlik_data_stores.api import Api, RawApi

__all__ = ["Api", "RawApi"]
