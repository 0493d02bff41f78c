"""Per-visitor limits in fixed time windows, counted in Django's cache (bundles, contact).

A visitor is a signed-in user, else an IP address. Each window is a slot of `window` seconds
since the epoch; a count lives in the cache for one window. The default cache is each
process's memory, so with several web processes each counts on its own (docs/operations.md).
"""

from django.core.cache import cache
from django.utils import timezone


def visitor_of(request):
    """The key one visitor's events are counted under: their user id, else their address."""
    if request.user.is_authenticated:
        return f"user-{request.user.pk}"
    return f"ip-{request.META.get('REMOTE_ADDR', '')}"


def counted(name, limit, window):
    """Count one more event under `name` in the current window; False once past `limit`."""
    key = f"{name}:{int(timezone.now().timestamp() // window)}"
    cache.add(key, 0, window)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the entry expired between add and incr: a new window
        cache.add(key, 1, window)
        return True


def seconds_to_next_window(window):
    """Seconds until the current window of `window` seconds ends."""
    return int(window - timezone.now().timestamp() % window) + 1
