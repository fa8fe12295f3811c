"""Consumer-side models: what a real consumer of corpusc's outputs accepts,
written here from that consumer's documented field names and types."""
