"""What the assistant says about the article: the answers editors write in
data/faq and data/not_covered, and the topic buttons that lead from one to
another. Nothing here decides whether a message is a crisis (that is safety/).
"""
