"""Input channels of the Rasa server (named in credentials.yml)."""

from channels import form_fallback

form_fallback.install()
