"""The rule layer reads a message once per turn: the wrapper's reading is the
one the pipeline's SafetyRuleClassifier gets (safety/detector.py, _last_reading),
and nothing of it reaches another turn."""
import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.turn import safe_turn
from safety import detector as rules
from safety.detector import default_detector


def counting_reads(monkeypatch) -> list:
    """The texts the rule layer really reads (not those it already read this turn)."""
    read = rules.Detector._read
    texts = []

    def counted(self, text):
        texts.append(text)
        return read(self, text)

    monkeypatch.setattr(rules.Detector, "_read", counted)
    return texts


def test_the_pipeline_gets_the_reading_the_wrapper_made(monkeypatch):
    reads = counting_reads(monkeypatch)
    seen = []

    async def model(message):  # reads as SafetyRuleClassifier does, in the task the turn starts
        seen.append(default_detector().read(message.text))
        await message.output_channel.send_text_message(message.sender_id, "an answer")

    out = CollectingOutputChannel()
    asyncio.run(safe_turn(model)(UserMessage("i want to end my life", out, "v", input_channel="rest")))
    assert reads == ["i want to end my life"]
    assert seen[0].detection is not None and seen[0].detection.type == "crisis"
    assert out.messages[0]["custom"]["handoff"]["type"] == "crisis"


def test_another_text_or_another_turn_is_read_afresh(monkeypatch):
    reads = counting_reads(monkeypatch)
    detector = default_detector()

    async def turn(*texts):
        return [detector.read(text) for text in texts]

    first = asyncio.run(turn("how much does it cost", "how much does it cost", "i am in the uk"))
    assert reads == ["how much does it cost", "i am in the uk"]
    assert first[0] is first[1] and first[2].country == "GB"
    asyncio.run(turn("how much does it cost"))  # a new turn: nothing carried over
    assert reads == ["how much does it cost", "i am in the uk", "how much does it cost"]


def test_each_part_of_a_two_question_message_is_read(monkeypatch):
    reads = counting_reads(monkeypatch)

    async def model(message):
        default_detector().read(message.text)
        await message.output_channel.send_text_message(message.sender_id, "an answer")

    text = "how much is it? and is it covered by insurance?"
    asyncio.run(safe_turn(model)(UserMessage(text, CollectingOutputChannel(), "v", input_channel="rest")))
    assert reads[0] == text and len(reads) == 3  # the whole message, then each question
