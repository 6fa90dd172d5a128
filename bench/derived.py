"""The stored values that ``bulk_create`` skips (it never calls ``save``), filled set-based
once the generated rows are in."""


def derive() -> None:
    """Fill each deal's stored forecast (probability and weighted amount) in one statement per
    field, the way the product's own bulk loads do."""
    from keyaccount.pipeline.forecast import refresh_forecast

    refresh_forecast()
