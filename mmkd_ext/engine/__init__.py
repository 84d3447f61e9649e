"""Engine parts of mmkd_ext: hooks, loops and optimizer wrappers."""
