"""safety/places.yml: only what visitors say about where THEY are picks their lines."""
import pytest

from safety.detector import Detector, default_detector
from safety.places import country_of_place


@pytest.mark.parametrize("text, code", [
    ("im in the uk", "GB"), ("I live in Canada", "CA"), ("we are from new zealand", "NZ"),
    ("im in germany", "INTL"), ("we moved to Sydney last year", "AU"), ("i just moved to london", "GB"),
    ("i'm from india but i live in the us now", "US"),  # the last statement wins
    ("I'm in Toronto", "CA"), ("we live in dublin", "IE"),
    # provinces and states, and looser statements (a visitor mid-form, 2026-12-03)
    ("idk somewhere in ontario, honestly", "CA"), ("im up in british columbia", "CA"), ("we are near brisbane", "AU"),
    ("i live in queensland", "AU"),
])
def test_a_statement_about_the_visitor_sets_the_country(text, code):
    assert default_detector().country(text) == code


@pytest.mark.parametrize("text", [
    "my husband is from India", "we married in London", "my wife is from Brazil",
    "my sister lives in australia", "what is imago", "in us we trust", "he flew to canada",
    "my parents are somewhere near ontario", "he is up in alberta for work",
])
def test_a_passing_mention_does_not(text):
    assert default_detector().country(text) is None


def test_a_new_category_in_phrases_yml_needs_no_code_change(tmp_path):
    """Editors add categories without retraining; the detector must not fail on them."""
    import yaml

    from safety.detector import PHRASES_FILE
    phrases = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    phrases["crisis"]["brand_new"] = ["zorblax quux"]
    phrases["abuse"]["also_new"] = ["flibber me"]
    path = tmp_path / "phrases.yml"
    path.write_text(yaml.safe_dump(phrases), encoding="utf-8")
    detector = Detector(path)
    assert detector.detect("zorblax quux").type == "crisis"
    assert detector.detect("he keeps trying to flibber me").type == "abuse"
    assert detector.detect("zorblax quux and he hits me").type == "crisis"  # crisis still outranks abuse


@pytest.mark.parametrize("place, code", [
    ("Toronto", "CA"), ("Toronto, Canada", "CA"), ("montréal", "CA"), ("near London", "GB"), ("the U.S.", "US"),
    ("Dublin, Ohio", "US"), ("Dublin", "IE"), ("new mexico", "US"), ("mexico city", "INTL"), ("Indiana", "US"),
    ("Springfield", None), ("", None), (None, None),
])
def test_the_country_of_a_place_answer(place, code):
    # The form's "Where do you live?" answer (actions/find_therapist.py); the last place named wins.
    assert country_of_place(place) == code
