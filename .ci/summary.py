#!/usr/bin/env python3
"""The closing line of .ci/run: "N passed, N failed[, N skipped]" summed over every TRX file under RESULTS.

usage: summary.py RESULTS EXTRA_FAILED

Also holds the SQL Server suite to its promise: without CSP_TEST_SQLSERVER, every test of Csp.Api.SqlServer.Tests must be
reported skipped with the reason "CSP_TEST_SQLSERVER is not set", never passed. Any test of it that ran, and a run in which
that project reported no test at all, count as failures (explained on stderr).
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
SQLSERVER_SUITE = "csp.api.sqlserver.tests.dll"
NOT_SET = "CSP_TEST_SQLSERVER is not set"


def sqlserver_suite_violations(root):
    """(tests of the SQL Server suite in this TRX, those that did not skip with the reason)."""
    storage = {u.get("id"): (u.get("storage") or "").lower() for u in root.iterfind("t:TestDefinitions/t:UnitTest", NS)}
    tests = bad = 0
    for result in root.iterfind("t:Results/t:UnitTestResult", NS):
        if not storage.get(result.get("testId"), "").endswith(SQLSERVER_SUITE):
            continue
        tests += 1
        message = result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=NS).strip()
        if result.get("outcome") != "NotExecuted" or message != NOT_SET:
            bad += 1
            print(f"Csp.Api.SqlServer.Tests: {result.get('testName')} was {result.get('outcome')} ({message or 'no reason'});"
                  f" without CSP_TEST_SQLSERVER every test must be skipped with the reason \"{NOT_SET}\"", file=sys.stderr)
    return tests, bad


def main(results, extra_failed):
    passed = failed = skipped = 0
    server = bool(os.environ.get("CSP_TEST_SQLSERVER"))
    suite_tests = 0
    for path in glob.glob(f"{results}/**/*.trx", recursive=True):
        root = ET.parse(path).getroot()
        c = root.find("t:ResultSummary/t:Counters", NS)
        if c is None:
            continue
        passed += int(c.get("passed", 0))
        failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
        # Skipped tests appear as total - executed (TRX leaves its notExecuted counter at 0 for them).
        skipped += max(int(c.get("notExecuted", 0)), int(c.get("total", 0)) - int(c.get("executed", 0)))
        if not server:
            tests, bad = sqlserver_suite_violations(root)
            suite_tests += tests
            failed += bad
    if not server and suite_tests == 0:
        print("SQL Server suite: Csp.Api.SqlServer.Tests reported no test (it must report every test skipped)", file=sys.stderr)
        failed += 1
    failed += extra_failed
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
