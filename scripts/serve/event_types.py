"""Rasa's event-type lookup, remembered (applied by scripts/serve/rasa_server.py).

Reading a conversation from the tracker store turns every stored event back
into an object, and Rasa 3.6 finds each event's class with
Event.resolve_by_type, which walks the whole tree of Event subclasses (and
asks inspect.isabstract of each) every time: about 0.1 ms per event, many
per turn (docs/performance.md). The classes don't change once the server has
loaded, so each name found is kept. A name not found yet (an unknown event,
a class imported later) still goes to Rasa's own lookup, so its answers and
its errors are the same as before.
"""
from typing import Dict, Optional, Text, Type

from rasa.shared.core.events import Event

_found: Dict[Text, Type[Event]] = {}
_rasa_lookup = Event.resolve_by_type


def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    cls = _found.get(type_name)
    if cls is not None:
        return cls
    cls = _rasa_lookup(type_name, default)
    # Keep only a real match, not the caller's default for an unknown name.
    if cls is not None and getattr(cls, "type_name", None) == type_name:
        _found[type_name] = cls
    return cls


def apply() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)


def applied() -> bool:
    return Event.__dict__["resolve_by_type"].__func__ is resolve_by_type


def restore() -> None:
    Event.resolve_by_type = staticmethod(_rasa_lookup)
    _found.clear()
