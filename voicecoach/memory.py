"""Keep the app's resident memory flat over many takes.

Every take runs its decoding on fresh threads (the streaming worker, Textual's thread
workers), and glibc gives new threads their own malloc arenas, up to 8 per core. What
CTranslate2 and numpy free in those arenas mostly stays mapped, so the app's RSS grew
~20 MB per take (273 -> 374 MB over six 30 s takes, measured); with two arenas it
levels off (236 -> 279 MB). `mallopt(M_ARENA_MAX)` has the effect of the
MALLOC_ARENA_MAX variable for arenas created afterwards: call it before threads start.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas (Linux only; False elsewhere or when the user set
    MALLOC_ARENA_MAX, which wins)."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
