"""The action server's code. Its log lines carry no personal data either (privacy/logs.py)."""
from privacy import logs

logs.install()
