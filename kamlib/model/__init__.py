"""The workbook file: its models and its one store."""

from kamlib.model.store import create_workbook, load_workbook, save_workbook, update_workbook
from kamlib.model.workbook import SCHEMA_VERSION, Trainee, Workbook

__all__ = [
    "SCHEMA_VERSION",
    "Trainee",
    "Workbook",
    "create_workbook",
    "load_workbook",
    "save_workbook",
    "update_workbook",
]
