"""A small synthetic dataset shaped like the seed's blood-cell images: one image per sample
(BloodImage_00000.png...), one Pascal VOC XML annotation per image with the cells' bounding
boxes, and one labels.csv giving each image's cell type.

Images are PNG rather than JPEG: PNG is a few lines of zlib, JPEG needs an encoder library, and
the data client treats both as opaque bytes. Everything is drawn from a seeded RNG, so a run is
reproducible.
"""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

CATEGORIES = ("NEUTROPHIL", "EOSINOPHIL", "LYMPHOCYTE", "MONOCYTE")
SIZE = 96  # pixels, square


@dataclass(frozen=True)
class Cell:
    kind: str  # WBC, RBC or Platelets, as in the seed's annotations
    x: int
    y: int
    radius: int

    def box(self) -> tuple[int, int, int, int]:
        return (max(self.x - self.radius, 0), max(self.y - self.radius, 0),
                min(self.x + self.radius, SIZE - 1), min(self.y + self.radius, SIZE - 1))


def png(width: int, height: int, pixels: list[bytes]) -> bytes:
    """An 8-bit RGB PNG from one bytes row per line (filter type 0 on every line)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in pixels)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def _colour(cells: list[Cell], x: int, y: int) -> bytes:
    for cell in cells:
        if (x - cell.x) ** 2 + (y - cell.y) ** 2 <= cell.radius ** 2:
            return b"\x80\x30\xa0" if cell.kind == "WBC" else b"\xd0\x50\x50"
    return b"\xf0\xe0\xe0"


def image(cells: list[Cell]) -> bytes:
    rows = [b"".join(_colour(cells, x, y) for x in range(SIZE)) for y in range(SIZE)]
    return png(SIZE, SIZE, rows)


def annotation(filename: str, cells: list[Cell]) -> bytes:
    """Pascal VOC XML, the format of the seed dataset's annotations."""
    root = ElementTree.Element("annotation")
    ElementTree.SubElement(root, "folder").text = "images"
    ElementTree.SubElement(root, "filename").text = filename
    size = ElementTree.SubElement(root, "size")
    for name, value in (("width", SIZE), ("height", SIZE), ("depth", 3)):
        ElementTree.SubElement(size, name).text = str(value)
    for cell in cells:
        found = ElementTree.SubElement(root, "object")
        ElementTree.SubElement(found, "name").text = cell.kind
        box = ElementTree.SubElement(found, "bndbox")
        for name, value in zip(("xmin", "ymin", "xmax", "ymax"), cell.box(), strict=True):
            ElementTree.SubElement(box, name).text = str(value)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def cells_of(rng: random.Random) -> list[Cell]:
    white = Cell("WBC", rng.randint(30, 66), rng.randint(30, 66), rng.randint(14, 20))
    red = [Cell("RBC", rng.randint(8, 88), rng.randint(8, 88), rng.randint(6, 9)) for _ in range(rng.randint(2, 5))]
    return [white, *red]


@dataclass(frozen=True)
class Dataset:
    root: Path
    images: int
    cells: int  # annotated objects over all images

    @property
    def files(self) -> int:
        return self.images * 2 + 1


def write_dataset(root: Path, images: int = 12, seed: int = 7) -> Dataset:
    """images/, annotations/ and labels.csv under ``root``."""
    rng = random.Random(seed)
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    labels, total = ["Image,Category"], 0
    for index in range(images):
        name = f"BloodImage_{index:05d}"
        cells = cells_of(rng)
        total += len(cells)
        (root / "images" / f"{name}.png").write_bytes(image(cells))
        (root / "annotations" / f"{name}.xml").write_bytes(annotation(f"{name}.png", cells))
        labels.append(f"{index},{rng.choice(CATEGORIES)}")
    (root / "labels.csv").write_text("\n".join(labels) + "\n")
    return Dataset(root, images, total)
