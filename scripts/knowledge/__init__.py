"""Knowledge: build the training data and responses from knowledge/."""
