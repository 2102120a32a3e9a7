"""The remembered event-type lookup gives what Rasa's own does (scripts/serve/event_types.py)."""
import pytest
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from scripts.serve import event_types


@pytest.fixture
def remembered():
    event_types.apply()
    yield
    event_types.restore()


def test_every_event_class_resolves_as_rasa_resolves_it(remembered):
    names = {cls.type_name for cls in all_subclasses(Event)}
    rasa_answers = {name: event_types._rasa_lookup(name) for name in names}
    for _ in range(2):  # the second pass comes from memory
        assert {name: Event.resolve_by_type(name) for name in names} == rasa_answers
    assert set(event_types._found) == names


def test_stored_events_read_back_the_same(remembered):
    events = [UserUttered("hi", {"name": "greet", "confidence": 1.0}), ActionExecuted("utter_greet"),
              SlotSet("country", "CA")]
    for _ in range(2):
        assert [Event.from_parameters(e.as_dict()) for e in events] == events


def test_unknown_names_behave_as_in_rasa(remembered):
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    # A default stands in for an unknown name, and is not remembered for it.
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert "no_such_event" not in event_types._found
    assert Event.resolve_by_type("topic") is None


def test_apply_and_restore():
    assert not event_types.applied()
    event_types.apply()
    assert event_types.applied()
    event_types.restore()
    assert not event_types.applied()
