"""Privacy tools for operators: erasing conversations (make forget, make forget-old)."""
