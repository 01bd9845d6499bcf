"""The mock-interview app service on a real SQLite store: each answer linked as it is
recorded, follow-ups chosen in turn and never repeated, at most two, the session closed."""

from __future__ import annotations

from test_interview_followup import FRAUD, MONITORING_ANSWER, THIN_FRAUD, scored

from voicecoach.app.interview import MAX_FOLLOW_UPS, MockInterview
from voicecoach.store.db import Store
from voicecoach.store.sessions import get_session


def test_interview_links_takes_and_chooses_follow_ups_in_turn(tmp_path):
    with Store(tmp_path / "voicecoach.sqlite3") as store:
        interview = MockInterview(FRAUD, store)
        assert not interview.waiting and interview.next_follow_up() is None  # not answered
        first = store.add_take(tmp_path / "a.wav", prompt_id=FRAUD.id)
        assert interview.recording(first.id) is None
        interview.scored(scored(THIN_FRAUD, FRAUD))
        assert interview.waiting and interview.can_ask_more
        choice = interview.next_follow_up()
        assert choice is not None and choice.follow_up.id == "monitoring"
        assert interview.current.prompt.id == "design-fraud-detection/monitoring"
        assert not interview.waiting

        probe = store.add_take(tmp_path / "b.wav", prompt_id=interview.current.prompt.id)
        assert interview.recording(probe.id) is None
        interview.scored(scored(MONITORING_ANSWER, interview.current.prompt))
        second = interview.next_follow_up()
        assert second is not None and second.follow_up.id == "fallback"  # still missing
        third = store.add_take(tmp_path / "c.wav", prompt_id=interview.current.prompt.id)
        interview.recording(third.id)
        interview.scored(scored(THIN_FRAUD, interview.current.prompt))
        assert len(interview.turns) == 1 + MAX_FOLLOW_UPS and not interview.can_ask_more
        assert interview.next_follow_up() is None
        assert interview.finish() is None

        session = get_session(store, interview.session_id)
        assert session.take_ids == [first.id, probe.id, third.id]
        assert [t.follows_take_id for t in session.turns] == [None, first.id, probe.id]
        assert [t.follow_up_id for t in session.turns] == [None, "monitoring", "fallback"]
        assert session.finished_at is not None
        summary = interview.summary()
        assert [t["take_id"] for t in summary["turns"]] == [first.id, probe.id, third.id]
        assert "monitoring" in summary["fixed"]["elements"]


def test_a_store_that_cannot_be_written_costs_the_link_not_the_interview(tmp_path):
    with Store(tmp_path / "voicecoach.sqlite3") as store:
        take = store.add_take(tmp_path / "a.wav", prompt_id=FRAUD.id)
    with Store(tmp_path / "voicecoach.sqlite3", read_only=True) as ro:
        interview = MockInterview(FRAUD, ro)
        problem = interview.recording(take.id)
        assert problem and problem.startswith("the take is not linked to its session: read-only")
        interview.scored(scored(THIN_FRAUD, FRAUD))
        assert interview.next_follow_up() is not None  # the interview goes on
        assert interview.finish() is None  # nothing was started, nothing to close
