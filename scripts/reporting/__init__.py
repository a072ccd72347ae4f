"""Reporting: how the assistant is doing, from the stored conversations (`make report`)."""
