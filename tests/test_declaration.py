"""APP001: the declaration file missing, unparsable, or with a missing/invalid field."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from extractors.declaration import load_declaration, parse_declaration

VALID = {
    "applicant": {"name": "王丽", "id_number": "11010519491231002X", "gender": "女",
                  "birth_date": "1949-12-31", "route": "正常申报"},
    "education": [{"level": "本科", "school": "浙江工业大学", "graduation_date": "2007-06-30"}],
    "achievements": [{"id": "P1", "type": "paper", "title": "视频监控", "representative": True}],
}


def test_valid_yaml_parses(tmp_path: Path) -> None:
    """This test ensures that a valid application.yaml gives the model and no finding."""
    (tmp_path / "application.yaml").write_text(yaml.safe_dump(VALID, allow_unicode=True),
                                               encoding="utf-8")
    d = load_declaration(tmp_path)
    assert d.findings == ()
    assert d.application is not None and d.application.applicant.name == "王丽"
    assert d.file == "application.yaml"


def test_valid_json_parses(tmp_path: Path) -> None:
    """This test ensures that application.json is accepted as well as YAML."""
    (tmp_path / "application.json").write_text(json.dumps(VALID, ensure_ascii=False),
                                               encoding="utf-8")
    d = load_declaration(tmp_path)
    assert d.findings == () and d.file == "application.json"


def test_numeric_id_number_is_kept_as_text() -> None:
    """This test ensures that an all-digit ID number YAML reads as an int stays a string."""
    data = json.loads(json.dumps(VALID))
    data["applicant"]["id_number"] = 110105194912310021
    d = parse_declaration(yaml.safe_dump(data, allow_unicode=True), "application.yaml")
    assert d.application is not None
    assert d.application.applicant.id_number == "110105194912310021"


def test_missing_file_is_app001(tmp_path: Path) -> None:
    """This test ensures that a folder with no declaration gets APP001."""
    d = load_declaration(tmp_path)
    assert d.application is None
    assert [f.code for f in d.findings] == ["APP001"]
    assert "application.yaml" in d.findings[0].message


def test_unparsable_yaml_is_app001_with_line() -> None:
    """This test ensures that broken YAML gives APP001 saying where."""
    d = parse_declaration("applicant:\n  name: [王丽\n", "application.yaml")
    assert d.application is None
    assert [f.code for f in d.findings] == ["APP001"]
    assert "行" in d.findings[0].message


def test_missing_required_field_is_named() -> None:
    """This test ensures that a missing required field is named in APP001."""
    data = json.loads(json.dumps(VALID))
    del data["applicant"]["id_number"]
    d = parse_declaration(json.dumps(data), "application.json")
    assert [f.code for f in d.findings] == ["APP001"]
    assert "applicant.id_number" in d.findings[0].message
    assert "缺少" in d.findings[0].message


def test_invalid_field_is_named_with_reason() -> None:
    """This test ensures that an invalid value (bad route, bad date) is named in APP001."""
    data = json.loads(json.dumps(VALID))
    data["applicant"]["route"] = "走后门"
    data["education"][0]["graduation_date"] = "2007-13-45"
    d = parse_declaration(json.dumps(data), "application.json")
    messages = " ".join(f.message for f in d.findings)
    assert {f.code for f in d.findings} == {"APP001"}
    assert "applicant.route" in messages and "education[0].graduation_date" in messages


def test_duplicate_achievement_ids_are_app001() -> None:
    """This test ensures that two achievements with one id are refused."""
    data = json.loads(json.dumps(VALID))
    data["achievements"].append(dict(data["achievements"][0]))
    d = parse_declaration(json.dumps(data), "application.json")
    assert [f.code for f in d.findings] == ["APP001"]
    assert "P1" in d.findings[0].message


def test_top_level_list_is_app001() -> None:
    """This test ensures that a declaration that is not a mapping gives APP001."""
    d = parse_declaration("- a\n- b\n", "application.yaml")
    assert [f.code for f in d.findings] == ["APP001"]


def test_an_invalid_declaration_keeps_what_can_be_read() -> None:
    """This test ensures that APP001 still leaves the valid claims to check the evidence with.

    A missing ID number drops that field only; an education entry with a bad date is dropped
    whole; the claims and the name stay.
    """
    data = json.loads(json.dumps(VALID))
    del data["applicant"]["id_number"]
    data["education"].append({"level": "硕士研究生", "school": "浙江大学",
                              "graduation_date": "2010-02-30"})
    d = parse_declaration(json.dumps(data), "application.json")
    assert d.application is None and {f.code for f in d.findings} == {"APP001"}
    s = d.salvaged
    assert s is not None and s.applicant.name == "王丽" and s.applicant.id_number is None
    assert [a.id for a in s.achievements] == ["P1"]
    assert [e.school for e in s.education] == ["浙江工业大学"]


def test_nothing_is_salvaged_without_the_name_or_from_broken_yaml() -> None:
    """This test ensures that a declaration without a valid name, or unparsable, salvages None."""
    data = json.loads(json.dumps(VALID))
    data["applicant"]["name"] = "  "
    assert parse_declaration(json.dumps(data), "application.json").salvaged is None
    assert parse_declaration("applicant:\n  name: [王丽\n", "application.yaml").salvaged is None
