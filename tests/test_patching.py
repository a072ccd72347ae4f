"""wrap_once: a Rasa method is wrapped once, however often the channels are installed."""

import asyncio

from channels.patching import wrap_once


class Greeter:
    def hello(self, name):
        """Says hello."""
        return f"hej {name}"

    async def later(self):
        return "senere"


def shouting(original):
    return lambda self, name: original(self, name).upper()


def exclaiming(original):
    return lambda self, name: original(self, name) + "!"


def test_a_method_is_wrapped_once_and_keeps_its_name_and_docstring():
    class Owner(Greeter):
        hello = Greeter.hello

    wrap_once(Owner, "hello", shouting)
    wrap_once(Owner, "hello", shouting)  # the channels package imported again
    assert Owner().hello("bo") == "HEJ BO"
    assert Owner.hello.__name__ == "hello" and Owner.hello.__doc__ == "Says hello."
    wrap_once(Owner, "hello", exclaiming)  # another wrapper of the same method still goes on
    assert Owner().hello("bo") == "HEJ BO!"


def test_an_async_method_stays_async():
    class Owner(Greeter):
        later = Greeter.later

    def politely(original):
        async def later(self):
            return f"{await original(self)}, tak"
        return later

    wrap_once(Owner, "later", politely)
    wrap_once(Owner, "later", politely)
    assert asyncio.run(Owner().later()) == "senere, tak"


def test_a_classmethod_stays_a_classmethod_of_the_calling_subclass():
    class Model:
        @classmethod
        def load(cls, path):
            """Loads a model."""
            return cls, path

    class Special(Model):
        pass

    def logged(original):
        def load(cls, path):
            model_class, loaded = original(cls, path)
            return model_class, f"{loaded} (logged)"
        return load

    wrap_once(Model, "load", logged)
    wrap_once(Model, "load", logged)  # the channels package imported again
    assert Special.load("weights") == (Special, "weights (logged)")
    assert Model.load("weights") == (Model, "weights (logged)")
    assert Model.load.__doc__ == "Loads a model."
