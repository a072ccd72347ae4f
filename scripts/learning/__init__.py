"""Learning: the model registry, the promotion gate, retraining and conversation review."""
