from skillcert.registry.views import bodies, directory, filings, registration, review

app_name = "registry"
urlpatterns = [
    *directory.urlpatterns,
    *registration.urlpatterns,
    *filings.urlpatterns,
    *review.urlpatterns,
    *bodies.urlpatterns,
]
