"""URLs of the PDF sheets, factsheets and bundles (included under /sheets/)."""

from django.urls import path

from . import views

app_name = "sheets"

urlpatterns = [
    path("practice/<int:page_id>/", views.practice_sheet, name="practice"),
    path("city/<int:page_id>/", views.city_factsheet, name="city"),
    path("bundle/", views.bundle, name="bundle"),
]
