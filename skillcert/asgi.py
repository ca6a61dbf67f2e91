"""The ASGI application ``skillcert serve`` runs: Django, with the public verification app in front of it.

``/query``, ``/v/<token>`` and ``/api/v1/public/…`` go to the Django-free Starlette app
(skillcert/verification/app.py, ARCHITECTURE.md §4); everything else goes to Django, including the signed
credential that the QR page links to (``/credentials/v/<token>/credential.json``).
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillcert.settings")
django_application = get_asgi_application()  # sets Django up: the imports below need the settings

from skillcert.verification.app import create_app  # noqa: E402
from skillcert.verification.configure import config_from_settings  # noqa: E402
from skillcert.verification.routing import combine  # noqa: E402

verification_application = create_app(config_from_settings())
application = combine(django=django_application, verification=verification_application)

# Everything imported so far lives as long as the process: keep it out of the collector's full passes,
# which would otherwise walk Django's ~130,000 objects and stall requests (131 ms a pass, decision 0007).
gc.freeze()
