"""An organisation's configuration folder: its settings and mapping tables, outside the code."""

from orchestration.config.loader import Config, ConfigError, MappingTable, Problem, load_config
from orchestration.config.spec import MAPPINGS, SETTINGS

__all__ = ["MAPPINGS", "SETTINGS", "Config", "ConfigError", "MappingTable", "Problem", "load_config"]
