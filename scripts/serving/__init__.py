"""Serving: start the action server, the Rasa server and the chat page."""
