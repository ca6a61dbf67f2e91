"""ORM work in a browser test, done beside the browser rather than in its thread."""

from concurrent.futures import ThreadPoolExecutor

from django.db import connections


def beside_the_browser(function, /, **kwargs):
    """Call ``function`` (ORM work) in a thread of its own and close its connection there: in the test's
    thread, where Playwright's event loop runs, the ORM gets a connection that nobody closes, which keeps
    the PostgreSQL test database busy at the end of the session."""

    def call():
        try:
            return function(**kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
