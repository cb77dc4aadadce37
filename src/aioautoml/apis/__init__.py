"""The API objects of the clients, one module per API, for annotations and the reference:

- ``aioautoml.apis.qlik_ml``: ``qlik.ml``
- ``aioautoml.apis.qlik_automl_predictions``: ``qlik.automl_predictions``
- ``aioautoml.apis.qlik_automations``: ``qlik.automations``
- ``aioautoml.apis.qlik_data_stores``: ``qlik.data_stores``
- ``aioautoml.apis.datarobot_models``: ``datarobot.models``

Each module holds ``Api`` (the methods returning parsed bodies) and ``RawApi`` (the same methods
returning status and headers too). The clients create them: import them only to annotate.
"""

__all__ = ["datarobot_models", "qlik_automations", "qlik_automl_predictions", "qlik_data_stores", "qlik_ml"]
