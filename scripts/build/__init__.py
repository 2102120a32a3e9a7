"""Build steps: the spaCy lookup model, the training data, the widget, the browser for the browser tests."""
