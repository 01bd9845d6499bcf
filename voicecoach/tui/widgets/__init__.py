"""Widgets the voicecoach screens share."""
