"""aioautoml: an asyncio client for Qlik Cloud's ML APIs and DataRobot's Models API."""

__version__ = "0.1.0"
