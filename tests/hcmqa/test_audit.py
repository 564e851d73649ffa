"""The data audit: each check finds what it should, the allow-list explains, the bundled data is clean."""

import json

import pytest

from hcmqa.cli import main
from hcmqa.data.audit import DEFAULT_ALLOW, audit_dataset, is_date_key, is_time_question, load_allow_list
from hcmqa.data.build import DEFAULT_DOCS, DEFAULT_QA, build_dataset

DOC_A = """# Early years

## Birth

He was born on 19 May 1890 in Hoang Tru village of Nghe An province.

## Prison in China

In August 1942 he was arrested in Guangxi by the Nationalist authorities and marched between jails, held for about a year.
"""

DOC_B = """# Later years

## Prison in China again

In August 1942 he was arrested in Guangxi by the Nationalist authorities and marched between jails, held for about 13 months.

## Death

He died in Hanoi on 2 September 1969.
"""


def write_corpus(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(DOC_A, encoding="utf-8")
    (docs / "b.md").write_text(DOC_B, encoding="utf-8")
    return docs


def write_qa(tmp_path, rows):
    path = tmp_path / "qa.csv"
    lines = ["question,answer,key_facts,fact_id"] + [",".join(f'"{v}"' for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def by_check(report):
    out = {}
    for f in report.findings:
        out.setdefault(f.check, []).append(f)
    return out


def test_each_row_check_names_the_row(tmp_path):
    docs = write_corpus(tmp_path)
    qa = write_qa(
        tmp_path,
        [
            ("When was he born?", "He was born on 19 May 1890.", "19 May 1890", "birth"),  # row 2: fine
            ("In which village was he born?", "He was born in Hoang Tru in 1890.", "Hoang Tru|1890", "village"),  # 3: unasked year
            ("When did he die?", "He died in Hanoi.", "Hanoi", "death"),  # 4: time question, no date key
            ("Where did he die?", "He died in Hanoi.", "Saigon", "death-place"),  # 5: key in neither answer nor corpus
            ("Where was he arrested in Guangxi?", "He was arrested in Guangxi.", "Guangxi", "arrest"),  # 6: key repeats the question
            ("Which region was he born in?", "In the north of the country.", "north", "region"),  # 7: common word
        ],
    )
    report = audit_dataset(docs, qa, allow_csv=None)
    found = {(f.check, f.row) for f in report.findings}
    assert ("unasked-year", 3) in found
    assert ("time-without-date", 4) in found
    assert ("key-not-in-answer", 5) in found and ("key-not-in-corpus", 5) in found
    assert ("weak-key", 6) in found
    assert ("weak-key", 7) in found
    assert not [f for f in report.findings if f.row == 2]
    assert all(f.file == str(qa) for f in report.findings if f.row)
    assert not report.clean and report.stats["time questions without a date key"] == 1


def test_number_conflict_between_files(tmp_path):
    docs = write_corpus(tmp_path)
    qa = write_qa(tmp_path, [("When was he born?", "He was born on 19 May 1890.", "19 May 1890", "birth")])
    conflicts = by_check(audit_dataset(docs, qa, allow_csv=None)).get("number-conflict", [])
    assert len(conflicts) == 1
    assert "duration" in conflicts[0].message and "a.md" in conflicts[0].message and "b.md" in conflicts[0].message


def test_allow_list_explains_findings_and_reports_stale_entries(tmp_path):
    docs = write_corpus(tmp_path)
    qa = write_qa(tmp_path, [("In which village was he born?", "He was born in Hoang Tru in 1890.", "Hoang Tru|1890", "village")])
    allow = tmp_path / "allow.csv"
    allow.write_text(
        "check,subject,key,reason\n"
        "unasked-year,In which village was he born?,1890,the test says so\n"
        "weak-key,A question that is not there,x,stale\n"
        "number-conflict,a.md|b.md:duration:12~13,,the two files are a fixture\n",
        encoding="utf-8",
    )
    report = audit_dataset(docs, qa, allow_csv=allow)
    checks = by_check(report)
    assert [f.allowed for f in checks["unasked-year"]] == ["the test says so"]
    assert [f.allowed for f in checks["number-conflict"]] == ["the two files are a fixture"]
    assert [f.row for f in checks["allow-list-unused"]] == [3]
    assert not report.clean  # the stale entry must be removed


def test_allow_list_entries_need_a_known_check_and_a_reason(tmp_path):
    allow = tmp_path / "allow.csv"
    allow.write_text("check,subject,key,reason\nweak-key,Q?,k,\nno-such-check,Q?,k,why\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_allow_list(allow)
    assert f"{allow}:2: an allow-list entry needs a reason" in str(err.value)
    assert f"{allow}:3: unknown check 'no-such-check'" in str(err.value)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("When was Ho Chi Minh born?", True),
        ("In which year did he leave?", True),
        ("Where and when did he publish it?", True),
        ("How long did he stay in Siam?", True),
        ("Against what did the farmers protest in 1908 when he helped them?", False),
        ("Why was the date of his death changed?", False),
        ("Who was Van Ba?", False),
    ],
)
def test_time_questions(question, expected):
    assert is_time_question(question) is expected


def test_date_keys():
    assert all(map(is_date_key, ["1890", "19 May", "1940s", "9:47", "13 months", "thirty years", "Monday"]))
    assert not any(map(is_date_key, ["Hoang Tru", "Ly Thuy", "133"]))


def test_bundled_data_audits_clean():
    """Every remaining finding in the bundled data is allow-listed with its reason."""
    report = audit_dataset(DEFAULT_DOCS, DEFAULT_QA, DEFAULT_ALLOW)
    assert report.clean, report.format_text()
    assert report.stats["time questions without a date key"] <= 3
    assert report.stats["non-time questions requiring an unasked year"] <= 0.02 * report.rows
    assert report.stats["corpus words"] >= 18000


def test_cli_audit_json_and_exit_status(tmp_path, capsys):
    assert main(["data", "audit", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["clean"] and data["rows"] >= 1535 and set(data["counts"]) >= {"weak-key", "split-duplicate"}
    docs = write_corpus(tmp_path)
    qa = write_qa(tmp_path, [("When did he die?", "He died in Hanoi.", "Hanoi", "death")])
    assert main(["data", "audit", "--docs", str(docs), "--qa", str(qa)]) == 1
    out = capsys.readouterr().out
    assert f"{qa}:2: time-without-date" in out and "number-conflict" in out and "2 finding(s) to fix" in out


def test_build_runs_the_audit_and_only_warns(tmp_path):
    docs = write_corpus(tmp_path)
    qa = write_qa(tmp_path, [("When did he die?", "He died in Hanoi.", "Hanoi", "death"), ("Where did he die?", "He died in Hanoi.", "Hanoi", "death")])
    result = build_dataset(docs_dir=docs, qa_csv=qa, offtopic_csv=None, out_root=tmp_path / "out", name="fx")
    assert result.audit is not None and not result.audit.clean
    assert result.manifest["audit"]["open_findings"] == len(result.audit.open_findings)
    assert (result.path / "qa.csv").is_file()
