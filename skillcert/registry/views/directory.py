"""The public directory of filed evaluation bodies (评价机构名录) and each body's public page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from skillcert.accounts.permissions import public_view
from skillcert.registry import selectors
from skillcert.registry.forms import DirectorySearchForm
from skillcert.registry.views._helpers import page_of


@public_view
def directory_view(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET)
    search = form.cleaned_data if form.is_valid() else {"q": "", "occupation": "", "district": ""}
    bodies = selectors.body_directory(
        name=search["q"], occupation=search["occupation"], district=search["district"]
    )
    page = page_of(request, bodies)
    return render(
        request,
        "registry/directory.html",
        {
            "form": form,
            "page": page,
            "entries": selectors.public_bodies(bodies=page.object_list),
            "searched": any(search.values()),
        },
    )


@public_view
def body_public_view(request: HttpRequest, credit_code: str) -> HttpResponse:
    body = selectors.public_body_get(credit_code=credit_code)
    if body is None:
        raise Http404
    return render(request, "registry/body_public.html", {"body": body})


urlpatterns = [
    path("bodies/", directory_view, name="directory"),
    path("bodies/<str:credit_code>/", body_public_view, name="body_public"),
]
