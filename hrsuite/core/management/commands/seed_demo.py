"""Load the demo company. Idempotent: running it twice leaves the same data."""

from importlib import import_module

from django.core.management.base import BaseCommand

# each module's demo data, in dependency order; every seeder is idempotent
SEEDERS = [
    "employees.demo",
    "payroll.demo",
    "training.demo",
    "recruiting.demo",
    "offboarding.demo",
    "performance.demo",
    "relations.demo",
]


class Command(BaseCommand):
    help = "Create or complete the demo company (about 200 employees by default)."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=200, help="number of generated employees")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if the database already holds employees"
        )

    def handle(self, *args, **options):
        from employees.models import Employee

        if options["if_empty"] and Employee.objects.exists():
            self.stdout.write("The database already holds data; demo data not loaded.")
            return
        for path in SEEDERS:
            result = import_module(path).seed(employees=options["employees"])
            self.stdout.write(f"{path}: {result}")
        self.stdout.write(self.style.SUCCESS("Demo company ready."))
