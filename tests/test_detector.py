"""The rule layer (safety/phrases.yml), phrase by phrase.

Written by the team; never copied from ../shared/eval. Add a row here for
every phrase added to safety/phrases.yml, and a figure of speech it must
not catch.
"""
import pytest

from safety.detector import compile_phrase, default_detector

CRISIS_SELF = [
    "i want to kill myself", "I WANT TO DIE", "i just want to die tbh", "kms",
    "thinking about ending my life", "i wanna unalive myself", "im going to end it all tonight",
    "i dont want to be alive anymore", "i dont want to live", "no point living anymore",
    "everyone would be better off without me", "i cant go on anymore",
    "i want to go to sleep forever", "i hope i never wake up", "i wont be around much longer",
    "i cut myself again last night", "been hurting myself", "self-harm is all i think about",
    "ive written goodbye letters to my family", "giving away my things this week",
    "i have been feeling suicidal", "sucidal thoughts again", "Thinking of suicide",
    "how much does imago cost? also i dont want to be here anymore",
    "we fight all the time and honestly i wish i was dead",
    "relapsed last week and my arms are full of fresh cuts", "sh urges all day",
    "i burn myself with a lighter when im stressed", "honestly i hate myself",
    "is my life even worth living", "i cut when things get bad", "trying not to sh tonight",
    "where is a good place to kill yourself", "burning my skin helps me feel in control",
    "binge eating then throwing it all up again", "i cant do this anymore",
    "thinking about bloodletting again", "i stopped cutting for a year but", "my ed is loud today",
    "my life is pointless",
    "ive been slicing myself up again", "i take it all out on myself when im angry",
    "i trade emotional pain for physical pain", "i hide the scars on my arms",
    "posting pics of my cuts", "how do i cut deeper", "struggling with sh lately",
    "i used to be on shtwt",
    "i dont see the point in living anymore", "i hide the scars under long sleeves",
    "i took too many of my meds on purpose", "nobody would miss me if i was gone",
    "i took a handful of pills", "ive lost so much weight that i passed out",
    "tonight is my last night alive",
]
EATING = [
    "i havent eaten in 5 days and im dizzy",
    "i think i have anorexia", "im bulimic and no one knows", "my eating disorder is back",
    "i binge and then purge most nights", "how do i make myself throw up after dinner",
    "i stopped eating for a week", "i want to be so skinny that my ribs show",
    "any thinspo accounts to follow",
]
CRISIS_METHOD = [
    "how many pills would it take to die", "whats the most painless way to die",
    "how do i kill myself", "lethal dose of tylenol", "im standing on the bridge right now",
    "how high does a bridge need to be to jump", "i have the pills ready",
    "easiest way to end it",
]
CRISIS_OTHER = [
    "my partner says hell kill himself if i leave", "she took a bunch of pills",
    "my boyfriend keeps talking about killing himself", "my wife swallowed all her pills",
    "my partner is locked in the bathroom and says she wants to die", "he wants to die",
    "my brother texted me goodbye and now hes not answering",
    "my boyfriend sent me a goodbye text and wont answer his phone",
]
HARM_OTHERS = [
    "i want to kill my husband", "im going to stab him", "i have urges to hurt my baby",
    "im planning to hurt my husband when he gets home", "im scared im going to hurt my partner",
]
ABUSE = [
    "my partner keeps touching me after i say no", "im afraid hell hurt me if i leave",
    "domestic violence", "he smashed my phone so i couldnt call anyone",
    "my husband hits me", "he choked me last night", "she slaps me when she drinks",
    "he forces me to have sex", "my partner raped me", "he threatened to kill me",
    "he says he will kill me if i leave", "im scared of my husband", "im afraid to go home",
    "he throws things at me", "he locks me in the house", "i was sexually assaulted",
    "would imago help if my partner beats me",
]
SPANISH_CRISIS = ["quiero morir", "me quiero matar", "no quiero vivir", "pienso en el suicidio"]
SPANISH_ABUSE = ["mi esposo me pega", "tengo miedo de mi pareja"]
FIGURES_OF_SPEECH = [
    "my partner is killing me with these dishes", "im dying to know the cost",
    "how do i kill a python process", "that joke killed me", "whats the best way to kill time",
    "my mom will kill me if im late", "this commute is killing me", "i could die of embarrassment",
    "i am on the edge of my seat", "i cant go on a vacation this year", "we killed it at the party",
    "she hit the ball hard", "it hit me that we never talk", "how do i shoot a good photo",
    "i got my hair cut last night", "dead tired after work", "he pushes my buttons",
    "what is imago therapy", "how much does it cost", "we argue about money",
    "my boss will not let me leave early", "best way to go to the airport",
    "i cut the onions too thick", "we stopped eating out to save money", "this sh is crazy",
    "my hair cut looks bad", "we binge watched a whole series", "roll the dice",
    "we cut the budget again", "the paper cuts from filing hurt",
    "he texted me goodbye before his flight", "im going to hurt my back lifting",
    "whats the point of life in the grand scheme", "this is my last day at work",
    "i havent eaten in 2 hours", "i lost weight and feel great",
    "we need to take my phone to the repair shop",
    "i sliced myself a piece of cake", "i take it out on my partner when im tired",
    "the physical pain after the gym is real", "pictures of our wedding",
    "the marks on my car", "cut deeper into the budget? no", "a bash or sh script",
]


@pytest.fixture(scope="module")
def detector():
    return default_detector()


@pytest.mark.parametrize("text", CRISIS_SELF + CRISIS_METHOD + EATING)
def test_crisis_about_oneself(detector, text):
    found = detector.detect(text)
    assert found and found.type == "crisis" and found.about == "self", found


@pytest.mark.parametrize("text", CRISIS_OTHER)
def test_someone_else_in_danger(detector, text):
    found = detector.detect(text)
    assert found and found.type == "crisis" and found.about == "someone_else", found


@pytest.mark.parametrize("text", HARM_OTHERS)
def test_intent_to_harm_someone(detector, text):
    found = detector.detect(text)
    assert found and found.type == "crisis", found


@pytest.mark.parametrize("text", ABUSE)
def test_abuse(detector, text):
    found = detector.detect(text)
    assert found and found.type == "abuse", found


@pytest.mark.parametrize("text, kind", [(t, "crisis") for t in SPANISH_CRISIS] + [(t, "abuse") for t in SPANISH_ABUSE])
def test_spanish(detector, text, kind):
    found = detector.detect(text)
    assert found and found.type == kind and found.language == "es", found


@pytest.mark.parametrize("text", FIGURES_OF_SPEECH)
def test_figures_of_speech_stay_quiet(detector, text):
    assert detector.detect(text) is None


@pytest.mark.parametrize("text", ["", "   ", None, 42, "😢"])
def test_odd_input(detector, text):
    assert detector.detect(text) is None


@pytest.mark.parametrize(
    "text, code",
    [("im in the uk", "GB"), ("I live in Canada", "CA"), ("we are from new zealand", "NZ"),
     ("im in germany", "INTL"), ("what is imago", None), ("in us we trust", None)],
)
def test_where_the_visitor_is(detector, text, code):
    assert detector.country(text) == code


def test_a_phrase_with_a_short_form_is_refused():
    with pytest.raises(ValueError):
        compile_phrase("im ~kill")
