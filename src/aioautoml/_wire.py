"""The contract between the generated packages and the facade.

Generated code imports only this module from aioautoml. An endpoint module holds one operation:
its row of the operation table (:class:`Operation`), a ``build_request`` that describes the
request (:class:`Request`: encoded path and query, body) and a ``parse_response`` that turns the
:class:`RawResponse` into the documented type. A generated ``Api`` method calls the
:class:`Transport` (the client) with the two, in one hop. The operation tables
(``_operations.py``, one per package) are keyed by method and path.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import json as jsonlib
import logging
import os
import sys
import warnings
from collections.abc import Callable, Coroutine, Mapping, MutableMapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from functools import cache
from http import HTTPStatus
from types import ModuleType, UnionType
from typing import (
    IO,
    Any,
    BinaryIO,
    Concatenate,
    Generic,
    Literal,
    ParamSpec,
    Protocol,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    overload,
)
from urllib.parse import quote

import attrs
from attrs import define
from yarl import URL

from .errors import InvalidRequestError, ResponseParseError, UnexpectedStatusError

log = logging.getLogger("aioautoml")


class Unset:
    """The type of :data:`UNSET`: an argument or field that was not given."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Unset = Unset()

# What a model's from_dict swallows for one field, keeping the value as the server sent it:
# a new enum value, a number shown as a string, a string where an object was documented.
TOLERATED_PARSE_ERRORS = (TypeError, ValueError, KeyError, AttributeError)

# Multipart parts, as the generated models build them: (field name, (file name, content, type)).
FileContent = IO[bytes] | bytes | str
FileTypes = tuple[str | None, FileContent, str | None] | tuple[str | None, FileContent, str | None, Mapping[str, str]]
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """A file to upload in a multipart body, or a binary body received."""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        return self.file_name, self.payload, self.mime_type


# ---------------------------------------------------------------------------------------------
# The operation table (written by codegen/generate.py from the specs' extensions)


class PagingStyle(StrEnum):
    """How a list operation pages; derived from its parameters and response schema."""

    OFFSET_LINKS = "offset-links"  # Qlik ML: limit/offset, follow links.next.href
    CURSOR_LINKS = "cursor-links"  # Qlik Automations: follow links.next.href only
    PAGE_NUMBER = "page-number"  # Qlik Data stores: page/limit
    NEXT_URL = "next-url"  # DataRobot: offset/limit, follow the body's `next` URL


@dataclass(frozen=True, slots=True)
class Paging:
    """How a list operation pages, and where each of its answers is read (JSON pointers)."""

    style: PagingStyle
    items: str  # pointer to the page's items, e.g. /data
    limit_param: str | None  # the query parameter setting the page size (spec name)
    next: str | None = None  # links: pointer to the next page's URL (/links/next/href, /next)
    page_param: str | None = None  # page-number style: the page query parameter
    page: str | None = None  # page-number style: pointers to the page number, total and page size
    total: str | None = None
    limit: str | None = None


@dataclass(frozen=True, slots=True)
class TerminalStates:
    """Status values that end a long-running job (``x-terminal-states``)."""

    pointer: str  # JSON pointer to the status in the reading GET's body
    success: frozenset[str]
    failure: frozenset[str]


OperationKey = tuple[str, str]  # (method, path template): what names an operation, whatever its operationId


@dataclass(frozen=True, slots=True)
class Job:
    """How to follow the work an operation starts (``x-job``)."""

    poll: OperationKey  # the GET carrying TerminalStates
    params: Mapping[str, str]  # poll's path parameter -> source ("path:x", "response:/p", ...)
    cancel: OperationKey | None = None
    cancel_params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str  # as in the spec
    python_name: str  # the generated keyword argument
    location: Literal["path", "query", "header", "cookie"]


@dataclass(frozen=True, slots=True)
class Operation:
    """One row of the operation table: everything the facade needs to know per operation."""

    id: str  # the spec's operationId: shown in messages, never used to look an operation up
    python_name: str
    api: str  # the generated package, e.g. "qlik_ml"
    module: str  # the endpoint module inside it, e.g. "api.deployments.get_deployment"
    method: str
    path: str  # the path template, e.g. /api/v1/ml/deployments/{deploymentId}
    parameters: tuple[Parameter, ...]
    tier: str | None  # Qlik rate tier ("1", "2"); None: the vendor's default bucket
    rate_limit: int | None  # the documented requests per minute for that tier
    idempotent: bool  # safe to resend after it may have reached the server
    success: tuple[tuple[int, str | None], ...]  # documented 2xx/3xx: (status, content type)
    comma_separated: frozenset[str] = frozenset()  # array query parameters with explode: false
    paging: Paging | None = None
    terminal_states: TerminalStates | None = None
    job: Job | None = None
    job_result: OperationKey | None = None  # a DataRobot job's 303 target (x-job-result)
    deprecated: bool = False
    sunset: str | None = None
    deprecation_note: str | None = None

    # False when a 3xx is a documented answer (DataRobot's job 303): the caller reads it.
    # Derived once here rather than on every request.
    follows_redirects: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "follows_redirects", not any(300 <= s < 400 for s, _ in self.success))

    @property
    def key(self) -> OperationKey:
        return self.method, self.path

    def python_name_of(self, spec_name: str) -> str:
        for parameter in self.parameters:
            if parameter.name == spec_name:
                return parameter.python_name
        raise KeyError(f"{self.id} has no parameter {spec_name!r}")


@cache
def operation_table(api: str) -> Mapping[OperationKey, Operation]:
    """The operation table of a generated package, keyed by (method, path template)."""
    return importlib.import_module(f"aioautoml._generated.{api}._operations").OPERATIONS  # type: ignore[no-any-return]


def endpoint_module(operation: Operation) -> ModuleType:
    """The generated endpoint module of an operation (OPERATION, build_request, parse_response)."""
    return importlib.import_module(f"aioautoml._generated.{operation.api}.{operation.module}")


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_INTERNAL_DIRS = (_PACKAGE_DIR, os.path.realpath(_PACKAGE_DIR), os.path.dirname(asyncio.__file__))


def warn_deprecated(operation: Operation) -> None:
    """Warn that a deprecated operation is being called, at the caller's line.

    Generated ``build_request`` calls this, so it runs in the caller's call chain (a plain call,
    paginate, start, download, stream); the level is found by walking out of aioautoml's frames
    (and asyncio's), since a fixed stacklevel would break whenever the call depth changes. Code
    in ``__main__`` then sees it under Python's default warning filters.
    """
    sunset = f"; its sunset date is {operation.sunset}" if operation.sunset else ""
    note = f" ({operation.deprecation_note})" if operation.deprecation_note else ""
    level = 2  # the function that called this one
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_INTERNAL_DIRS):
        frame = frame.f_back
        level += 1
    warnings.warn(f"{operation.id} is deprecated{sunset}{note}", DeprecationWarning, stacklevel=level)


# ---------------------------------------------------------------------------------------------
# Requests and responses


@dataclass(slots=True)
class Request:
    """An HTTP request as an endpoint describes it: relative path, encoded values, no session."""

    operation: Operation
    path: str  # percent-encoded, relative to the client's base URL (or absolute, for links)
    query: list[tuple[str, str]] | None = None
    headers: dict[str, str] | None = None
    json: Any = UNSET
    data: Any = UNSET  # form fields (application/x-www-form-urlencoded)
    files: RequestFiles | None = None  # multipart parts
    content: bytes | str | None = None

    @property
    def method(self) -> str:
        return self.operation.method


class RawResponse:
    """A response whose body has been read: what generated parsers consume."""

    __slots__ = ("_json", "_url", "content", "headers", "method", "status_code")

    def __init__(
        self, status_code: int, headers: Mapping[str, str], content: bytes, method: str, url: str | URL
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.method = method
        self._url = url  # a yarl URL is turned into text only when asked (errors, logs)
        self._json: Any = UNSET

    @property
    def url(self) -> str:
        return str(self._url)

    def json(self) -> Any:
        """The body decoded as JSON (None when empty); decoded once, however often asked."""
        if self._json is UNSET:
            self._json = decode_json(self.content) if self.content else None
        return self._json

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers.get("Content-Type", "")), errors="replace")

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} {self.method} {self.url}>"


def decode_json(content: bytes) -> Any:
    """JSON text as Python values: msgspec (twice as fast as the standard library, and integers of
    any size kept exact, which orjson turns into floats beyond 64 bits), or the standard library
    for what msgspec refuses and it reads (a BOM, NaN, a number out of range)."""
    decode, refused = _MSGSPEC or _load_msgspec()
    try:
        return decode(content)
    except refused:
        return jsonlib.loads(content)


_MSGSPEC: tuple[Callable[[bytes], Any], type[Exception]] | None = None


def _load_msgspec() -> tuple[Callable[[bytes], Any], type[Exception]]:
    # Imported on the first response, not with aioautoml: `import aioautoml` stays light.
    global _MSGSPEC
    import msgspec

    _MSGSPEC = msgspec.json.decode, msgspec.DecodeError
    return _MSGSPEC


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"')
    return "utf-8"


T = TypeVar("T")


def parse_body(raw: RawResponse, parse: Callable[[RawResponse], T]) -> T:
    """``parse(raw)``, or the body as the server sent it when it does not fit the documented type."""
    try:
        return parse(raw)
    except TOLERATED_PARSE_ERRORS as exc:
        # A body of another shape than documented (an object where the spec says array) is
        # kept as the server sent it, like a field of the wrong shape inside a model.
        try:
            kept: Any = raw.json()
        except ValueError:
            raise ResponseParseError(raw.method, raw.url, raw.status_code, raw.content, exc) from exc
        log.debug("%s %s: body kept as sent, it does not fit the documented type: %r", raw.method, raw.url, exc)
        return kept  # type: ignore[no-any-return]


@define
class Response(Generic[T]):
    """A parsed response with its status and headers (``with_raw_response`` returns these)."""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str] | Mapping[str, str]
    parsed: T

    @classmethod
    def from_raw(cls, raw: RawResponse, parse: Callable[[RawResponse], T]) -> Response[T]:
        return cls(HTTPStatus(raw.status_code), raw.content, raw.headers, parse_body(raw, parse))


class Transport(Protocol):
    """What generated ``Api`` methods call: aioautoml's clients implement it."""

    async def call(self, request: Request, parse: Callable[[RawResponse], T]) -> T:
        """Send ``request`` and return the parsed body."""

    async def call_raw(self, request: Request, parse: Callable[[RawResponse], T]) -> Response[T]:
        """Send ``request`` and return the parsed body with its status and headers."""


def unexpected_status(response: RawResponse) -> UnexpectedStatusError:
    """A success status the spec does not document for the operation."""
    return UnexpectedStatusError(response.status_code, response.content, response.method, response.url)


# ---------------------------------------------------------------------------------------------
# Encoding values into the path and the query

# Kept literal in a path segment: unreserved characters, and "*", which Qlik documents as
# "all" in its ID lists. Everything else (",", "/", "?", "%", ...) is percent-encoded.
_PATH_SAFE = "*"
_PATH_LITERAL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~" + _PATH_SAFE


def encode_value(value: object) -> str:
    """One query or path value as text: booleans as true/false (yarl refuses bools)."""
    if type(value) is str:  # the common case first: most values are IDs
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return encode_value(value.value)
    if isinstance(value, (str, int, float)):
        return str(value)
    isoformat = getattr(value, "isoformat", None)  # dates and datetimes
    if isoformat is not None:
        return str(isoformat())
    raise InvalidRequestError(f"cannot send a {type(value).__name__} as a URL value: {value!r}")


def _path_segment(operation: Operation, name: str, value: object) -> str:
    if type(value) is str and value not in ("", ".", "..") and not value.strip(_PATH_LITERAL):
        return value  # an ID with nothing to encode: the common case, kept cheap
    if value is None or isinstance(value, Unset):
        raise InvalidRequestError(f"{operation.id}: path parameter {name!r} is required, and was given {value!r}")
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if not items:
        raise InvalidRequestError(f"{operation.id}: path parameter {name!r} is an empty list")
    encoded = []
    for item in items:
        try:
            text = encode_value(item)
        except InvalidRequestError as exc:
            raise InvalidRequestError(f"{operation.id}: path parameter {name!r}: {exc}") from None
        # yarl normalises /x/../y to /y even after percent-encoding, so these are refused.
        if text in ("", ".", ".."):
            raise InvalidRequestError(f"{operation.id}: path parameter {name!r} must not be {text!r}")
        # Most IDs need no quoting at all: skip the work when every character is safe as is.
        encoded.append(text if not text.strip(_PATH_LITERAL) else quote(text, safe=_PATH_SAFE))
    return ",".join(encoded)  # style: simple; an array is comma-separated


def encode_path(operation: Operation, values: Mapping[str, object]) -> str:
    """Fill the operation's path template, each value percent-encoded as one segment."""
    path = operation.path
    for name, value in values.items():
        path = path.replace("{" + name + "}", _path_segment(operation, name, value))
    return path


def encode_query(operation: Operation, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Query pairs in declaration order; unset values dropped, arrays per their style. A value of
    another type than the parameter's, or an enum value the spec does not list, is refused."""
    pairs: list[tuple[str, str]] = []
    shapes: Mapping[str, _Shape] | None = None
    for name, value in params.items():
        if value is None or isinstance(value, Unset):
            continue
        if shapes is None:
            shapes = _query_shapes(operation.api, operation.module)
        if (shape := shapes.get(name)) is not None:
            _check_shaped(operation, shape, value, f"query parameter {name!r}")
        try:
            if isinstance(value, (list, tuple)):
                if name in operation.comma_separated:  # style: form, explode: false
                    if value:
                        pairs.append((name, ",".join(encode_value(v) for v in value)))
                else:  # explode: true, the OpenAPI default: one pair per item
                    pairs.extend((name, encode_value(v)) for v in value)
            elif isinstance(value, Mapping):
                raise InvalidRequestError("it cannot be an object")
            else:
                pairs.append((name, encode_value(value)))
        except InvalidRequestError as exc:
            raise InvalidRequestError(f"{operation.id}: query parameter {name!r}: {exc}") from None
    return pairs


@cache
def _query_shapes(api: str, module: str) -> Mapping[str, _Shape]:
    """An operation's query parameters by spec name, as their build_request annotations take them
    apart (once per operation; cached by name, since an Operation holding mappings is unhashable)."""
    endpoint = importlib.import_module(f"aioautoml._generated.{api}.{module}")
    hints = get_type_hints(endpoint.build_request)
    operation: Operation = endpoint.OPERATION
    return {
        p.name: _shape(hints[p.python_name])
        for p in operation.parameters
        if p.location == "query" and p.python_name in hints
    }


# ---------------------------------------------------------------------------------------------
# Request bodies: a model as it is, or a plain mapping validated strictly against the model


def coerce_body(operation: Operation, body: object, model: type[T]) -> T:
    """``body`` as ``model``: an instance as it is, a mapping checked key by key and then built.

    The generated ``from_dict`` is tolerant by design (a server may add fields), so it cannot be the
    check for what a caller typed: here an unknown key (a typo) or a missing required key raises
    InvalidRequestError naming the key, the model and the operation, at every level of nesting.
    """
    if isinstance(body, model):
        return body
    if isinstance(body, Mapping):
        _check_mapping(operation, model, body, "body")
        return model.from_dict(body)  # type: ignore[attr-defined, no-any-return]
    raise InvalidRequestError(
        f"{operation.id}: body must be a {_name(model)} or a mapping of its fields, not {type(body).__name__}"
    )


def coerce_body_items(operation: Operation, body: object, model: type[T]) -> list[T]:
    """A list body (a JSON Patch, say): each item as ``model``, as coerce_body does."""
    if isinstance(body, (str, bytes, Mapping)) or not isinstance(body, (list, tuple)):
        raise InvalidRequestError(
            f"{operation.id}: body must be a list of {_name(model)} (or of mappings), not {type(body).__name__}"
        )
    items = []
    for index, item in enumerate(body):
        if isinstance(item, model):
            items.append(item)
        elif isinstance(item, Mapping):
            _check_mapping(operation, model, item, f"body[{index}]")
            items.append(model.from_dict(item))  # type: ignore[attr-defined]
        else:
            raise InvalidRequestError(
                f"{operation.id}: body[{index}] must be a {_name(model)} or a mapping, not {type(item).__name__}"
            )
    return items


def _name(model: type) -> str:
    return model.__name__


@cache
def _model_fields(model: type) -> tuple[dict[str, tuple[str, bool, Any]], bool]:
    """A model's fields by JSON key: (Python name, required, annotation); and whether it is open."""
    hints = get_type_hints(model)
    json_keys: Mapping[str, str] = getattr(model, "_json_keys", {})
    fields = {}
    for attribute in attrs.fields(model):
        if attribute.name in json_keys:
            required = attribute.default is attrs.NOTHING
            fields[json_keys[attribute.name]] = (attribute.name, required, hints.get(attribute.name))
    return fields, bool(getattr(model, "_open", False))


def _check_mapping(operation: Operation, model: type, value: Mapping[Any, Any], where: str) -> None:
    fields, is_open = _model_fields(model)
    if not is_open:
        for key in value:
            if key not in fields:
                import difflib  # only for a mistake's message

                close = difflib.get_close_matches(str(key), fields, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f"; it has {', '.join(sorted(fields))}"
                raise InvalidRequestError(f"{operation.id}: {where}: unknown key {key!r} for {_name(model)}{hint}")
    for key, (_, required, annotation) in fields.items():
        if key not in value:
            if required:
                raise InvalidRequestError(f"{operation.id}: {where}: missing required key {key!r} of {_name(model)}")
            continue
        _check_value(operation, annotation, value[key], f"{where}.{key}")


def _check_value(operation: Operation, annotation: Any, value: Any, where: str) -> None:
    _check_shaped(operation, _shape(annotation), value, where)


def _check_shaped(operation: Operation, shape: _Shape, value: Any, where: str) -> None:
    """A value of the JSON type its field (or query parameter) declares, an enum's value one the
    spec lists; follow a nested model, or a list of them, into a mapping given for it; a file part
    must be a File."""
    if not shape.admits(value):
        if shape.file:
            raise InvalidRequestError(
                f"{operation.id}: {where} is a file part: give a File (an open binary file), not {type(value).__name__}"
            )
        hint = " (leave the key out not to send it)" if value is None else ""
        raise InvalidRequestError(f"{operation.id}: {where} must be {shape.expected}, not {_shown(value)}{hint}")
    if shape.models and isinstance(value, Mapping) and not isinstance(value, shape.models):
        if len(shape.models) == 1:
            _check_mapping(operation, shape.models[0], value, where)
        return
    if shape.items and isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            for inner in shape.items:
                _check_shaped(operation, inner, item, f"{where}[{index}]")


# What a field's annotation admits of a value a caller wrote as JSON would have it: a model's
# from_dict would store a wrong type as given (it is tolerant, for what servers send) and the server
# would answer 400. An annotation not named here (Any, a type the generator adds later) admits anything.
_JSON_TYPES: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
    type(None): (type(None),),
    Unset: (Unset,),
    list: (list, tuple),
    dict: (Mapping,),
}
_EXPECTED: dict[Any, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    type(None): "null",
    list: "a list",
    dict: "an object",
    datetime.datetime: "an ISO 8601 date-time string",
    datetime.date: "an ISO 8601 date string",
}
_SCALARS = (str, int, float, type(None))  # the values a Literal can hold (bool is an int)


@dataclass(frozen=True, slots=True)
class _Shape:
    """An annotation taken apart once: what admits a value, what to follow into, how to name it."""

    anything: bool
    types: tuple[type, ...]  # isinstance admits the value
    booleans: bool  # bool is declared (else True is no integer, though Python says it is)
    integers: bool  # int is declared: 100.0 is one too (JSON Schema), as pandas' to_json writes it
    values: frozenset[tuple[type, Any]]  # the Literal values (an enum's), by _literal_key
    dates: tuple[type[datetime.date], ...]  # ISO text that their fromisoformat parses
    file: bool
    models: tuple[type, ...]
    items: tuple[_Shape, ...]  # the items' of list options
    expected: str

    def admits(self, value: Any) -> bool:
        if self.anything:
            return True
        if isinstance(value, bool):  # before int: Python counts True as 1, JSON does not
            return self.booleans or (bool, value) in self.values
        if isinstance(value, self.types):
            return True
        if self.integers and isinstance(value, float) and value.is_integer():
            return True
        if isinstance(value, _SCALARS) and _literal_key(value) in self.values:
            return True
        if self.dates and isinstance(value, str):
            return any(_parses(kind, value) for kind in self.dates)
        return False


def _literal_key(value: Any) -> tuple[type, Any]:
    """A Literal value with its JSON kind: 1, 1.0 and True are equal in Python, not in an enum;
    a str-valued Enum member is its string."""
    for kind in (bool, str, int, float):
        if isinstance(value, kind):
            return kind, value
    return type(value), value


def _parses(kind: type[datetime.date], text: str) -> bool:
    # What the generated from_dict parses with; RFC 3339 also allows a lower-case t and z.
    for candidate in (text, text.upper()):
        try:
            kind.fromisoformat(candidate)
        except ValueError:
            continue
        return True
    return False


def _options(annotation: Any) -> tuple[Any, ...]:
    """The types a field's annotation allows: a union's members, or the one type."""
    if get_origin(annotation) in (Union, UnionType):
        return get_args(annotation)
    return (annotation,)


@cache
def _shape(annotation: Any) -> _Shape:
    options = _options(annotation)
    types: list[type] = []
    values: set[tuple[type, Any]] = set()
    dates: list[type[datetime.date]] = []
    models: list[type] = []
    items: list[Any] = []
    expected: list[str] = []
    anything = False
    for option in options:
        origin = get_origin(option) or option
        if origin is Literal:
            values.update(_literal_key(value) for value in get_args(option))
            expected.append("one of " + ", ".join(repr(v) for v in get_args(option)))
        elif origin in _JSON_TYPES:
            types.extend(_JSON_TYPES[origin])
            if origin is list:
                items.extend(get_args(option)[:1])
        elif option in (datetime.datetime, datetime.date):
            types.append(datetime.date)  # a datetime is a date; a date for a date-time is sent as its day
            dates.append(option)
        elif isinstance(option, type) and attrs.has(option):
            types.extend((Mapping, option))
            models.append(option)
            expected.append(f"a {option.__name__} (an object)")
        elif option is File:
            types.append(File)
        else:
            anything = True  # Any, or a type this check does not know: not refused here
        if origin in _EXPECTED and origin is not Unset:
            expected.append(_EXPECTED[origin])
    return _Shape(
        anything=anything,
        types=tuple(types),
        booleans=bool in options,
        integers=int in options,
        values=frozenset(values),
        dates=tuple(dates),
        file=File in options,
        models=tuple(models),
        items=tuple(_shape(item) for item in items),
        expected=" or ".join(expected),
    )


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


# ---------------------------------------------------------------------------------------------
# Binding generated methods to their endpoint modules

F = TypeVar("F", bound=Callable[..., Any])


def endpoint(module: ModuleType) -> Callable[[F], F]:
    """Mark a generated API method with its endpoint module (OPERATION, build_request, parse)."""

    def mark(method: F) -> F:
        method.__aioautoml_endpoint__ = module  # type: ignore[attr-defined]
        return method

    return mark


R_co = TypeVar("R_co", covariant=True)
T_co = TypeVar("T_co", covariant=True)
P = ParamSpec("P")
R = TypeVar("R")


class JobStarter(Protocol[P, R_co, T_co]):
    """A generated method that starts long-running work which ends on a ``T_co`` (what
    ``client.start`` takes: its Job is a ``Job[T_co]``). Calling it answers ``R_co`` as usual."""

    @property
    def __aioautoml_job_result__(self) -> Callable[[RawResponse], T_co] | None: ...

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, R_co]: ...


class _JobMethod(Protocol[P, R_co, T_co]):
    """The type of a job-starting method on its class: bound, it is a JobStarter."""

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> _JobMethod[P, R_co, T_co]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> JobStarter[P, R_co, T_co]: ...


@overload
def starts_job(
    result: Callable[[RawResponse], T],
) -> Callable[[Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]], _JobMethod[P, R, T]]: ...
@overload
def starts_job() -> Callable[[Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]], _JobMethod[P, R, Any]]: ...


def starts_job(result: Callable[[RawResponse], Any] | None = None) -> Any:
    """Mark a generated method as starting long-running work that ends with ``result``'s answer
    (the poll's parser for Qlik; the 303 target's for DataRobot; none where the spec cannot say).

    Only a type for the checker and an attribute at run time: the method itself is unchanged.
    """

    def mark(method: Any) -> Any:
        method.__aioautoml_job_result__ = result
        return method

    return mark


def endpoint_of(method: Callable[..., Any]) -> ModuleType:
    """The endpoint module behind a generated API method (bound or not)."""
    module = getattr(method, "__aioautoml_endpoint__", None)
    if module is None:
        raise TypeError(f"{method!r} is not an aioautoml operation (e.g. client.ml.get_deployments)")
    return module  # type: ignore[no-any-return]
