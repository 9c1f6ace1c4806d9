"""The order a batch's files are read in: the largest applicants and files first."""

from __future__ import annotations

from pathlib import Path

from extractors.batch import discover, reading_order


def _applicant(root: Path, key: str, sizes: dict[str, int]) -> None:
    folder = root / key
    folder.mkdir(parents=True)
    (folder / "application.yaml").write_text("applicant:\n  name: 王丽\n", encoding="utf-8")
    for name, size in sizes.items():
        (folder / name).write_bytes(b"x" * size)


def test_largest_applicants_first_each_with_its_largest_files_first(tmp_path: Path) -> None:
    """Applicants by their evidence's bytes, files by theirs; one with none is left out."""
    _applicant(tmp_path, "a001", {"small.jpg": 10, "big.pdf": 300})  # 310 bytes
    _applicant(tmp_path, "a002", {"one.pdf": 50, "two.png": 900, "three.tif": 100})  # 1050
    _applicant(tmp_path, "a003", {})
    _applicant(tmp_path, "a004", {"only.jpg": 500})
    plan = discover(tmp_path)

    order = [(e.key, p.name) for e, p in reading_order(list(plan.applicants))]

    assert order == [("a002", "two.png"), ("a002", "three.tif"), ("a002", "one.pdf"),
                     ("a004", "only.jpg"),
                     ("a001", "big.pdf"), ("a001", "small.jpg")]


def test_every_file_is_read_once_even_one_that_is_gone(tmp_path: Path) -> None:
    """A file removed after listing stays in the order (its read says what happened)."""
    _applicant(tmp_path, "a001", {"a.jpg": 10, "b.jpg": 20})
    _applicant(tmp_path, "a002", {"c.jpg": 5})
    plan = discover(tmp_path)
    (tmp_path / "a001" / "b.jpg").unlink()  # gone between listing and reading

    order = [(e.key, p.name) for e, p in reading_order(list(plan.applicants))]

    assert sorted(order) == [("a001", "a.jpg"), ("a001", "b.jpg"), ("a002", "c.jpg")]
    assert order[0] == ("a001", "a.jpg")
