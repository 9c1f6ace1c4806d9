"""Applicants delivered as a .zip: members checked before unpacking, bombs and escapes refused."""

from __future__ import annotations

import contextlib
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from checks.policy import POLICY_DIR, parse_policy
from extractors.archive import (
    WORK_DIR,
    ZipLimits,
    declared_entries,
    remove_unpacked,
    safe_parts,
    unpack_zip,
)
from extractors.batch import ApplicantEntry, discover, unpack_applicant, work_folder
from model.errors import FileProblemError, PolicyError, UnreadableFileError, UnsafeFileError
from tests.conftest import tree_digest

LIMITS = ZipLimits(max_members=2000, max_bytes=1 << 30, max_ratio=200)
DECL = "applicant:\n  name: 王丽\n".encode()


def write_zip(path: Path, members: dict[str, bytes], *,
              method: int = zipfile.ZIP_DEFLATED) -> Path:
    """A real zip at ``path`` holding ``members`` (name → bytes; a name ending / is a folder)."""
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2022, 10, 10, 9, 0, 0))
            info.compress_type = method
            info.external_attr = ((0o40755 if name.endswith("/") else 0o100644) << 16)
            z.writestr(info, data)
    return path


def patch_name(path: Path, placeholder: str, raw: bytes) -> None:
    """Replace an ASCII member name by raw bytes of the same length, in both headers."""
    data = path.read_bytes()
    assert len(placeholder.encode()) == len(raw) and data.count(placeholder.encode()) == 2
    path.write_bytes(data.replace(placeholder.encode(), raw))


def unpack_refused(archive: Path, tmp_path: Path, limits: ZipLimits = LIMITS,
                   ) -> FileProblemError:
    """Unpack ``archive`` expecting a refusal; check nothing was left anywhere."""
    before = tree_digest(tmp_path)
    dest = tmp_path / "out" / WORK_DIR / "a001"
    with pytest.raises(FileProblemError) as info:
        unpack_zip(archive, dest, limits, key="a001")
    assert not dest.exists()
    after = tree_digest(tmp_path)
    assert {k for k in after if not k.startswith("out")} == set(before)
    assert not [k for k, v in after.items() if k.startswith("out") and v[2]]  # no file written
    return info.value


def test_good_zip_with_top_folder_and_chinese_names_unpacks_like_a_folder(tmp_path: Path) -> None:
    """This test ensures that a good zip unpacks under its top folder, stripped, names intact."""
    archive = write_zip(tmp_path / "a001.zip", {
        "a001/": b"", "a001/application.yaml": DECL, "a001/photo.jpg": b"\xff\xd8\xff" + b"j" * 99,
        "a001/证书/毕业证书.pdf": b"%PDF-1.4 fake", "a001/论文 P1.pdf": b"%PDF-1.4 p1",
        "__MACOSX/a001/._photo.jpg": b"apple", "a001/.DS_Store": b"x", "a001/Thumbs.db": b"x",
    })
    dest = tmp_path / "out" / WORK_DIR / "a001"
    rels = unpack_zip(archive, dest, LIMITS, key="a001")
    assert rels == ("application.yaml", "photo.jpg", "证书/毕业证书.pdf", "论文 P1.pdf")
    assert (dest / "证书" / "毕业证书.pdf").read_bytes() == b"%PDF-1.4 fake"
    assert (dest / "application.yaml").read_bytes() == DECL
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                  if p.is_file()) == ["a001.zip", *(f"out/.work/a001/{r}" for r in sorted(rels))]


def test_gbk_names_without_the_utf8_flag_are_decoded(tmp_path: Path) -> None:
    """This test ensures that GBK names of a Chinese Windows zip come out as Chinese."""
    gbk = "材料/毕业证书.pdf".encode("gbk")
    archive = write_zip(tmp_path / "a.zip", {"application.yaml": DECL,
                                              "X" * len(gbk): b"%PDF-1.4"})
    patch_name(archive, "X" * len(gbk), gbk)
    with zipfile.ZipFile(archive) as z:
        assert z.infolist()[1].flag_bits & 0x800 == 0  # really unflagged CP437 in the file
    rels = unpack_zip(archive, tmp_path / "dest", LIMITS)
    assert rels == ("application.yaml", "材料/毕业证书.pdf")


def test_unflagged_utf8_names_and_the_unicode_path_field_are_decoded(tmp_path: Path) -> None:
    """This test ensures that UTF-8 without the flag, and Info-ZIP's 0x7075 field, are used."""
    utf8 = "身份证.pdf".encode()
    shown = "身份证正反面.pdf".encode()
    legacy = b"ID.pdf"
    extra = struct.pack("<HHBI", 0x7075, 5 + len(shown), 1, zlib.crc32(legacy)) + shown
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Y" * len(utf8), b"%PDF-1.4 a")
        info = zipfile.ZipInfo("ID.pdf")
        info.extra = extra
        z.writestr(info, b"%PDF-1.4 b")
    patch_name(path, "Y" * len(utf8), utf8)
    assert unpack_zip(path, tmp_path / "dest", LIMITS) == ("身份证.pdf", "身份证正反面.pdf")


@pytest.mark.parametrize(("name", "why"), [
    ("../evil.txt", ".."),
    ("a001/../../evil.txt", ".."),
    ("/abs/evil.txt", "绝对路径"),
    ("C:/Windows/evil.txt", "盘符"),
    ("a001\\..\\..\\evil.txt", ".."),
    ("a001/bad\x01name.txt", "控制字符"),
])
def test_member_that_would_escape_is_refused(tmp_path: Path, name: str, why: str) -> None:
    """This test ensures that names escaping the folder are FILE004, and nothing is written."""
    archive = write_zip(tmp_path / "a001.zip", {"a001/application.yaml": DECL, name: b"evil"})
    err = unpack_refused(archive, tmp_path)
    assert isinstance(err, UnsafeFileError) and err.code == "FILE004"
    assert why in err.detail
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "out" / "evil.txt").exists()


def test_symlink_member_is_refused(tmp_path: Path) -> None:
    """This test ensures that a symbolic-link member (unix mode S_IFLNK) is refused."""
    path = tmp_path / "a001.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a001/application.yaml", DECL)
        link = zipfile.ZipInfo("a001/photo.jpg")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
    err = unpack_refused(path, tmp_path)
    assert err.code == "FILE004" and "a001/photo.jpg" in err.detail and "符号链接" in err.detail


def test_too_many_members_are_refused_before_the_directory_is_parsed(tmp_path: Path) -> None:
    """This test ensures that more members than max_zip_members are refused from the end record."""
    archive = write_zip(tmp_path / "a001.zip", {f"a001/{i}.pdf": b"%PDF" for i in range(60)})
    assert declared_entries(archive)[0] == 60
    err = unpack_refused(archive, tmp_path, ZipLimits(max_members=50, max_bytes=1 << 30,
                                                      max_ratio=200))
    assert err.code == "FILE004" and "60" in err.detail and "max_zip_members" in err.detail


def test_ratio_bomb_is_refused(tmp_path: Path) -> None:
    """This test ensures that 50 MB of zeros (about 1000:1) is refused as a bomb."""
    path = tmp_path / "a001.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a001/application.yaml", DECL)
        with z.open("a001/bomb.pdf", "w") as f:
            for _ in range(50):
                f.write(bytes(1 << 20))
    assert path.stat().st_size < 200_000
    err = unpack_refused(path, tmp_path)
    assert err.code == "FILE004" and "bomb.pdf" in err.detail and "max_zip_ratio" in err.detail


def test_many_small_compressible_members_are_refused_as_a_whole(tmp_path: Path) -> None:
    """This test ensures that a bomb split into members under the per-member floor is refused."""
    archive = write_zip(tmp_path / "a001.zip",
                        {f"a001/{i}.pdf": bytes(1 << 19) for i in range(8)})
    err = unpack_refused(archive, tmp_path)
    assert err.code == "FILE004" and "整体压缩比" in err.detail


def test_header_that_lies_about_the_size_gains_nothing(tmp_path: Path) -> None:
    """This test ensures that a bomb whose headers claim 1000 bytes is not unpacked in full."""
    path = tmp_path / "a001.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a001/application.yaml", DECL)
        z.writestr("a001/bomb.pdf", bytes(20 << 20))
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size fields
        at = data.rfind(sig)
        struct.pack_into("<I", data, at + offset, 1000)
    path.write_bytes(bytes(data))
    err = unpack_refused(path, tmp_path)
    assert isinstance(err, UnreadableFileError) and "bomb.pdf" in err.detail


def test_total_size_over_the_limit_is_refused(tmp_path: Path) -> None:
    """This test ensures that unpacked bytes over max_zip_bytes are refused."""
    archive = write_zip(tmp_path / "a001.zip", {"a001/a.pdf": b"%PDF" * 150,
                                                "a001/b.pdf": b"%PDF" * 150})
    err = unpack_refused(archive, tmp_path, ZipLimits(max_members=10, max_bytes=1000,
                                                      max_ratio=200))
    assert err.code == "FILE004" and "max_zip_bytes" in err.detail and "b.pdf" in err.detail


@pytest.mark.parametrize("names", [
    ["a001/x.pdf", "a001/x.pdf"],
    ["a001/x.pdf", "a001\\x.pdf"],
    ["a001/x.pdf", "a001/./x.pdf"],
    ["a001/x", "a001/x/y.pdf"],
])
def test_duplicate_names_are_refused(tmp_path: Path, names: list[str]) -> None:
    """This test ensures that two members landing on one path are refused."""
    path = tmp_path / "a001.zip"
    with pytest.warns(UserWarning) if names[0] == names[1] else contextlib.nullcontext(), \
            zipfile.ZipFile(path, "w") as z:
        for n in names:
            z.writestr(n, b"%PDF")
    err = unpack_refused(path, tmp_path)
    assert err.code == "FILE004" and ("重名" in err.detail or "是文件" in err.detail)


def test_encrypted_member_is_refused_as_unreadable(tmp_path: Path) -> None:
    """This test ensures that an encrypted member is FILE001 naming the member."""
    path = tmp_path / "a001.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a001/secret.pdf", b"%PDF")
    data = bytearray(path.read_bytes())  # zipfile cannot write encrypted members: set the flag
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        data[at + offset] |= 0x1
    path.write_bytes(bytes(data))
    err = unpack_refused(path, tmp_path)
    assert err.code == "FILE001" and "secret.pdf" in err.detail and "加密" in err.detail


@pytest.mark.parametrize("damage", ["truncated", "not a zip", "crc"])
def test_broken_zip_is_unreadable(tmp_path: Path, damage: str) -> None:
    """This test ensures that a truncated, fake or corrupted zip is FILE001, not a crash."""
    archive = write_zip(tmp_path / "a001.zip", {"a001/application.yaml": DECL,
                                                "a001/p.pdf": b"%PDF-1.4 " * 500})
    data = bytearray(archive.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "not a zip":
        data = bytearray(b"PK\x03\x04 this is not really a zip archive")
    else:
        at = data.find(b"a001/p.pdf") + len("a001/p.pdf") + 20
        data[at] ^= 0xFF
    archive.write_bytes(bytes(data))
    err = unpack_refused(archive, tmp_path)
    assert err.code == "FILE001"


def test_lone_non_applicant_folder_is_not_stripped(tmp_path: Path) -> None:
    """This test ensures that a zip holding only papers/ keeps the folder in file names."""
    archive = write_zip(tmp_path / "a001.zip", {"papers/P1.pdf": b"%PDF"})
    assert unpack_zip(archive, tmp_path / "d", LIMITS, key="a001") == ("papers/P1.pdf",)
    named = write_zip(tmp_path / "b.zip", {"王丽/application.yaml": DECL, "王丽/p/1.pdf": b"%"})
    assert unpack_zip(named, tmp_path / "e", LIMITS, key="b") == ("application.yaml", "p/1.pdf")


def test_leftover_work_folder_is_replaced_and_removed(tmp_path: Path) -> None:
    """This test ensures that a stale work folder is emptied first and removed afterwards."""
    archive = write_zip(tmp_path / "a001.zip", {"a001/application.yaml": DECL})
    dest = tmp_path / "out" / WORK_DIR / "a001"
    dest.mkdir(parents=True)
    (dest / "stale.pdf").write_bytes(b"old")
    assert unpack_zip(archive, dest, LIMITS, key="a001") == ("application.yaml",)
    assert not (dest / "stale.pdf").exists()
    remove_unpacked(dest)
    assert not (tmp_path / "out" / WORK_DIR).exists() and (tmp_path / "out").is_dir()


def test_safe_parts_normalises_separators_and_dots() -> None:
    """This test ensures that backslashes, empty and '.' components are normalised."""
    assert safe_parts("a\\b//./c.pdf") == ("a", "b", "c.pdf")
    assert safe_parts("a/") == ("a",)
    with pytest.raises(UnsafeFileError):
        safe_parts("x" * 300)


def test_unpack_applicant_gives_a_folder_entry_or_a_finding(tmp_path: Path, policy) -> None:
    """This test ensures that a good zip becomes a folder entry and a bad one a FILE004 finding."""
    batch = tmp_path / "batch"
    batch.mkdir()
    write_zip(batch / "a001.zip", {"a001/application.yaml": DECL, "a001/证书/毕业证书.pdf": b"%"})
    write_zip(batch / "a002.zip", {"a002/application.yaml": DECL, "../evil.pdf": b"%"})
    before = tree_digest(batch)
    good, bad = discover(batch).applicants
    assert good.is_zip and bad.is_zip
    out = tmp_path / "out"
    good = unpack_applicant(good, out, policy.reading)
    assert not good.is_zip and good.source == batch / "a001.zip"
    assert good.path == work_folder(out, "a001") == out / ".work" / "a001"
    assert [p.relative_to(good.path).as_posix() for p in good.evidence] == ["证书/毕业证书.pdf"]
    bad = unpack_applicant(bad, out, policy.reading)
    assert bad.is_zip and bad.refused is not None and bad.refused.code == "FILE004"
    assert bad.refused.message.startswith("压缩包 a002.zip：")
    assert "../evil.pdf" in bad.refused.message
    assert not work_folder(out, "a002").exists()
    assert tree_digest(batch) == before
    folder = ApplicantEntry(key="x", path=batch)
    assert unpack_applicant(folder, out, policy.reading) is folder


def test_zip_beside_a_folder_of_the_same_key_is_ignored(tmp_path: Path) -> None:
    """This test ensures that a001/ and a001.zip give one applicant, the folder."""
    (tmp_path / "a001").mkdir()
    write_zip(tmp_path / "a001.zip", {"a001/application.yaml": DECL})
    (entry,) = discover(tmp_path).applicants
    assert entry.path == tmp_path / "a001" and not entry.is_zip


def test_policy_has_zip_limits_and_validates_them() -> None:
    """This test ensures that the zip limits are in the policy and checked against each other."""
    text = (POLICY_DIR / "zj-anfang-2022.yaml").read_text(encoding="utf-8")
    rule = parse_policy(text, "bundled").reading
    assert (rule.max_zip_members, rule.max_zip_bytes, rule.max_zip_ratio) == (2000, 1 << 30, 200)
    with pytest.raises(PolicyError, match="max_zip_bytes"):
        parse_policy(text.replace("max_zip_bytes: 1073741824", "max_zip_bytes: 1000"), "x")
    with pytest.raises(PolicyError, match="max_zip_ratio"):
        parse_policy(text.replace("max_zip_ratio: 200 ", "max_zip_ratio: 1 "), "x")


def test_zip_evidence_is_labelled_office_or_archive(tmp_path: Path) -> None:
    """This test ensures that a zip among the evidence is told apart from an Office document."""
    from extractors.files import sniff_bytes

    docx = write_zip(tmp_path / "a.docx", {"[Content_Types].xml": b"<Types/>", "word/x": b""})
    nested = write_zip(tmp_path / "b.zip", {"papers/P1.pdf": b"%PDF"})
    assert sniff_bytes(docx.read_bytes()[:1024]) == ("zip", "Office document (docx, xlsx, pptx)")
    kind, label = sniff_bytes(nested.read_bytes()[:1024])
    assert kind == "zip" and "not unpacked" in label
    assert sniff_bytes(b"PK\x03\x04\x14\x00")[1] == "ZIP/Office (docx, xlsx, zip)"
