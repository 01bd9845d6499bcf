"""Where the hedges and signposts are in a transcript, for marking them inline.

The scoring analysis counts hedges and times signposts but keeps no spans for them;
this finds the same phrases with the analysis's own lexicons and rules, so the marks
agree with the scores. Display only: a failure here leaves the transcript unmarked.
"""

from __future__ import annotations

import logging

from voicecoach.config import Settings
from voicecoach.report import Report
from voicecoach.tui.marks import Mark

log = logging.getLogger(__name__)


def language_marks(report: Report, settings: Settings) -> list[Mark]:
    try:
        from voicecoach.analysis.phrases import lexicon
        from voicecoach.analysis.rules import ScoringRules
        from voicecoach.analysis.structure import signpost_matches
        from voicecoach.analysis.text import build_transcript

        tr = build_transcript(report.words)
        rules = ScoringRules.from_settings(settings)
        found = [Mark("signpost", tr.tokens[m.first].start, tr.tokens[m.last].end, m.phrase)
                 for m in signpost_matches(tr, rules)]
        found += [Mark("hedge", tr.tokens[m.first].start, tr.tokens[m.last].end, m.phrase)
                  for m in lexicon(rules.hedges).find(tr.texts)]
    except Exception as err:  # the analysis API moved: show the transcript unmarked
        log.warning("hedge/signpost marks unavailable: %s", err)
        return []
    return found
