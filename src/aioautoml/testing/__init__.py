"""A loopback stand-in for Qlik Cloud and DataRobot, to test bulk jobs without a tenant.

    async with LoopbackServer(deployments=50) as server:
        async with QlikClient(server.url, token=server.token) as qlik:
            ...

It serves the operations the demo and the tests use, at the paths of the specs (routed by
method and path, built from the operation tables), and behaves as the documents describe:

- bearer tokens (401 for anything else; ``server.tokens`` can be changed to rotate them);
- each paging style: ML limit/offset with ``links.next.href``, Automations cursor links, Data
  stores page/limit (pages from 1, or from 0 with ``data_stores_first_page=0``), DataRobot
  offset/limit with a ``next`` URL;
- Qlik's rate tiers, per token: a sliding window per tier, and a 429 with ``Retry-After`` that
  blocks the whole tier until it has passed (``tiers`` scales them; the clock is the event
  loop's, so a :class:`FakeClockLoop` runs them on virtual time);
- long-running work: batch-prediction predict (202) and the batch prediction's status; DataRobot
  model training (202 + Location, a model job answering 303 when done); cancellation of both;
- result files (AutoML predictions CSVs, DataRobot scoring code), streamed, of any size;
- injected faults (``server.inject(Fault(...))``): an error status, a connection reset, a slow
  response, a body cut short;
- any handler replaced, or a path added: ``server.route(method, path_template, handler)``.

Every request is recorded in ``server.requests``, under its operation's Python name
(``"get_batch_prediction"``), which ``Fault(operation=...)`` and ``requests_for()`` use too.
The data served is in ``server.qlik`` (:class:`QlikTenant`) and ``server.datarobot``
(:class:`DataRobotAccount`).
"""

from .clock import FakeClockLoop
from .datarobot import DataRobotAccount
from .faults import Fault
from .qlik import QlikTenant
from .routing import Handler, path_params
from .server import LoopbackServer, RecordedRequest
from .tiers import QLIK_TIERS, RateTiers

__all__ = [
    "QLIK_TIERS",
    "DataRobotAccount",
    "FakeClockLoop",
    "Fault",
    "Handler",
    "LoopbackServer",
    "QlikTenant",
    "RateTiers",
    "RecordedRequest",
    "path_params",
]
