"""URLs of the pay set-up pages: components, inputs, structures, social-insurance policies."""

urlpatterns: list = []
