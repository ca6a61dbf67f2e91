from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """The header of every page: role-aware menu links and the signed-in user's name, roles and scope."""
    # Imported here: the menu knows every app's URL names, and this module loads with the settings.
    from skillcert.portal.navigation import navigation_context

    return navigation_context(request)
