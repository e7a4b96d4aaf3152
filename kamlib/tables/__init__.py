"""Tables in and out of the workbook: the one XLSX writer, the one CSV writer, the one CSV reader, and
the size check of an XLSX before it is read. One module per job:

- ``cells``: one value as a cell (``clean_text``, ``csv_cell``, ``display_width``);
- ``xlsx_out``: the XLSX writer, on XlsxWriter. Text is written as text, never a formula; characters
  XLSX cannot hold are shown as U+FFFD; rows stream in flat memory, and more rows than Excel holds
  (1,048,576 with the header) are refused with a pointer to CSV;
- ``csv_out``: the CSV writer, UTF-8 with BOM (so Excel shows Chinese). A text cell starting with
  ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading apostrophe, as OWASP advises
  against CSV injection; numbers, and text that is a plain number such as "-5", stay as they are;
- ``replace_file``: a written file replaces its target in one step (temporary file, flush, rename);
- ``csv_in``: CSV bytes read as UTF-8 (with or without BOM), UTF-16 with BOM, GB18030 (which reads GBK
  and GB2312) or Big5, then split into rows;
- ``xlsx_guard``: an XLSX that would unpack past a limit is refused before anything reads it.
"""

from kamlib.tables.cells import ILLEGAL_CHARACTERS, REPLACEMENT, clean_text, csv_cell, display_width
from kamlib.tables.csv_in import (
    CSV_ENCODINGS,
    ENCODING_NAMES,
    Decoded,
    accepted_encodings,
    csv_rows,
    decode_csv,
    read_csv_file,
)
from kamlib.tables.csv_out import csv_text, write_csv
from kamlib.tables.replace_file import replacing
from kamlib.tables.xlsx_guard import XLSX_MAX_RATIO, XLSX_MAX_UNPACKED, XLSX_RATIO_FROM, check_xlsx_size
from kamlib.tables.xlsx_out import (
    AUTO_WIDTH_ROWS,
    DATE_FORMAT,
    DATETIME_FORMAT,
    EXCEL_MAX_CHARS,
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    MAX_WIDTH,
    MIN_WIDTH,
    Sheet,
    Style,
    Styled,
    column_letter,
    sheet_name,
    write_xlsx,
    xlsx_bytes,
    xlsx_text,
)

__all__ = [
    "AUTO_WIDTH_ROWS", "CSV_ENCODINGS", "DATETIME_FORMAT", "DATE_FORMAT", "ENCODING_NAMES", "EXCEL_MAX_CHARS",
    "EXCEL_MAX_COLUMNS", "EXCEL_MAX_ROWS", "ILLEGAL_CHARACTERS", "MAX_WIDTH", "MIN_WIDTH", "REPLACEMENT",
    "XLSX_MAX_RATIO", "XLSX_MAX_UNPACKED", "XLSX_RATIO_FROM", "Decoded", "Sheet", "Style", "Styled",
    "accepted_encodings", "check_xlsx_size", "clean_text", "column_letter", "csv_cell", "csv_rows", "csv_text",
    "decode_csv", "display_width", "read_csv_file", "replacing", "sheet_name", "write_csv", "write_xlsx",
    "xlsx_bytes", "xlsx_text",
]
