"""Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEYS.

Key rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it), restart,
run this command, then remove the old key. Rows are rewritten in batches inside transactions.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from hrsuite.crypto import EncryptedCharField, EncryptedTextField


def encrypted_fields():
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField | EncryptedTextField)]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the current primary key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **options):
        size = options["batch_size"]
        for model, fields in encrypted_fields():
            total = 0
            pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), size):
                with transaction.atomic():
                    rows = list(model._base_manager.filter(pk__in=pks[start : start + size]).only("pk", *fields))
                    # values were decrypted with any known key; saving encrypts with the first key
                    model._base_manager.bulk_update(rows, fields)
                    total += len(rows)
            self.stdout.write(f"{model._meta.label}: {total} rows re-encrypted ({', '.join(fields)})")
        self.stdout.write(self.style.SUCCESS("Done. You can now remove the old key from FIELD_ENCRYPTION_KEYS."))
