"""Contains all the data models used in inputs/outputs"""

from .data_asset import DataAsset
from .data_asset_info import DataAssetInfo
from .data_asset_list import DataAssetList
from .data_asset_properties import DataAssetProperties
from .data_field import DataField
from .data_field_properties import DataFieldProperties
from .data_set import DataSet
from .data_set_list import DataSetList
from .data_set_operational import DataSetOperational
from .data_set_properties import DataSetProperties
from .data_set_schema import DataSetSchema
from .data_set_schema_load_options import DataSetSchemaLoadOptions
from .data_store import DataStore
from .data_store_ids import DataStoreIds
from .data_store_info import DataStoreInfo
from .data_store_input import DataStoreInput
from .data_store_input_properties import DataStoreInputProperties
from .data_store_list import DataStoreList
from .data_store_properties import DataStoreProperties
from .data_type import DataType
from .data_type_properties import DataTypeProperties
from .data_type_type import DataTypeType
from .error import Error
from .error_response import ErrorResponse
from .href import Href
from .json_patch import JsonPatch
from .json_patch_op import JsonPatchOp
from .links import Links
from .table_connection_info import TableConnectionInfo
from .table_connection_info_additional_properties import TableConnectionInfoAdditionalProperties
from .user_tag import UserTag

__all__ = (
    "DataAsset",
    "DataAssetInfo",
    "DataAssetList",
    "DataAssetProperties",
    "DataField",
    "DataFieldProperties",
    "DataSet",
    "DataSetList",
    "DataSetOperational",
    "DataSetProperties",
    "DataSetSchema",
    "DataSetSchemaLoadOptions",
    "DataStore",
    "DataStoreIds",
    "DataStoreInfo",
    "DataStoreInput",
    "DataStoreInputProperties",
    "DataStoreList",
    "DataStoreProperties",
    "DataType",
    "DataTypeProperties",
    "DataTypeType",
    "Error",
    "ErrorResponse",
    "Href",
    "JsonPatch",
    "JsonPatchOp",
    "Links",
    "TableConnectionInfo",
    "TableConnectionInfoAdditionalProperties",
    "UserTag",
)
