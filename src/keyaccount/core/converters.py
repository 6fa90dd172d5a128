"""The URL converter of record ids: ``<id:pk>`` in every app's ``urls.py``.

Django's ``<int:…>`` takes any run of digits, so ``/pipeline/18446744073709551616/`` reached the
view and its lookup (SQLite cannot even compare with an integer of 2^63 or more:
``OverflowError``). ``<id:…>`` takes at most 19 digits and refuses a value above ``MAX_ID``: such
a URL does not resolve, which is a 404, the same answer as for a record that does not exist.
Registered once, by ``CoreConfig.ready``, before any URL conf is loaded.
"""

from .lookup import MAX_ID


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # the pattern does not match: the URL resolves to nothing
        return number

    def to_url(self, value: int) -> str:
        return str(value)
