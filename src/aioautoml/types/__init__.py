"""The request and response models of each API, one module per API, on a stable public path:

- ``aioautoml.types.qlik_ml``: Qlik Cloud Machine Learning
- ``aioautoml.types.qlik_automl_predictions``: Qlik Cloud AutoML dataset predictions
- ``aioautoml.types.qlik_automations``: Qlik Cloud Automations
- ``aioautoml.types.qlik_data_stores``: Qlik Cloud Data stores
- ``aioautoml.types.datarobot_models``: DataRobot Models

Each is imported on its own (an API's models are a few hundred classes), so import the one you
need: ``from aioautoml.types import qlik_ml``.
"""

__all__ = ["datarobot_models", "qlik_automations", "qlik_automl_predictions", "qlik_data_stores", "qlik_ml"]
