"""One paginator for the four paging styles the APIs use.

===================  ==================================  ===================================
style                first request                       next request
===================  ==================================  ===================================
offset-links         the call as given (limit, offset)   the body's ``links.next.href``   (Qlik ML)
cursor-links         the call as given (limit)           the body's ``links.next.href``   (Qlik Automations)
page-number          the call as given (page, limit)     the same call with page + 1      (Qlik Data stores)
next-url             the call as given (offset, limit)   the body's ``next`` URL          (DataRobot)
===================  ==================================  ===================================

The style is derived from the spec at generation time (the operation table). Iteration ends on a
missing next link, an empty page, a link already followed, or (page numbers) the last page the
body reports. A next link is followed only on the client's own origin: anything else raises
PagingError, so the token never goes to another host.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from yarl import URL

from ._wire import UNSET, Operation, Paging, PagingStyle, RawResponse, Request, Unset, endpoint_of, parse_body
from .errors import InvalidRequestError, PagingError

if TYPE_CHECKING:
    from .client import BaseClient

__all__ = ["ListBody", "Page", "Paginator"]

ItemT = TypeVar("ItemT")
ItemT_co = TypeVar("ItemT_co", covariant=True)


class ListBody(Protocol[ItemT_co]):
    """What a list operation answers: its items under ``data`` (the type paginate infers from)."""

    @property
    def data(self) -> Sequence[ItemT_co] | Unset: ...


@dataclass(frozen=True, slots=True)
class Page(Generic[ItemT]):
    """One page: its items, the parsed body (``.body``) and the response (status, headers)."""

    items: Sequence[ItemT]
    body: Any
    response: RawResponse


class Paginator(Generic[ItemT]):
    """``async for item in paginator`` walks every item; ``paginator.pages()`` every page."""

    def __init__(
        self,
        client: BaseClient,
        operation: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
    ) -> None:
        self._client = client
        self._endpoint: ModuleType = endpoint_of(operation)
        self._operation: Operation = self._endpoint.OPERATION
        if self._operation.paging is None:
            raise PagingError(f"{self._operation.id} is not a paged list operation")
        self._paging: Paging = self._operation.paging
        self._args = args
        self._kwargs = dict(kwargs)
        self.last_response: RawResponse | None = None

    def __aiter__(self) -> AsyncIterator[ItemT]:
        return self.items()

    async def items(self, *, max_items: int | None = None) -> AsyncIterator[ItemT]:
        """Every item across pages, or the first ``max_items``."""
        async for page in self.pages(max_items=max_items):
            for item in page.items:
                yield item

    async def to_list(self, *, max_items: int | None = None) -> list[ItemT]:
        return [item async for item in self.items(max_items=max_items)]

    async def pages(self, *, max_items: int | None = None) -> AsyncIterator[Page[ItemT]]:
        """Every page; with ``max_items``, stop once that many items were yielded (the last
        page trimmed). The page size is the operation's own ``limit`` argument."""
        if max_items is not None and max_items < 0:
            raise InvalidRequestError(f"max_items must be 0 or more, not {max_items!r}")
        strategy = self._strategy()
        request: Request | None = strategy.first_request()
        items_field = self._paging.items.lstrip("/")
        count = 0
        while request is not None and (max_items is None or count < max_items):
            raw = await self._client.send(request)
            self.last_response = raw
            body = parse_body(raw, self._endpoint.parse_response)
            data = raw.json()
            data = data if isinstance(data, Mapping) else {}
            if not strategy.is_new(data):
                return  # the server did not move on: stop rather than repeat a page
            items = _items(body, data, items_field)
            if max_items is not None and count + len(items) > max_items:
                items = items[: max_items - count]
            count += len(items)
            if not items:
                return
            yield Page(items, body, raw)
            request = strategy.next_request(data, len(items), count)

    def _strategy(self) -> _Strategy:
        if self._paging.style is PagingStyle.PAGE_NUMBER:
            return _PageNumbers(self._endpoint, self._paging, self._args, self._kwargs)
        return _FollowLinks(self._endpoint, self._paging, self._args, self._kwargs, self._client.origin)


# ---------------------------------------------------------------------------------------------
# One strategy per way of asking for the next page; what each reads comes from the operation table


class _Strategy(Protocol):
    def first_request(self) -> Request:
        """The call as the caller made it."""

    def is_new(self, data: Mapping[str, Any]) -> bool:
        """Whether this answer is a page not seen before."""

    def next_request(self, data: Mapping[str, Any], on_page: int, count: int) -> Request | None:
        """The request for the page after this one (None: this was the last)."""


class _FollowLinks:
    """offset-links, cursor-links and next-url: follow the link the body gives (``paging.next``),
    on the client's own origin only, and never the same link twice."""

    def __init__(
        self, endpoint: ModuleType, paging: Paging, args: tuple[Any, ...], kwargs: Mapping[str, Any], origin: URL
    ) -> None:
        self._endpoint = endpoint
        self._pointer = paging.next or ""
        self._args = args
        self._kwargs = kwargs
        self._origin = origin
        self._followed: set[str] = set()

    def first_request(self) -> Request:
        return self._endpoint.build_request(*self._args, **self._kwargs)  # type: ignore[no-any-return]

    def is_new(self, data: Mapping[str, Any]) -> bool:
        return True  # a link is followed once only: an answer cannot repeat one already read

    def next_request(self, data: Mapping[str, Any], on_page: int, count: int) -> Request | None:
        href = _at(data, self._pointer)
        if not isinstance(href, str) or not href or href in self._followed:
            return None  # no next page, or a link that would loop
        self._followed.add(href)
        link = URL(href)
        operation = self._endpoint.OPERATION
        if link.is_absolute() and link.origin() != self._origin:
            raise PagingError(
                f"{operation.id}: the next page link points to another origin ({link.origin()});"
                " refusing to follow it (and send the token there)"
            )
        return Request(operation=operation, path=href)


class _PageNumbers:
    """page-number: the same call with the next page number, counted from what the body reports
    (its page, total and page size), so pages counted from 0 and from 1 both work."""

    def __init__(self, endpoint: ModuleType, paging: Paging, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        self._endpoint = endpoint
        self._paging = paging
        self._args = args
        self._kwargs = dict(kwargs)
        assert paging.page_param is not None
        self._page_param = endpoint.OPERATION.python_name_of(paging.page_param)
        # The first request carries a page number only if the caller gave one: a spec's default
        # (Qlik's own spec defaults it to 0) must not decide where a server starts counting.
        self._kwargs.setdefault(self._page_param, UNSET)
        self._requested: Any = self._kwargs[self._page_param]
        self._reported: int | None = None

    def first_request(self) -> Request:
        return self._endpoint.build_request(*self._args, **self._kwargs)  # type: ignore[no-any-return]

    def is_new(self, data: Mapping[str, Any]) -> bool:
        page = _at(data, self._paging.page or "")
        if isinstance(page, int) and not isinstance(page, bool):
            if self._reported is not None and page <= self._reported:
                return False
            self._reported = page
        return True

    def next_request(self, data: Mapping[str, Any], on_page: int, count: int) -> Request | None:
        total, limit = _at(data, self._paging.total or ""), _at(data, self._paging.limit or "")
        if (isinstance(total, int) and count >= total) or (isinstance(limit, int) and on_page < limit):
            return None  # the last page: everything counted, or a short page
        page = _at(data, self._paging.page or "")
        if not isinstance(page, int):  # not reported (the document says it is): one after what was asked
            page = self._requested if isinstance(self._requested, int) else 0
        self._requested = page + 1
        return self._endpoint.build_request(  # type: ignore[no-any-return]
            *self._args, **{**self._kwargs, self._page_param: self._requested}
        )


def _at(data: Any, pointer: str) -> Any:
    """The value at a JSON pointer (``/links/next/href``), or None where the body has none."""
    for token in pointer.lstrip("/").split("/") if pointer else ():
        if not isinstance(data, Mapping):
            return None
        data = data.get(token)
    return data


def _items(body: Any, data: Mapping[str, Any], field: str) -> list[Any]:
    items = getattr(body, field, None)
    if isinstance(items, list):
        return items
    found = data.get(field)  # a body the model could not hold: take the raw list
    return found if isinstance(found, list) else []
