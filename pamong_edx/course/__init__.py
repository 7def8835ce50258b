"""Course sources: the typed model, the YAML loader and its diagnostics."""
