"""Altair, imported without jsonschema's optional IRI checker.

`rfc3987_syntax`, when installed, compiles a grammar when jsonschema imports it (about 1.75 s,
paid again by every notebook kernel). The Vega-Lite schema uses only the "uri" and
"uri-reference" formats, which jsonschema still checks (with rfc3986-validator), so chart
validation is unchanged. When jsonschema is already imported nothing is changed.
"""

from __future__ import annotations

import sys
from types import ModuleType


def import_altair() -> ModuleType:
    """Import altair; on a first jsonschema import, without loading `rfc3987_syntax`."""
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        import altair

        return altair
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # its import fails: jsonschema skips "iri"
    try:
        import altair
    finally:
        del sys.modules["rfc3987_syntax"]
    return altair


alt = import_altair()
