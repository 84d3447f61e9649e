"""The error of a distiller config that cannot work."""
from mmkd_ext.utils.config import ConfigError


class DistillerConfigError(ConfigError):
    """A distiller config that cannot work; the message names the key."""
