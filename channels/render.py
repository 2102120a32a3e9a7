"""How a turn's messages look on each messaging channel.

channels/turn.py arranges a turn (handoff first, crisis line last); this
module then fits each message to the channel it leaves on:
  - buttons: numbered choices in the text on SMS and WhatsApp (a reply of a
    bare number picks one, see `pick_choice`), quick replies on Messenger
    (its button template holds only 3), Bot Framework card actions on
    Teams, one button per row on Telegram;
  - links written `[text](url)`: Slack mrkdwn `<url|text>`, Markdown on
    Teams, "text (url)" where the channel shows plain text;
  - long texts: split at paragraph, line or sentence boundaries within the
    channel's limit; buttons stay on the last part.
REST and Socket.IO (the website) are left exactly as they are.
"""
import re
from typing import Any, Dict, List, Optional, Text

# Characters per message. Twilio: 1,600 per SMS/WhatsApp body. Telegram:
# 4,096 per sendMessage text. Messenger: 2,000 per text message. Slack:
# 3,000 per section block text (chat.postMessage text itself goes to 40,000,
# but button messages use a section block). Teams: 40 KB per activity
# counted in UTF-16, so 10,000 characters leaves room for the card around it.
LIMITS = {
    "twilio": 1600,
    "whatsapp": 1600,
    "telegram": 4096,
    "facebook": 2000,
    "slack": 3000,
    "botframework": 10_000,
}
NUMBERED_CHOICE_CHANNELS = {"twilio", "whatsapp"}
CHOICE_HINT = "Reply with a number to choose."
MESSENGER_QUICK_REPLIES = 13  # Messenger's maximum per message
MESSENGER_TITLE = 20  # characters Messenger shows of a quick reply title

MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
BARE_NUMBER = re.compile(r"\s*#?(\d{1,2})[.)]?\s*")


def format_links(text: Text, channel: Text) -> Text:
    if channel == "slack":
        # Slack mrkdwn treats &, < and > as control characters.
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return MARKDOWN_LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", text)
    if channel == "botframework":
        return text  # Teams renders Markdown links
    return MARKDOWN_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)


def _cut_point(text: Text, limit: int) -> int:
    """Where to end the first part: the last paragraph, line, sentence or word break."""
    window = text[: limit + 1]
    for pattern in (r"\n\s*\n", r"\n", r"[.!?…][\"')\]]?\s", r"\s"):
        breaks = [m.end() for m in re.finditer(pattern, window) if m.end() <= limit]
        if breaks and breaks[-1] > limit // 4:  # no tiny first part
            return breaks[-1]
    return limit


def split_text(text: Text, limit: int) -> List[Text]:
    parts = []
    text = text.strip()
    while len(text) > limit:
        cut = _cut_point(text, limit)
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    parts.append(text)
    return parts


def numbered(text: Text, buttons: List[Dict[Text, Any]], first: int) -> Text:
    choices = "\n".join(f"{first + i}. {b.get('title') or b.get('payload')}" for i, b in enumerate(buttons))
    return f"{text.rstrip()}\n{choices}\n{CHOICE_HINT}"


def _short(title: Text, limit: int) -> Text:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _fit_buttons(message: Dict[Text, Any], channel: Text, first_number: int) -> int:
    """Rewrite the message's buttons for the channel; returns how many were numbered."""
    buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
    if not buttons:
        return 0
    if channel in NUMBERED_CHOICE_CHANNELS:
        message.pop("buttons")
        message["text"] = numbered(message.get("text") or "", buttons, first_number)
        return len(buttons)
    if channel == "facebook":
        message.pop("buttons")
        message["quick_replies"] = [
            {"content_type": "text", "title": _short(b["title"], MESSENGER_TITLE), "payload": b["payload"]}
            for b in buttons[:MESSENGER_QUICK_REPLIES]
        ]
    elif channel == "botframework":
        message["buttons"] = [{"type": "imBack", "title": b["title"], "value": b["payload"]} for b in buttons]
    elif channel == "telegram":
        message["button_type"] = "vertical"  # long titles need a row each
    return 0


def for_channel(messages: List[Dict[Text, Any]], channel: Text) -> List[Dict[Text, Any]]:
    """The turn's messages as this channel should send them."""
    if channel not in LIMITS:
        return messages
    out: List[Dict[Text, Any]] = []
    next_number = 1  # SMS choices are numbered across the whole turn
    for original in messages:
        message = dict(original)
        next_number += _fit_buttons(message, channel, next_number)
        if not isinstance(message.get("text"), str):
            out.append(message)
            continue
        parts = split_text(format_links(message["text"], channel), LIMITS[channel])
        out.extend({"text": part} for part in parts[:-1])
        message["text"] = parts[-1]
        out.append(message)
    return out


def pick_choice(text: Optional[Text], buttons: List[Dict[Text, Any]]) -> Optional[Text]:
    """The payload a bare-number reply ("2", "2.", "#2") picks, if it picks one."""
    match = BARE_NUMBER.fullmatch(text or "")
    if not match:
        return None
    number = int(match.group(1))
    if not 1 <= number <= len(buttons):
        return None
    button = buttons[number - 1]
    return button.get("payload") or button.get("title")
