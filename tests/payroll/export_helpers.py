"""Shared by the export and pay-history tests: workbook reading, valid ID numbers."""

import io

from openpyxl import load_workbook

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def national_id(seq: int, birth: str = "19900307") -> str:
    """A resident ID number with a valid GB 11643-1999 check digit."""
    body = f"110105{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def workbook(response):
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def cells(wb) -> list:
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
