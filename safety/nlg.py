"""Response generator that completes handoff responses with real lines.

A handoff response in domain.yml carries `custom: {handoff: {type: ...}}`.
This generator (set as `nlg` in endpoints.yml, so it runs inside the Rasa
server and needs no action server) adds the lines for the visitor's country
to the text that every channel shows and to the machine-readable payload.
"""
from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from safety import lines


class HandoffNLG(TemplatedNaturalLanguageGenerator):
    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        handoff = ((response or {}).get("custom") or {}).get("handoff")
        if handoff is None:
            return response
        metadata = tracker.latest_message.metadata if tracker.latest_message else {}
        country = lines.resolve_country(
            (metadata or {}).get("country"), tracker.get_slot("country")
        )
        handoff_type = handoff.get("type", "crisis")
        response["custom"]["handoff"] = lines.handoff_payload(handoff_type, country)
        listed = lines.lines_as_text(handoff_type, country)
        response["text"] = f"{(response.get('text') or '').rstrip()}\n{listed}"
        return response
