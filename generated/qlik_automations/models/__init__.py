"""Contains all the data models used in inputs/outputs"""

from .automation import Automation
from .automation_create_request import AutomationCreateRequest
from .automation_last_run_status import AutomationLastRunStatus
from .automation_list import AutomationList
from .automation_list_item import AutomationListItem
from .automation_run import AutomationRun
from .automation_run_block_metrics import AutomationRunBlockMetrics
from .automation_run_block_metrics_type import AutomationRunBlockMetricsType
from .automation_run_context import AutomationRunContext
from .automation_run_create_request import AutomationRunCreateRequest
from .automation_run_create_request_context import AutomationRunCreateRequestContext
from .automation_run_error import AutomationRunError
from .automation_run_export import AutomationRunExport
from .automation_run_list import AutomationRunList
from .automation_run_list_item import AutomationRunListItem
from .automation_run_metrics import AutomationRunMetrics
from .automation_run_mode import AutomationRunMode
from .automation_run_network_metrics import AutomationRunNetworkMetrics
from .automation_run_status import AutomationRunStatus
from .automation_schedule import AutomationSchedule
from .automation_schedule_request import AutomationScheduleRequest
from .automation_settings import AutomationSettings
from .automation_state import AutomationState
from .automation_update_request import AutomationUpdateRequest
from .automation_usage_automation import AutomationUsageAutomation
from .automation_usage_list import AutomationUsageList
from .automation_usage_metric import AutomationUsageMetric
from .automation_usage_metric_name import AutomationUsageMetricName
from .automation_workspace import AutomationWorkspace
from .change_automation_owner_request import ChangeAutomationOwnerRequest
from .change_automation_space_request import ChangeAutomationSpaceRequest
from .copy_automation_request import CopyAutomationRequest
from .copy_automation_response import CopyAutomationResponse
from .error_item import ErrorItem
from .error_response import ErrorResponse
from .get_automation_runs_sort import GetAutomationRunsSort
from .get_automations_sort import GetAutomationsSort
from .link import Link
from .links import Links
from .move_automation_request import MoveAutomationRequest

__all__ = (
    "Automation",
    "AutomationCreateRequest",
    "AutomationLastRunStatus",
    "AutomationList",
    "AutomationListItem",
    "AutomationRun",
    "AutomationRunBlockMetrics",
    "AutomationRunBlockMetricsType",
    "AutomationRunContext",
    "AutomationRunCreateRequest",
    "AutomationRunCreateRequestContext",
    "AutomationRunError",
    "AutomationRunExport",
    "AutomationRunList",
    "AutomationRunListItem",
    "AutomationRunMetrics",
    "AutomationRunMode",
    "AutomationRunNetworkMetrics",
    "AutomationRunStatus",
    "AutomationSchedule",
    "AutomationScheduleRequest",
    "AutomationSettings",
    "AutomationState",
    "AutomationUpdateRequest",
    "AutomationUsageAutomation",
    "AutomationUsageList",
    "AutomationUsageMetric",
    "AutomationUsageMetricName",
    "AutomationWorkspace",
    "ChangeAutomationOwnerRequest",
    "ChangeAutomationSpaceRequest",
    "CopyAutomationRequest",
    "CopyAutomationResponse",
    "ErrorItem",
    "ErrorResponse",
    "GetAutomationRunsSort",
    "GetAutomationsSort",
    "Link",
    "Links",
    "MoveAutomationRequest",
)
