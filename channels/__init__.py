"""Input channels of the Rasa server (named in credentials.yml)."""

from channels import form_fallback, repeats

form_fallback.install()
repeats.install()
