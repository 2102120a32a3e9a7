"""For content editors and reviewers: the content check, the review catalogue, unanswered questions, validation."""
