"""Models of mmkd_ext: distillers, losses, heads and auxiliary modules."""
