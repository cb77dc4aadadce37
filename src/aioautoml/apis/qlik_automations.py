"""The Qlik Cloud Automations API object: ``qlik.automations`` on a ``QlikClient``.

:class:`Api` has one coroutine method per operation of the spec, returning the parsed body;
``qlik.automations.with_raw_response`` is its :class:`RawApi`, whose methods return an
:class:`aioautoml.Response` (status, headers, content, parsed). The models they take and
return are in :mod:`aioautoml.types.qlik_automations`.
"""

from aioautoml._generated.qlik_automations.api import Api, RawApi

__all__ = ["Api", "RawApi"]
