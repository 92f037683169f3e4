"""Benchmark scenarios of the employees module: Excel import and export (the list page is timed
through gunicorn with the other list pages, in hrsuite.core.bench)."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from hrsuite.bench import Result, Timer, scenario

from . import importing
from .models import Department, Employee


def _client(username="hr") -> Client:
    client = Client(SERVER_NAME="localhost")  # a host in ALLOWED_HOSTS
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _workbook_bytes(rows: int) -> bytes:
    dept = Department.objects.filter(code="HQ-TECH").values_list("code", flat=True).first() or "HQ"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["工号", "姓名", "性别", "部门编码", "入职日期", "手机号码", "状态"])
    for i in range(rows):
        ws.append([f"X{i:06d}", f"测试{i}", "男" if i % 2 else "女", dept, "2024-03-01", f"139{i:08d}", "在职"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@scenario("employees.import", order=20)
def import_rows(size: int) -> Result:
    """Parse, validate and write `size` new employees from Excel (rolled back afterwards);
    baseline: openpyxl reading the same sheet alone."""
    data = _workbook_bytes(size)
    with Timer() as baseline:
        wb = load_workbook(io.BytesIO(data), read_only=True)
        for _row in wb.active.iter_rows(values_only=True):
            pass
    actor = get_user_model().objects.get(username="hr")
    with Timer() as t, transaction.atomic():
        upload = io.BytesIO(data)
        upload.name = "bench.xlsx"
        plan = importing.parse_and_validate(upload, today=timezone.localdate(), filename="bench.xlsx")
        assert plan.is_valid, plan.errors[:3]
        importing.apply_plan(plan, actor=actor)
        transaction.set_rollback(True)
    return Result("employees.import", size, t.seconds, baseline.seconds, target_seconds=30.0)


@scenario("employees.export", order=30)
def export_rows(size: int) -> Result:
    """Export of all employees to Excel through the HR list export; baseline: openpyxl writing
    the same number of rows alone."""
    count = Employee.objects.count()
    with Timer() as baseline:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        for i in range(count):
            ws.append(
                [
                    f"E{i:05d}",
                    "姓名",
                    "男",
                    "技术部",
                    "工程师",
                    "P5",
                    "北京",
                    "王",
                    "全职",
                    "在职",
                    timezone.localdate(),
                    "13800000000",
                    "a@b.cn",
                    "本科",
                ]
            )
        wb.save(io.BytesIO())
    client = _client()
    with Timer() as t:
        response = client.get("/employees/export/")
        body = b"".join(response.streaming_content)
    assert response.status_code == 200 and len(body) > 1000
    return Result("employees.export", count, t.seconds, baseline.seconds, target_seconds=15.0)
