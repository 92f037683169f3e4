"""URLs of the per-person pay pages: assignments, period inputs, declarations, adjustments."""

from django.urls import path

from .views import people

urlpatterns: list = [
    path("assignments/", people.assignment_list, name="assignments"),
    path("assignments/<int:pk>/", people.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/new/", people.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/revise/", people.assignment_revise, name="assignment_revise"),
    path("inputs/", people.period_inputs, name="period_inputs"),
    path("inputs/<int:pk>/<int:definition>/", people.period_input_cell, name="period_input_cell"),
    path("inputs/import/", people.period_inputs_import, name="period_inputs_import"),
    path("inputs/import/confirm/", people.period_inputs_import_confirm, name="period_inputs_import_confirm"),
    path("inputs/template/", people.period_inputs_template, name="period_inputs_template"),
    path("declarations/", people.declaration_list, name="declarations"),
    path("declarations/<int:pk>/<int:year>/", people.declaration_edit, name="declaration_edit"),
    path("adjustments/", people.adjustment_list, name="adjustments"),
    path("adjustments/new/", people.adjustment_create, name="adjustment_create"),
]
