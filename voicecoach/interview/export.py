"""A mock interview as Markdown or one self-contained HTML file: the session summary
(each answer, why each follow-up was asked, key points over the session, what the
follow-ups fixed), then every take in full, as a single-take export shows it."""

from __future__ import annotations

from typing import Any

from voicecoach.errors import VoiceCoachError
from voicecoach.export import _html_take, _page, check_format, export_take_of, h, md, take_markdown
from voicecoach.history import prompt_lookup
from voicecoach.interview.report import prompt_bank, stored_summary
from voicecoach.interview.summary import coverage_line, fixed_line, touched_where
from voicecoach.store.sessions import get_session


def export_session(store: Any, session_id: int, fmt: str = "md",
                   long_pause_s: float = 1.0) -> str:
    check_format(fmt)
    session = get_session(store, session_id)
    if not session.turns:
        raise VoiceCoachError(f"session {session_id} has no takes left")
    takes = [store.get(i) for i in session.take_ids]
    bank = prompt_bank()
    data = stored_summary(session, takes, bank)
    info = prompt_lookup(bank.values())
    items = [export_take_of(take, info) for take in takes]
    rows = [(_label(t["turn"]), t["question"], t["reason"] or "",
             t["scores"].get("overall", "–"), t["scores"].get("structure", "–"))
            for t in data["turns"]]
    points = [(kp["label"], kp["touched_in"]) for kp in data["coverage"]["key_points"]]
    if fmt == "md":
        out = [f"# Mock interview: {md(data['question'])}", "",
               f"Session {session_id}, {session.started_at:%Y-%m-%d %H:%M}", "",
               "| # | Question | Why asked | Overall | Structure |", "|---|---|---|---:|---:|"]
        out += [f"| {a} | {md(q)} | {md(r)} | {o} | {s} |" for a, q, r, o, s in rows]
        out += ["", fixed_line(data), "", coverage_line(data), ""]
        out += [f"- {'✓' if where is not None else '✗'} {md(label)}{touched_where(where)}"
                for label, where in points]
        out.append("")
        for it in items:
            out += [take_markdown(it, long_pause_s, level=2), ""]
        return "\n".join(out)
    body = [f"<h1>Mock interview: {h(data['question'])}</h1>",
            f'<p class="meta">Session {h(session_id)} · '
            f"{session.started_at:%Y-%m-%d %H:%M}</p>",
            "<table><tr><th>#</th><th>Question</th><th>Why asked</th>"
            "<th class=n>Overall</th><th class=n>Structure</th></tr>"]
    body += [f"<tr><td>{a}</td><td>{h(q)}</td><td>{h(r)}</td><td class=n>{h(o)}</td>"
             f"<td class=n>{h(s)}</td></tr>" for a, q, r, o, s in rows]
    body += ["</table>", f"<p><b>{h(fixed_line(data))}</b></p>",
             f"<p>{h(coverage_line(data))}</p>", '<ul class="points">']
    body += [f'<li class="{"hit" if where is not None else "miss"}">'
             f"{'✓' if where is not None else '✗'} {h(label)}{h(touched_where(where))}</li>"
             for label, where in points]
    body.append("</ul>")
    body += [f'<section class="take">{_html_take(it, long_pause_s, "h2")}</section>'
             for it in items]
    return _page(f"voicecoach · mock interview {session_id}", "\n".join(body))


def _label(turn: int) -> str:
    return "Question" if turn == 0 else f"Follow-up {turn}"
