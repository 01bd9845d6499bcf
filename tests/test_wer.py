from tools.wer import edit_distance, normalize_words, word_error_rate


def test_identical_after_normalisation_is_zero() -> None:
    assert word_error_rate("And so, my fellow Americans!", "and so my fellow americans") == 0.0


def test_apostrophes_stay_inside_words() -> None:
    assert normalize_words("Don't stop, it's ‘fine’.") == ["don't", "stop", "it's", "fine"]


def test_one_substitution_in_ten_words() -> None:
    ref = "one two three four five six seven eight nine ten"
    hyp = "one two three four five six seven eight nine tan"
    assert word_error_rate(ref, hyp) == 0.1


def test_insertions_and_deletions_count() -> None:
    assert edit_distance(["a", "b", "c"], ["a", "c"]) == 1
    assert edit_distance(["a", "c"], ["a", "b", "c", "d"]) == 2
    assert word_error_rate("a b", "a b a b") == 1.0


def test_empty_reference() -> None:
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("...", "") == 0.0
    assert word_error_rate("", "hello") == 1.0
