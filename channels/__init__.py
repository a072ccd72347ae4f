"""Input channels of the Rasa server (named in credentials.yml)."""

from channels import action_payload, form_fallback, model_loading, policy_window, repeats, threads

action_payload.install()
form_fallback.install()
model_loading.install()
policy_window.install()
repeats.install()
threads.install()
