"""Contains all the data models used in inputs/outputs"""

from .access_control_entry import AccessControlEntry
from .advanced_tuning_arguments_retrieve_response import AdvancedTuningArgumentsRetrieveResponse
from .backtest_status_response import BacktestStatusResponse
from .base_constraint_type import BaseConstraintType
from .base_dependency_build_metadata_response import BaseDependencyBuildMetadataResponse
from .base_dependency_build_metadata_response_build_status import BaseDependencyBuildMetadataResponseBuildStatus
from .bias_mitigated_models_data_response import BiasMitigatedModelsDataResponse
from .bias_mitigated_models_data_response_bias_mitigation_technique import (
    BiasMitigatedModelsDataResponseBiasMitigationTechnique,
)
from .bias_mitigated_models_list_response import BiasMitigatedModelsListResponse
from .bias_mitigation_model_create import BiasMitigationModelCreate
from .bias_mitigation_model_create_bias_mitigation_technique import BiasMitigationModelCreateBiasMitigationTechnique
from .blender_create import BlenderCreate
from .blender_create_blender_method import BlenderCreateBlenderMethod
from .blender_info_retrieve_response import BlenderInfoRetrieveResponse
from .blender_list_response import BlenderListResponse
from .blender_retrieve_response import BlenderRetrieveResponse
from .blender_retrieve_response_data_selection_method import BlenderRetrieveResponseDataSelectionMethod
from .blender_retrieve_response_metrics import BlenderRetrieveResponseMetrics
from .blender_retrieve_response_model_category import BlenderRetrieveResponseModelCategory
from .blender_retrieve_response_sampling_method import BlenderRetrieveResponseSamplingMethod
from .cluster_info_list import ClusterInfoList
from .cluster_names_mapping_validation import ClusterNamesMappingValidation
from .cluster_names_response import ClusterNamesResponse
from .cluster_names_update_param import ClusterNamesUpdateParam
from .combined_model_list_response import CombinedModelListResponse
from .combined_model_response import CombinedModelResponse
from .combined_model_response_model_category import CombinedModelResponseModelCategory
from .combined_model_segments_paginated_response import CombinedModelSegmentsPaginatedResponse
from .combined_model_segments_response import CombinedModelSegmentsResponse
from .combined_model_segments_response_model_metrics_type_0 import CombinedModelSegmentsResponseModelMetricsType0
from .common_get_and_list_combined_model import CommonGetAndListCombinedModel
from .common_get_and_list_combined_model_model_category import CommonGetAndListCombinedModelModelCategory
from .constraints import Constraints
from .create_rating_table_model import CreateRatingTableModel
from .cross_validation_retrieve_response import CrossValidationRetrieveResponse
from .cross_validation_retrieve_response_cv_scores import CrossValidationRetrieveResponseCvScores
from .custom_model_details import CustomModelDetails
from .custom_model_short_response import CustomModelShortResponse
from .custom_model_version_short_response import CustomModelVersionShortResponse
from .custom_training_blueprint_create import CustomTrainingBlueprintCreate
from .custom_training_blueprint_list_response import CustomTrainingBlueprintListResponse
from .custom_training_blueprint_response import CustomTrainingBlueprintResponse
from .custom_training_blueprint_response_target_type import CustomTrainingBlueprintResponseTargetType
from .datetime_model_details_response import DatetimeModelDetailsResponse
from .datetime_model_details_response_data_selection_method import DatetimeModelDetailsResponseDataSelectionMethod
from .datetime_model_details_response_metrics import DatetimeModelDetailsResponseMetrics
from .datetime_model_details_response_model_category import DatetimeModelDetailsResponseModelCategory
from .datetime_model_details_response_sampling_method import DatetimeModelDetailsResponseSamplingMethod
from .datetime_model_record_response import DatetimeModelRecordResponse
from .datetime_model_record_response_data_selection_method import DatetimeModelRecordResponseDataSelectionMethod
from .datetime_model_record_response_metrics import DatetimeModelRecordResponseMetrics
from .datetime_model_record_response_model_category import DatetimeModelRecordResponseModelCategory
from .datetime_model_record_response_sampling_method import DatetimeModelRecordResponseSamplingMethod
from .datetime_model_submission_response import DatetimeModelSubmissionResponse
from .datetime_models_response import DatetimeModelsResponse
from .dependency_build_log_response import DependencyBuildLogResponse
from .deployment_prediction_environment import DeploymentPredictionEnvironment
from .deployment_prediction_environment_platform import DeploymentPredictionEnvironmentPlatform
from .download_scoring_code_source_code import DownloadScoringCodeSourceCode
from .empty import Empty
from .eureqa_distribution_bin import EureqaDistributionBin
from .eureqa_distribution_detail_response import EureqaDistributionDetailResponse
from .eureqa_leaderboard_entry_payload import EureqaLeaderboardEntryPayload
from .eureqa_model_detail_response import EureqaModelDetailResponse
from .eureqa_model_detail_response_plot_data_item import EureqaModelDetailResponsePlotDataItem
from .execution_environment_short_response import ExecutionEnvironmentShortResponse
from .execution_environment_version_short_response import ExecutionEnvironmentVersionShortResponse
from .feature_impact_create_payload import FeatureImpactCreatePayload
from .feature_impact_create_response import FeatureImpactCreateResponse
from .feature_impact_response import FeatureImpactResponse
from .feature_impact_response_feature_impacts_item import FeatureImpactResponseFeatureImpactsItem
from .feature_list_response import FeatureListResponse
from .feature_list_response_data_item import FeatureListResponseDataItem
from .float_ import Float
from .float_list import FloatList
from .frozen_model_create import FrozenModelCreate
from .frozen_model_list_response import FrozenModelListResponse
from .int_ import Int
from .int_list import IntList
from .list_custom_training_blueprints_reverse import ListCustomTrainingBlueprintsReverse
from .list_custom_training_blueprints_target_types_item import ListCustomTrainingBlueprintsTargetTypesItem
from .list_model_jobs_status import ListModelJobsStatus
from .list_model_package_features_for_segmented_analysis import ListModelPackageFeaturesForSegmentedAnalysis
from .list_model_package_features_include_non_prediction_features import (
    ListModelPackageFeaturesIncludeNonPredictionFeatures,
)
from .list_model_package_features_order_by import ListModelPackageFeaturesOrderBy
from .list_model_package_shared_roles_share_recipient_type import ListModelPackageSharedRolesShareRecipientType
from .list_model_packages_build_status import ListModelPackagesBuildStatus
from .list_model_records_characteristics_item import ListModelRecordsCharacteristicsItem
from .list_model_records_families_item import ListModelRecordsFamiliesItem
from .list_model_records_labels_item import ListModelRecordsLabelsItem
from .list_model_records_sort_by_partition import ListModelRecordsSortByPartition
from .list_models_is_starred import ListModelsIsStarred
from .list_models_order_by import ListModelsOrderBy
from .list_rating_table_models_is_starred import ListRatingTableModelsIsStarred
from .list_rating_table_models_order_by import ListRatingTableModelsOrderBy
from .list_registered_model_deployments_sort_direction import ListRegisteredModelDeploymentsSortDirection
from .list_registered_model_deployments_sort_key import ListRegisteredModelDeploymentsSortKey
from .list_registered_model_shared_roles_share_recipient_type import ListRegisteredModelSharedRolesShareRecipientType
from .list_registered_model_version_deployments_sort_direction import ListRegisteredModelVersionDeploymentsSortDirection
from .list_registered_model_version_deployments_sort_key import ListRegisteredModelVersionDeploymentsSortKey
from .list_registered_model_versions_build_status import ListRegisteredModelVersionsBuildStatus
from .list_registered_model_versions_sort_direction import ListRegisteredModelVersionsSortDirection
from .list_registered_model_versions_sort_key import ListRegisteredModelVersionsSortKey
from .list_registered_model_versions_stage import ListRegisteredModelVersionsStage
from .list_registered_models_build_status import ListRegisteredModelsBuildStatus
from .list_registered_models_sort_direction import ListRegisteredModelsSortDirection
from .list_registered_models_sort_key import ListRegisteredModelsSortKey
from .list_registered_models_stage import ListRegisteredModelsStage
from .messages_info import MessagesInfo
from .messages_info_messages_item import MessagesInfoMessagesItem
from .missing_report_retrieve import MissingReportRetrieve
from .missing_report_retrieve_missing_values_report_item import MissingReportRetrieveMissingValuesReportItem
from .missing_report_retrieve_missing_values_report_item_tasks import MissingReportRetrieveMissingValuesReportItemTasks
from .missing_report_retrieve_missing_values_report_item_tasks_additional_property import (
    MissingReportRetrieveMissingValuesReportItemTasksAdditionalProperty,
)
from .model_advanced_tuning import ModelAdvancedTuning
from .model_advanced_tuning_tuning_parameters_item import ModelAdvancedTuningTuningParametersItem
from .model_capabilities_retrieve_response import ModelCapabilitiesRetrieveResponse
from .model_capabilities_retrieve_response_reasons import ModelCapabilitiesRetrieveResponseReasons
from .model_details_response import ModelDetailsResponse
from .model_details_response_data_selection_method import ModelDetailsResponseDataSelectionMethod
from .model_details_response_metrics import ModelDetailsResponseMetrics
from .model_details_response_model_category import ModelDetailsResponseModelCategory
from .model_details_response_sampling_method import ModelDetailsResponseSamplingMethod
from .model_feature_list_response import ModelFeatureListResponse
from .model_job_response import ModelJobResponse
from .model_job_response_model_category import ModelJobResponseModelCategory
from .model_job_response_status import ModelJobResponseStatus
from .model_lifecycle import ModelLifecycle
from .model_lifecycle_stage import ModelLifecycleStage
from .model_package_capabilities_retrieve_response import ModelPackageCapabilitiesRetrieveResponse
from .model_package_capabilities_retrieve_response_data_item import ModelPackageCapabilitiesRetrieveResponseDataItem
from .model_package_create_from_leaderboard import ModelPackageCreateFromLeaderboard
from .model_package_create_from_learning_model import ModelPackageCreateFromLearningModel
from .model_package_list_response import ModelPackageListResponse
from .model_package_retrieve_response import ModelPackageRetrieveResponse
from .model_package_retrieve_response_capabilities import ModelPackageRetrieveResponseCapabilities
from .model_package_retrieve_response_datasets import ModelPackageRetrieveResponseDatasets
from .model_package_retrieve_response_import_meta import ModelPackageRetrieveResponseImportMeta
from .model_package_retrieve_response_mlpkg_file_contents import ModelPackageRetrieveResponseMlpkgFileContents
from .model_package_retrieve_response_model_description import ModelPackageRetrieveResponseModelDescription
from .model_package_retrieve_response_model_kind import ModelPackageRetrieveResponseModelKind
from .model_package_retrieve_response_source_meta import ModelPackageRetrieveResponseSourceMeta
from .model_package_retrieve_response_source_meta_scoring_code import ModelPackageRetrieveResponseSourceMetaScoringCode
from .model_package_retrieve_response_source_meta_use_case_details import (
    ModelPackageRetrieveResponseSourceMetaUseCaseDetails,
)
from .model_package_retrieve_response_target import ModelPackageRetrieveResponseTarget
from .model_package_retrieve_response_timeseries import ModelPackageRetrieveResponseTimeseries
from .model_parameters_retrieve_response import ModelParametersRetrieveResponse
from .model_parameters_retrieve_response_derived_features_item import ModelParametersRetrieveResponseDerivedFeaturesItem
from .model_parameters_retrieve_response_derived_features_item_stage_coefficients_item import (
    ModelParametersRetrieveResponseDerivedFeaturesItemStageCoefficientsItem,
)
from .model_parameters_retrieve_response_derived_features_item_transformations_item import (
    ModelParametersRetrieveResponseDerivedFeaturesItemTransformationsItem,
)
from .model_parameters_retrieve_response_parameters_item import ModelParametersRetrieveResponseParametersItem
from .model_record_response import ModelRecordResponse
from .model_record_response_metrics import ModelRecordResponseMetrics
from .model_records_response import ModelRecordsResponse
from .model_retrain_response import ModelRetrainResponse
from .model_update import ModelUpdate
from .modeling_job_list_response import ModelingJobListResponse
from .num_iterations_trained_response import NumIterationsTrainedResponse
from .num_iterations_trained_response_data_item import NumIterationsTrainedResponseDataItem
from .pareto_front_response import ParetoFrontResponse
from .pareto_front_response_hyperparameters import ParetoFrontResponseHyperparameters
from .pareto_front_response_hyperparameters_building_blocks import ParetoFrontResponseHyperparametersBuildingBlocks
from .pareto_front_response_solutions_item import ParetoFrontResponseSolutionsItem
from .prediction_intervals_create import PredictionIntervalsCreate
from .prediction_intervals_create_response import PredictionIntervalsCreateResponse
from .prediction_intervals_list_response import PredictionIntervalsListResponse
from .prepare_for_deployment import PrepareForDeployment
from .prime_file_create import PrimeFileCreate
from .prime_file_list_response import PrimeFileListResponse
from .prime_file_response import PrimeFileResponse
from .prime_info_retrieve_response import PrimeInfoRetrieveResponse
from .prime_model_create_payload import PrimeModelCreatePayload
from .prime_model_details_retrieve_response import PrimeModelDetailsRetrieveResponse
from .prime_model_details_retrieve_response_metrics import PrimeModelDetailsRetrieveResponseMetrics
from .prime_model_list_response import PrimeModelListResponse
from .prime_rulesets_create_payload import PrimeRulesetsCreatePayload
from .prime_rulesets_list_response import PrimeRulesetsListResponse
from .project_stage import ProjectStage
from .rating_table_create_response import RatingTableCreateResponse
from .rating_table_list_response import RatingTableListResponse
from .rating_table_model_details_response import RatingTableModelDetailsResponse
from .rating_table_model_details_response_data_selection_method import (
    RatingTableModelDetailsResponseDataSelectionMethod,
)
from .rating_table_model_details_response_metrics import RatingTableModelDetailsResponseMetrics
from .rating_table_model_details_response_model_category import RatingTableModelDetailsResponseModelCategory
from .rating_table_model_details_response_sampling_method import RatingTableModelDetailsResponseSamplingMethod
from .rating_table_retrieve_response import RatingTableRetrieveResponse
from .rating_table_update import RatingTableUpdate
from .recommended_model_response import RecommendedModelResponse
from .registered_model_deployments_list_response import RegisteredModelDeploymentsListResponse
from .registered_model_deployments_list_response_data_item import RegisteredModelDeploymentsListResponseDataItem
from .registered_model_list_response import RegisteredModelListResponse
from .registered_model_response import RegisteredModelResponse
from .registered_model_response_target import RegisteredModelResponseTarget
from .registered_model_update import RegisteredModelUpdate
from .registered_model_versions_list_response import RegisteredModelVersionsListResponse
from .retrain_datetime_model import RetrainDatetimeModel
from .retrain_model import RetrainModel
from .rule_fit_code_file_create import RuleFitCodeFileCreate
from .rule_fit_code_file_list_response import RuleFitCodeFileListResponse
from .rule_fit_code_file_response import RuleFitCodeFileResponse
from .segment_champion_model_update import SegmentChampionModelUpdate
from .segment_champion_model_update_response import SegmentChampionModelUpdateResponse
from .segment_project_model_response import SegmentProjectModelResponse
from .select import Select
from .shared_role_entry import SharedRoleEntry
from .shared_role_entry_share_recipient_type import SharedRoleEntryShareRecipientType
from .shared_roles_update import SharedRolesUpdate
from .shared_roles_update_roles_item import SharedRolesUpdateRolesItem
from .sharing_list_response import SharingListResponse
from .sharing_list_v2_response import SharingListV2Response
from .sharing_update_or_remove_with_grant import SharingUpdateOrRemoveWithGrant
from .sharing_update_or_remove_with_grant_data_item import SharingUpdateOrRemoveWithGrantDataItem
from .train_datetime_frozen_model import TrainDatetimeFrozenModel
from .train_datetime_model import TrainDatetimeModel
from .train_incremental_learning_model import TrainIncrementalLearningModel
from .train_model import TrainModel
from .training_history_entry import TrainingHistoryEntry
from .training_info_response import TrainingInfoResponse
from .tuning_parameters import TuningParameters
from .upload_rating_table import UploadRatingTable
from .user_reference import UserReference

__all__ = (
    "AccessControlEntry",
    "AdvancedTuningArgumentsRetrieveResponse",
    "BacktestStatusResponse",
    "BaseConstraintType",
    "BaseDependencyBuildMetadataResponse",
    "BaseDependencyBuildMetadataResponseBuildStatus",
    "BiasMitigatedModelsDataResponse",
    "BiasMitigatedModelsDataResponseBiasMitigationTechnique",
    "BiasMitigatedModelsListResponse",
    "BiasMitigationModelCreate",
    "BiasMitigationModelCreateBiasMitigationTechnique",
    "BlenderCreate",
    "BlenderCreateBlenderMethod",
    "BlenderInfoRetrieveResponse",
    "BlenderListResponse",
    "BlenderRetrieveResponse",
    "BlenderRetrieveResponseDataSelectionMethod",
    "BlenderRetrieveResponseMetrics",
    "BlenderRetrieveResponseModelCategory",
    "BlenderRetrieveResponseSamplingMethod",
    "ClusterInfoList",
    "ClusterNamesMappingValidation",
    "ClusterNamesResponse",
    "ClusterNamesUpdateParam",
    "CombinedModelListResponse",
    "CombinedModelResponse",
    "CombinedModelResponseModelCategory",
    "CombinedModelSegmentsPaginatedResponse",
    "CombinedModelSegmentsResponse",
    "CombinedModelSegmentsResponseModelMetricsType0",
    "CommonGetAndListCombinedModel",
    "CommonGetAndListCombinedModelModelCategory",
    "Constraints",
    "CreateRatingTableModel",
    "CrossValidationRetrieveResponse",
    "CrossValidationRetrieveResponseCvScores",
    "CustomModelDetails",
    "CustomModelShortResponse",
    "CustomModelVersionShortResponse",
    "CustomTrainingBlueprintCreate",
    "CustomTrainingBlueprintListResponse",
    "CustomTrainingBlueprintResponse",
    "CustomTrainingBlueprintResponseTargetType",
    "DatetimeModelDetailsResponse",
    "DatetimeModelDetailsResponseDataSelectionMethod",
    "DatetimeModelDetailsResponseMetrics",
    "DatetimeModelDetailsResponseModelCategory",
    "DatetimeModelDetailsResponseSamplingMethod",
    "DatetimeModelRecordResponse",
    "DatetimeModelRecordResponseDataSelectionMethod",
    "DatetimeModelRecordResponseMetrics",
    "DatetimeModelRecordResponseModelCategory",
    "DatetimeModelRecordResponseSamplingMethod",
    "DatetimeModelsResponse",
    "DatetimeModelSubmissionResponse",
    "DependencyBuildLogResponse",
    "DeploymentPredictionEnvironment",
    "DeploymentPredictionEnvironmentPlatform",
    "DownloadScoringCodeSourceCode",
    "Empty",
    "EureqaDistributionBin",
    "EureqaDistributionDetailResponse",
    "EureqaLeaderboardEntryPayload",
    "EureqaModelDetailResponse",
    "EureqaModelDetailResponsePlotDataItem",
    "ExecutionEnvironmentShortResponse",
    "ExecutionEnvironmentVersionShortResponse",
    "FeatureImpactCreatePayload",
    "FeatureImpactCreateResponse",
    "FeatureImpactResponse",
    "FeatureImpactResponseFeatureImpactsItem",
    "FeatureListResponse",
    "FeatureListResponseDataItem",
    "Float",
    "FloatList",
    "FrozenModelCreate",
    "FrozenModelListResponse",
    "Int",
    "IntList",
    "ListCustomTrainingBlueprintsReverse",
    "ListCustomTrainingBlueprintsTargetTypesItem",
    "ListModelJobsStatus",
    "ListModelPackageFeaturesForSegmentedAnalysis",
    "ListModelPackageFeaturesIncludeNonPredictionFeatures",
    "ListModelPackageFeaturesOrderBy",
    "ListModelPackagesBuildStatus",
    "ListModelPackageSharedRolesShareRecipientType",
    "ListModelRecordsCharacteristicsItem",
    "ListModelRecordsFamiliesItem",
    "ListModelRecordsLabelsItem",
    "ListModelRecordsSortByPartition",
    "ListModelsIsStarred",
    "ListModelsOrderBy",
    "ListRatingTableModelsIsStarred",
    "ListRatingTableModelsOrderBy",
    "ListRegisteredModelDeploymentsSortDirection",
    "ListRegisteredModelDeploymentsSortKey",
    "ListRegisteredModelsBuildStatus",
    "ListRegisteredModelSharedRolesShareRecipientType",
    "ListRegisteredModelsSortDirection",
    "ListRegisteredModelsSortKey",
    "ListRegisteredModelsStage",
    "ListRegisteredModelVersionDeploymentsSortDirection",
    "ListRegisteredModelVersionDeploymentsSortKey",
    "ListRegisteredModelVersionsBuildStatus",
    "ListRegisteredModelVersionsSortDirection",
    "ListRegisteredModelVersionsSortKey",
    "ListRegisteredModelVersionsStage",
    "MessagesInfo",
    "MessagesInfoMessagesItem",
    "MissingReportRetrieve",
    "MissingReportRetrieveMissingValuesReportItem",
    "MissingReportRetrieveMissingValuesReportItemTasks",
    "MissingReportRetrieveMissingValuesReportItemTasksAdditionalProperty",
    "ModelAdvancedTuning",
    "ModelAdvancedTuningTuningParametersItem",
    "ModelCapabilitiesRetrieveResponse",
    "ModelCapabilitiesRetrieveResponseReasons",
    "ModelDetailsResponse",
    "ModelDetailsResponseDataSelectionMethod",
    "ModelDetailsResponseMetrics",
    "ModelDetailsResponseModelCategory",
    "ModelDetailsResponseSamplingMethod",
    "ModelFeatureListResponse",
    "ModelingJobListResponse",
    "ModelJobResponse",
    "ModelJobResponseModelCategory",
    "ModelJobResponseStatus",
    "ModelLifecycle",
    "ModelLifecycleStage",
    "ModelPackageCapabilitiesRetrieveResponse",
    "ModelPackageCapabilitiesRetrieveResponseDataItem",
    "ModelPackageCreateFromLeaderboard",
    "ModelPackageCreateFromLearningModel",
    "ModelPackageListResponse",
    "ModelPackageRetrieveResponse",
    "ModelPackageRetrieveResponseCapabilities",
    "ModelPackageRetrieveResponseDatasets",
    "ModelPackageRetrieveResponseImportMeta",
    "ModelPackageRetrieveResponseMlpkgFileContents",
    "ModelPackageRetrieveResponseModelDescription",
    "ModelPackageRetrieveResponseModelKind",
    "ModelPackageRetrieveResponseSourceMeta",
    "ModelPackageRetrieveResponseSourceMetaScoringCode",
    "ModelPackageRetrieveResponseSourceMetaUseCaseDetails",
    "ModelPackageRetrieveResponseTarget",
    "ModelPackageRetrieveResponseTimeseries",
    "ModelParametersRetrieveResponse",
    "ModelParametersRetrieveResponseDerivedFeaturesItem",
    "ModelParametersRetrieveResponseDerivedFeaturesItemStageCoefficientsItem",
    "ModelParametersRetrieveResponseDerivedFeaturesItemTransformationsItem",
    "ModelParametersRetrieveResponseParametersItem",
    "ModelRecordResponse",
    "ModelRecordResponseMetrics",
    "ModelRecordsResponse",
    "ModelRetrainResponse",
    "ModelUpdate",
    "NumIterationsTrainedResponse",
    "NumIterationsTrainedResponseDataItem",
    "ParetoFrontResponse",
    "ParetoFrontResponseHyperparameters",
    "ParetoFrontResponseHyperparametersBuildingBlocks",
    "ParetoFrontResponseSolutionsItem",
    "PredictionIntervalsCreate",
    "PredictionIntervalsCreateResponse",
    "PredictionIntervalsListResponse",
    "PrepareForDeployment",
    "PrimeFileCreate",
    "PrimeFileListResponse",
    "PrimeFileResponse",
    "PrimeInfoRetrieveResponse",
    "PrimeModelCreatePayload",
    "PrimeModelDetailsRetrieveResponse",
    "PrimeModelDetailsRetrieveResponseMetrics",
    "PrimeModelListResponse",
    "PrimeRulesetsCreatePayload",
    "PrimeRulesetsListResponse",
    "ProjectStage",
    "RatingTableCreateResponse",
    "RatingTableListResponse",
    "RatingTableModelDetailsResponse",
    "RatingTableModelDetailsResponseDataSelectionMethod",
    "RatingTableModelDetailsResponseMetrics",
    "RatingTableModelDetailsResponseModelCategory",
    "RatingTableModelDetailsResponseSamplingMethod",
    "RatingTableRetrieveResponse",
    "RatingTableUpdate",
    "RecommendedModelResponse",
    "RegisteredModelDeploymentsListResponse",
    "RegisteredModelDeploymentsListResponseDataItem",
    "RegisteredModelListResponse",
    "RegisteredModelResponse",
    "RegisteredModelResponseTarget",
    "RegisteredModelUpdate",
    "RegisteredModelVersionsListResponse",
    "RetrainDatetimeModel",
    "RetrainModel",
    "RuleFitCodeFileCreate",
    "RuleFitCodeFileListResponse",
    "RuleFitCodeFileResponse",
    "SegmentChampionModelUpdate",
    "SegmentChampionModelUpdateResponse",
    "SegmentProjectModelResponse",
    "Select",
    "SharedRoleEntry",
    "SharedRoleEntryShareRecipientType",
    "SharedRolesUpdate",
    "SharedRolesUpdateRolesItem",
    "SharingListResponse",
    "SharingListV2Response",
    "SharingUpdateOrRemoveWithGrant",
    "SharingUpdateOrRemoveWithGrantDataItem",
    "TrainDatetimeFrozenModel",
    "TrainDatetimeModel",
    "TrainIncrementalLearningModel",
    "TrainingHistoryEntry",
    "TrainingInfoResponse",
    "TrainModel",
    "TuningParameters",
    "UploadRatingTable",
    "UserReference",
)
