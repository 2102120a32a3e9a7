"""Log records without personal data (privacy/logs.py): a real SQLAlchemy error's parameters, the
turn's ids and text in tasks it starts, phone numbers and conversation ids, structlog's JSON lines,
the connectors' tracebacks; at DEBUG as at ERROR, through a handler set up after the install."""
import asyncio
import io
import json
import logging
import sqlite3

import pytest
import sqlalchemy as sa

from privacy import logs

PHONE = "+15557654321"
MARKER = "zebra3141"


@pytest.fixture
def log():
    """A DEBUG logger with its own handler, added after the install (as Rasa and Sanic do), and its text."""
    logs.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    loggers = [logging.getLogger(name) for name in ("rasa.core.processor", "rasa.core.channels.botframework",
                                                      "channels.turn", "rasa.core.channels.facebook")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield loggers, stream
    for logger in loggers:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    logs._turn.set(logs.NOTHING)


def sqlalchemy_error(tmp_path) -> sa.exc.StatementError:
    """A real failed write, as the tracker store's on a read-only database."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE events (sender_id TEXT, data TEXT)"))
        connection.execute(sa.text("CREATE TRIGGER no_writes BEFORE INSERT ON events "
                                   "BEGIN SELECT RAISE(ABORT, 'read-only'); END"))
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO events VALUES (:s, :d)"),
                               {"s": f"twilio:{PHONE}", "d": json.dumps({"text": f"my name is {MARKER}"})})
    except sa.exc.StatementError as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("the write should have failed")


def test_sql_parameters_are_dropped_from_messages_and_tracebacks(log, tmp_path):
    (processor, *_), stream = log
    error = sqlalchemy_error(tmp_path)
    assert MARKER in str(error) and PHONE in str(error)  # what would reach the log without the filter
    processor.debug("Turn failure", exc_info=error)
    processor.error("Could not save: %s", error)
    text = stream.getvalue()
    assert MARKER not in text and PHONE not in text
    assert "[parameters: withheld]" in text and "IntegrityError" in text and "Traceback" in text


def test_a_turns_ids_and_text_are_withheld_in_the_tasks_it_starts(log):
    (processor, _, turn, _), stream = log
    text = f"my name is {MARKER}, what is imago therapy?"

    async def rasa_turn():
        processor.debug(f"Received user message {text!r} with intent 'faq'")
        processor.debug(json.dumps({"text": text.split(",")[0]}))  # a part of it, JSON-escaped
        processor.debug(f"Tokens: {text.split()}")
        processor.warning(f"Circuit breaker tripped. Stopped predicting more actions for sender '{PHONE}'.")

    async def handle():
        logs.keep_out(ids=(PHONE, f"twilio:{PHONE}"), texts=(text,))
        await asyncio.ensure_future(rasa_turn())  # as channels/turn.py runs Rasa's handler

    asyncio.run(handle())
    turn.info("after the turn: rest:other-visitor on twilio:+15551112222")
    out = stream.getvalue()
    assert MARKER not in out and PHONE not in out and "my name is" not in out
    assert "other-visitor" not in out and "+15551112222" not in out  # outside any turn: by their form
    assert "Circuit breaker tripped" in out and "with intent 'faq'" in out  # the rest stays readable


def test_another_visitors_turn_is_not_affected(log):
    (processor, *_), stream = log

    async def visitor(sender, said):
        logs.keep_out(ids=(sender,), texts=(said,))
        await asyncio.sleep(0)
        processor.info("turn of %s", sender)

    async def both():
        await asyncio.gather(visitor("alice-1234", "first words"), visitor("bobby-5678", "other words"))

    asyncio.run(both())
    assert "alice-1234" not in stream.getvalue() and "bobby-5678" not in stream.getvalue()
    assert stream.getvalue().count("turn of [withheld]") == 2


def test_structlog_lines_lose_their_content_values(log):
    *_, facebook = log[0]
    event = {"sender": {"id": "12345678901"}, "message": {"text": MARKER}}
    facebook.warning(json.dumps({"message": event, "event": "facebook.message.cannot.handle", "level": "warning"}))
    out = log[1].getvalue()
    assert MARKER not in out and "12345678901" not in out and "facebook.message.cannot.handle" in out


def test_a_connectors_traceback_keeps_only_the_exception_type(log):
    (_, teams, *_), stream = log
    try:
        raise ValueError(f"Invalid token eyJhbGciOi.{MARKER}")
    except ValueError as error:
        teams.error("Bot framework JWT token could not be verified.")
        teams.exception(error, exc_info=True)
    out = stream.getvalue()
    assert MARKER not in out and "eyJ" not in out
    assert "ValueError (details withheld)" in out and "ValueError (traceback withheld" in out


def test_a_record_that_cannot_be_formatted_is_withheld_not_raised(log):
    (processor, *_), stream = log
    processor.info("%s and %s", PHONE)  # a bad call: one argument for two
    assert PHONE not in stream.getvalue() and "withheld" in stream.getvalue()


def test_install_is_idempotent_and_records_made_elsewhere_are_cleaned():
    logs.install()
    factory = logging.getLogRecordFactory()
    logs.install()
    assert logging.getLogRecordFactory() is factory
    record = logging.getLogger("sqlalchemy.engine").makeRecord(
        "sqlalchemy.engine", logging.INFO, __file__, 1, "[parameters: (%r,)]", (PHONE,), None)
    assert PHONE not in record.getMessage()


def test_sqlite_error_from_the_driver_itself(log):
    (processor, *_), stream = log
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("SELECT * FROM nowhere WHERE x = ?", (PHONE,))
    except sqlite3.OperationalError:
        processor.exception("query failed for twilio:%s", PHONE)
    assert PHONE not in stream.getvalue()


def test_structlog_events_lose_their_content_before_any_renderer(log):
    import structlog

    seen = []
    processors = structlog.get_config()["processors"]

    def renderer_input(_logger, _method, event):
        seen.append(dict(event))
        return event

    processors.insert(len(processors) - 1, renderer_input)  # just before the renderer
    try:
        structlog.get_logger().warning("facebook.message.cannot.handle", message={"text": MARKER}, sender_id=PHONE)
    finally:
        processors.remove(renderer_input)
    assert seen and seen[0]["event"] == "facebook.message.cannot.handle"
    assert MARKER not in str(seen) and PHONE not in str(seen)


def test_the_turn_wrapper_withholds_its_visitor_from_rasas_own_lines(log):
    """channels/turn.py names the turn's ids and text; Rasa's handler runs in a task of its own."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from channels.turn import safe_turn

    (processor, *_), stream = log

    async def rasa(message):  # what Rasa logs at DEBUG about a message, and then a failure
        processor.debug(f"Received user message '{message.text}' for conversation '{message.sender_id}'")
        raise RuntimeError(f"could not save {message.sender_id}: {message.text}")

    async def turn():
        await safe_turn(rasa)(UserMessage(f"my name is {MARKER}", CollectingOutputChannel(), "visitor-2718",
                                          input_channel="rest"))
        await asyncio.sleep(0)

    asyncio.run(turn())
    out = stream.getvalue()
    assert "Received user message '[withheld]' for conversation '[withheld]'" in out
    assert "RuntimeError" in out and MARKER not in out and "visitor-2718" not in out


def test_short_words_of_the_text_are_withheld_in_its_tokens_and_parts(log):
    (processor, *_), stream = log
    logs.keep_out(ids=("rest:visitor-1",), texts=("my name is Amy and I am 34",))
    processor.debug("Tokens: ['my', 'name', 'is', 'Amy', 'and', 'I', 'am', '34'] / part: 'name is amy'")
    out = stream.getvalue()
    assert "Amy" not in out and "amy" not in out and "'name'" not in out
    assert out.count("[withheld]") == 5  # name, Amy, and, amy, name
