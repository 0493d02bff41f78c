"""URLs of the sheets that are not page routes: bundles (included under /sheets/)."""

from django.urls import path

from . import views

app_name = "sheets"

urlpatterns = [
    path("bundle/", views.bundle, name="bundle"),
]
