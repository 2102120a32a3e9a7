"""NLU component: the model reads at most `max_tokens` tokens of a message.

DIET's attention costs grow with the square of a message's length, and
the model runs on the server's event loop, so one very long message stalled
every visitor. Placed right after SpacyTokenizer, this keeps a message's
first half and last half of `max_tokens` tokens (visitors often tell a long
story and ask their question at the end) and drops the middle, at training
and at inference, so everything after it (featurizers, DIET, the selectors)
sees at most `max_tokens`.

Only the model's view is cut: the message text is untouched, and the rule
layer (safety/, in channels/turn.py and last in the pipeline) reads all of
it. The default, 128, is above the longest training example (67 tokens in
.build/data when this was written), so training is unchanged by it;
tests/unit/test_token_cap.py checks that stays true.
"""
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def cap_tokens(tokens: List[Token], max_tokens: int) -> List[Token]:
    """The first and last halves of `max_tokens` tokens (the first half one longer if odd)."""
    if len(tokens) <= max_tokens:
        return tokens
    tail = max_tokens // 2
    head = max_tokens - tail
    return tokens[:head] + (tokens[-tail:] if tail else [])


# A featurizer to the recipe, so it runs in order both in training and in
# inference (Rasa's tokenizers and featurizers are the only components
# whose output the later ones train on).
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TokenCap(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_tokens": 128}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TokenCap":
        return cls(config)

    def __init__(self, config: Dict[Text, Any]) -> None:
        settings = {**self.get_default_config(), **(config or {})}
        self.max_tokens = int(settings["max_tokens"])
        if self.max_tokens < 1:
            raise ValueError("TokenCap's max_tokens must be at least 1")

    def _cap(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if tokens and len(tokens) > self.max_tokens:
            message.set(TOKENS_NAMES[TEXT], cap_tokens(tokens, self.max_tokens))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._cap(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._cap(message)
        return messages
