"""Contains all the data models used in inputs/outputs"""

from .algorithm import Algorithm
from .alias import Alias
from .alias_attributes import AliasAttributes
from .alias_attributes_mode import AliasAttributesMode
from .alias_input import AliasInput
from .alias_input_data import AliasInputData
from .alias_input_data_attributes import AliasInputDataAttributes
from .alias_input_data_type import AliasInputDataType
from .alias_list import AliasList
from .alias_model import AliasModel
from .alias_patch_operation import AliasPatchOperation
from .alias_patch_operation_path import AliasPatchOperationPath
from .alias_response import AliasResponse
from .alias_type import AliasType
from .batch_prediction import BatchPrediction
from .batch_prediction_attributes import BatchPredictionAttributes
from .batch_prediction_attributes_status import BatchPredictionAttributesStatus
from .batch_prediction_input import BatchPredictionInput
from .batch_prediction_input_attributes import BatchPredictionInputAttributes
from .batch_prediction_input_data import BatchPredictionInputData
from .batch_prediction_input_data_type import BatchPredictionInputDataType
from .batch_prediction_list import BatchPredictionList
from .batch_prediction_patch_operation import BatchPredictionPatchOperation
from .batch_prediction_patch_operation_path import BatchPredictionPatchOperationPath
from .batch_prediction_response import BatchPredictionResponse
from .batch_prediction_schedule import BatchPredictionSchedule
from .batch_prediction_schedule_attributes import BatchPredictionScheduleAttributes
from .batch_prediction_schedule_attributes_status import BatchPredictionScheduleAttributesStatus
from .batch_prediction_schedule_config import BatchPredictionScheduleConfig
from .batch_prediction_schedule_input import BatchPredictionScheduleInput
from .batch_prediction_schedule_input_data import BatchPredictionScheduleInputData
from .batch_prediction_schedule_input_data_type import BatchPredictionScheduleInputDataType
from .batch_prediction_schedule_patch_operation import BatchPredictionSchedulePatchOperation
from .batch_prediction_schedule_patch_operation_path import BatchPredictionSchedulePatchOperationPath
from .batch_prediction_schedule_response import BatchPredictionScheduleResponse
from .batch_prediction_schedule_type import BatchPredictionScheduleType
from .batch_prediction_type import BatchPredictionType
from .batch_prediction_writeback import BatchPredictionWriteback
from .batch_prediction_writeback_format import BatchPredictionWritebackFormat
from .binary_imbalance_sampling import BinaryImbalanceSampling
from .binary_imbalance_sampling_sample_direction import BinaryImbalanceSamplingSampleDirection
from .binary_metrics import BinaryMetrics
from .cancel_job_corr_type import CancelJobCorrType
from .dataset_origin import DatasetOrigin
from .default_version_config import DefaultVersionConfig
from .deployed_models_input import DeployedModelsInput
from .deployed_models_input_data import DeployedModelsInputData
from .deployed_models_input_data_attributes import DeployedModelsInputDataAttributes
from .deployed_models_input_data_type import DeployedModelsInputDataType
from .deployment import Deployment
from .deployment_attributes import DeploymentAttributes
from .deployment_input import DeploymentInput
from .deployment_input_attributes import DeploymentInputAttributes
from .deployment_input_data import DeploymentInputData
from .deployment_input_data_type import DeploymentInputDataType
from .deployment_list import DeploymentList
from .deployment_patch_operation import DeploymentPatchOperation
from .deployment_patch_operation_path import DeploymentPatchOperationPath
from .deployment_response import DeploymentResponse
from .deployment_type import DeploymentType
from .dropped_feature import DroppedFeature
from .dropped_feature_reason import DroppedFeatureReason
from .error import Error
from .error_meta import ErrorMeta
from .error_response import ErrorResponse
from .experiment import Experiment
from .experiment_attributes import ExperimentAttributes
from .experiment_input import ExperimentInput
from .experiment_input_data import ExperimentInputData
from .experiment_input_data_attributes import ExperimentInputDataAttributes
from .experiment_input_data_type import ExperimentInputDataType
from .experiment_list import ExperimentList
from .experiment_mode import ExperimentMode
from .experiment_model import ExperimentModel
from .experiment_model_attributes import ExperimentModelAttributes
from .experiment_model_attributes_algo_abbrv import ExperimentModelAttributesAlgoAbbrv
from .experiment_model_attributes_model_state import ExperimentModelAttributesModelState
from .experiment_model_attributes_status import ExperimentModelAttributesStatus
from .experiment_model_list import ExperimentModelList
from .experiment_model_response import ExperimentModelResponse
from .experiment_model_type import ExperimentModelType
from .experiment_patch_operation import ExperimentPatchOperation
from .experiment_patch_operation_path import ExperimentPatchOperationPath
from .experiment_resource_type import ExperimentResourceType
from .experiment_response import ExperimentResponse
from .experiment_type import ExperimentType
from .experiment_version import ExperimentVersion
from .experiment_version_attributes import ExperimentVersionAttributes
from .experiment_version_attributes_status import ExperimentVersionAttributesStatus
from .experiment_version_input import ExperimentVersionInput
from .experiment_version_input_attributes import ExperimentVersionInputAttributes
from .experiment_version_input_data import ExperimentVersionInputData
from .experiment_version_input_data_type import ExperimentVersionInputDataType
from .experiment_version_list import ExperimentVersionList
from .experiment_version_patch_operation import ExperimentVersionPatchOperation
from .experiment_version_patch_operation_path import ExperimentVersionPatchOperationPath
from .experiment_version_response import ExperimentVersionResponse
from .experiment_version_type import ExperimentVersionType
from .feature import Feature
from .feature_data_type import FeatureDataType
from .feature_insights import FeatureInsights
from .feature_insights_insights_item import FeatureInsightsInsightsItem
from .feature_type import FeatureType
from .get_batch_predictions_sort import GetBatchPredictionsSort
from .get_deployment_aliases_sort import GetDeploymentAliasesSort
from .get_deployments_sort import GetDeploymentsSort
from .get_experiment_models_sort import GetExperimentModelsSort
from .get_experiment_versions_sort import GetExperimentVersionsSort
from .get_experiments_sort import GetExperimentsSort
from .job import Job
from .job_attributes import JobAttributes
from .job_attributes_corr_type import JobAttributesCorrType
from .job_attributes_job_type import JobAttributesJobType
from .job_attributes_status import JobAttributesStatus
from .job_details import JobDetails
from .job_output_file import JobOutputFile
from .job_response import JobResponse
from .job_type import JobType
from .link import Link
from .list_links import ListLinks
from .list_meta import ListMeta
from .model_metrics import ModelMetrics
from .model_recommendation import ModelRecommendation
from .model_recommendation_attributes import ModelRecommendationAttributes
from .model_recommendation_input import ModelRecommendationInput
from .model_recommendation_response import ModelRecommendationResponse
from .model_recommendation_type import ModelRecommendationType
from .multiclass_metrics import MulticlassMetrics
from .patch_op import PatchOp
from .pipeline import Pipeline
from .pipeline_transform import PipelineTransform
from .pipeline_transform_column import PipelineTransformColumn
from .preprocessed_insight import PreprocessedInsight
from .preprocessed_insight_insights_item import PreprocessedInsightInsightsItem
from .profile_insights import ProfileInsights
from .profile_insights_attributes import ProfileInsightsAttributes
from .profile_insights_attributes_status import ProfileInsightsAttributesStatus
from .profile_insights_input import ProfileInsightsInput
from .profile_insights_input_data import ProfileInsightsInputData
from .profile_insights_input_data_attributes import ProfileInsightsInputDataAttributes
from .profile_insights_input_data_type import ProfileInsightsInputDataType
from .profile_insights_response import ProfileInsightsResponse
from .profile_insights_type import ProfileInsightsType
from .realtime_prediction_feature import RealtimePredictionFeature
from .realtime_prediction_input import RealtimePredictionInput
from .realtime_prediction_response import RealtimePredictionResponse
from .realtime_prediction_response_data import RealtimePredictionResponseData
from .realtime_prediction_response_data_attributes import RealtimePredictionResponseDataAttributes
from .realtime_prediction_response_data_type import RealtimePredictionResponseDataType
from .regression_metrics import RegressionMetrics
from .timeseries_metrics import TimeseriesMetrics

__all__ = (
    "Algorithm",
    "Alias",
    "AliasAttributes",
    "AliasAttributesMode",
    "AliasInput",
    "AliasInputData",
    "AliasInputDataAttributes",
    "AliasInputDataType",
    "AliasList",
    "AliasModel",
    "AliasPatchOperation",
    "AliasPatchOperationPath",
    "AliasResponse",
    "AliasType",
    "BatchPrediction",
    "BatchPredictionAttributes",
    "BatchPredictionAttributesStatus",
    "BatchPredictionInput",
    "BatchPredictionInputAttributes",
    "BatchPredictionInputData",
    "BatchPredictionInputDataType",
    "BatchPredictionList",
    "BatchPredictionPatchOperation",
    "BatchPredictionPatchOperationPath",
    "BatchPredictionResponse",
    "BatchPredictionSchedule",
    "BatchPredictionScheduleAttributes",
    "BatchPredictionScheduleAttributesStatus",
    "BatchPredictionScheduleConfig",
    "BatchPredictionScheduleInput",
    "BatchPredictionScheduleInputData",
    "BatchPredictionScheduleInputDataType",
    "BatchPredictionSchedulePatchOperation",
    "BatchPredictionSchedulePatchOperationPath",
    "BatchPredictionScheduleResponse",
    "BatchPredictionScheduleType",
    "BatchPredictionType",
    "BatchPredictionWriteback",
    "BatchPredictionWritebackFormat",
    "BinaryImbalanceSampling",
    "BinaryImbalanceSamplingSampleDirection",
    "BinaryMetrics",
    "CancelJobCorrType",
    "DatasetOrigin",
    "DefaultVersionConfig",
    "DeployedModelsInput",
    "DeployedModelsInputData",
    "DeployedModelsInputDataAttributes",
    "DeployedModelsInputDataType",
    "Deployment",
    "DeploymentAttributes",
    "DeploymentInput",
    "DeploymentInputAttributes",
    "DeploymentInputData",
    "DeploymentInputDataType",
    "DeploymentList",
    "DeploymentPatchOperation",
    "DeploymentPatchOperationPath",
    "DeploymentResponse",
    "DeploymentType",
    "DroppedFeature",
    "DroppedFeatureReason",
    "Error",
    "ErrorMeta",
    "ErrorResponse",
    "Experiment",
    "ExperimentAttributes",
    "ExperimentInput",
    "ExperimentInputData",
    "ExperimentInputDataAttributes",
    "ExperimentInputDataType",
    "ExperimentList",
    "ExperimentMode",
    "ExperimentModel",
    "ExperimentModelAttributes",
    "ExperimentModelAttributesAlgoAbbrv",
    "ExperimentModelAttributesModelState",
    "ExperimentModelAttributesStatus",
    "ExperimentModelList",
    "ExperimentModelResponse",
    "ExperimentModelType",
    "ExperimentPatchOperation",
    "ExperimentPatchOperationPath",
    "ExperimentResourceType",
    "ExperimentResponse",
    "ExperimentType",
    "ExperimentVersion",
    "ExperimentVersionAttributes",
    "ExperimentVersionAttributesStatus",
    "ExperimentVersionInput",
    "ExperimentVersionInputAttributes",
    "ExperimentVersionInputData",
    "ExperimentVersionInputDataType",
    "ExperimentVersionList",
    "ExperimentVersionPatchOperation",
    "ExperimentVersionPatchOperationPath",
    "ExperimentVersionResponse",
    "ExperimentVersionType",
    "Feature",
    "FeatureDataType",
    "FeatureInsights",
    "FeatureInsightsInsightsItem",
    "FeatureType",
    "GetBatchPredictionsSort",
    "GetDeploymentAliasesSort",
    "GetDeploymentsSort",
    "GetExperimentModelsSort",
    "GetExperimentsSort",
    "GetExperimentVersionsSort",
    "Job",
    "JobAttributes",
    "JobAttributesCorrType",
    "JobAttributesJobType",
    "JobAttributesStatus",
    "JobDetails",
    "JobOutputFile",
    "JobResponse",
    "JobType",
    "Link",
    "ListLinks",
    "ListMeta",
    "ModelMetrics",
    "ModelRecommendation",
    "ModelRecommendationAttributes",
    "ModelRecommendationInput",
    "ModelRecommendationResponse",
    "ModelRecommendationType",
    "MulticlassMetrics",
    "PatchOp",
    "Pipeline",
    "PipelineTransform",
    "PipelineTransformColumn",
    "PreprocessedInsight",
    "PreprocessedInsightInsightsItem",
    "ProfileInsights",
    "ProfileInsightsAttributes",
    "ProfileInsightsAttributesStatus",
    "ProfileInsightsInput",
    "ProfileInsightsInputData",
    "ProfileInsightsInputDataAttributes",
    "ProfileInsightsInputDataType",
    "ProfileInsightsResponse",
    "ProfileInsightsType",
    "RealtimePredictionFeature",
    "RealtimePredictionInput",
    "RealtimePredictionResponse",
    "RealtimePredictionResponseData",
    "RealtimePredictionResponseDataAttributes",
    "RealtimePredictionResponseDataType",
    "RegressionMetrics",
    "TimeseriesMetrics",
)
