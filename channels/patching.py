"""Wrapping a method of Rasa once, however often the channels package is imported."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable


def wrap_once(owner: type, name: str, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replaces `owner.name` by `wrap(original)`, unless that wrapper is already installed.

    Args:
        owner: the Rasa class, e.g. RemoteAction.
        name: the method's name, e.g. "_action_call_format".
        wrap: takes the original function and returns its replacement (sync or async,
            as the original); it gets the original's name and docstring. For a
            classmethod both take the class first, and the replacement is installed
            as a classmethod again (so a subclass calling it gets itself as `cls`).
    """
    static = inspect.getattr_static(owner, name)
    is_classmethod = isinstance(static, classmethod)
    original = static.__func__ if is_classmethod else getattr(owner, name)
    if wrap.__qualname__ in getattr(original, "wrapped_by", ()):
        return
    replacement = functools.wraps(original)(wrap(original))
    replacement.wrapped_by = (*getattr(original, "wrapped_by", ()), wrap.__qualname__)  # type: ignore[attr-defined]
    setattr(owner, name, classmethod(replacement) if is_classmethod else replacement)
