"""The DataRobot Models API object: ``datarobot.models`` on a ``DataRobotClient``.

:class:`Api` has one coroutine method per operation of the spec, returning the parsed body;
``datarobot.models.with_raw_response`` is its :class:`RawApi`, whose methods return an
:class:`aioautoml.Response` (status, headers, content, parsed). The models they take and
return are in :mod:`aioautoml.types.datarobot_models`.
"""

from aioautoml._generated.datarobot_models.api import Api, RawApi

__all__ = ["Api", "RawApi"]
