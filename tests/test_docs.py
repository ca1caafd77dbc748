"""The operator's documentation keeps up with the code: every setting is in the README's table,
the quick start stays two commands in the first `sh` block (CI runs the second), and the
README's links into docs/operations.md lead to headings that exist."""

import re
from pathlib import Path

from workflow.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_setting_is_in_the_production_table():
    table = README[README.index("### Settings"):README.index("### On each release")]
    missing = [s.env_var for s in SETTINGS if f"`{s.env_var}`" not in table]
    assert missing == []


def test_the_quick_start_is_the_first_sh_block_and_two_commands():
    blocks = re.findall(r"^```sh\n(.*?)^```$", README, flags=re.S | re.M)
    assert README.index("```sh") > README.index("## Quick start")
    first = blocks[0].strip().splitlines()
    assert len(first) == 2 and first[1].endswith(".venv/bin/pytest")


def test_links_into_the_operations_guide_lead_somewhere():
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", guide, flags=re.M)}
    for target in re.findall(r"\(docs/operations\.md#([\w-]+)\)", README):
        assert target in anchors, target
    readme_anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", README, flags=re.M)}
    for target in re.findall(r"\(\.\./README\.md#([\w-]+)\)", guide) + re.findall(r"\]\(#([\w-]+)\)", README):
        assert target in readme_anchors, target


def test_the_security_page_names_only_tests_that_exist():
    """docs/security.md proves each claim by a test; a renamed or removed test must not leave a
    claim without proof, and every claim names one."""
    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/test_\w+\.py)::(test_\w+)`", page)
    assert len(cited) > 60
    missing = [f"{path}::{name}" for path, name in cited
               if not re.search(rf"^def {name}\(", (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).exists() else "", flags=re.M)]
    assert missing == []
    assert "TODO" not in page
    assert all(re.search(r"`tests/test_\w+\.py::test_\w+`", row) for row in re.findall(r"^\| (?!what|---).*\|$", page, flags=re.M))
