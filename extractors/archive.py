"""Applicants delivered as a .zip: every member is checked before anything is unpacked.

The archive is refused as a whole (a ``FileProblemError`` naming the member and the reason)
when a member could write outside the folder it is unpacked into (absolute path, drive
letter, ``..``), is a symbolic link or a device, is encrypted, uses a compression method
that cannot be read, or repeats another member's name; and when the archive is a bomb:
more members, more bytes or a higher compression ratio than the policy's reading limits
(``max_zip_members``, ``max_zip_bytes``, ``max_zip_ratio``). Sizes are checked twice: from
the headers before unpacking, and again while the bytes stream out, so a header that lies
gains nothing.

Unpacking writes only under the folder the caller gives (the run's work folder, never the
batch), strips a single top-level folder (``a001/…``), and leaves out OS litter
(``__MACOSX/``, hidden files, ``Thumbs.db``) that ``list_evidence`` would skip anyway.
"""

from __future__ import annotations

import contextlib
import logging
import lzma
import shutil
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checks.policy import ReadingRule
from extractors.files import DECLARATION_NAMES, PHOTO_NAMES
from model.errors import UnreadableFileError, UnsafeFileError

log = logging.getLogger(__name__)

WORK_DIR = ".work"
"""The folder under the run's output that applicants' archives are unpacked into."""

RATIO_FLOOR_BYTES = 1 << 20
"""Members (and archives) smaller than this are not held to ``max_zip_ratio``: a small
text file of repeated characters compresses well without being a bomb."""

MAX_NAME_PART_BYTES = 255
"""The longest file or folder name a member may have (UTF-8 bytes, the Linux limit)."""

CENTRAL_DIRECTORY_BYTES_PER_MEMBER = 4096
"""Average central-directory bytes per member allowed before the directory is parsed."""

_CHUNK = 1 << 16
_SUPPORTED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                      zipfile.ZIP_LZMA}
_FLAG_ENCRYPTED = 0x1
_FLAG_STRONG_ENCRYPTION = 0x40
_FLAG_UTF8 = 0x800
_UNICODE_PATH_EXTRA = 0x7075
_LITTER_NAMES = {"__macosx", ".ds_store", "thumbs.db", "desktop.ini"}
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError,
                NotImplementedError, ValueError, RuntimeError)


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """The bomb limits an archive is held to (the policy's ``reading`` section)."""

    max_members: int
    max_bytes: int
    max_ratio: float

    @classmethod
    def of(cls, rule: ReadingRule) -> ZipLimits:
        """The limits of a policy's reading rule."""
        return cls(max_members=rule.max_zip_members, max_bytes=rule.max_zip_bytes,
                   max_ratio=rule.max_zip_ratio)


@dataclass(frozen=True, slots=True)
class Member:
    """One member of an archive that passed every check, and where it goes.

    Attributes:
        index: its position in the archive's central directory.
        name: the name as decoded from the archive (shown in messages).
        rel: where it goes, relative to the applicant root, ``/``-separated, NFC; empty
            for the stripped top-level folder itself.
        is_dir: a folder entry.
        size: uncompressed size declared by the header (bytes).
        unpack: False for OS litter and hidden files, which are checked but not unpacked.
    """

    index: int
    name: str
    rel: str
    is_dir: bool
    size: int
    unpack: bool


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name, decoded sensibly.

    A name flagged UTF-8 is taken as is. Otherwise the zip format says CP437, but Chinese
    Windows tools write the local code page (GBK) and many others write UTF-8 without the
    flag: the raw bytes are tried as the Info-ZIP Unicode Path extra field (when its CRC
    matches), then UTF-8, then GB18030 (a superset of GBK), and only then CP437.
    """
    if info.flag_bits & _FLAG_UTF8:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")
    unicode_path = _unicode_path_extra(info.extra, raw)
    if unicode_path is not None:
        return unicode_path
    if raw.isascii():
        return info.orig_filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


def _unicode_path_extra(extra: bytes, raw_name: bytes) -> str | None:
    """The UTF-8 name of an Info-ZIP Unicode Path extra field (0x7075), if present and valid."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        data = extra[pos + 4:pos + 4 + size]
        pos += 4 + size
        if tag != _UNICODE_PATH_EXTRA or len(data) < 5 or data[0] != 1:
            continue
        (crc,) = struct.unpack_from("<I", data, 1)
        if crc != zlib.crc32(raw_name):
            return None
        try:
            return data[5:].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def safe_parts(name: str) -> tuple[str, ...]:
    """The path components of a member name, after refusing any that could escape.

    Backslashes count as separators (Windows tools write them); empty and ``.``
    components are dropped; each component is NFC-normalised.

    Raises:
        UnsafeFileError: an absolute path, a drive letter, a ``..`` component, a control
            character, or a component longer than ``MAX_NAME_PART_BYTES``.
    """
    path = name.replace("\\", "/")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise UnsafeFileError(f"成员“{name!r}”的名称含控制字符")
    if path.startswith("/"):
        raise UnsafeFileError(f"成员“{name}”是绝对路径，解包会写到申报人文件夹之外")
    if len(path) >= 2 and path[1] == ":" and path[0].isascii() and path[0].isalpha():
        raise UnsafeFileError(f"成员“{name}”带盘符（{path[:2]}），解包会写到申报人文件夹之外")
    parts = tuple(unicodedata.normalize("NFC", p) for p in path.split("/") if p not in ("", "."))
    if ".." in parts:
        raise UnsafeFileError(f"成员“{name}”含“..”路径，解包会写到申报人文件夹之外")
    for p in parts:
        if len(p.encode("utf-8")) > MAX_NAME_PART_BYTES:
            raise UnsafeFileError(
                f"成员“{name}”的名称过长（超过 {MAX_NAME_PART_BYTES} 字节）")
    return parts


def _file_type_problem(info: zipfile.ZipInfo, name: str) -> str | None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == 0 or kind in (stat.S_IFREG, stat.S_IFDIR):
        return None
    if kind == stat.S_IFLNK:
        return f"成员“{name}”是符号链接，可能指向申报人文件夹之外"
    return f"成员“{name}”是特殊文件（类型 {oct(kind)}），不是普通文件或文件夹"


@dataclass(frozen=True, slots=True)
class _Checked:
    index: int
    name: str
    parts: tuple[str, ...]
    is_dir: bool
    size: int


def plan_members(
    infos: Sequence[zipfile.ZipInfo],
    limits: ZipLimits,
    archive_bytes: int,
    key: str | None = None,
) -> tuple[Member, ...]:
    """Check every member of an archive, and say where each goes; nothing is read or written.

    Args:
        infos: the archive's central directory, in order.
        limits: the bomb limits.
        archive_bytes: the size of the archive file (for the whole-archive ratio).
        key: the applicant key; a single top-level folder of that name is always stripped.

    Returns:
        The members in archive order, with their destination relative to the applicant root.

    Raises:
        UnsafeFileError: a member that could escape, a link or device, a duplicate name, or
            a limit exceeded (FILE004).
        UnreadableFileError: an encrypted member, or a compression method that cannot be
            read (FILE001).
    """
    if len(infos) > limits.max_members:
        raise UnsafeFileError(f"共 {len(infos)} 个成员，超过上限 {limits.max_members} 个"
                              "（max_zip_members）")
    total = 0
    planned: list[_Checked] = []
    for index, info in enumerate(infos):
        name = member_name(info)
        parts = safe_parts(name)
        is_dir = name.replace("\\", "/").endswith("/") or stat.S_ISDIR(info.external_attr >> 16)
        problem = _file_type_problem(info, name)
        if problem is not None:
            raise UnsafeFileError(problem)
        if info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            raise UnreadableFileError(f"成员“{name}”已加密，需要密码才能解包；请上传未加密的压缩包")
        if not is_dir and info.compress_type not in _SUPPORTED_METHODS:
            raise UnreadableFileError(
                f"成员“{name}”使用不支持的压缩方法（{info.compress_type}）；"
                "请用 ZIP 标准压缩重新打包")
        if not parts and not is_dir:
            raise UnsafeFileError(f"成员“{name!r}”没有文件名")
        size = max(info.file_size, 0)
        total += size
        if total > limits.max_bytes:
            raise UnsafeFileError(f"解压后超过 {limits.max_bytes} 字节（max_zip_bytes），"
                                  f"在成员“{name}”处超出")
        ratio = size / max(info.compress_size, 1)
        if size > RATIO_FLOOR_BYTES and ratio > limits.max_ratio:
            raise UnsafeFileError(f"成员“{name}”压缩比 {ratio:.0f}:1，超过上限 "
                                  f"{limits.max_ratio:g}:1（max_zip_ratio），疑似压缩炸弹")
        planned.append(_Checked(index, name, parts, is_dir, size))
    if total > RATIO_FLOOR_BYTES and total / max(archive_bytes, 1) > limits.max_ratio:
        raise UnsafeFileError(f"整体压缩比 {total / max(archive_bytes, 1):.0f}:1，超过上限 "
                              f"{limits.max_ratio:g}:1（max_zip_ratio），疑似压缩炸弹")
    _refuse_clashes(planned)
    strip = _top_folder_to_strip(planned, key)
    out = []
    for c in planned:
        kept = not _is_litter(c.parts)
        rel_parts = c.parts[1:] if strip is not None and kept else c.parts
        out.append(Member(index=c.index, name=c.name, rel="/".join(rel_parts), is_dir=c.is_dir,
                          size=c.size, unpack=kept))
    return tuple(out)


def _is_litter(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") or p.lower() in _LITTER_NAMES for p in parts)


def _refuse_clashes(planned: Sequence[_Checked]) -> None:
    """Two members with one name, or a name that is both a file and a folder."""
    files: dict[tuple[str, ...], str] = {}
    dirs: dict[tuple[str, ...], str] = {}
    for c in planned:
        name, parts = c.name, c.parts
        if c.is_dir:
            if parts in files:
                raise UnsafeFileError(f"成员“{name}”与“{files[parts]}”同名，一个是文件一个是文件夹")
            dirs.setdefault(parts, name)
            continue
        if parts in files:
            raise UnsafeFileError(f"成员“{name}”与“{files[parts]}”重名")
        if parts in dirs:
            raise UnsafeFileError(f"成员“{name}”与“{dirs[parts]}”同名，一个是文件一个是文件夹")
        files[parts] = name
    for parts, name in files.items():
        for i in range(1, len(parts)):
            if parts[:i] in files:
                raise UnsafeFileError(
                    f"成员“{name}”位于“{files[parts[:i]]}”之下，而后者是文件")


def _top_folder_to_strip(planned: Sequence[_Checked], key: str | None) -> str | None:
    """The single top-level folder to strip, if the archive holds one.

    Stripped when every member that is unpacked lies under one folder, and that folder is
    named after the applicant or holds the declaration or photo directly. (A lone
    ``papers/`` folder is kept, so its files keep their names.)
    """
    kept = [(c.parts, c.is_dir) for c in planned if c.parts and not _is_litter(c.parts)]
    tops = {parts[0] for parts, _ in kept}
    if len(tops) != 1:
        return None
    (top,) = tops
    if any(len(parts) == 1 and not is_dir for parts, is_dir in kept):
        return None  # a file, not a folder, at the top
    if key is not None and top.casefold() == key.casefold():
        return top
    known = {n.lower() for n in (*DECLARATION_NAMES, *PHOTO_NAMES)}
    if any(len(parts) == 2 and not is_dir and parts[1].lower() in known for parts, is_dir in kept):
        return top
    return None


def declared_entries(path: Path) -> tuple[int, int] | None:
    """Member count and central-directory size from the end record, before zipfile parses it.

    Returns None when no end record is found (zipfile then says why the file is broken).
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        start = max(0, size - (22 + 0xFFFF))
        f.seek(start)
        tail = f.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            return None
        entries, cd_size = struct.unpack_from("<HI", tail, at + 10)
        loc = at - 20
        if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and loc >= 0 and \
                tail[loc:loc + 4] == _EOCD64_LOCATOR:
            (offset,) = struct.unpack_from("<Q", tail, loc + 8)
            if offset + 56 <= size:
                f.seek(offset)
                rec = f.read(56)
                if rec[:4] == _EOCD64:
                    entries, cd_size = struct.unpack_from("<QQ", rec, 32)
    return int(entries), int(cd_size)


def unpack_zip(archive: Path, dest: Path, limits: ZipLimits,
               key: str | None = None) -> tuple[str, ...]:
    """Check ``archive`` and unpack it into ``dest``, the applicant root.

    ``dest`` is emptied first (a leftover of an earlier run) and removed again when the
    archive is refused, so nothing of a refused archive stays on disk. Nothing is written
    outside ``dest``.

    Args:
        archive: the applicant's .zip.
        dest: the folder to unpack into (under the run's work folder, never the batch).
        limits: the bomb limits.
        key: the applicant key (a top-level folder of that name is stripped).

    Returns:
        The unpacked files, relative to ``dest``, ``/``-separated, in archive order.

    Raises:
        UnsafeFileError: the archive breaks a safety rule (FILE004).
        UnreadableFileError: the archive is corrupt, truncated or encrypted (FILE001).
    """
    archive_bytes = archive.stat().st_size
    if archive_bytes > limits.max_bytes:
        raise UnsafeFileError(f"文件 {archive_bytes} 字节，超过上限 {limits.max_bytes} 字节"
                              "（max_zip_bytes）")
    declared = declared_entries(archive)
    if declared is not None:
        entries, cd_size = declared
        if entries > limits.max_members:
            raise UnsafeFileError(f"共 {entries} 个成员，超过上限 {limits.max_members} 个"
                                  "（max_zip_members）")
        if cd_size > limits.max_members * CENTRAL_DIRECTORY_BYTES_PER_MEMBER:
            raise UnsafeFileError(f"目录区 {cd_size} 字节，异常庞大（成员名或附加字段过长）")
    try:
        zf = zipfile.ZipFile(archive)
    except _READ_ERRORS as e:
        msg = f"无法作为 ZIP 打开（文件损坏或并非 ZIP）：{type(e).__name__}: {e}"
        raise UnreadableFileError(msg[:300]) from e
    with zf:
        infos = zf.infolist()
        members = plan_members(infos, limits, archive_bytes, key)
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        try:
            return _extract(zf, infos, members, dest, limits)
        except BaseException:
            shutil.rmtree(dest, ignore_errors=True)
            raise


def _extract(zf: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo],
             members: Sequence[Member], dest: Path, limits: ZipLimits) -> tuple[str, ...]:
    root = dest.resolve()
    written: list[str] = []
    total = 0
    for m in members:
        if not m.unpack or not m.rel:
            continue
        target = dest / m.rel
        if not target.resolve().is_relative_to(root):  # safe_parts makes this impossible
            raise UnsafeFileError(f"成员“{m.name}”解包位置在申报人文件夹之外")
        if m.is_dir:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        info = infos[m.index]
        total += _copy_member(zf, info, m, target, limits, total)
        written.append(m.rel)
    return tuple(written)


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, m: Member, target: Path,
                 limits: ZipLimits, total_before: int) -> int:
    """Stream one member to ``target``, counting bytes; returns the bytes written."""
    size = 0
    with target.open("xb") as out:
        try:
            src = zf.open(info)
        except _READ_ERRORS as e:
            msg = f"成员“{m.name}”无法读取：{type(e).__name__}: {e}"
            raise UnreadableFileError(msg[:300]) from e
        with src:
            while True:
                try:
                    chunk = src.read(_CHUNK)
                except _READ_ERRORS as e:
                    msg = f"成员“{m.name}”无法解压（压缩包损坏或被截断）：{type(e).__name__}: {e}"
                    raise UnreadableFileError(msg[:300]) from e
                if not chunk:
                    break
                size += len(chunk)
                if size > m.size:
                    raise UnsafeFileError(f"成员“{m.name}”解压出的字节多于其声明的 {m.size} 字节")
                if total_before + size > limits.max_bytes:
                    raise UnsafeFileError(f"解压后超过 {limits.max_bytes} 字节（max_zip_bytes），"
                                          f"在成员“{m.name}”处超出")
                if size > RATIO_FLOOR_BYTES and size / max(info.compress_size, 1) > \
                        limits.max_ratio:
                    raise UnsafeFileError(f"成员“{m.name}”压缩比超过上限 {limits.max_ratio:g}:1"
                                          "（max_zip_ratio），疑似压缩炸弹")
                out.write(chunk)
    if size != m.size:
        raise UnreadableFileError(f"成员“{m.name}”只解压出 {size} 字节，声明为 {m.size} 字节"
                                  "（压缩包损坏或被截断）")
    return size


def remove_unpacked(dest: Path) -> None:
    """Remove an applicant's unpacked folder, and the work folder above it once empty."""
    shutil.rmtree(dest, ignore_errors=True)
    with contextlib.suppress(OSError):  # other applicants are still unpacked there
        dest.parent.rmdir()
