"""kamlib: the logic of the key account development and management workbook.

Importing ``kamlib`` is cheap; heavy libraries load only when a chart or form is used.
"""

__version__ = "0.1.0"
