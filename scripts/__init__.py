"""Operator tools behind the `make` targets, grouped by what they do:
serving/ (start the servers and the chat page), learning/ (model registry, evaluation,
promotion gate, retraining, conversation review), knowledge/ (build the training
data from knowledge/), bench/ (benchmarks). paths.py says where things are.
"""
