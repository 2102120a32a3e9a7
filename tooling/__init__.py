"""Code the scripts and the tests share: the real servers on free ports, and the readers for the outside evaluation sets in eval/."""
