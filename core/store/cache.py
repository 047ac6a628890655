"""A cache of what readers return, shared by every session of the process.

A result is kept under the store, the versions of its data and of its recorded actions, the view
(as-of date and category), the area, the scope, the entity and role of the view's user and the reader's
arguments: one user's rows never answer another scope's or role's question, and an import, a settings
change or a recorded action is seen at once (the versions move on and older entries are never asked for
again; the oldest are dropped).
"""
from __future__ import annotations

import collections
import copy
import functools
import threading
import time

import pandas as pd

MAX_ENTRIES = 400
_lock = threading.Lock()
_entries: collections.OrderedDict = collections.OrderedDict()
_computing: dict[tuple, threading.RLock] = {}  # entries being computed, each by one session (re-entrant: a
# computation that asks for its own entry in its own thread computes it there instead of waiting for itself)
stats = {"hits": 0, "misses": 0}


VERSIONS_TTL = 1.0  # seconds: another process's import or action is seen within this; this process's at once
_versions: dict[str, tuple[float, tuple[str, str]]] = {}


def versions(store, max_age: float = VERSIONS_TTL) -> tuple[str, str]:
    """The data and actions versions of the store (read at most once a second, or once `max_age` seconds)."""
    now = time.monotonic()
    held = _versions.get(store.url)
    if held is not None and now - held[0] < max_age:
        return held[1]
    rows = store.read("SELECT key, value FROM store_meta WHERE key IN ('data_version', 'actions_version')")
    found = dict(zip(rows["key"], rows["value"]))
    value = found.get("data_version", "0"), found.get("actions_version", "0")
    _versions[store.url] = (now, value)
    return value


def changed(store) -> None:
    """A writer of this process moved a version on: read it afresh next time."""
    _versions.pop(store.url, None)


def _copy(value):
    if isinstance(value, pd.DataFrame):
        return value.copy()
    if isinstance(value, (dict, list)):
        return copy.deepcopy(value)
    return value


def _remember(key: tuple, compute, counted: bool = False):
    """The entry under `key`, computed and kept first when missing (the oldest entries are dropped);
    `counted`: in `stats` (the readers' hits and misses)."""
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            stats["hits"] += counted
            return _copy(_entries[key])
        gate = _computing.setdefault(key, threading.RLock())
    with gate:  # sessions missing the same entry at once (after the data changed): one computes, the others wait
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                stats["hits"] += counted
                return _copy(_entries[key])
        try:
            value = compute()
            with _lock:  # kept before the gate goes: a session arriving in between finds the entry
                stats["misses"] += counted
                _entries[key] = value
                while len(_entries) > MAX_ENTRIES:
                    _entries.popitem(last=False)
        finally:
            with _lock:
                _computing.pop(key, None)
    return _copy(value)


def cached(reader):
    """Cache a reader whose first argument is a core.store.view.View. The key holds what a reader's rows may depend on
    beyond its arguments: the view's figures, area and scope, the entity of an entity's account and the user's role
    (what waits for a leader is not what waits for an analyst of the same scope)."""
    name = f"{reader.__module__}.{reader.__qualname__}"

    @functools.wraps(reader)
    def wrapper(view, *args, **kwargs):
        key = (name, view.store.url, versions(view.store), view.view_id, view.area, view.scope, view.entity,
               getattr(view.user, "role", None), args, tuple(sorted(kwargs.items())))
        return _remember(key, lambda: reader(view, *args, **kwargs), counted=True)
    wrapper.uncached = reader
    return wrapper


def of_data(fn):
    """Cache a function of the store alone (its first argument) for as long as its data do not change."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(store, *args):
        return _remember((name, store.url, versions(store)[0], args), lambda: fn(store, *args))
    return wrapper


def clear() -> None:
    with _lock:
        _entries.clear()

