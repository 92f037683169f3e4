from django.urls import path

from .views import me

app_name = "mypay"

urlpatterns = [
    path("", me.my_payslips, name="list"),
    path("<int:pk>/", me.my_payslip, name="detail"),
    path("<int:pk>/pdf/", me.my_payslip_pdf, name="pdf"),
]
