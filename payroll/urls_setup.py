"""URLs of the pay set-up pages: components, inputs, structures, social-insurance policies."""

from django.urls import path

from .views import setup

urlpatterns: list = [
    path("components/", setup.component_list, name="components"),
    path("components/new/", setup.component_create, name="component_create"),
    path("components/<int:pk>/", setup.component_edit, name="component_edit"),
    path("components/<int:pk>/delete/", setup.component_delete, name="component_delete"),
    path("components/<int:pk>/deactivate/", setup.component_deactivate, name="component_deactivate"),
    path("input-definitions/", setup.input_definition_list, name="input_definitions"),
    path("input-definitions/new/", setup.input_definition_create, name="input_definition_create"),
    path("input-definitions/<int:pk>/", setup.input_definition_edit, name="input_definition_edit"),
    path("structures/", setup.structure_list, name="structures"),
    path("structures/new/", setup.structure_create, name="structure_create"),
    path("structures/formula-check/", setup.formula_check, name="formula_check"),
    path("structures/<int:pk>/", setup.structure_detail, name="structure_detail"),
    path("structures/<int:pk>/new-version/", setup.structure_new_version, name="structure_new_version"),
    path("structures/<int:pk>/try/", setup.structure_try, name="structure_try"),
    path("structures/<int:pk>/lines/new/", setup.structure_line_add, name="structure_line_add"),
    path("structures/<int:pk>/lines/<int:line_pk>/", setup.structure_line_edit, name="structure_line_edit"),
    path("structures/<int:pk>/lines/<int:line_pk>/delete/", setup.structure_line_delete, name="structure_line_delete"),
    path("policies/", setup.policy_list, name="policies"),
    path("policies/new/", setup.policy_create, name="policy_create"),
    path("policies/<int:pk>/", setup.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", setup.policy_edit, name="policy_edit"),
]
