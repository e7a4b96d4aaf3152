"""ipywidgets forms: a thin layer that reads the workbook, calls the logic and saves through the store."""
