"""Load the declaration (application.yaml or .json) into the model, or say why not (APP001)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from extractors.files import find_declaration
from model.application import Application, Declaration, SalvagedApplication
from model.report import Evidence, Finding
from model.rules import finding


def _field_name(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(顶层)"


def parse_declaration(raw: str, file: str) -> Declaration:
    """Parse the text of a declaration file named ``file`` (.json → JSON, else YAML)."""
    ev = (Evidence(file=file),)
    try:
        data = json.loads(raw) if file.endswith(".json") else yaml.safe_load(raw)
    except (yaml.YAMLError, json.JSONDecodeError) as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else (
            f"第 {e.lineno} 行" if isinstance(e, json.JSONDecodeError) else "")
        msg = f"申报信息 {file} 无法解析{('（' + where + '）') if where else ''}：{e}"
        return Declaration(None, file, (finding("APP001", msg[:500], evidence=ev),))
    if not isinstance(data, dict):
        return Declaration(None, file, (finding(
            "APP001", f"申报信息 {file} 的顶层应为键值映射，实际为 {type(data).__name__}",
            evidence=ev),))
    try:
        app = Application.model_validate(data)
    except ValidationError as e:
        out = []
        for err in e.errors():
            field = _field_name(err["loc"])
            reason = "缺少必填字段" if err["type"] == "missing" else err["msg"]
            out.append(finding("APP001", f"申报信息字段 {field} 无效：{reason}", evidence=ev))
        return Declaration(None, file, tuple(out), salvage(data, e))
    return Declaration(app, file)


def salvage(data: dict[str, Any], error: ValidationError) -> SalvagedApplication | None:
    """What of an invalid declaration can still be checked against the evidence.

    Each invalid or missing field is dropped: an applicant field (the name excepted, without
    which nothing can be checked), or the whole achievement, education entry or year it
    belongs to. None when nothing sensible remains.
    """
    data = copy.deepcopy(data)
    drop: dict[str, set[int | str]] = {}
    for err in error.errors():
        loc = err["loc"]
        section = loc[0] if loc else None
        if section == "applicant":
            if len(loc) < 2 or loc[1] == "name" or not isinstance(data.get("applicant"), dict):
                return None
            data["applicant"].pop(loc[1], None)
        elif isinstance(section, str) and len(loc) >= 2:
            drop.setdefault(section, set()).add(loc[1])
        elif isinstance(section, str):
            data.pop(section, None)
        else:
            return None
    for section, keys in drop.items():
        value = data.get(section)
        if isinstance(value, list):
            data[section] = [x for i, x in enumerate(value) if i not in keys]
        elif isinstance(value, dict):
            data[section] = {k: v for k, v in value.items() if k not in keys
                             and str(k) not in {str(x) for x in keys}}
    try:
        return SalvagedApplication.model_validate(data)
    except ValidationError:
        return None


def load_declaration(folder: Path) -> Declaration:
    """Find and parse the applicant's declaration in ``folder``."""
    path = find_declaration(folder)
    if path is None:
        return Declaration(None, "application.yaml", (finding(
            "APP001", "缺少申报信息文件 application.yaml（或 application.json）"),))
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        ev = (Evidence(file=path.name),)
        msg = f"申报信息 {path.name} 无法读取：{e}"
        return Declaration(None, path.name, (finding("APP001", msg, evidence=ev),))
    return parse_declaration(raw, path.name)


def archive_refused(archive: Path, problem: Finding | None) -> Declaration:
    """An applicant delivered as a .zip that could not be unpacked: ``problem`` says why.

    Without a ``problem`` (the archive was never unpacked) the finding is FILE001.
    """
    if problem is None:
        problem = finding("FILE001", f"压缩包 {archive.name} 未能解包读取",
                          evidence=(Evidence(file=archive.name),))
    return Declaration(None, archive.name, (problem,))
