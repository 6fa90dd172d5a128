"""How far a long job is, for a progress bar.

Kept in the cache, not in the database: a job writes its rows in one transaction (all or
nothing), and on SQLite no other connection may write while that transaction is open. Every
process reads the same cache (a directory under ``./var`` by default, Redis when ``CACHE_URL``
says so, as it must with several app servers). What is kept is only a view of work in
progress; the job's outcome is always recorded in the database."""

from dataclasses import dataclass

from django.core.cache import cache

_LIFETIME = 60 * 60 * 24


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    phase: str = ""

    @property
    def percent(self) -> int:
        if self.total <= 0:
            return 0
        return min(100, self.done * 100 // self.total)


def _key(key: str) -> str:
    return f"job-progress:{key}"


def report_progress(key: str, *, done: int, total: int, phase: str = "") -> None:
    cache.set(_key(key), (done, total, phase), _LIFETIME)


def read_progress(key: str) -> Progress | None:
    value = cache.get(_key(key))
    if not value:
        return None
    done, total, phase = value
    return Progress(int(done), int(total), str(phase))
