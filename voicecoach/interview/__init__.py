"""Mock interviews: the follow-up that probes what an answer left out, and what a whole
session (question, follow-ups) covered. Core code: no Textual, no store."""
