#!/usr/bin/env python3
"""Write a deterministic corpus of malformed upload files (issue #19 item 6): every one must be refused cleanly.

    .venv/bin/python scripts/make_malformed_corpus.py OUT_DIR [--seed 2026] [--count 1200]

The same seed and count always give the same bytes. Each file is named `NNNN-<kind>.<ext>`; `manifest.json` lists
them with their kind and family (`xlsx`, `image`, `other`). The families:

- **xlsx**: a real workbook (Chinese headers, a few rows) broken in its zip container: truncated, central-directory
  bytes set at random offsets (the reported crash: byte 6 "version needed" = 0x9A), impossible compression methods,
  encryption and "patched data" flags, a wrong central-directory offset or entry count, members missing, renamed or
  replaced by garbage XML, a small zip bomb (a 40 MB sheet in a few KB), a member whose declared size lies, and files
  that are not workbooks at all under a .xlsx name (xls/OLE, CSV, HTML, PDF, PNG, encrypted-looking OLE, empty).
- **image**: PNG and JPEG truncated or damaged, a 144-megapixel PNG header (17 KB on disk), huge JPEG dimensions,
  bad chunk CRCs, GIF/BMP/SVG/WebP under .png/.jpg names, images under .pdf/.docx/.xlsx names.
- **other**: PDF, Word and text files whose content does not match their name, broken magic numbers, empty files.

Every file is built so that a content check can tell it is not what its name says, or not a readable file of that
type (the corpus never contains a valid upload). Pure standard library plus openpyxl and Pillow, both installed.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

__all__ = ["build_corpus", "main"]


# --- base files ------------------------------------------------------------------------------------------------------


def base_xlsx(rows: int = 6) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "项目"
    sheet.append(["项目名称", "项目代码", "总投资（万元）", "建设地点", "责任单位"])
    for n in range(rows):
        sheet.append([f"测试项目{n}", f"2403-410702-04-01-{900000 + n:06d}", 1000 + n, "红旗区", "西街街道"])
    buffer = io.BytesIO()
    book.save(buffer)
    return rezip(buffer.getvalue())


def base_png(width: int = 32, height: int = 24) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def base_jpeg(width: int = 32, height: int = 24) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def make_zip(members: list[tuple[str, bytes | str]]) -> bytes:
    """A zip with fixed timestamps, so that the same members always give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    return buffer.getvalue()


def rezip(data: bytes) -> bytes:
    """The same zip with fixed timestamps (openpyxl stamps the zip entries and docProps/core.xml with now)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    members = []
    for info in source.infolist():
        body = source.read(info.filename)
        if info.filename == "docProps/core.xml":
            body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", body)
        members.append((info.filename, body))
    return make_zip(members)


def base_docx() -> bytes:
    return make_zip(
        [
            (
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'wordprocessingml.document.main+xml"/></Types>',
            ),
            ("word/document.xml", "<w:document><w:body><w:p>通知</w:p></w:body></w:document>"),
        ]
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504  # an .xls / encrypted OOXML container's signature
HTML = (
    "<html><body><table><tr><td>项目名称</td><td>总投资</td></tr><tr><td>测试</td><td>1</td></tr></table></body></html>"
)
CSV = "项目名称,项目代码,总投资\n测试项目,2403-410702-04-01-000001,100\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring width × height with one compressed row of pixels: tiny on disk, huge when decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 4096), 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def jpeg_with_size(width: int, height: int) -> bytes:
    """A JPEG whose SOF0 declares width × height, followed by no scan data."""
    data = bytearray(base_jpeg())
    at = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, at + 5, height, width)
    return bytes(data[: at + 19]) + b"\xff\xd9"


# --- zip surgery ---------------------------------------------------------------------------------------------------


def find_all(data: bytes, signature: bytes) -> list[int]:
    found, at = [], data.find(signature)
    while at >= 0:
        found.append(at)
        at = data.find(signature, at + 1)
    return found


def set_byte(data: bytes, at: int, value: int) -> bytes:
    out = bytearray(data)
    out[at] = value
    return bytes(out)


def zip_bomb(declared_lie: bool = False) -> bytes:
    """An .xlsx-looking zip whose sheet inflates to 24 MB (ratio > 1,000); optionally the header claims 1 KB."""
    data = make_zip(
        [
            ("[Content_Types].xml", '<Types xmlns="x"/>'),
            ("xl/workbook.xml", "<workbook/>"),
            ("xl/worksheets/sheet1.xml", b"<" + b"a" * (24 * 1024 * 1024) + b"/>"),
        ]
    )
    if declared_lie:
        for at in find_all(data, b"PK\x01\x02"):
            name_len = struct.unpack_from("<H", data, at + 28)[0]
            if data[at + 46 : at + 46 + name_len].endswith(b"sheet1.xml"):
                data = data[: at + 24] + struct.pack("<I", 1024) + data[at + 28 :]
    return data


def xlsx_with_sheet(sheet_xml: str) -> bytes:
    """A workbook whose first sheet's XML is replaced (huge dimension, far cells, broken XML …)."""
    source = zipfile.ZipFile(io.BytesIO(BASE_XLSX))
    return make_zip(
        [
            (i.filename, sheet_xml.encode() if i.filename == "xl/worksheets/sheet1.xml" else source.read(i.filename))
            for i in source.infolist()
        ]
    )


SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
BROKEN_SHEETS = [
    # a sheet that is not XML, unclosed tags, an entity bomb, an external entity: all must be refused
    "not xml at all",
    f"<worksheet {SHEET_NS}><sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>项目",
    f'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    f'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><worksheet {SHEET_NS}><sheetData><row r="1"><c r="A1" '
    f't="inlineStr"><is><t>&c;</t></is></c></row></sheetData></worksheet>',
    f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet {SHEET_NS}>'
    f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>',
    f"<worksheet {SHEET_NS}><sheetData><row r='0'><c r='ZZZZZZ0'><v>1</v></c></row></sheetData></worksheet>",
    f"<worksheet {SHEET_NS}><sheetData><row r='1'><c r='A1' t='s'><v>99999</v></c></row></sheetData></worksheet>",
]


def far_sheet(rng: random.Random) -> str:
    """Huge declared dimensions and stray far cells (only a handful of real cells)."""
    far_row = rng.choice([1_048_576, 999_999, 500_000, 65_536])
    far_col = rng.choice(["XFD", "AAA", "ZZ", "B"])
    return (
        f"<worksheet {SHEET_NS}><dimension ref='A1:XFD1048576'/><sheetData>"
        f"<row r='{far_row}'><c r='{far_col}{far_row}'><v>1</v></c></row></sheetData></worksheet>"
    )


# --- the corpus ----------------------------------------------------------------------------------------------------

Maker = Callable[[random.Random], tuple[str, str, bytes]]  # -> (kind, extension, content)


def _xlsx_makers(xlsx: bytes) -> list[tuple[int, Maker]]:
    central = find_all(xlsx, b"PK\x01\x02")
    local = find_all(xlsx, b"PK\x03\x04")
    eocd = xlsx.rfind(b"PK\x05\x06")

    def truncated(rng):
        return "xlsx-truncated", ".xlsx", xlsx[: rng.randrange(0, len(xlsx) - 22)]

    def central_byte(rng):
        at = rng.choice(central)
        if rng.random() < 0.25:
            return "xlsx-central-version-0x9a", ".xlsx", set_byte(xlsx, at + 6, 0x9A)
        offset = rng.choice([4, 5, 6, 7, 8, 9, 10, 11, 20, 21, 22, 23, 24, 25, 28, 29, 30, 34, 42, 43, 44, 45])
        return f"xlsx-central-byte{offset}", ".xlsx", set_byte(xlsx, at + offset, rng.randrange(256))

    def central_method(rng):
        at = rng.choice(central)
        method = rng.choice([1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 14, 18, 19, 95, 96, 97, 98, 99, 255])
        return f"xlsx-method-{method}", ".xlsx", xlsx[: at + 10] + struct.pack("<H", method) + xlsx[at + 12 :]

    def central_flags(rng):
        at = rng.choice(central)
        flag = rng.choice([0x01, 0x20, 0x40, 0x41, 0x2000])
        return f"xlsx-flag-{flag:#x}", ".xlsx", xlsx[: at + 8] + struct.pack("<H", flag) + xlsx[at + 10 :]

    def local_byte(rng):
        at = rng.choice(local)
        offset = rng.choice([4, 6, 8, 14, 18, 22, 26, 27, 28])
        data = set_byte(xlsx, at + offset, rng.randrange(256))
        # keep the central directory's copy consistent so only the local header is wrong, then also break the
        # member's bytes so no reader can get past it
        return f"xlsx-local-byte{offset}", ".xlsx", set_byte(data, at + 30 + rng.randrange(4, 30), rng.randrange(256))

    def eocd_field(rng):
        offset = rng.choice([8, 10, 12, 16, 20])
        value = rng.choice([0, 1, 0xFFFF, 0xFFFFFFFF, rng.randrange(1 << 16)])
        size = 2 if offset in (8, 10, 20) else 4
        packed = struct.pack("<H" if size == 2 else "<I", value & (0xFFFF if size == 2 else 0xFFFFFFFF))
        return f"xlsx-eocd{offset}", ".xlsx", xlsx[: eocd + offset] + packed + xlsx[eocd + offset + size :]

    def member_garbage(rng):
        source = zipfile.ZipFile(io.BytesIO(xlsx))
        victim = rng.choice([i.filename for i in source.infolist() if i.filename.endswith(".xml")])
        missing = rng.random() < 0.5
        garbage = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        members = [
            (i.filename, garbage if i.filename == victim else source.read(i.filename))
            for i in source.infolist()
            if not (missing and i.filename == victim)
        ]
        return f"xlsx-member-{victim.rsplit('/', 1)[-1]}", ".xlsx", make_zip(members)

    def compressed_flip(rng):
        """Flip bytes inside a member's compressed data (with its CRC): only reading the member shows it."""
        at = rng.choice(local)
        name_len, extra_len = struct.unpack_from("<HH", xlsx, at + 26)
        size = struct.unpack_from("<I", xlsx, at + 18)[0]
        start = at + 30 + name_len + extra_len
        data = bytearray(xlsx)
        for _ in range(rng.randrange(1, 6)):
            data[start + rng.randrange(max(size, 1))] ^= 1 << rng.randrange(8)
        data[start - name_len - extra_len - 16] ^= 0xFF  # the local CRC too
        for c in central:
            c_name_len = struct.unpack_from("<H", xlsx, c + 28)[0]
            if xlsx[c + 46 : c + 46 + c_name_len] == xlsx[at + 30 : at + 30 + name_len]:
                data[c + 16] ^= 0xFF
        return "xlsx-compressed-flip", ".xlsx", bytes(data)

    def broken_sheet(rng):
        n = rng.randrange(len(BROKEN_SHEETS))
        return f"xlsx-sheet-xml-{n}", ".xlsx", xlsx_with_sheet(BROKEN_SHEETS[n])

    def far_cells(rng):
        return "xlsx-far-cells", ".xlsx", xlsx_with_sheet(far_sheet(rng))

    def disguised(rng):
        kind, content = rng.choice(
            [
                ("xls-ole", OLE + bytes(rng.randrange(256) for _ in range(64))),
                ("encrypted-ooxml", OLE + "EncryptionInfo".encode("utf-16-le")),
                ("csv", CSV.encode(rng.choice(["utf-8", "gb18030", "utf-16"]))),
                ("html", HTML.encode(rng.choice(["utf-8", "gb18030"]))),
                ("pdf", PDF),
                ("png", base_png()),
                ("docx", base_docx()),
                ("text", "这不是表格".encode()),
                ("empty", b""),
                ("zip-no-content-types", _plain_zip()),
            ]
        )
        return f"xlsx-disguised-{kind}", ".xlsx", content

    def bomb(rng):
        lie = rng.random() < 0.5
        return ("xlsx-bomb-size-lie" if lie else "xlsx-bomb"), ".xlsx", (BOMB_LIE if lie else BOMB)

    return [
        (60, truncated),
        (150, central_byte),
        (60, central_method),
        (40, central_flags),
        (60, local_byte),
        (40, eocd_field),
        (60, member_garbage),
        (40, compressed_flip),
        (30, broken_sheet),
        (20, far_cells),
        (80, disguised),
        (10, bomb),
    ]


def _plain_zip() -> bytes:
    return make_zip([("readme.txt", "项目")])


BASE_XLSX = b""
BOMB = b""
BOMB_LIE = b""


def _image_makers(png: bytes, jpeg: bytes) -> list[tuple[int, Maker]]:
    def png_truncated(rng):
        return "png-truncated", ".png", png[: rng.randrange(0, len(png) - 12)]

    def jpeg_truncated(rng):
        return "jpeg-truncated", rng.choice([".jpg", ".jpeg"]), jpeg[: rng.randrange(0, 200)]

    def png_crc(rng):
        data = bytearray(png)
        at = rng.randrange(16, len(png) - 4)
        data[at] ^= 1 << rng.randrange(8)
        return "png-bitflip", ".png", bytes(data)

    def png_magic(rng):
        return "png-bad-magic", ".png", set_byte(png, rng.randrange(0, 8), rng.randrange(256))

    def jpeg_magic(rng):
        return "jpeg-bad-magic", ".jpg", set_byte(jpeg, rng.randrange(0, 3), rng.choice([0x00, 0x7F, 0xFE]))

    def megapixels(rng):
        side = rng.choice([(12000, 12000), (30000, 4800), (65535, 65535), (100000, 2000), (20000, 20000)])
        return f"png-{side[0]}x{side[1]}", ".png", png_header_only(*side)

    def jpeg_huge(rng):
        side = rng.choice([(65535, 65535), (60000, 3000), (20000, 20000)])
        return f"jpeg-{side[0]}x{side[1]}", ".jpg", jpeg_with_size(*side)

    def wrong_extension(rng):
        content, kind = rng.choice([(png, "png"), (jpeg, "jpeg")])
        ext = rng.choice([".pdf", ".docx", ".xlsx", ".txt", ".exe", ""])
        if kind == "png" and ext == "":
            ext = ".jpg"  # a PNG named .jpg: content and name disagree
        return f"{kind}-named{ext or '-noext'}", ext, content

    def other_image(rng):
        kind, content = rng.choice(
            [
                ("gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"),
                ("bmp", b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + b"\x00" * 62),
                ("svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
                ("webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24),
                ("tiff", b"II*\x00\x08\x00\x00\x00" + b"\x00" * 16),
            ]
        )
        return f"image-{kind}", rng.choice([".png", ".jpg"]), content

    return [
        (40, png_truncated),
        (40, jpeg_truncated),
        (50, png_crc),
        (20, png_magic),
        (20, jpeg_magic),
        (25, megapixels),
        (15, jpeg_huge),
        (30, wrong_extension),
        (30, other_image),
    ]


def _other_makers(docx: bytes) -> list[tuple[int, Maker]]:
    def pdf_broken_magic(rng):
        return "pdf-bad-magic", ".pdf", set_byte(PDF, rng.randrange(0, 5), rng.choice([0x00, 0x20, 0x41]))

    def pdf_disguised(rng):
        return "pdf-named-other", rng.choice([".png", ".jpg", ".xlsx", ".docx"]), PDF

    def docx_broken(rng):
        at = rng.choice(find_all(docx, b"PK\x01\x02"))
        return "docx-central-0x9a", ".docx", set_byte(docx, at + 6, 0x9A)

    def docx_truncated(rng):
        return "docx-truncated", ".docx", docx[: rng.randrange(0, len(docx) - 22)]

    def executable(rng):
        ext = rng.choice([".pdf", ".png", ".jpg", ".docx", ".xlsx"])
        return "exe", ext, b"MZ\x90\x00\x03\x00\x00\x00" + bytes(rng.randrange(256) for _ in range(120))

    def text(rng):
        ext = rng.choice([".pdf", ".png", ".jpg", ".docx", ".xlsx", ".txt"])
        return "text", ext, rng.choice(["项目进展说明", "<script>alert(1)</script>", "\x00\x01\x02"]).encode()

    def empty(rng):
        return "empty", rng.choice([".pdf", ".png", ".jpg", ".docx", ".xlsx"]), b""

    return [
        (30, pdf_broken_magic),
        (20, pdf_disguised),
        (30, docx_broken),
        (20, docx_truncated),
        (20, executable),
        (20, text),
        (10, empty),
    ]


def build_corpus(out: Path, *, seed: int = 2026, count: int = 1200) -> list[dict]:
    """Write `count` files (the share of each kind is fixed) into `out`; return the manifest rows."""
    global BASE_XLSX, BOMB, BOMB_LIE
    BASE_XLSX, BOMB, BOMB_LIE = base_xlsx(), zip_bomb(), zip_bomb(declared_lie=True)
    rng = random.Random(seed)
    families = [
        ("xlsx", _xlsx_makers(BASE_XLSX)),
        ("image", _image_makers(base_png(), base_jpeg())),
        ("other", _other_makers(base_docx())),
    ]
    weighted = [(family, weight, maker) for family, makers in families for weight, maker in makers]
    total_weight = sum(weight for _, weight, _ in weighted)
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    n = 0
    for family, weight, maker in weighted:
        for _ in range(max(1, round(count * weight / total_weight))):
            kind, extension, content = maker(rng)
            name = f"{n:04d}-{kind}{extension}"
            (out / name).write_bytes(content)
            manifest.append({"name": name, "kind": kind, "family": family, "size": len(content)})
            n += 1
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--count", type=int, default=1200)
    args = parser.parse_args(argv)
    manifest = build_corpus(args.out, seed=args.seed, count=args.count)
    print(f"{len(manifest)} files written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
