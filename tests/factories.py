"""Factories shared by the test suite (Faker zh_CN: Chinese names and phone numbers)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from faker import Faker

from employees.choices import EmployeeStatus
from employees.models import Department, Employee
from employees.services import department_save
from tests.constants import PASSWORD

fake = Faker("zh_CN")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    first_name = factory.LazyFunction(fake.name)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set([Group.objects.get_or_create(name=code)[0] for code in extracted])
        if create:
            self.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"D{n:03d}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return department_save(department=model_class(*args, **kwargs))


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    employee_no = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.LazyFunction(fake.name)
    email = factory.LazyAttribute(lambda o: f"{o.employee_no.lower()}@example.cn")
    phone = factory.LazyFunction(fake.phone_number)
    department = factory.SubFactory(DepartmentFactory)
    status = EmployeeStatus.ACTIVE
    hire_date = factory.Faker("date_between", start_date="-8y", end_date="-1y")
