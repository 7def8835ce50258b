"""Small spreadsheet files that unpack to far more than a roster, built in the tests (a module, not a
conftest, so tests import it by name). Each is a few kilobytes."""

import struct
import zipfile
from pathlib import Path

from openpyxl import Workbook

from roster_samples import GOOD, HEADER

ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def xlsx(path: Path, cells: dict[str, object], rows: list[list[object]] = ()) -> Path:
    """A workbook with the roster rows from A1 down, plus single cells at the given addresses."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for address, value in cells.items():
        sheet[address] = value
    book.save(path)
    return path


def far_cell(path: Path) -> Path:
    """A roster with one more cell at XFD1048576: calamine allocates 1,048,576 x 16,384 cells (512 GB)."""
    return xlsx(path, {"XFD1048576": "x"}, [HEADER, GOOD])


def huge_string(path: Path, characters: int = 600_000, shared: bool = True) -> Path:
    """A roster whose one extra cell holds a string longer than any spreadsheet cell: in the workbook's shared
    strings (where calamine keeps every string in memory), or inline in the sheet."""
    plain = xlsx(path.with_name("plain-" + path.name), {"H2": "PLACEHOLDER"}, [HEADER, GOOD])
    text = b"A" * characters
    inline = b'<c r="H2" t="inlineStr"><is><t>PLACEHOLDER</t></is></c>'
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert inline in data
                data = data.replace(inline, b'<c r="H2" t="s"><v>0</v></c>' if shared
                                    else inline.replace(b"PLACEHOLDER", text))
            elif info.filename == "[Content_Types].xml" and shared:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels" and shared:
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            out.writestr(info.filename, data)
        if shared:
            out.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                                                 b'main" count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>")
    return path


def rewrite_part(source: Path, target: Path, name: str, change) -> Path:
    """A copy of a zip package with one part's bytes changed by change(bytes) -> bytes."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info.filename, change(data) if info.filename == name else data)
    return target


def lying_sizes(source: Path, target: Path, name: str = "xl/worksheets/sheet1.xml", declared: int = 10) -> Path:
    """A copy whose part `name` declares (in both its headers) that it unpacks to `declared` bytes."""
    data = bytearray(source.read_bytes())
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at:at + name_at + len(encoded)] == encoded:
                data[at + size_at:at + size_at + 4] = struct.pack("<I", declared)
            at = data.find(signature, at + 4)
    target.write_bytes(bytes(data))
    return target


def cells_without_address(columns: int) -> bytes:
    """A sheet whose header row has `columns` cells written without r="..." (the reader counts them)."""
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADER)
    cells += '<c t="inlineStr"><is><t>x</t></is></c>' * (columns - len(HEADER))
    good = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in GOOD)
    return (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            f'<row>{cells}</row><row>{good}</row></sheetData></worksheet>').encode()


def ods(path: Path, table_rows: str) -> Path:
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}><office:body>'
               f'<office:spreadsheet><table:table table:name="Data">{table_rows}</table:table>'
               f'</office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'))
    return path


def ods_row(values: list[str], attributes: str = "", cell_attributes: str = "") -> str:
    cells = "".join(f'<table:table-cell office:value-type="string"{cell_attributes}><text:p>{v}</text:p>'
                    f'</table:table-cell>' for v in values)
    return f"<table:table-row{attributes}>{cells}</table:table-row>"


def ods_roster(path: Path, trailing: str = "") -> Path:
    """A roster as LibreOffice saves it: the rows, then empty rows and cells repeated to the sheet's end."""
    return ods(path, ods_row(HEADER) + ods_row(GOOD) + trailing + (
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'))
