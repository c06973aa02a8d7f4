"""The JUnit XML reporter, for CI systems that show test reports (GitLab, Jenkins, Azure)."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from labellint.problem import Problem
from labellint.report import Report
from labellint.reporters._common import repo_path
from labellint.reporters.base import RenderOptions, Reporter
from labellint.reporters.text import format_problem


class JunitReporter(Reporter):
    """One test suite per rule that ran; one failed test case per problem (named by its place),
    or a single passing case when the rule found nothing, so CI shows the rule as green."""

    name = "junit"
    description = "JUnit XML: a suite per rule, a failed test case per problem"

    def render(self, report: Report, options: RenderOptions) -> str:
        by_rule: dict[str, list[Problem]] = defaultdict(list)
        for problem in report.problems:
            by_rule[problem.code].append(problem)
        names = {code: info.name for code, info in report.rules.items()}
        names.update({p.code: p.name for p in report.problems})
        root = ET.Element("testsuites", name="labellint", tests="0", failures="0", errors=str(len(report.crashes)))
        total = failures = 0
        for code in sorted(names):
            problems = by_rule.get(code, [])
            suite = ET.SubElement(root, "testsuite", name=f"{code} {names[code]}", errors="0")
            for problem in problems:
                loc = problem.location
                path = repo_path(loc.path)
                where = path or "<dataset>"
                if loc.line:
                    where += f":{loc.line}:{loc.column or 1}"
                case = ET.SubElement(suite, "testcase", classname=path or "dataset", name=f"{code} {where}")
                if path:
                    case.set("file", path)
                if loc.line:
                    case.set("line", str(loc.line))
                failure = ET.SubElement(
                    case, "failure", message=problem.message, type=f"{code} {problem.name} ({problem.severity.value})"
                )
                failure.text = format_problem(problem)
            cases = len(problems)
            if not problems:
                ET.SubElement(suite, "testcase", classname="labellint", name=f"{code} {names[code]}")
                cases = 1
            suite.set("tests", str(cases))
            suite.set("failures", str(len(problems)))
            total += cases
            failures += len(problems)
        for crash in report.crashes:
            suite = ET.SubElement(root, "testsuite", name=f"crash {crash.source}", tests="1", failures="0", errors="1")
            case = ET.SubElement(suite, "testcase", classname="labellint", name=crash.source)
            error = ET.SubElement(case, "error", message=crash.error, type="crash")
            error.text = crash.traceback or crash.error
            total += 1
        root.set("tests", str(total))
        root.set("failures", str(failures))
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
