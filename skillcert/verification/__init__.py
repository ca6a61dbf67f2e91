"""Public certificate verification: the ``verification_record`` read model (Django side) and the
Django-free Starlette app that answers the anonymous query and the QR-code pages (``app.py``)."""
