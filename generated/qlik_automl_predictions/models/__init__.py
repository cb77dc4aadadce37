"""Contains all the data models used in inputs/outputs"""

from .error_item import ErrorItem
from .error_meta import ErrorMeta
from .error_response import ErrorResponse

__all__ = (
    "ErrorItem",
    "ErrorMeta",
    "ErrorResponse",
)
