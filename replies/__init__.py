"""What the Rasa server sends: replies/nlg.py composes the article content
(content/) and the handoff (safety/) into one response generator.
"""
