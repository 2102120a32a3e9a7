"""safety/clean.py: what the pipeline and the rule layer read of a visitor's text."""
import pytest

from safety.clean import button_payloads, clean, disguise_variants, unslash
from safety.detector import default_detector


@pytest.mark.parametrize("raw, expected", [
    ("i want to kill myself \ud83d", "i want to kill myself "),   # half an emoji
    ("ki\u200bll mys\u200delf", "kill myself"),                      # zero-width space and joiner
    ("sui\u00adcide\ufeff", "suicide"),                             # soft hyphen, byte-order mark
    ("\u202ekill", "kill"),                                         # bidi override
    ("ｋｉｌｌ ｍｙｓｅｌｆ", "kill myself"),                           # fullwidth (NFKC)
    ("kіll", "kill"),                                               # Ukrainian і
    ("line\x00one\x07two", "line one two"),                         # control characters
    ("😢 fine", "😢 fine"),                                         # whole emoji stay
    (None, ""), (42, ""),
])
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_cleaned_text_is_safe_for_spacy():
    import spacy
    spacy.blank("en")(clean("i want to kill myself \ud83d\udc4d \ud83d"))


@pytest.mark.parametrize("text, expected", [
    ("/greet", "greet"),
    ('/greet{"country":"IN"}', 'greet{"country":"IN"}'),
    ("/greet@1 i want to end my life", "greet@1 i want to end my life"),
    ("//stop", "stop"),
    ("what is imago?", "what is imago?"),
    ("/help", "/help"),
])
def test_unslash(text, expected):
    assert unslash(text) == expected


def test_only_the_bots_own_button_payloads_keep_their_slash():
    assert button_payloads() == {"/help", "/request_therapist_guide"}


@pytest.mark.parametrize("lowered, reading", [
    ("i want to commit s u i c i d e", "i want to commit suicide"),
    ("s.u.i.c.i.d.e", "suicide"),
    ("i c u t myself", "i cut myself"),
    ("i want to k1ll mys3lf", "i want to kill myself"),
    ("$u1c1de", "suicide"),
    ("i want to d!e", "i want to die"),
    ("i want to diiiie", "i want to die"),
    ("killlll myself", "kill myself"),
])
def test_disguises_have_a_plain_reading(lowered, reading):
    assert reading in disguise_variants(lowered, default_detector().is_word)


def test_starred_letters_read_as_the_word_they_hide():
    assert "i want to kill myself" in disguise_variants("i want to k*ll mys*lf", default_detector().is_word)


def test_a_starred_word_with_two_readings_gets_both():
    """"c*t" is "cat" and "cut": a phrase about a cat must not hide "i cut myself"."""
    known = {"cat", "cut", "myself"}.__contains__
    variants = disguise_variants("i c*t mys*lf again", known)
    assert "i cat myself again" in variants and "i cut myself again" in variants
    assert default_detector().detect("i c*t mys*lf again").type == "crisis"


@pytest.mark.parametrize("lowered", ["open 24/7", "i am 5ft tall", "is it worth it!", "we met in 2019"])
def test_ordinary_text_has_no_leet_reading(lowered):
    assert all("kill" not in v and "die" not in v for v in disguise_variants(lowered))


@pytest.mark.parametrize("lowered, reading", [
    ("k i l l m y s e l f", "kill myself"),            # joined, then split into words
    ("e n d  i t  a l l", "end it all"),               # a wider gap marks a word
    ("i think i am suicdal", "i think i am suicidal"),  # one-letter typos of key words
    ("i want to 💀", "i want to  die "),
])
def test_more_disguises_have_a_plain_reading(lowered, reading):
    assert reading in disguise_variants(lowered, default_detector().is_word)


def test_reversed_text_is_read_the_right_way_round():
    assert "i want to kill myself" in disguise_variants("flesym llik ot tnaw i")


def test_letters_unicode_does_not_decompose():
    assert clean("kílł myself") == "kílł myself".replace("ł", "l")
    assert default_detector().detect("i want to kílł myself").type == "crisis"


@pytest.mark.parametrize("word, typo", [("suicidal", "suicdal"), ("suicidal", "suicidl"), ("myself", "mysefl"),
                                        ("suicide", "siucide")])
def test_one_edit(word, typo):
    from safety.clean import _one_edit
    assert _one_edit(typo, word)


@pytest.mark.parametrize("word", ["homicide", "mostly", "overdone", "himself", "anorak"])
def test_everyday_words_are_not_read_as_key_words(word):
    """'overdone' is one letter from 'overdose': overdose is not in the list for that reason."""
    from safety.clean import TYPO_WORDS, _one_edit
    assert not any(_one_edit(word, key) for key in TYPO_WORDS)
