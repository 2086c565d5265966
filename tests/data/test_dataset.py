"""The demo's synthetic dataset has the seed's shape: images, one VOC annotation each, labels.csv."""

from __future__ import annotations

import csv
import struct
from pathlib import Path
from xml.etree import ElementTree

from lake.demo.dataset import CATEGORIES, SIZE, write_dataset


def test_one_image_and_one_annotation_per_sample_and_a_label_each(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path, images=5)
    images = sorted(p.name for p in (tmp_path / "images").iterdir())
    annotations = sorted(p.name for p in (tmp_path / "annotations").iterdir())
    assert images == [f"BloodImage_{i:05d}.png" for i in range(5)]
    assert annotations == [f"BloodImage_{i:05d}.xml" for i in range(5)]
    rows = list(csv.DictReader((tmp_path / "labels.csv").open()))
    assert [r["Image"] for r in rows] == [str(i) for i in range(5)]
    assert {r["Category"] for r in rows} <= set(CATEGORIES)
    assert dataset.files == 11


def test_images_are_valid_png_of_the_declared_size(tmp_path: Path) -> None:
    write_dataset(tmp_path, images=1)
    data = (tmp_path / "images" / "BloodImage_00000.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR" and struct.unpack(">II", data[16:24]) == (SIZE, SIZE)
    assert data.endswith(b"IEND\xaeB`\x82")


def test_annotations_count_every_cell_and_name_their_image(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path, images=4)
    counted = 0
    for path in sorted((tmp_path / "annotations").iterdir()):
        root = ElementTree.parse(path).getroot()
        assert root.findtext("filename") == path.with_suffix(".png").name
        objects = root.findall("object")
        assert objects[0].findtext("name") == "WBC"
        counted += len(objects)
    assert counted == dataset.cells


def test_the_same_seed_gives_the_same_dataset(tmp_path: Path) -> None:
    write_dataset(tmp_path / "a", images=3, seed=1)
    write_dataset(tmp_path / "b", images=3, seed=1)
    for name in ("labels.csv", "images/BloodImage_00002.png", "annotations/BloodImage_00002.xml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
