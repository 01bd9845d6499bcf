"""Clarifying questions and stated assumptions: positive evidence only.

A question mark is not a clarifying question. "Where was I, right?" is the speaker
talking to themselves, and a mis-transcribed fragment ("for a lot of detection?") asks
nothing. A question counts when it is asked like one (an interrogative near its start)
and is about the problem: the objective, the users, a constraint, the data, the cost
of an error. A clarify phrase ("I'd want to know", "assuming") counts outside
self-talk.
"""

from __future__ import annotations

from voicecoach.analysis.phrases import Match, lexicon
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import Sentence, Transcript

_LOST = ("where was i", "where were we", "what was i saying", "what was i", "where are we")
SELF_TALK = (
    *_LOST, "right", "okay", "ok", "you know", "does that make sense", "make sense", "makes sense",
    "is that right", "am i right", "how do i say", "how do you say", "what is it called",
    "what do you call it", "what else", "yeah", "yes", "no", "huh", "um", "uh", "so",
    "and", "sorry", "is it", "right so", "does that", "what", "hmm", "well",
)
INTERROGATIVES = frozenset((
    "what", "how", "which", "who", "when", "where", "why", "is", "are", "do", "does", "did",
    "can", "could", "should", "would", "will", "was", "were", "have", "has", "may", "might",
    "whether"))
# About the problem: besides the clarify, constraint and data lexicons.
PROBLEM = (
    "goal", "objective", "success", "metric*", "user*", "customer*", "business", "product",
    "false positive*", "false negative*", "precision", "recall", "how many", "how much",
    "how often", "how fast", "how big", "volume", "traffic", "expected", "acceptable",
    "requirement*", "scope", "predict*", "prediction*", "real time", "batch", "online",
    "offline", "budget", "cost*", "error*", "fraud", "target", "definition", "define*",
)
_LEAD_SKIP = frozenset({"so", "and", "but", "okay", "ok", "first", "well", "also", "then",
                        "um", "uh", "just", "like"})


def is_self_talk(tr: Transcript, s: Sentence) -> bool:
    texts = tr.texts[s.first:s.last + 1]
    if lexicon(_LOST).find(texts):
        return True
    covered = {i for m in lexicon(SELF_TALK).find(texts) for i in range(m.first, m.last + 1)}
    return len(texts) - len(covered) < 3


def _is_question(tr: Transcript, s: Sentence) -> bool:
    return tr.words[tr.tokens[s.last].word].text.rstrip().endswith("?")


def _clauses(tr: Transcript, s: Sentence) -> list[list[str]]:
    """The sentence's tokens split where punctuation or a pause sets a clause off."""
    out: list[list[str]] = [[]]
    for i in range(s.first, s.last + 1):
        if i > s.first and tr.boundary_before(i, 0.3):
            out.append([])
        out[-1].append(tr.tokens[i].text)
    return [c for c in out if c]


def _asks(clause: list[str]) -> bool:
    """Asked like a question: the clause opens with a question word or an auxiliary
    ("is it batch", "what latency"), not "we would use..."."""
    lead = [t for t in clause if t not in _LEAD_SKIP]
    return bool(lead) and lead[0] in INTERROGATIVES


def clarifying(tr: Transcript, rules: ScoringRules, within_frac: float = 0.5
               ) -> list[Match]:
    """Clarifying questions and stated assumptions, in order: positive evidence only."""
    n = len(tr.tokens)
    texts = tr.texts
    about = lexicon(tuple(rules.clarify) + tuple(rules.constraints) + tuple(rules.data)
                    + PROBLEM)
    talk: dict[int, bool] = {}  # sentence -> self-talk, judged only where needed

    def self_talk(s: Sentence) -> bool:
        if s.index not in talk:
            talk[s.index] = is_self_talk(tr, s)
        return talk[s.index]

    out = [m for m in lexicon(rules.clarify).find(texts)
           if not self_talk(tr.sentences[tr.tokens[m.first].sentence])]
    for s in tr.sentences:
        if s.first >= within_frac * n or not _is_question(tr, s) or self_talk(s):
            continue
        words = texts[s.first:s.last + 1]
        clauses = _clauses(tr, s)
        # "..., does that make sense?", "..., right?": the question is a tag, not a query.
        tag = clauses[-1]
        tagged = len(tag) - sum(m.last - m.first + 1
                                for m in lexicon(SELF_TALK).find(tag)) < 2
        if not tagged and any(_asks(c) for c in clauses) and about.find(words):
            out.append(Match("?", s.first, s.last))
    return sorted(out, key=lambda m: m.first)
