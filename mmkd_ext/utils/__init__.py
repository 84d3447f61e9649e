"""Utilities of mmkd_ext: safe checkpoint loading and config loading."""
