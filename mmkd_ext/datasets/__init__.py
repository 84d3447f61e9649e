"""Datasets and tiny dataset writers of mmkd_ext."""
