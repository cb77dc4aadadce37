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

from ._wire import PagingStyle, RawResponse, Request, Response, Unset, endpoint_of
from .errors import PagingError

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
        self._operation = self._endpoint.OPERATION
        if self._operation.paging is None:
            raise PagingError(f"{self._operation.id} is not a paged list operation")
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
            raise ValueError(f"max_items must be 0 or more, not {max_items!r}")
        paging = self._operation.paging
        assert paging is not None
        request: Request | None = self._endpoint.build_request(*self._args, **self._kwargs)
        followed: set[str] = set()
        page_param = paging.page_param and self._operation.python_name_of(paging.page_param)
        requested_page = self._kwargs.get(page_param) if page_param else None
        reported_page: int | None = None
        count = 0
        while request is not None and (max_items is None or count < max_items):
            raw = await self._client.send(request)
            self.last_response = raw
            body = Response.from_raw(raw, self._endpoint.parse_response).parsed
            data = raw.json()
            data = data if isinstance(data, Mapping) else {}
            page = data.get("page")  # page numbers: the body reports the page it holds
            if paging.style is PagingStyle.PAGE_NUMBER and isinstance(page, int):
                if reported_page is not None and page <= reported_page:
                    return  # the server did not move on: stop rather than repeat a page
                reported_page = page
            items = _items(body, data, paging.items)
            if max_items is not None and count + len(items) > max_items:
                items = items[: max_items - count]
            count += len(items)
            if not items:
                return
            yield Page(items, body, raw)
            if paging.style is not PagingStyle.PAGE_NUMBER:
                request = self._follow(_next_href(data, paging.style), followed)
                continue
            if not isinstance(page, int):  # not reported (the document says it is): as asked, from 1
                page = requested_page if isinstance(requested_page, int) else 1
            total, limit = data.get("total"), data.get("limit")
            if (isinstance(total, int) and count >= total) or (isinstance(limit, int) and len(items) < limit):
                return  # the last page: everything counted, or a short page
            assert page_param is not None
            requested_page = page + 1
            request = self._endpoint.build_request(*self._args, **{**self._kwargs, page_param: requested_page})

    def _follow(self, href: str | None, followed: set[str]) -> Request | None:
        if not href or href in followed:
            return None  # no next page, or a link that would loop
        followed.add(href)
        link = URL(href)
        if link.is_absolute() and link.origin() != self._client.origin:
            raise PagingError(
                f"{self._operation.id}: the next page link points to another origin ({link.origin()});"
                " refusing to follow it (and send the token there)"
            )
        return Request(operation=self._operation, path=href)


def _items(body: Any, data: Mapping[str, Any], field: str) -> list[Any]:
    items = getattr(body, field, None)
    if isinstance(items, list):
        return items
    found = data.get(field)  # a body the model could not hold: take the raw list
    return found if isinstance(found, list) else []


def _next_href(data: Mapping[str, Any], style: PagingStyle) -> str | None:
    if style is PagingStyle.NEXT_URL:
        link = data.get("next")
    else:
        links = data.get("links")
        nxt = links.get("next") if isinstance(links, Mapping) else None
        link = nxt.get("href") if isinstance(nxt, Mapping) else None
    return link if isinstance(link, str) and link else None
