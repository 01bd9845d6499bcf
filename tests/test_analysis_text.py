"""The shared token layer and phrase matcher."""

from __future__ import annotations

from tools.synthetic import words_from_text
from voicecoach.analysis.phrases import lexicon
from voicecoach.analysis.text import build_transcript, split_word
from voicecoach.asr.base import Word


def test_split_word_expands_contractions_and_strips_punctuation():
    assert split_word(" I'd,") == ("i", "would")
    assert split_word("Let's") == ("let", "us")
    assert split_word("won't") == ("will", "not")
    assert split_word("don't") == ("do", "not")
    assert split_word("model's") == ("model",)
    assert split_word("real-time") == ("real", "time")
    assert split_word("P95.") == ("p95",)
    assert split_word("...") == ()


def test_sentences_follow_whisper_punctuation():
    tr = build_transcript(words_from_text("First, the data. Then the model? Finally it ships!"))
    assert len(tr.sentences) == 3
    assert [tr.tokens[s.first].text for s in tr.sentences] == ["first", "then", "finally"]
    assert tr.clause_end[0] and not tr.sentence_end[0]


def test_unpunctuated_transcript_splits_at_pauses():
    words = []
    t = 0.0
    for i in range(80):  # 80 words, no punctuation, a 1 s pause every 20 words
        words.append(Word(f"w{i}", t, t + 0.3))
        t += 0.35 + (1.0 if i % 20 == 19 else 0.0)
    tr = build_transcript(words)
    assert not tr.punctuated
    assert len(tr.sentences) == 4


def test_boundaries_from_commas_and_gaps():
    words = [Word("we", 0.0, 0.2), Word("could,", 0.2, 0.4), Word("like", 0.45, 0.6),
             Word("learn", 1.0, 1.3)]
    tr = build_transcript(words)
    like = [i for i, t in enumerate(tr.tokens) if t.text == "like"][0]
    assert tr.boundary_before(like)  # the comma
    assert tr.boundary_after(like)  # a 0.4 s gap
    assert not tr.boundary_before(1)


def test_lexicon_wildcards_longest_match_and_contractions():
    tokens = list(build_transcript(words_from_text(
        "I'd check the labeling and the label noise, then let's talk latency.")).texts)
    lex = lexicon(("label*", "label noise", "i would check", "let us talk"))
    found = [(m.phrase, m.first, m.last) for m in lex.find(tokens)]
    assert [p for p, _, _ in found] == ["i would check", "label*", "label noise", "let us talk"]
    assert lexicon(("labels",)).find(["label"]) == []
