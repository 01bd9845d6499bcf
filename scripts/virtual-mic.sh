#!/usr/bin/env bash
# Start a PulseAudio virtual microphone for tests: null sink `vmic`, default source
# `vmic.monitor`. Whatever is played with `paplay -d vmic file.wav` is then what
# PortAudio records from the ALSA devices `pulse` / `default`.
#
# Idempotent: safe to call many times (and from several test runs); works as root.
# Exit status 0 when the virtual microphone is ready, 1 (with one line on stderr) if not.
set -u

say() { echo "virtual-mic: $*" >&2; }

for tool in pulseaudio pactl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        say "$tool not found: apt-get install pulseaudio pulseaudio-utils libasound2-plugins"
        exit 1
    fi
done

if ! pactl info >/dev/null 2>&1; then
    # As root PulseAudio warns that it runs in "user" mode; it still works.
    pulseaudio --start --exit-idle-time=-1 --log-target=stderr >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do
        pactl info >/dev/null 2>&1 && break
        sleep 0.1
    done
fi
if ! pactl info >/dev/null 2>&1; then
    say "PulseAudio did not start (pulseaudio --start failed)"
    exit 1
fi

if ! pactl list short sinks 2>/dev/null | awk '{print $2}' | grep -qx vmic; then
    pactl load-module module-null-sink sink_name=vmic \
        sink_properties=device.description=voicecoach-virtual-mic >/dev/null || {
        say "cannot load module-null-sink"
        exit 1
    }
fi
pactl set-default-source vmic.monitor || { say "cannot set default source vmic.monitor"; exit 1; }
echo "virtual-mic: ready (sink vmic, source vmic.monitor)" >&2
exit 0
