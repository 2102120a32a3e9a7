"""Serving: the Rasa and action servers, the widget demo page, reloading a model."""
